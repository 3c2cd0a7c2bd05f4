"""Issue 14: the page cache follows the database's size (half of it, 16 to 128 MiB), so a
small office's file does not reserve the memory a 100,000-case archive needs."""

from __future__ import annotations

from klachtdesk.storage.engine import cache_kib


def sparse(path, mib: int):
    with path.open("wb") as handle:
        handle.truncate(mib * 1024 * 1024)
    return path


def test_the_cache_is_half_the_file_within_bounds(tmp_path):
    assert cache_kib(sparse(tmp_path / "klein.kdb", 2)) == 16 * 1024
    assert cache_kib(sparse(tmp_path / "middel.kdb", 100)) == 50 * 1024
    assert cache_kib(sparse(tmp_path / "groot.kdb", 2048)) == 128 * 1024
    assert cache_kib(tmp_path / "bestaat-niet.kdb") == 16 * 1024


def test_an_open_database_uses_it(org):
    conn = org.coordinator.db.raw_connection()
    try:
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == -16 * 1024
    finally:
        conn.close()
