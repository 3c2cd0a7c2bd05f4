"""Pulling the plug: an import killed at a random moment leaves all of it or nothing.

An import is one transaction in rollback-journal mode. Whenever the process dies (SIGKILL: no
cleanup, no rollback of its own), the next open must roll back a hot journal, the database must
pass the integrity check, and either all 400 complaints are there or none of them.

KLACHTDESK_KILL_RUNS sets the number of kills (default 15); KLACHTDESK_KILL_SEED repeats a run.
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

from klachtdesk.services import cases, check, setup
from tests.conftest import PASSWORD, clock, complaint_data

BIG = 400
RUNS = int(os.environ.get("KLACHTDESK_KILL_RUNS", "15"))
REF = re.compile(r"^KD-2026-(\d{4})$")
PROCESS_TIMEOUT_S = 120


def cli_env(tmp_path: Path, user: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KLACHTDESK_USER=user,
        KLACHTDESK_PASSWORD=PASSWORD,
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        XDG_STATE_HOME=str(tmp_path / "xdg-state"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
    )
    env.pop("KLACHTDESK_DB", None)
    return env


def subject(number: int) -> str:
    return f"Webformulier klacht {number:03d}"


def write_big_file(path: Path) -> None:
    records = [
        complaint_data(
            received=f"2026-{1 + n % 10:02d}-{1 + n % 28:02d}",
            subject=subject(n),
            complainant={"name": f"Klager {n}", "email": f"klager{n}@voorbeeld.nl"},
        )
        for n in range(BIG)
    ]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")


def start_import(db: Path, file: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "klachtdesk", "import", "--db", str(db), str(file)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def inspect(db: Path) -> tuple[list, list[str]]:
    """Open the database as a new session would; return the cases and the check's problems."""
    ctx = setup.unlock(db, "coordinator", PASSWORD, **clock())
    try:
        rows = cases.list_cases(ctx)
        report = check.check_database(ctx)
        return rows, report.problems
    finally:
        ctx.db.dispose()


def assert_gapless(refs: list[str]) -> None:
    seqs = []
    for ref in refs:
        match = REF.match(ref)
        assert match, ref
        seqs.append(int(match.group(1)))
    assert len(set(refs)) == len(refs)
    assert sorted(seqs) == list(range(1, len(refs) + 1))


@pytest.mark.slow
def test_import_killed_at_random_moments_is_all_or_nothing(org, tmp_path):
    big = tmp_path / "webformulier-groot.json"
    write_big_file(big)
    env = cli_env(tmp_path, "balie")
    journal = Path(f"{org.path}-journal")

    # One undisturbed import: proves the file imports, and tells how long an import takes.
    started = time.monotonic()
    proc = start_import(org.path, big, env)
    out, err = proc.communicate(timeout=PROCESS_TIMEOUT_S)
    duration = time.monotonic() - started
    assert proc.returncode == 0, err
    assert out == "400 klachten geïmporteerd: KD-2026-0001 tot en met KD-2026-0400.\n"
    assert not journal.exists()

    rows, problems = inspect(org.path)
    assert problems == []
    assert len(rows) == BIG
    count = BIG

    seed = os.environ.get("KLACHTDESK_KILL_SEED") or str(random.randrange(10**9))
    rng = random.Random(seed)
    upper = max(duration, 0.5)
    outcomes = []
    for run in range(RUNS):
        delay = rng.uniform(0.2, upper)
        where = f"poging {run}, seed {seed}, na {delay:.2f} s (import duurt {duration:.2f} s)"
        started = time.monotonic()
        proc = start_import(org.path, big, env)
        time.sleep(max(0.0, started + delay - time.monotonic()))
        finished_by_itself = proc.poll() is not None
        if not finished_by_itself:
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=PROCESS_TIMEOUT_S)
        if finished_by_itself:
            assert proc.returncode == 0, f"{where}: {err}"
        else:
            assert proc.returncode in (-signal.SIGKILL, 0), f"{where}: {err}"
        hot_journal = journal.exists()

        if run % 2:
            # Every other time another process (a colleague's PC) is the first to open it.
            listing = subprocess.run(
                [sys.executable, "-m", "klachtdesk", "cases", "--db", str(org.path), "--json"],
                env=cli_env(tmp_path, "coordinator"),
                capture_output=True,
                text=True,
                timeout=PROCESS_TIMEOUT_S,
            )
            assert listing.returncode == 0, f"{where}: {listing.stderr}"
            assert len(json.loads(listing.stdout)) in (count, count + BIG), where

        # The next open succeeds (a hot journal is rolled back) and the database is sound.
        rows, problems = inspect(org.path)
        assert problems == [], f"{where}: {problems}"
        assert not journal.exists(), f"{where}: het journaalbestand is blijven staan"

        # All or nothing: never part of the 400.
        assert len(rows) in (count, count + BIG), f"{where}: {len(rows)} zaken, was {count}"
        if proc.returncode == 0:
            assert len(rows) == count + BIG, where
        refs = [row.ref for row in rows]
        assert_gapless(refs)
        if len(rows) == count + BIG:
            assert [row.subject for row in rows[count:]] == [subject(n) for n in range(BIG)]
        assert [row.subject for row in rows[:BIG]] == [subject(n) for n in range(BIG)]
        outcomes.append((round(delay, 2), proc.returncode, hot_journal, len(rows) - count))
        count = len(rows)

    # The kills really interrupted writing: at least once a hot journal was left behind.
    assert any(hot for _, _, hot, _ in outcomes), f"seed {seed}: {outcomes}"

    checked = subprocess.run(
        [sys.executable, "-m", "klachtdesk", "check", "--db", str(org.path)],
        env=cli_env(tmp_path, "beheer"),
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_S,
    )
    assert checked.returncode == 0, checked.stderr
    assert "De database is in orde." in checked.stdout
