"""The encrypted store against the same workload on an unencrypted copy of the same data.

The database is copied with ``sqlcipher_export`` into a plain SQLite file in a temporary
folder (deleted afterwards). The same read workload (open the case list, one search, the
half-year figures of two periods: ``sql.workload``) runs on the encrypted file through
``sqlcipher3`` with KlachtDesk's own connection settings, and on the plain file through
Python's ``sqlite3`` with the same page cache. "Cold" opens a new connection for every run,
so every page is read (and decrypted) again, as right after start-up or after another PC
changed the file; "warm" repeats the workload on one open connection.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import sqlcipher3

from klachtdesk.reports.periods import last_finished_half_year
from klachtdesk.storage.engine import cache_kib
from tests.benchmarks import sql
from tests.benchmarks.figures import Report, median_ms


def _plain_connect(path: Path, module=sqlite3):
    conn = module.connect(str(path))
    conn.execute(f"PRAGMA cache_size = -{cache_kib(path)}")  # the same page cache as ours
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def export_plain(ctx, target: Path) -> float:
    """Copy schema and data into an unencrypted file; returns the seconds it took."""
    started = time.perf_counter()
    conn = ctx.db.raw_connection()
    try:
        conn.execute("ATTACH DATABASE ? AS plaintext KEY ''", (str(target),))
        conn.execute("SELECT sqlcipher_export('plaintext')").fetchall()
        conn.execute("DETACH DATABASE plaintext")
    finally:
        conn.close()
    # Triggers act on writes only, and one uses an expression in RAISE() that older SQLite
    # builds (Python's own sqlite3 3.40 here) cannot parse: the read workload needs none.
    conn = _plain_connect(target, sqlcipher3)
    try:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        for (name,) in conn.execute(query).fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.commit()
    finally:
        conn.close()
    return time.perf_counter() - started


def bench_store(report: Report, ctx, repeat: int = 5) -> None:
    today = ctx.today()
    period = last_finished_half_year(today)
    periods = (period, period.previous())
    folder = Path(tempfile.mkdtemp(prefix="klachtdesk-plain-"))
    try:
        plain = folder / "onversleuteld.sqlite"
        seconds = export_plain(ctx, plain)
        print(
            f"  plain copy: {plain.stat().st_size / 2**20:,.0f} MiB in {seconds:.1f} s",
            file=sys.stderr,
        )

        def cold(connect):
            def run():
                conn = connect()
                try:
                    sql.workload(conn, periods, today)
                finally:
                    conn.close()

            return run

        encrypted = ctx.db.raw_connection  # KlachtDesk's own connection: raw key, pragmas
        report.line(
            "encrypted store, list + search + half-year figures, new connection (cold cache)",
            median_ms(cold(encrypted), repeat),
            "the same on an unencrypted copy (sqlite3)",
            median_ms(cold(lambda: _plain_connect(plain)), repeat),
        )
        warm_encrypted, warm_plain = encrypted(), _plain_connect(plain)
        try:
            report.line(
                "encrypted store, list + search + half-year figures, open connection (warm)",
                median_ms(lambda: sql.workload(warm_encrypted, periods, today), repeat),
                "the same on an unencrypted copy (sqlite3)",
                median_ms(lambda: sql.workload(warm_plain, periods, today), repeat),
            )
        finally:
            warm_encrypted.close()
            warm_plain.close()
        # The same SQLite build without a key separates the cipher from the SQLite version.
        same_build = median_ms(cold(lambda: _plain_connect(plain, sqlcipher3)), repeat)
        print(
            f"  (unencrypted copy through sqlcipher3's own SQLite, cold: {same_build:.0f} ms; "
            f"sqlite3 {sqlite3.sqlite_version}, sqlcipher3 "
            f"{_version(sqlcipher3)})",
            file=sys.stderr,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _version(module) -> str:
    conn = module.connect(":memory:")
    try:
        return conn.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        conn.close()
