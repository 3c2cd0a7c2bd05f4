"""Use cases: the only way to change data. Each call checks the role, runs in one
transaction and writes its timeline event and audit entry in that same transaction."""
