"""Encrypted storage: SQLCipher engine, key slots, ORM models, migrations, read queries."""
