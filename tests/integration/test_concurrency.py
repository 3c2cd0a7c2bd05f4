"""Several processes and PCs on one database file (SPEC: a shared file on a network drive).

Writers take the write lock at BEGIN IMMEDIATE, so case numbers stay unique and gap-free even
when imports and registrations from different processes interleave; a stale edit is refused
with a Dutch message instead of silently overwriting a colleague's work.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import re
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
from sqlalchemy import func, select

from klachtdesk.domain.errors import ConflictError
from klachtdesk.domain.states import Action, Status
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import cases
from klachtdesk.services.safety import check
from klachtdesk.storage.models import Case, Event
from tests.conftest import PASSWORD, TODAY, cli_env, clock, complaint_data

REF = re.compile(r"^KD-2026-(\d{4})$")
PROCESS_TIMEOUT_S = 120


def run_cli(tmp_path: Path, user: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "klachtdesk", *args],
        env=cli_env(tmp_path, user),
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_S,
    )


def subject(batch: int, number: int) -> str:
    return f"Partij {batch} klacht {number:02d}"


def batch_records(batch: int, count: int) -> list[dict]:
    """``count`` complaints, received on different days of 2026, from different people."""
    return [
        complaint_data(
            received=f"2026-{1 + (batch + n) % 10:02d}-{1 + n % 28:02d}",
            subject=subject(batch, n),
            complainant={
                "name": f"Klager {batch}-{n}",
                "email": f"klager{batch}.{n}@voorbeeld.nl",
            },
        )
        for n in range(count)
    ]


def seq_of(ref: str) -> int:
    match = REF.match(ref)
    assert match, f"kenmerk {ref!r} heeft niet de vorm KD-2026-NNNN"
    return int(match.group(1))


def assert_refs_complete(refs: list[str]) -> None:
    """Unique, well-formed, and numbered 1..N without gaps."""
    assert len(refs) == len(set(refs)), f"dubbele kenmerken: {sorted(refs)}"
    seqs = sorted(seq_of(ref) for ref in refs)
    assert seqs == list(range(1, len(refs) + 1))


# -- several CLI imports at once -----------------------------------------------------------------
@pytest.mark.slow
def test_parallel_cli_imports_get_unique_gapless_references(org, tmp_path):
    pre_existing = [
        cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
        for _ in range(3)
    ]
    assert pre_existing == ["KD-2026-0001", "KD-2026-0002", "KD-2026-0003"]

    processes, per_batch = 4, 25
    files = []
    for batch in range(processes):
        path = tmp_path / f"webformulier-{batch}.json"
        path.write_text(json.dumps(batch_records(batch, per_batch)), encoding="utf-8")
        files.append(path)

    env = cli_env(tmp_path, "balie")
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "klachtdesk", "import", "--db", str(org.path), str(path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in files
    ]
    # All four are under way before any is done (starting Python alone takes longer).
    assert [p.poll() for p in running] == [None] * processes
    results = [p.communicate(timeout=PROCESS_TIMEOUT_S) for p in running]

    blocks = {}
    for batch, (proc, (out, err)) in enumerate(zip(running, results, strict=True)):
        assert proc.returncode == 0, f"import {batch} mislukte ({proc.returncode}): {err}"
        assert err == ""
        match = re.fullmatch(
            r"25 klachten geïmporteerd: (KD-2026-\d{4}) tot en met (KD-2026-\d{4})\.\n", out
        )
        assert match, out
        first, last = seq_of(match.group(1)), seq_of(match.group(2))
        # One file is one transaction under the write lock: its numbers form one block.
        assert last - first == per_batch - 1
        blocks[batch] = first

    listing = run_cli(tmp_path, "balie", "cases", "--db", str(org.path), "--json")
    assert listing.returncode == 0, listing.stderr
    rows = json.loads(listing.stdout)
    total = len(pre_existing) + processes * per_batch
    assert len(rows) == total == 103
    refs = [row["ref"] for row in rows]
    assert_refs_complete(refs)
    assert refs[:3] == pre_existing
    # The blocks do not overlap: together with the three earlier cases they cover 1..103.
    starts = sorted(blocks.values())
    assert starts == [4 + i * per_batch for i in range(processes)]
    # Every case of a block came from the file that block belongs to, in file order.
    by_seq = {seq_of(row["ref"]): row for row in rows}
    for batch, first in blocks.items():
        got = [by_seq[first + n]["subject"] for n in range(per_batch)]
        assert got == [subject(batch, n) for n in range(per_batch)]
        assert by_seq[first]["complainant"] == f"Klager {batch}-0"
    assert {row["status"] for row in rows} == {Status.ONTVANGEN.value}

    checked = run_cli(tmp_path, "beheer", "check", "--db", str(org.path))
    assert checked.returncode == 0, checked.stderr
    assert "De database is in orde." in checked.stdout
    assert checked.stderr == ""


# -- two processes registering through the service layer ---------------------------------------
def _register_worker(db_path: str, username: str, worker: int, count: int, barrier, queue):
    """Runs in a spawned process: log in, wait for the other, register ``count`` complaints.

    The first complaint is registered before the barrier: it warms up everything loaded on
    first use (mappers, holiday tables, date formats), so that afterwards both processes
    compete for the write lock on equal terms.
    """
    try:
        from klachtdesk.services.admin import setup

        ctx = setup.unlock(Path(db_path), username, PASSWORD, **clock())
        pace = random.Random(worker)
        refs = []
        for n in range(count):
            if n == 1:
                barrier.wait(timeout=PROCESS_TIMEOUT_S)
            if n >= 1:
                # A clerk's pace, so neither process can starve the other of the write lock.
                time.sleep(pace.uniform(0.002, 0.02))
            data = complaint_data(
                subject=f"Proces {worker} klacht {n:02d}",
                complainant={"name": f"Klager {worker}-{n}", "email": f"p{worker}.{n}@x.nl"},
            )
            refs.append(cases.register(ctx, ComplaintInput.validated(data, TODAY)))
        ctx.db.dispose()
        queue.put((worker, refs, None))
    except BaseException:  # report everything to the test process
        queue.put((worker, [], traceback.format_exc()))


@pytest.mark.slow
def test_two_processes_registering_get_unique_gapless_references(org):
    spawn = multiprocessing.get_context("spawn")
    workers, per_worker = 2, 30
    barrier = spawn.Barrier(workers)
    queue = spawn.Queue()
    users = ["balie", "coordinator"]
    procs = [
        spawn.Process(
            target=_register_worker,
            args=(str(org.path), users[w], w, per_worker, barrier, queue),
            daemon=True,
        )
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    results = {}
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT_S
        for _ in range(workers):
            worker, refs, error = queue.get(timeout=max(1.0, deadline - time.monotonic()))
            assert error is None, f"proces {worker} mislukte:\n{error}"
            results[worker] = refs
        for proc in procs:
            proc.join(timeout=PROCESS_TIMEOUT_S)
            assert proc.exitcode == 0
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join()

    all_refs = [ref for refs in results.values() for ref in refs]
    assert len(all_refs) == workers * per_worker
    assert_refs_complete(all_refs)
    seqs = {w: [seq_of(r) for r in refs] for w, refs in results.items()}
    for own in seqs.values():
        # Each process saw its own numbers rise.
        assert own == sorted(own)
    # After the barrier the processes really took turns (not one after the other).
    raced = [own[1:] for own in seqs.values()]
    assert max(min(own) for own in raced) < min(max(own) for own in raced), seqs

    rows = cases.list_cases(org.coordinator)
    assert [row.ref for row in rows] == sorted(all_refs, key=seq_of)
    subjects = {row.ref: row.subject for row in rows}
    for worker, refs in results.items():
        assert [subjects[r] for r in refs] == [
            f"Proces {worker} klacht {n:02d}" for n in range(per_worker)
        ]
    report = check.check_database(org.beheer)
    assert report.ok, report.problems


# -- a stale edit from another PC ---------------------------------------------------------------
def test_stale_edit_is_refused_with_dutch_message(org):
    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    first = org.login("coordinator")
    second = org.login("coordinator")
    try:
        (row_a,) = cases.list_cases(first)
        (row_b,) = cases.list_cases(second)
        assert row_a.ref == row_b.ref == ref
        assert row_a.version == row_b.version
        read_version = row_a.version

        new_version = cases.perform(first, ref, Action.TRIAGE_KLACHT, expected_version=read_version)
        assert new_version == read_version + 1

        with pytest.raises(ConflictError) as caught:
            cases.perform(
                second,
                ref,
                Action.NIET_ONTVANKELIJK,
                expected_version=read_version,
                reason="herhaling",
            )
        message = str(caught.value)
        assert ref in message
        assert "andere computer" in message
        assert "Carla Coördinator" in message  # who changed it
        assert "in behandeling genomen" in message  # and what they did

        # The case is as the first coordinator left it; the refused change left no trace.
        for ctx in (first, second):
            (row,) = cases.list_cases(ctx)
            assert row.status == Status.IN_BEHANDELING.value
            assert row.version == new_version
        with second.db.session() as session:
            case = session.scalar(select(Case).where(Case.ref == ref))
            assert case.not_admissible_reason in (None, "")
            kinds = session.scalars(
                select(Event.kind).where(Event.case_id == case.id).order_by(Event.id)
            ).all()
            assert kinds == ["geregistreerd", Action.TRIAGE_KLACHT.value]
            assert session.scalar(select(func.count()).select_from(Case)) == 1

        # After re-reading, the second coordinator can go on with the current version.
        final = cases.perform(
            second,
            ref,
            Action.INTREKKEN,
            expected_version=new_version,
            note="Klager trekt de klacht in.",
        )
        assert final == new_version + 1
        (row,) = cases.list_cases(first)
        assert (row.status, row.version) == (Status.INGETROKKEN.value, final)
    finally:
        first.db.dispose()
        second.db.dispose()


def test_conflict_message_names_only_what_changed_since_reading(org):
    """One action is one version: the message does not repeat what was known when reading."""
    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    first = org.login("coordinator")
    second = org.login("coordinator")
    try:
        read_version = cases.list_cases(second)[0].version
        cases.perform(first, ref, Action.TRIAGE_KLACHT, expected_version=read_version)
        with pytest.raises(ConflictError) as caught:
            cases.perform(
                second,
                ref,
                Action.NIET_ONTVANKELIJK,
                expected_version=read_version,
                reason="herhaling",
            )
        message = str(caught.value)
        # Exactly one change happened after reading: Carla took the complaint into treatment.
        assert "(25-11-2026 00:00 in behandeling genomen door Carla Coördinator)" in message
        assert "geregistreerd" not in message
        assert "Bea Balie" not in message
    finally:
        first.db.dispose()
        second.db.dispose()
