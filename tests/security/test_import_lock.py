"""Attack: a long import locks everybody else out.

Issue 13, item 11: a 6,000-record import held the write lock for 52 s, and a colleague's login
failed after 33 s. An import now validates and matches everything before it asks for the write
lock, then writes in one short transaction; and logging in needs no write lock at all: when
another PC holds it, the login's audit entry waits and is written, with the time of the
login, by this user's next audited change.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
from sqlalchemy import select

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import case_view, cases
from klachtdesk.services.context import audit, settle_deferred
from klachtdesk.services.intake import importer
from klachtdesk.services.safety import audit_log, check
from klachtdesk.storage.keyslots import key_file_path
from klachtdesk.storage.models import AuditEntry
from tests.conftest import PASSWORD, TODAY, cli_env, clock, complaint_data

BIG = 6000
PROCESS_TIMEOUT_S = 180


def records(count: int, category: str = "Onderhoud en reparaties") -> list[dict]:
    """``count`` web-form complaints from different people, on different days of 2026."""
    return [
        complaint_data(
            received=f"2026-{1 + n % 10:02d}-{1 + n % 28:02d}",
            channel="web",
            subject=f"Webformulier klacht {n:04d}",
            category=category,
            complainant={"name": f"Klager {n}", "email": f"klager{n}@voorbeeld.nl"},
        )
        for n in range(count)
    ]


def write_file(path: Path, items: list[dict]) -> Path:
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def log(ctx) -> list[tuple[str, str]]:
    with ctx.db.session() as session:
        rows = session.execute(
            select(AuditEntry.username, AuditEntry.action).order_by(AuditEntry.id)
        ).all()
    return [tuple(row) for row in rows]


class WriteLock:
    """Another connection (another PC) holding the database's write lock."""

    def __init__(self, org):
        self.conn = org.beheer.db.raw_connection()

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE settings SET value = value WHERE key = 'org.name'")
        return self

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


def test_logging_in_needs_no_write_lock(org):
    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    before = log(org.beheer)
    with WriteLock(org):
        ctx = setup.unlock(org.path, "coordinator", PASSWORD, **clock())  # no wait for the lock
        assert [row.ref for row in cases.list_cases(ctx)] == [ref]  # reading works too
    assert log(org.beheer) == before  # the login's entry waited for the lock
    case_view.case_detail(ctx, ref)  # the next audited action writes it first
    assert log(org.beheer)[len(before) :] == [
        ("coordinator", "aangemeld"),
        ("coordinator", "zaak_bekeken"),
    ]
    assert audit_log.verify_chain(org.beheer).ok
    ctx.db.dispose()


def test_a_waiting_login_entry_survives_a_failed_change_and_is_written_once(org):
    with WriteLock(org):
        ctx = setup.unlock(org.path, "balie", PASSWORD, **clock())
    assert [e.action for e in ctx.deferred] == ["aangemeld"]
    before = log(org.beheer)
    with pytest.raises(RuntimeError), ctx.db.session(write=True) as session:
        audit(session, ctx, "notitie_geprobeerd")
        raise RuntimeError("the change fails after its audit entry")  # rolled back
    assert log(org.beheer) == before
    assert [e.action for e in ctx.deferred] == ["aangemeld"]  # still waiting
    settle_deferred(ctx)  # the end of the session (command line, main window)
    settle_deferred(ctx)
    assert log(org.beheer)[len(before) :] == [("balie", "aangemeld")]
    assert ctx.deferred == []
    with org.beheer.db.session() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry.at == clock()["now"]()  # the time of the login, not of the writing
    assert audit_log.verify_chain(org.beheer).ok
    ctx.db.dispose()


def test_an_import_is_validated_before_it_asks_for_the_write_lock(org, tmp_path):
    """A wrong record is refused at once, even while another PC holds the lock (before, the
    import waited 30 seconds for it and then failed with 'bezet')."""
    items = records(300)
    items[-1]["category"] = "Tuinonderhoud"  # not a category of this organisation
    path = write_file(tmp_path / "webformulier.json", items)
    with WriteLock(org), pytest.raises(ValidationError) as caught:
        importer.import_file(org.balie, path)
    assert str(caught.value).startswith("Record 300, veld 'categorie': 'Tuinonderhoud' is onbekend")
    assert cases.list_cases(org.coordinator) == []


# -- a 6,000-record import in one process, a login in another ------------------------------------
def _login_worker(go, viewed, queue) -> None:
    """Another PC: log in while the import holds the write lock, read the case list; after
    the import, look at one case (an audited action)."""
    try:
        db_path = go.get(timeout=PROCESS_TIMEOUT_S)
        ctx = setup.unlock(Path(db_path), "coordinator", PASSWORD, **clock())
        count = len(cases.list_cases(ctx))
        queue.put(("aangemeld", count, None))
        if not viewed.wait(timeout=PROCESS_TIMEOUT_S):
            raise TimeoutError("geen teken om een zaak te bekijken")
        case_view.case_detail(ctx, "KD-2026-0001")
        ctx.db.dispose()
        queue.put(("bekeken", 0, None))
    except BaseException:  # everything reaches the test process
        queue.put(("fout", 0, traceback.format_exc()))


def _holding_the_write_lock(proc: subprocess.Popen, db: Path) -> bool:
    """Wait until the import is inside its write transaction (its journal has existed for a
    while: a login's own transaction lasts a few milliseconds), then freeze the process
    there. False when the import ended first, or was frozen while committing (when readers
    must wait: the moment this test is not about)."""
    journal = Path(f"{db}-journal")
    since = None
    while proc.poll() is None:
        if journal.exists():
            since = since or time.monotonic()
            if time.monotonic() - since > 0.05:
                os.kill(proc.pid, signal.SIGSTOP)
                if journal.exists() and _readable(db):
                    return True
                os.kill(proc.pid, signal.SIGCONT)
                return False
        else:
            since = None
        time.sleep(0.001)
    return False


def _readable(db: Path) -> bool:
    """Can a reader get in now (no commit in progress)? Asked without waiting."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0)
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.DatabaseError as error:  # encrypted: unreadable, but not locked
            return "locked" not in str(error) and "busy" not in str(error)
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return False
    return True


@pytest.mark.slow
def test_a_login_succeeds_while_a_6000_record_import_holds_the_write_lock(org, tmp_path):
    source = write_file(tmp_path / "webformulier-groot.json", records(BIG))
    spawn = multiprocessing.get_context("spawn")
    go, viewed, queue = spawn.Queue(), spawn.Event(), spawn.Queue()
    worker = spawn.Process(target=_login_worker, args=(go, viewed, queue), daemon=True)
    worker.start()
    importing, db = None, None
    try:
        for attempt in range(3):
            # A fresh copy of the empty database for every attempt (one that missed the
            # moment has imported already).
            db = tmp_path / f"poging-{attempt}.kdb"
            shutil.copy(org.path, db)
            shutil.copy(key_file_path(org.path), key_file_path(db))
            importing = subprocess.Popen(
                [sys.executable, "-m", "klachtdesk", "import", "--db", str(db), str(source)],
                env=cli_env(tmp_path, "balie"),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            if _holding_the_write_lock(importing, db):
                break
            _, err = importing.communicate(timeout=PROCESS_TIMEOUT_S)
            assert importing.returncode == 0, err
            importing = None
        assert importing is not None, "de import kwam niet bevroren in zijn schrijftransactie"

        # The import is frozen inside its write transaction: the colleague logs in.
        go.put(str(db))
        what, count, error = queue.get(timeout=PROCESS_TIMEOUT_S)
        assert error is None, f"aanmelden mislukte:\n{error}"
        assert (what, count) == ("aangemeld", 0)  # in, and reading what is committed

        os.kill(importing.pid, signal.SIGCONT)
        out, err = importing.communicate(timeout=PROCESS_TIMEOUT_S)
        assert importing.returncode == 0, err
        assert out.startswith(f"{BIG} klachten geïmporteerd: KD-2026-0001 tot en met KD-2026-6000.")
        viewed.set()
        what, _, error = queue.get(timeout=PROCESS_TIMEOUT_S)
        assert error is None, f"zaak bekijken mislukte:\n{error}"
        assert what == "bekeken"
        worker.join(timeout=PROCESS_TIMEOUT_S)
        assert worker.exitcode == 0
    finally:
        if importing is not None and importing.poll() is None:
            os.kill(importing.pid, signal.SIGCONT)
            importing.kill()
            importing.communicate()
        if worker.is_alive():
            worker.terminate()
            worker.join()

    ctx = setup.unlock(db, "beheer", PASSWORD, **clock())
    try:
        assert len(cases.list_cases(org.coordinator)) == 0  # the original stayed empty
        entries = log(ctx)
        # The colleague's login is in the audit log, just before the case she looked at.
        assert entries[-3:] == [
            ("coordinator", "aangemeld"),
            ("coordinator", "zaak_bekeken"),
            ("beheer", "aangemeld"),
        ]
        assert entries.count(("balie", "import")) == 1
        assert entries.count(("balie", "zaak_geregistreerd")) == BIG
        report = check.check_database(ctx)
        assert report.ok, report.problems
    finally:
        ctx.db.dispose()
