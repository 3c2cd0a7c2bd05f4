"""Pulling the plug: an import killed at any moment leaves all of it or nothing.

An import writes in one transaction in rollback-journal mode (after reading and checking the
whole file without the write lock, it is a short one: about a tenth of a second for 400
complaints). Whenever the process dies (SIGKILL: no cleanup, no rollback of its own), the next
open must roll back a hot journal, the database must pass the integrity check, and either all
400 complaints are there or none of them.

KLACHTDESK_KILL_RUNS sets the number of random kills (default 15); KLACHTDESK_KILL_SEED repeats
a run with the same moments.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from klachtdesk.services.admin import setup
from klachtdesk.services.cases import cases
from klachtdesk.services.safety import check
from tests.conftest import PASSWORD, cli_env, clock, complaint_data

BIG = 400
RUNS = int(os.environ.get("KLACHTDESK_KILL_RUNS", "15"))
COMMIT_RUNS = max(4, RUNS // 3)
REF = re.compile(r"^KD-2026-(\d{4})$")
PROCESS_TIMEOUT_S = 120
# The import's transaction journals far more than a login's (one audit entry: about 13 KB); a
# journal beyond this size is the import's own. Its transaction lasts ~0.1 s, its commit ~3 ms.
IMPORT_JOURNAL_BYTES = 48 * 1024
IMPORT_TRANSACTION_S = 0.1


def subject(number: int) -> str:
    return f"Webformulier klacht {number:03d}"


SUBJECTS = [subject(n) for n in range(BIG)]


def seed_from_env() -> str:
    return os.environ.get("KLACHTDESK_KILL_SEED") or str(random.randrange(10**9))


class KillBench:
    """One database, one big import file, and the checks to run after every kill."""

    def __init__(self, db: Path, tmp_path: Path):
        self.db = db
        self.tmp_path = tmp_path
        self.journal = Path(f"{db}-journal")
        self.file = tmp_path / "webformulier-groot.json"
        records = [
            complaint_data(
                received=f"2026-{1 + n % 10:02d}-{1 + n % 28:02d}",
                subject=subject(n),
                complainant={"name": f"Klager {n}", "email": f"klager{n}@voorbeeld.nl"},
            )
            for n in range(BIG)
        ]
        self.file.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        self.count = len(self.inspect("vooraf")[0])
        self.hot_journals = 0
        self.completed = 0

    def start_import(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "klachtdesk", "import", "--db", str(self.db), str(self.file)],
            env=cli_env(self.tmp_path, "balie"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def inspect(self, where: str) -> tuple[list, list[str]]:
        """Open the database as the next user would; the cases and the check's problems."""
        ctx = setup.unlock(self.db, "coordinator", PASSWORD, **clock())
        try:
            rows = cases.list_cases(ctx)
            report = check.check_database(ctx)
        finally:
            ctx.db.dispose()
        assert report.problems == [], f"{where}: {report.problems}"
        return rows, report.problems

    def kill(self, proc: subprocess.Popen, where: str) -> None:
        finished_by_itself = proc.poll() is not None
        if not finished_by_itself:
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=PROCESS_TIMEOUT_S)
        allowed = (0,) if finished_by_itself else (0, -signal.SIGKILL)
        assert proc.returncode in allowed, f"{where}: afsluitcode {proc.returncode}: {err}"
        if proc.returncode == 0:
            assert out.startswith("400 klachten geïmporteerd"), f"{where}: {out}"

    def check_after_kill(self, proc: subprocess.Popen, where: str, cli_first: bool) -> bool:
        """All the promises after a kill; returns whether a hot journal was left behind."""
        hot = self.journal.exists()
        self.hot_journals += hot
        before = self.count
        if cli_first:
            # Another process (a colleague's PC) is the first to open the file after the crash.
            listing = subprocess.run(
                [sys.executable, "-m", "klachtdesk", "cases", "--db", str(self.db), "--json"],
                env=cli_env(self.tmp_path, "coordinator"),
                capture_output=True,
                text=True,
                timeout=PROCESS_TIMEOUT_S,
            )
            assert listing.returncode == 0, f"{where}: {listing.stderr}"
            assert len(json.loads(listing.stdout)) in (before, before + BIG), where

        # The next open succeeds (a hot journal is rolled back) and the database is sound;
        # the check's own write transaction leaves no journal file behind.
        rows, _ = self.inspect(where)
        assert not self.journal.exists(), f"{where}: het journaalbestand is blijven staan"

        # All or nothing: never part of the 400, and never a gap in the numbering.
        assert len(rows) in (before, before + BIG), f"{where}: {len(rows)} zaken, was {before}"
        if proc.returncode == 0:
            assert len(rows) == before + BIG, f"{where}: import gelukt maar zaken ontbreken"
        refs = [row.ref for row in rows]
        assert all(REF.match(ref) for ref in refs), where
        assert len(set(refs)) == len(refs), f"{where}: dubbele kenmerken"
        assert sorted(int(ref[-4:]) for ref in refs) == list(range(1, len(rows) + 1)), where
        for start in range(0, len(rows), BIG):
            assert [row.subject for row in rows[start : start + BIG]] == SUBJECTS, where
        self.completed += len(rows) == before + BIG
        self.count = len(rows)
        return hot

    def final_cli_check(self) -> None:
        checked = subprocess.run(
            [sys.executable, "-m", "klachtdesk", "check", "--db", str(self.db)],
            env=cli_env(self.tmp_path, "beheer"),
            capture_output=True,
            text=True,
            timeout=PROCESS_TIMEOUT_S,
        )
        assert checked.returncode == 0, checked.stderr
        assert "De database is in orde." in checked.stdout


@pytest.mark.slow
def test_import_killed_at_random_moments_is_all_or_nothing(org, tmp_path):
    bench = KillBench(org.path, tmp_path)
    assert bench.count == 0

    # One undisturbed import: proves the file imports, and tells how long an import takes.
    started = time.monotonic()
    proc = bench.start_import()
    out, err = proc.communicate(timeout=PROCESS_TIMEOUT_S)
    duration = time.monotonic() - started
    assert proc.returncode == 0, err
    assert out == "400 klachten geïmporteerd: KD-2026-0001 tot en met KD-2026-0400.\n"
    bench.check_after_kill(proc, "zonder onderbreking", cli_first=False)
    assert bench.count == BIG

    seed = seed_from_env()
    rng = random.Random(seed)
    outcomes = []
    for run in range(RUNS):
        started = time.monotonic()
        proc = bench.start_import()
        if run % 2:  # any moment of the process's life
            delay = rng.uniform(0.2, max(duration, 0.5))
            where = f"poging {run}, seed {seed}, na {delay:.2f} s (import duurt {duration:.2f} s)"
            time.sleep(max(0.0, started + delay - time.monotonic()))
        else:  # a moment of its short write transaction, or just after it
            delay = rng.uniform(0.0, IMPORT_TRANSACTION_S)
            where = f"poging {run}, seed {seed}, {delay * 1000:.0f} ms na begin schrijven"
            if wait_for_import_transaction(proc, bench.journal):
                time.sleep(delay)
        bench.kill(proc, where)
        before = bench.count
        hot = bench.check_after_kill(proc, where, cli_first=bool(run % 2))
        outcomes.append((round(delay, 2), proc.returncode, hot, bench.count - before))

    # The kills really interrupted writing: at least once a hot journal was left behind.
    assert bench.hot_journals >= 1, f"seed {seed}: {outcomes}"
    bench.final_cli_check()


def _import_journal(journal: Path) -> bool:
    """Is the import's own write transaction under way (its journal, not a login's)?"""
    try:
        return journal.stat().st_size > IMPORT_JOURNAL_BYTES
    except FileNotFoundError:
        return False


def wait_for_import_transaction(proc: subprocess.Popen, journal: Path) -> bool:
    """Wait until the import writes; False if the process ended before that was seen."""
    while proc.poll() is None:
        if _import_journal(journal):
            return True
        time.sleep(0.0002)
    return False


def wait_for_commit(proc: subprocess.Popen, db: Path, journal: Path) -> bool:
    """Wait until the import's commit starts writing the database file itself.

    Until then, all changes live in the page cache and only the journal is written. Returns
    False if the process ended before that moment was seen.
    """
    mtime_in_transaction = None
    while proc.poll() is None:
        if not journal.exists():
            mtime_in_transaction = None
        elif mtime_in_transaction is None:
            if _import_journal(journal):
                mtime_in_transaction = db.stat().st_mtime_ns
        elif db.stat().st_mtime_ns != mtime_in_transaction:
            return True
        time.sleep(0.0002)
    return False


@pytest.mark.slow
def test_import_killed_while_committing_is_all_or_nothing(org, tmp_path):
    """Aimed at the few milliseconds in which the database file itself is being overwritten."""
    bench = KillBench(org.path, tmp_path)
    seed = seed_from_env()
    rng = random.Random(seed)
    mid_commit = 0
    for run in range(COMMIT_RUNS):
        # Half of the kills right away, half a few ms later (the commit takes about 3 ms).
        extra = 0.0 if run % 2 == 0 else rng.uniform(0.0, 0.006)
        where = f"commit-poging {run}, seed {seed}, {extra * 1000:.1f} ms na begin commit"
        proc = bench.start_import()
        seen = wait_for_commit(proc, bench.db, bench.journal)
        if seen and extra:
            time.sleep(extra)
        bench.kill(proc, where)
        hot = bench.check_after_kill(proc, where, cli_first=bool(run % 2))
        mid_commit += seen and hot

    # At least one kill landed after the database file was touched and before the journal was
    # removed: the hot journal then had to repair a half-written file.
    assert mid_commit >= 1, f"seed {seed}: geen enkele kill tijdens het vastleggen"
    bench.final_cli_check()
