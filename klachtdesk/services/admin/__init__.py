"""Setting up and administering a database: users, settings, lists, calendar, procedures."""
