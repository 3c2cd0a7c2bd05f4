"""PySide6 windows, models and dialogs. Only this package imports Qt."""
