"""The audit log: failed logins, reading and filtering by beheer, export, and the hash chain."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from klachtdesk.cli import main
from klachtdesk.domain.errors import KlachtDeskError, ValidationError
from klachtdesk.services.admin import setup
from klachtdesk.services.context import audit
from klachtdesk.services.safety import audit_log
from klachtdesk.services.safety.audit_log import AuditFilter
from klachtdesk.storage import keyslots
from klachtdesk.storage.errors import WrongPassword
from klachtdesk.storage.keyslots import (
    MAX_FAILED_LOGINS,
    attempts_counter,
    attempts_path,
    key_file_path,
    load_failed_logins,
    record_failed_login,
)
from klachtdesk.storage.models import AuditEntry
from tests.conftest import PASSWORD

KLACHTDESK = Path(__file__).resolve().parents[2] / "klachtdesk"


def entries(ctx, action: str | None = None) -> list[AuditEntry]:
    with ctx.db.session() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(session.scalars(query))


def at_moment(moment: datetime) -> dict:
    return {"today": moment.date, "now": lambda: moment}


def failed_login(org, username: str, moment: datetime, password: str = "fout-wachtwoord"):
    with pytest.raises(WrongPassword, match="wachtwoord klopt niet"):
        setup.unlock(org.path, username, password, **at_moment(moment))


# -- failed logins ----------------------------------------------------------------------------
def test_failed_logins_wait_in_the_key_file_without_names_and_move_to_the_audit_log(org):
    failed_login(org, "balie", datetime(2026, 11, 25, 8, 1, 5))
    failed_login(org, "Jan.Onbekend", datetime(2026, 11, 25, 8, 2, 0))
    failed_login(org, " Balie ", datetime(2026, 11, 25, 8, 3, 0))  # typed with spaces
    keys = key_file_path(org.path)
    raw = keys.read_text() + attempts_path(keys).read_text()
    assert "balie" not in raw.lower() and "onbekend" not in raw.lower()
    assert len(load_failed_logins(keys)) == 3
    assert entries(org.beheer, "aanmelden_mislukt") == []  # the database was locked

    ctx = setup.unlock(org.path, "coordinator", PASSWORD, **at_moment(datetime(2026, 11, 25, 9)))
    moved = [(e.at, e.username, e.detail) for e in entries(ctx, "aanmelden_mislukt")]
    assert moved == [
        (datetime(2026, 11, 25, 8, 1, 5), "balie", "onjuist wachtwoord"),
        (datetime(2026, 11, 25, 8, 2), "onbekende gebruiker", "onbekende gebruikersnaam"),
        (datetime(2026, 11, 25, 8, 3), "balie", "onjuist wachtwoord"),
    ]
    # moved, and the file keeps only its counter (a deleted file would show: see security)
    assert load_failed_logins(keys) == [] and attempts_counter(keys) == 3
    assert entries(ctx)[-1].action == "aangemeld"  # recorded before this login
    assert audit_log.verify_chain(org.beheer).ok
    ctx.db.dispose()
    again = org.login("coordinator")  # nothing is moved twice
    assert len(entries(again, "aanmelden_mislukt")) == 3
    again.db.dispose()


def test_failed_logins_survive_other_changes_of_the_key_file(org):
    failed_login(org, "directeur", datetime(2026, 11, 25, 8))
    setup.add_user(org.beheer, "nieuw", "Nina Nieuw", "balie", PASSWORD)
    setup.change_password(org.balie, PASSWORD, "nieuw-wachtwoord-2026")
    assert setup.replace_recovery_code(org.beheer, PASSWORD)
    assert len(load_failed_logins(key_file_path(org.path))) == 1
    ctx = org.login("nieuw")
    assert [e.username for e in entries(ctx, "aanmelden_mislukt")] == ["directeur"]
    ctx.db.dispose()


def test_only_the_newest_failed_logins_are_kept(org):
    keys = key_file_path(org.path)
    for minute in range(MAX_FAILED_LOGINS + 30):
        record_failed_login(keys, "balie", datetime(2026, 11, 24) + timedelta(minutes=minute))
    assert len(load_failed_logins(keys)) == MAX_FAILED_LOGINS
    failed_login(org, "balie", datetime(2026, 11, 25, 7))
    kept = load_failed_logins(keys)
    assert len(kept) == MAX_FAILED_LOGINS and kept[-1].at == "2026-11-25T07:00:00"


def test_a_read_only_key_file_never_blocks_or_breaks_a_login(org, monkeypatch, tmp_path):
    def refuse(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(keyslots, "write_private", refuse)
    failed_login(org, "balie", datetime(2026, 11, 25, 8))  # WrongPassword, not PermissionError
    log = tmp_path / "xdg-state"
    written = "".join(p.read_text() for p in log.rglob("*.log"))
    assert "PermissionError" in written and "balie" not in written
    ctx = org.login("balie")  # logging in still works
    ctx.db.dispose()


def test_attempts_stay_in_the_key_file_until_they_can_be_cleared(org, monkeypatch):
    failed_login(org, "balie", datetime(2026, 11, 25, 8))
    real_save = keyslots._save_failed_logins

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(keyslots, "_save_failed_logins", refuse)
    org.login("coordinator").db.dispose()
    # Not cleared, so not audited either: no duplicates once the file is writable again.
    assert entries(org.beheer, "aanmelden_mislukt") == []
    monkeypatch.setattr(keyslots, "_save_failed_logins", real_save)
    org.login("coordinator").db.dispose()
    assert [e.username for e in entries(org.beheer, "aanmelden_mislukt")] == ["balie"]
    org.login("coordinator").db.dispose()
    assert len(entries(org.beheer, "aanmelden_mislukt")) == 1


def test_an_unknown_name_costs_the_same_work_as_a_known_one(org, monkeypatch):
    """Timing must not tell whether a user name exists: one key derivation, one file write."""
    calls = {"derive": 0, "save": 0}
    real_derive, real_write = keyslots._derive, keyslots.write_private

    def derive(*args):
        calls["derive"] += 1
        return real_derive(*args)

    def write(path, data):
        calls["save"] += 1
        return real_write(path, data)

    monkeypatch.setattr(keyslots, "_derive", derive)
    monkeypatch.setattr(keyslots, "write_private", write)
    failed_login(org, "balie", datetime(2026, 11, 25, 8))
    known = dict(calls)
    calls.update(derive=0, save=0)
    failed_login(org, "niemand", datetime(2026, 11, 25, 8))
    assert calls == known == {"derive": 1, "save": 1}


def test_a_wrong_password_at_the_idle_lock_is_audited_at_once(org):
    with pytest.raises(WrongPassword, match="wachtwoord klopt niet"):
        setup.verify_password(org.manager, "fout-wachtwoord")
    [entry] = entries(org.beheer, "aanmelden_mislukt")
    assert (entry.username, entry.detail) == ("manager", "onjuist wachtwoord (vergrendeling)")
    setup.verify_password(org.manager, PASSWORD)
    assert len(entries(org.beheer, "aanmelden_mislukt")) == 1


# -- reading ----------------------------------------------------------------------------------
@pytest.fixture
def history(org):
    """A few entries at known times on top of what the fixture's logins wrote."""
    with org.beheer.db.session(write=True) as session:
        for moment, user, action, ref, detail in (
            (datetime(2026, 11, 2, 9, 30), "balie", "zaak_geregistreerd", "KD-2026-0001", ""),
            (datetime(2026, 11, 3, 10, 0), "coordinator", "zaak_bekeken", "KD-2026-0001", ""),
            (datetime(2026, 11, 10, 14, 0), "manager", "zaak_uitspraak", "KD-2026-0001", ""),
            (datetime(2026, 11, 20, 16, 45), "beheer", "instelling_gewijzigd", "org.kvk", ""),
            (datetime(2026, 11, 21, 8, 0), "balie", "brief_geprint", "KD-2026-0002", "=1+1"),
        ):
            audit(session, user, action, ref, detail, at=moment)
    return org


def test_the_log_is_read_newest_first_and_filtered(history):
    ctx = history.beheer
    page = audit_log.query_audit(ctx)
    assert page.total == len(entries(ctx)) and len(page.rows) == page.total
    times = [row.at for row in page.rows]
    assert times == sorted(times, reverse=True)

    by_user = audit_log.query_audit(ctx, AuditFilter(username="balie"))
    assert [r.action for r in by_user.rows if r.at.month == 11 and r.at.day < 25] == [
        "brief_geprint",
        "zaak_geregistreerd",
    ]
    assert by_user.rows[0].user_label == "Bea Balie (balie)"
    only = audit_log.query_audit(ctx, AuditFilter(action="zaak_uitspraak"))
    assert [(r.username, r.action_label) for r in only.rows] == [
        ("manager", "Zaak: Uitspraak gedaan")
    ]
    period = audit_log.query_audit(
        ctx, AuditFilter(start=date(2026, 11, 3), end=date(2026, 11, 10))
    )
    assert [r.action for r in period.rows] == ["zaak_uitspraak", "zaak_bekeken"]  # end inclusive
    found = audit_log.query_audit(ctx, AuditFilter(text="kd-2026-0002"))
    assert [r.action for r in found.rows] == ["brief_geprint"]
    assert audit_log.query_audit(ctx, AuditFilter(text="100%_")).total == 0  # no wildcards
    with pytest.raises(ValidationError, match="na de datum"):
        audit_log.query_audit(ctx, AuditFilter(start=date(2026, 11, 5), end=date(2026, 11, 4)))


def test_pages_stay_stable_while_the_log_grows(history):
    ctx = history.beheer
    first = audit_log.query_audit(ctx, offset=0, limit=3)
    assert len(first.rows) == 3 and first.total > 3
    with pytest.raises(WrongPassword):
        setup.verify_password(history.balie, "fout")  # a new entry arrives meanwhile
    frozen = AuditFilter(up_to_id=first.last_id)
    second = audit_log.query_audit(ctx, frozen, offset=3, limit=3)
    everything = audit_log.query_audit(ctx, frozen).rows
    assert [r.id for r in first.rows + second.rows] == [r.id for r in everything[:6]]
    assert audit_log.query_audit(ctx).total == first.total + 1


def test_reading_is_audited_once_per_opening_not_per_page(history):
    ctx = history.beheer
    before = len(entries(ctx, "auditlog_bekeken"))
    audit_log.audit_log_opened(ctx)
    for offset in (0, 2, 4):
        audit_log.query_audit(ctx, offset=offset, limit=2)
    audit_log.audit_users(ctx)
    audit_log.audit_actions(ctx)
    audit_log.verify_chain(ctx)
    assert len(entries(ctx, "auditlog_bekeken")) == before + 1


def test_users_and_actions_for_the_filters(history):
    ctx = history.beheer
    failed_login(history, "iemand-anders", datetime(2026, 11, 25, 7))
    history.login("beheer").db.dispose()
    users = {c.username: c.label for c in audit_log.audit_users(ctx)}
    assert users["beheer"] == "Bert Beheer (beheer)"
    assert users["onbekende gebruiker"] == "onbekende gebruiker"
    actions = {c.action: c.label for c in audit_log.audit_actions(ctx)}
    assert actions["aanmelden_mislukt"] == "Aanmelden mislukt"
    assert actions["zaak_geregistreerd"] == "Klacht geregistreerd"
    assert actions["instelling_gewijzigd"] == "Instelling gewijzigd"
    assert audit_log.action_label("categorie_hernoemd") == "Categorie hernoemd"
    labels = [c.label for c in audit_log.audit_actions(ctx)]
    assert labels == sorted(labels, key=str.casefold)


# -- export -----------------------------------------------------------------------------------
def test_export_is_csv_for_dutch_excel_and_is_audited_without_the_search_text(history, tmp_path):
    ctx = history.beheer
    target = tmp_path / "auditlog.csv"
    flt = AuditFilter(username="balie", text="KD-2026")
    assert audit_log.export_audit(ctx, flt, target) == 2
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == [
        "Regel",
        "Tijdstip",
        "Gebruiker",
        "Handeling",
        "Zaak/object",
        "Toelichting",
    ]
    assert rows[1][1:6] == [
        "21-11-2026 08:00:00",
        "Bea Balie (balie)",
        "Brief geprint",
        "KD-2026-0002",
        "'=1+1",  # a spreadsheet shows it, never computes it
    ]
    assert rows[2][3] == "Klacht geregistreerd" and len(rows) == 3
    last = entries(ctx)[-1]
    assert (last.action, last.username) == ("auditlog_geexporteerd", "beheer")
    assert "KD-2026" not in last.detail and "met zoektekst" in last.detail
    assert "2 regels" in last.detail and "gebruiker balie" in last.detail
    assert list(tmp_path.glob(".auditlog-*")) == []  # no temporary file left behind


def test_export_to_a_missing_folder_says_so_and_records_nothing(history, tmp_path):
    before = len(entries(history.beheer))
    with pytest.raises(KlachtDeskError, match="kon niet worden opgeslagen"):
        audit_log.export_audit(history.beheer, None, tmp_path / "weg" / "auditlog.csv")
    assert len(entries(history.beheer)) == before


# -- the chain --------------------------------------------------------------------------------
def tamper(ctx, entry_id: int) -> None:
    with ctx.db.session(write=True) as session:
        session.execute(
            text("UPDATE audit_log SET username = 'iemand' WHERE id = :id"), {"id": entry_id}
        )


def test_verify_chain_names_the_entry_where_the_chain_breaks(history):
    ctx = history.beheer
    status = audit_log.verify_chain(ctx)
    assert status.ok and status.count == len(entries(ctx))
    assert status.message.startswith("Keten van het auditlog: in orde")
    tamper(ctx, 4)
    status = audit_log.verify_chain(ctx)
    assert not status.ok and status.broken_id == 4
    assert "onderbroken bij regel 4" in status.message


def test_klachtdesk_check_reports_a_tampered_audit_log(org, monkeypatch, capsys):
    org.beheer.db.dispose()
    ctx = org.login("coordinator")
    tamper(ctx, 2)
    ctx.db.dispose()
    monkeypatch.setenv("KLACHTDESK_USER", "beheer")
    monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
    assert main(["check", "--db", str(org.path)]) == 1
    err = capsys.readouterr().err
    assert "auditlog is onderbroken bij regel 2" in err and "Traceback" not in err


def test_nothing_in_the_application_changes_or_removes_audit_entries():
    """The log is append-only: no UPDATE/DELETE of audit_log, no ORM delete of an entry."""
    forbidden = re.compile(
        r"(update|delete\s+from)\s+audit_log|(update|delete)\(\s*AuditEntry|"
        r"session\.delete\(\s*(entry|audit)",
        re.IGNORECASE,
    )
    offenders = [
        f"{path.relative_to(KLACHTDESK)}:{number}"
        for path in KLACHTDESK.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert offenders == []
    assert not [n for n in dir(audit_log) if re.match(r"(delete|remove|edit|update)_", n)]


def test_a_failed_login_never_writes_the_key_file_and_keeps_no_trace_of_an_unknown_name(org):
    keys = key_file_path(org.path)
    before = keys.read_bytes()
    failed_login(org, "correct-paard-batterij", datetime(2026, 11, 25, 8))  # password as name
    assert keys.read_bytes() == before  # slots another PC writes can never be overwritten
    assert [a.who for a in load_failed_logins(keys)] == [""]
