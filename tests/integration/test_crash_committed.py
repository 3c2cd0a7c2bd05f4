"""Pulling the plug during everyday work: every change that was committed survives.

A writer process registers complaints one by one, moves earlier ones a step further and now
and then makes a back-up, printing each case reference only after its transaction committed.
It is killed (SIGKILL) at a random moment, many times. After each kill the database opens,
passes the integrity check, holds every reference the writer reported (and at most the one
it was busy with), and every finished back-up file is complete and verifies.

KLACHTDESK_KILL_RUNS sets the number of kills (default 15); KLACHTDESK_KILL_SEED repeats one.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from klachtdesk.services.admin import setup
from klachtdesk.services.cases import cases
from klachtdesk.services.safety import backup, check
from tests.conftest import PASSWORD, clock

RUNS = int(os.environ.get("KLACHTDESK_KILL_RUNS", "15"))

WRITER = textwrap.dedent(
    """
    import os
    import sys
    from pathlib import Path
    from klachtdesk.domain.states import Action
    from klachtdesk.domain.validation import ComplaintInput
    from klachtdesk.services.safety import backup
    from klachtdesk.services.cases import cases
    from klachtdesk.services.admin import setup
    from klachtdesk.storage import keyslots
    from tests.conftest import TODAY, clock, complaint_data

    keyslots.ARGON2_MEMORY_KIB, keyslots.ARGON2_ITERATIONS, keyslots.ARGON2_LANES = 1024, 1, 1

    def say(kind, value):
        os.write(1, f"{kind} {value}\\n".encode())  # one write: a kill cuts no line in two

    db, folder, password = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    balie = setup.unlock(db, "balie", password, **clock())
    coordinator = setup.unlock(db, "coordinator", password, **clock())
    number = 0
    while True:
        number += 1
        data = complaint_data(subject=f"Klacht {number}")
        ref = cases.register(balie, ComplaintInput.validated(data, TODAY))
        say("zaak", ref)
        if number % 3 == 0:
            cases.perform(coordinator, ref, Action.TRIAGE_KLACHT)
            say("stap", ref)
        if number % 7 == 0:
            info = backup.make_backup(coordinator, folder)
            say("backup", info.name)
    """
)


def inspect(db) -> dict[str, str]:
    ctx = setup.unlock(db, "coordinator", PASSWORD, **clock())
    try:
        report = check.check_database(ctx)
        assert report.problems == [], report.problems
        return {row.ref: row.status for row in cases.list_cases(ctx)}
    finally:
        ctx.db.dispose()


@pytest.mark.slow
def test_every_committed_change_survives_a_kill(org, tmp_path):
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    folder = tmp_path / "back-ups"
    folder.mkdir()
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.getcwd(), XDG_STATE_HOME=str(tmp_path / "state"))
    seed = os.environ.get("KLACHTDESK_KILL_SEED") or str(random.randrange(10**9))
    rng = random.Random(seed)
    reported: dict[str, str] = {}
    backups_seen = 0
    for run in range(RUNS):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(org.path), str(folder), PASSWORD],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(rng.uniform(0.8, 3.0))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        where = f"poging {run}, seed {seed}"
        assert proc.returncode == -signal.SIGKILL, f"{where}: {err}"
        lines = out.split("\n")
        # The writer writes each line in one go; a kill can still cut off the last one
        # (without its newline), which was then not reported as committed.
        for line in lines[:-1]:
            parts = line.split()
            assert len(parts) == 2, f"{where}: unexpected output line {line!r}"
            kind, value = parts
            if kind == "zaak":
                reported[value] = "ontvangen"
            elif kind == "stap":
                reported[value] = "in_behandeling"
            else:
                backups_seen += 1

        stored = inspect(org.path)
        for ref, status in reported.items():
            assert ref in stored, f"{where}: {ref} was vastgelegd maar ontbreekt"
            if status == "in_behandeling":
                assert stored[ref] != "ontvangen", f"{where}: de stap van {ref} ontbreekt"
        assert len(stored) - len(reported) <= 1, f"{where}: {len(stored)} vs {len(reported)}"
        reported = {ref: reported.get(ref, "ontvangen") for ref in stored}

        for info in backup.list_backups(folder):
            assert not info.problem, f"{where}: {info.name}: {info.problem}"
        assert not [p for p in folder.iterdir() if p.suffix == ".defect"], where

    assert len(reported) >= RUNS, f"seed {seed}: te weinig geschreven ({len(reported)})"
    assert backups_seen >= 1, f"seed {seed}: geen back-up gemaakt"
    newest = backup.list_backups(folder)[0]
    assert backup.verify_backup(newest.path, "coordinator", PASSWORD).verified
