"""The deadline calendar: month, week and agenda."""
