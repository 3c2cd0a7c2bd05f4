"""Keeping data safe: audit log, backups and restore, integrity check, privacy (AVG)."""
