"""Settings and passwords (beheer)."""
