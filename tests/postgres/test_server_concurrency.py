"""Issue 15, item 5: ten processes on one PostgreSQL database, importing and editing at once.

The promises of the shared file (tests/integration/test_concurrency.py), on the server:
writers serialise on the advisory lock (storage/server.py), so case numbers stay unique and
gap-free per year and the audit chain stays one chain; the optimistic version checks hold,
so of two processes that read the same version of a case (or of a complainant, through two
different cases) exactly one saves and the other gets a ConflictError; nothing a process
saved is lost, and nothing an importer brought is missing.

Five processes import complaint files (one year's file, then another's, each with a
registration by hand in between); five edit at the same time, in rounds: their own case
(never contested), one shared complainant each through a case of their own, and one case
all five save with the version they read together.
"""

from __future__ import annotations

import json
import multiprocessing
import queue as queue_module
import random
import re
import threading
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from klachtdesk.domain.errors import ConflictError
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import case_edit, case_view, cases
from klachtdesk.services.intake.importer import import_file
from klachtdesk.services.safety import audit_log
from tests.conftest import TODAY, clock, complaint_data
from tests.postgres.test_server_roles import SECRET, logins  # noqa: F401 - the fixture
from tests.postgres.test_server_use import (  # noqa: F401 - the fixtures
    PASSWORD,
    demo_file,
    moved,
)

IMPORTERS = (("balie", 0), ("coordinator", 1), ("balie", 2), ("coordinator", 3), ("balie", 4))
EDITORS = (
    ("coordinator", 5),
    ("balie", 6),
    ("coordinator", 7),
    ("balie", 8),
    ("coordinator", 9),
)
FILES_PER_IMPORTER = 3
PER_FILE = 12
ROUNDS = 6
PROCESS_TIMEOUT_S = 90
REF = re.compile(r"^KD-(\d{4})-(\d{4})$")
SHARED_IMPORTED = {"name": "Gedeelde Indiener", "email": "gedeelde.indiener@voorbeeld.nl"}
SHARED_PERSON = {
    "name": "Sanne de Gedeelde",
    "email": "sanne.gedeeld@voorbeeld.nl",
}


def password_of(username: str) -> str:
    return PASSWORD if username == "beheer" else SECRET.format(username)


def file_year(number: int) -> int:
    return 2025 if number % 2 else 2026  # the second file of each importer is last year's


def import_subject(importer: int, number: int, n: int) -> str:
    return f"Import {importer}.{number} klacht {n:02d}"


def import_records(importer: int, number: int) -> list[dict]:
    """One web-form export; its first complaint comes from the person every file shares."""
    year = file_year(number)
    return [
        complaint_data(
            received=f"{year}-{1 + (importer + n) % 10:02d}-{1 + n % 28:02d}",
            subject=import_subject(importer, number, n),
            complainant=(
                SHARED_IMPORTED
                if n == 0
                else {
                    "name": f"Indiener {importer}-{number}-{n}",
                    "email": f"indiener.{importer}.{number}.{n}@voorbeeld.nl",
                }
            ),
        )
        for n in range(PER_FILE)
    ]


def register(ctx, subject: str, complainant: dict | None = None) -> str:
    extra = {"complainant": complainant} if complainant else {}
    return cases.register(
        ctx, ComplaintInput.validated(complaint_data(subject=subject, **extra), TODAY)
    )


# -- the child processes ------------------------------------------------------------------------
def _importer(ctx, worker: int, files: list[str]) -> dict:
    pace = random.Random(worker)
    imported, registered = [], []
    for number, path in enumerate(files):
        imported.append((number, import_file(ctx, Path(path))))
        time.sleep(pace.uniform(0.0, 0.05))
        # a registration by hand: the ORM's own inserts between the importers' bulk rows
        registered.append(register(ctx, f"Balie {worker} klacht {number}"))
    return {"imported": imported, "registered": registered}


def _try_save(ctx, ref: str, detail, **fields) -> tuple[str, str]:
    try:
        case_edit.update_case_details(ctx, ref, detail.version, **fields)
    except ConflictError as error:
        return "conflict", str(error)
    return "saved", ""


def _editor(ctx, worker: int, refs: dict, together) -> dict:
    own, shared, contested = refs["own"][worker], refs["shared"][worker], refs["contested"]
    rounds = []
    for r in range(ROUNDS):
        # Their own case: nobody else saves it, so every save must go through.
        detail = case_view.case_detail(ctx, own)
        version = case_edit.update_case_details(
            ctx, own, detail.version, subject=f"Eigen zaak {worker} ronde {r}"
        )
        assert version == detail.version + 1, (version, detail.version)

        # The shared complainant, through this editor's own case of that person: all five
        # read the same version of the person, then all five save.
        detail = case_view.case_detail(ctx, shared)
        together.wait()
        person = _try_save(
            ctx,
            shared,
            detail,
            complainant_version=detail.complainant_version,
            email=f"sanne.{worker}.{r}@voorbeeld.nl",
        )
        together.wait()

        # One case all five save with the version they read together.
        detail_c = case_view.case_detail(ctx, contested)
        together.wait()
        case = _try_save(ctx, contested, detail_c, subject=f"Betwiste zaak ronde {r} door {worker}")
        together.wait()
        rounds.append(
            {
                "person": (*person, detail.complainant_version),
                "case": (*case, detail_c.version),
            }
        )
    return {"rounds": rounds}


def _child(address, username, password, job, worker, work, start, together, results):
    """Runs in a spawned process: log in, wait for all ten, then import or edit."""
    try:
        ctx = setup.unlock(address, username, password, **clock())
        start.wait()
        if job == "import":
            result = _importer(ctx, worker, work)
        else:
            result = _editor(ctx, worker, work, together)
        ctx.db.dispose()
        results.put((worker, result, None))
    except BaseException as error:  # everything reaches the test process
        # the others must not wait for this one at a barrier until the timeout
        start.abort()
        together.abort()
        broken = isinstance(error, threading.BrokenBarrierError)
        results.put((worker, None, ("barrier" if broken else "error", traceback.format_exc())))


def run_children(address: str, importer_files: dict, edit_refs: dict) -> dict:
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(len(IMPORTERS) + len(EDITORS), timeout=PROCESS_TIMEOUT_S)
    together = spawn.Barrier(len(EDITORS), timeout=PROCESS_TIMEOUT_S)
    results = spawn.Queue()
    jobs = [("import", user, w, importer_files[w]) for user, w in IMPORTERS]
    jobs += [("edit", user, w, edit_refs) for user, w in EDITORS]
    procs = {
        worker: spawn.Process(
            target=_child,
            args=(address, user, password_of(user), job, worker, work, start, together, results),
            daemon=True,
        )
        for job, user, worker, work in jobs
    }
    for proc in procs.values():
        proc.start()
    done, errors = {}, {}
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT_S
        while len(done) + len(errors) < len(procs):
            assert time.monotonic() < deadline, f"processes still running: {set(procs) - set(done)}"
            try:
                worker, result, error = results.get(timeout=1.0)
            except queue_module.Empty:
                dead = [
                    w
                    for w, p in procs.items()
                    if w not in done and w not in errors and p.exitcode not in (None, 0)
                ]
                assert not dead, f"process {dead} died without a report"
                continue
            if error is None:
                done[worker] = result
            else:
                errors[worker] = error
        # a process that failed first makes the others fail at a barrier: show the cause
        causes = {w: tb for w, (kind, tb) in errors.items() if kind == "error"}
        shown = causes or {w: tb for w, (_, tb) in errors.items()}
        if errors:
            pytest.fail(
                "\n".join(f"process {w} failed:\n{tb}" for w, tb in sorted(shown.items()))
                + f"\n({len(errors)} of {len(procs)} processes failed)"
            )
        for proc in procs.values():
            proc.join(timeout=PROCESS_TIMEOUT_S)
            assert proc.exitcode == 0
    finally:
        for proc in procs.values():
            if proc.is_alive():
                proc.terminate()
                proc.join()
    return done


# -- the test -----------------------------------------------------------------------------------
def owner_scalar(owner, statement: str, **params):
    with owner.connect() as conn:
        return conn.execute(text(statement), params).scalar_one()


def audited(owner, action: str) -> int:
    return owner_scalar(owner, "SELECT count(*) FROM audit_log WHERE action = :a", a=action)


@pytest.mark.slow
def test_ten_processes_importing_and_editing_lose_nothing(logins, tmp_path):  # noqa: F811
    address = logins
    balie = setup.unlock(address, "balie", password_of("balie"), **clock())
    coordinator = setup.unlock(address, "coordinator", password_of("coordinator"), **clock())
    beheer = setup.unlock(address, "beheer", PASSWORD, **clock())
    owner = create_engine(make_url(address).set(username="postgres"))
    try:
        editors = [w for _, w in EDITORS]
        refs = {
            "own": {
                w: register(
                    balie,
                    f"Eigen zaak {w}",
                    {"name": f"Eigen Klager {w}", "email": f"eigen.{w}@voorbeeld.nl"},
                )
                for w in editors
            },
            # five cases of one person: each editor changes the person through its own case
            "shared": {w: register(balie, f"Gedeelde klager {w}", SHARED_PERSON) for w in editors},
            "contested": register(balie, "Betwiste zaak"),
        }
        shared_ids = {
            case_view.case_detail(coordinator, r).complainant_id for r in refs["shared"].values()
        }
        assert len(shared_ids) == 1  # one person, five cases
        (person_id,) = shared_ids
        before = {
            "person": case_view.case_detail(
                coordinator, refs["shared"][editors[0]]
            ).complainant_version,
            "own": {
                w: case_view.case_detail(coordinator, r).version for w, r in refs["own"].items()
            },
            "contested": case_view.case_detail(coordinator, refs["contested"]).version,
            "cases": owner_scalar(owner, "SELECT count(*) FROM cases"),
            "registered": audited(owner, "zaak_geregistreerd"),
            "imports": audited(owner, "import"),
            "edits": audited(owner, "zaak_gegevens_wijzigen"),
        }
        importer_files = {}
        for _, w in IMPORTERS:
            importer_files[w] = []
            for number in range(FILES_PER_IMPORTER):
                path = tmp_path / f"webformulier-{w}-{number}.json"
                path.write_text(json.dumps(import_records(w, number)), encoding="utf-8")
                importer_files[w].append(str(path))

        started = time.monotonic()
        results = run_children(address, importer_files, refs)
        print(f"ten processes: {time.monotonic() - started:.1f} s")

        # -- every imported and registered complaint is there, with the subject it came with
        subjects = {}
        for _, w in IMPORTERS:
            assert [n for n, _ in results[w]["imported"]] == list(range(FILES_PER_IMPORTER))
            for number, got in results[w]["imported"]:
                assert len(got) == PER_FILE
                for n, ref in enumerate(got):
                    subjects[ref] = import_subject(w, number, n)
                    assert ref.startswith(f"KD-{file_year(number)}-")
            for number, ref in enumerate(results[w]["registered"]):
                subjects[ref] = f"Balie {w} klacht {number}"
        new = len(IMPORTERS) * FILES_PER_IMPORTER * (PER_FILE + 1)
        assert len(subjects) == new  # no reference handed out twice
        with owner.connect() as conn:
            rows = conn.execute(
                text("SELECT ref, year, seq, subject, complainant_id FROM cases")
            ).all()
            counters = dict(conn.execute(text("SELECT year, last FROM ref_counters")).all())
        assert len(rows) == before["cases"] + new
        stored = {ref: subject for ref, _, _, subject, _ in rows}
        assert {ref: stored.get(ref) for ref in subjects} == subjects

        # -- every reference unique, and per year the numbers 1..N without gaps or doubles
        refs_all = [row.ref for row in rows]
        duplicates = [ref for ref, n in Counter(refs_all).items() if n > 1]
        assert not duplicates, f"references handed out twice: {duplicates}"
        per_year = defaultdict(list)
        for ref, year, seq, _, _ in rows:
            match = REF.match(ref)
            assert match and (int(match.group(1)), int(match.group(2))) == (year, seq), ref
            per_year[year].append(seq)
        for year, seqs in per_year.items():
            doubled = sorted(s for s, n in Counter(seqs).items() if n > 1)
            assert not doubled, f"{year}: sequence numbers handed out twice: {doubled}"
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"{year}: gaps"
            assert counters[year] == len(seqs), year

        # -- the importers recognised the person all their files share: one complainant
        with owner.connect() as conn:
            people = (
                conn.execute(
                    text("SELECT id FROM complainants WHERE email = :e"),
                    {"e": SHARED_IMPORTED["email"]},
                )
                .scalars()
                .all()
            )
        assert len(people) == 1, f"the shared person was added {len(people)} times"
        first_of_files = {
            ref for _, w in IMPORTERS for _, got in results[w]["imported"] for ref in got[:1]
        }
        assert {row.complainant_id for row in rows if row.ref in first_of_files} == set(people)

        # -- their own case: every save went through and the last one is what is stored
        for w in editors:
            detail = case_view.case_detail(coordinator, refs["own"][w])
            assert detail.subject == f"Eigen zaak {w} ronde {ROUNDS - 1}"
            assert detail.version == before["own"][w] + ROUNDS

        # -- the shared person and the contested case: per round exactly one saves
        person_winners, case_winners = [], []
        for r in range(ROUNDS):
            for what, winners, read in (
                ("person", person_winners, before["person"] + r),
                ("case", case_winners, before["contested"] + r),
            ):
                outcome = {w: results[w]["rounds"][r][what] for w in editors}
                assert {o[2] for o in outcome.values()} == {read}, (what, r, outcome)
                saved = [w for w, o in outcome.items() if o[0] == "saved"]
                assert len(saved) == 1, f"round {r}, {what}: saved by {saved}"
                winners.append(saved[0])
                for w, (kind, message, _) in outcome.items():
                    if w == saved[0]:
                        continue
                    assert kind == "conflict"
                    if what == "person":
                        assert message.startswith("De gegevens van de klager zijn intussen"), (
                            message
                        )
                        assert f"bij zaak {refs['shared'][saved[0]]}" in message, message
                    else:
                        assert refs["contested"] in message and "gewijzigd" in message, message
        last = ROUNDS - 1
        person = case_view.case_detail(coordinator, refs["shared"][editors[0]])
        assert person.email == f"sanne.{person_winners[last]}.{last}@voorbeeld.nl"
        assert person.complainant_version == before["person"] + ROUNDS
        with owner.connect() as conn:
            changes = conn.execute(
                text(
                    "SELECT version, case_id FROM complainant_changes "
                    "WHERE complainant_id = :p AND version > :v ORDER BY version"
                ),
                {"p": person_id, "v": before["person"]},
            ).all()
            case_ids = dict(conn.execute(text("SELECT ref, id FROM cases")).all())
        assert changes == [
            (before["person"] + 1 + r, case_ids[refs["shared"][w]])
            for r, w in enumerate(person_winners)
        ]
        contested = case_view.case_detail(coordinator, refs["contested"])
        assert contested.subject == f"Betwiste zaak ronde {last} door {case_winners[last]}"
        assert contested.version == before["contested"] + ROUNDS

        # -- the audit log: one entry per saved change, one chain
        saves = len(editors) * ROUNDS + 2 * ROUNDS
        assert audited(owner, "zaak_gegevens_wijzigen") - before["edits"] == saves
        assert audited(owner, "zaak_geregistreerd") - before["registered"] == new
        assert audited(owner, "import") - before["imports"] == len(IMPORTERS) * FILES_PER_IMPORTER
        status = audit_log.verify_chain(beheer)
        assert status.ok, status
    finally:
        owner.dispose()
        for ctx in (balie, coordinator, beheer):
            ctx.db.dispose()
