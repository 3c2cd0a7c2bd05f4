"""The case list and the case window with its forms, actions and files."""
