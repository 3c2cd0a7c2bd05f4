"""Encrypted storage: no readable personal data, key slots, refusals of bad files."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import text

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import cases
from klachtdesk.storage import migrate
from klachtdesk.storage.errors import (
    DatabaseExists,
    DatabaseMissing,
    KeyFileMissing,
    NewerDatabase,
    NotADatabase,
    WrongPassword,
)
from klachtdesk.storage.keyslots import KeyFile, key_file_path, normalise_recovery_code
from tests.conftest import PASSWORD, TODAY, clock, complaint_data

NAME = "Wilhelmina Bosschaert-Oudewater"


def register(org, **overrides):
    data = complaint_data(**overrides)
    data["complainant"] = {**data["complainant"], "name": NAME, "street": "Zeldzamestraat 99"}
    return cases.register(org.balie, ComplaintInput.validated(data, TODAY))


def test_database_and_key_file_hold_no_readable_personal_data(org):
    register(org)
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    # the database's folder, and this PC's own state (witnesses, login counters) beside it
    for path in (p for p in org.path.parent.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        for needle in (NAME, "Bosschaert", "Zeldzamestraat", "fatima@voorbeeld.nl", "beheer"):
            assert needle.encode() not in raw, f"{needle} readable in {path.name}"
            assert needle.encode("utf-16-le") not in raw
    assert not org.path.read_bytes().startswith(b"SQLite format 3")


def test_plain_sqlite_cannot_read_the_file(org):
    conn = sqlite3.connect(org.path)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


def test_wrong_password_and_unknown_user_get_the_same_dutch_message(org):
    with pytest.raises(WrongPassword) as wrong:
        setup.unlock(org.path, "balie", "niet-het-wachtwoord")
    with pytest.raises(WrongPassword) as unknown:
        setup.unlock(org.path, "onbekende", PASSWORD)
    assert str(wrong.value) == str(unknown.value)
    assert "wachtwoord klopt niet" in str(wrong.value)


def test_user_names_are_case_insensitive(org):
    ctx = setup.unlock(org.path, "  Balie ", PASSWORD)
    assert ctx.actor.username == "balie"
    ctx.db.dispose()


def test_recovery_code_unlocks_the_key_and_is_forgiving_about_typing(org):
    keyfile = KeyFile.load(key_file_path(org.path))
    key = keyfile.unlock("beheer", PASSWORD)
    typed = org.recovery_code.lower().replace("-", " ").replace("O", "0")
    assert keyfile.unlock_recovery(typed) == key
    assert normalise_recovery_code(org.recovery_code) == org.recovery_code.replace("-", "")
    with pytest.raises(WrongPassword, match="herstelcode klopt niet"):
        keyfile.unlock_recovery("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")


def test_changing_a_password_rewraps_one_slot_and_leaves_the_data_untouched(org):
    for _ in range(30):
        register(org)
    before = org.path.read_bytes()
    setup.change_password(org.balie, PASSWORD, "een-nieuw-wachtwoord")
    org.balie.db.dispose()
    with pytest.raises(WrongPassword):
        setup.unlock(org.path, "balie", PASSWORD)
    ctx = setup.unlock(org.path, "balie", "een-nieuw-wachtwoord")
    assert [row.complainant for row in cases.list_cases(ctx)] == [NAME] * 30
    ctx.db.dispose()
    # Only a few pages (header, users, audit log) were written: the rest is byte-identical.
    after = org.path.read_bytes()
    pages = len(before) // 4096
    changed = sum(
        before[i * 4096 : (i + 1) * 4096] != after[i * 4096 : (i + 1) * 4096] for i in range(pages)
    )
    assert pages > 30
    assert changed <= 6
    other = setup.unlock(org.path, "coordinator", PASSWORD)
    other.db.dispose()


def test_change_password_refuses_the_wrong_old_password(org):
    with pytest.raises(WrongPassword):
        setup.change_password(org.balie, "fout-wachtwoord", "nieuw-wachtwoord-1")
    setup.unlock(org.path, "balie", PASSWORD).db.dispose()


def test_init_refuses_to_overwrite_anything(org, tmp_path):
    with pytest.raises(DatabaseExists):
        setup.create_database(org.path, "X", "livable", "beheer", PASSWORD)
    lone_keys = tmp_path / "nieuw.kdb.keys"
    lone_keys.write_text("{}")
    with pytest.raises(DatabaseExists):
        setup.create_database(tmp_path / "nieuw.kdb", "X", "livable", "beheer", PASSWORD)


def test_missing_database_and_missing_key_file_are_explained(org, tmp_path):
    with pytest.raises(DatabaseMissing, match="bestaat niet"):
        setup.unlock(tmp_path / "elders.kdb", "beheer", PASSWORD)
    copy = tmp_path / "kopie.kdb"
    shutil.copy(org.path, copy)
    with pytest.raises(KeyFileMissing, match="sleutelbestand"):
        setup.unlock(copy, "beheer", PASSWORD)


def test_a_file_that_is_not_a_klachtdesk_database_is_refused(org, tmp_path):
    fake = tmp_path / "vakantie.kdb"
    fake.write_bytes(b"Dit is een tekstbestand, geen database." * 200)
    shutil.copy(key_file_path(org.path), key_file_path(fake))
    with pytest.raises(NotADatabase, match="geen KlachtDesk-database"):
        setup.unlock(fake, "beheer", PASSWORD)

    plain = tmp_path / "plat.kdb"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    shutil.copy(key_file_path(org.path), key_file_path(plain))
    with pytest.raises(NotADatabase, match="onversleuteld"):
        setup.unlock(plain, "beheer", PASSWORD)


def test_truncated_database_is_refused_with_a_dutch_message(org, tmp_path):
    register(org)
    org.balie.db.dispose()
    broken = tmp_path / "half.kdb"
    broken.write_bytes(org.path.read_bytes()[:1000])
    shutil.copy(key_file_path(org.path), key_file_path(broken))
    with pytest.raises(NotADatabase):
        setup.unlock(broken, "beheer", PASSWORD)


def test_damaged_key_file_is_refused(org):
    key_file_path(org.path).write_text("{niet: geldig")
    with pytest.raises(NotADatabase, match="sleutelbestand is onleesbaar"):
        setup.unlock(org.path, "beheer", PASSWORD)


def test_database_from_a_newer_version_is_refused(org):
    with org.beheer.db.session(write=True) as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_toekomst'"))
    with pytest.raises(NewerDatabase, match="nieuwere versie van KlachtDesk"):
        setup.unlock(org.path, "beheer", PASSWORD)


def test_schema_is_at_the_head_revision_and_uses_a_rollback_journal(org):
    assert migrate.current_revision(org.beheer.db) == migrate.head_revision()
    conn = org.beheer.db.raw_connection()
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # memory
    finally:
        conn.close()


def test_inactive_user_cannot_log_in(org):
    from klachtdesk.storage.models import User

    with org.beheer.db.session(write=True) as session:
        session.query(User).filter_by(username="balie").one().active = False
    with pytest.raises(WrongPassword):
        setup.unlock(org.path, "balie", PASSWORD, **clock())


def test_the_rollback_journal_holds_no_readable_personal_data(org):
    from klachtdesk.storage.models import Complainant

    register(org)
    journal = org.path.parent / (org.path.name + "-journal")
    with org.beheer.db.session(write=True) as session:
        person = session.query(Complainant).one()
        person.name = "Gerarda Nieuwenhuys-Pietersen"
        session.flush()  # the old page is now in the journal, the transaction still open
        assert journal.exists()
        raw = journal.read_bytes()
        assert len(raw) > 1000
        for needle in (NAME, "Bosschaert", "Zeldzamestraat", "Nieuwenhuys"):
            assert needle.encode() not in raw
    assert not journal.exists()  # rollback-journal mode: gone after commit
