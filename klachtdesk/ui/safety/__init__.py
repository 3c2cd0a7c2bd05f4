"""Audit log, privacy, backups and restore windows."""
