"""The PostgreSQL test server's fixtures (``postgres``, ``pg_url``) live in tests/conftest.py:
tests elsewhere run on both stores too (``BOTH_STORES``)."""
