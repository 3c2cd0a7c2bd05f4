"""Issue 13 item 2: a key holder who edits the decrypted database by hand.

The attacker is Bea Balie: an ordinary account with a valid password, so she holds the
database key and can open the file with SQLCipher herself. She cannot be stopped from
changing rows; these tests show that what she changes does not give her rights and does not
go unseen (a red banner for the beheerder, problems in ``klachtdesk check``), while the work
of the front desk goes on.
"""

from __future__ import annotations

import base64
import json
import sqlite3

import pytest

from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.roles import Role
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.paths import login_state_file
from klachtdesk.services.admin import admin_users, setup
from klachtdesk.services.cases import cases
from klachtdesk.services.context import GENESIS_HASH, chain_hash
from klachtdesk.services.safety import check, signatures
from klachtdesk.storage.engine import _raw_connect
from klachtdesk.storage.errors import WrongPassword
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from tests.conftest import PASSWORD, TODAY, complaint_data


def raw(org):
    """The database as the attacker opens it: with the key her own password unwraps."""
    key = KeyFile.load(key_file_path(org.path)).unlock("balie", PASSWORD)
    return _raw_connect(org.path, key)


def rehash_from(conn, first_id: int) -> None:
    """Rewrite the hash chain from ``first_id`` on, as a careful attacker would (the plain
    hash chain then checks out again)."""
    rows = conn.execute(
        "SELECT id, at, username, action, object_ref, detail, grants FROM audit_log "
        "WHERE id >= ? ORDER BY id",
        (first_id,),
    ).fetchall()
    prev = conn.execute(
        "SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1", (first_id,)
    ).fetchone()
    prev = prev[0] if prev else GENESIS_HASH
    from datetime import datetime

    for id_, at, username, action, ref, detail, grants in rows:
        when = datetime.fromisoformat(at) if isinstance(at, str) else at
        new = chain_hash(prev, when, username, action, ref, detail, grants or "")
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, new, id_))
        prev = new


def problems_for_beheer(org) -> list[str]:
    return org.login("beheer").integrity


def check_problems(org) -> list[str]:
    return check.check_database(org.login("beheer")).problems


def test_a_role_written_into_the_users_table_by_hand_gives_nothing_and_is_reported(org):
    conn = raw(org)
    conn.execute("UPDATE users SET roles = 'balie,beheer' WHERE username = 'balie'")
    conn.commit()
    conn.close()

    bea = org.login("balie")
    assert Role.BEHEER not in bea.actor.roles
    with pytest.raises(NotAllowed):
        admin_users.list_users(bea)
    # her ordinary work goes on
    ref = cases.register(bea, ComplaintInput.validated(complaint_data(), TODAY))
    assert ref.startswith("KD-")

    shown = problems_for_beheer(org)
    assert any("'balie'" in p and "buiten KlachtDesk om gewijzigd" in p for p in shown)
    assert any("'balie'" in p for p in check_problems(org))


def test_a_self_signed_grant_of_beheer_does_not_count(org):
    """Bea writes a proper-looking signed entry that gives her beheer, with her own key, and
    rewrites the chain so the hashes agree: the grant is refused (she had no right to give
    it), she stays a clerk, and the beheerder is told."""
    bea = org.balie
    signer = bea.db.signing_key()
    keyfile = KeyFile.load(key_file_path(org.path))
    own = keyfile.sign_key_of("balie")
    grants = signatures.grants_json(signatures.grant("balie", ["balie", "beheer"], True, own))
    conn = raw(org)
    prev, last_at = conn.execute(
        "SELECT hash, at FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    from datetime import datetime

    at = datetime.fromisoformat(last_at)
    entry_hash = chain_hash(prev, at, "beheer", "gebruiker_rollen_gewijzigd", "balie", "", grants)
    public = base64.b64encode(signer.public_key().public_bytes_raw()).decode()
    conn.execute(
        "INSERT INTO audit_log (at, username, action, object_ref, detail, prev_hash, hash, "
        "signer, signature, grants) VALUES (?, 'beheer', 'gebruiker_rollen_gewijzigd', "
        "'balie', '', ?, ?, ?, ?, ?)",
        (last_at, prev, entry_hash, public, signer.sign(bytes.fromhex(entry_hash)).hex(), grants),
    )
    conn.execute("UPDATE users SET roles = 'balie,beheer' WHERE username = 'balie'")
    conn.commit()
    conn.close()

    assert Role.BEHEER not in org.login("balie").actor.roles
    shown = problems_for_beheer(org)
    assert any("mocht dit recht niet geven" in p for p in shown), shown


def test_deleting_the_newest_entries_is_seen_by_the_pc_that_saw_them(org):
    beheer = org.login("beheer")  # this PC now remembers the chain's head
    assert beheer.integrity == []
    cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    org.login("beheer")  # and moves on to the new head
    conn = raw(org)
    newest = conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    conn.execute("DELETE FROM audit_log WHERE id > ?", (newest - 3,))
    conn.commit()
    conn.close()

    shown = problems_for_beheer(org)
    assert any("mist regels" in p and f"regel {newest}" in p for p in shown), shown
    assert any("mist regels" in p for p in check_problems(org))


def test_rewriting_an_entry_and_the_whole_chain_after_it_is_reported(org):
    cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    org.login("beheer")
    conn = raw(org)
    target = conn.execute(
        "SELECT id FROM audit_log WHERE action = 'klacht_geregistreerd' OR action LIKE 'zaak%' "
        "ORDER BY id LIMIT 1"
    ).fetchone()
    target = (
        target[0] if target else conn.execute("SELECT max(id) - 2 FROM audit_log").fetchone()[0]
    )
    conn.execute("UPDATE audit_log SET detail = 'niets aan de hand' WHERE id = ?", (target,))
    rehash_from(conn, target)
    conn.commit()
    conn.close()

    problems = check_problems(org)
    assert any("niet (geldig) ondertekend" in p for p in problems), problems
    # the hash chain alone would have passed: the attacker rewrote it
    assert not any("onderbroken" in p for p in problems)


def test_a_deleted_entry_in_the_middle_leaves_a_gap_even_with_the_chain_rewritten(org):
    conn = raw(org)
    middle = conn.execute("SELECT max(id) / 2 FROM audit_log").fetchone()[0]
    conn.execute("DELETE FROM audit_log WHERE id = ?", (middle,))
    rehash_from(conn, middle + 1)
    conn.commit()
    conn.close()
    assert any("ontbreekt 1 regelnummer" in p for p in problems_for_beheer(org))


def test_the_clerk_is_not_shown_the_banner_and_keeps_working(org):
    conn = raw(org)
    conn.execute("DELETE FROM audit_log WHERE id = 2")
    conn.commit()
    conn.close()
    bea = org.login("balie")
    assert bea.integrity == []
    assert cases.register(bea, ComplaintInput.validated(complaint_data(), TODAY))


def test_an_account_added_by_hand_cannot_log_in(org, tmp_path):
    """Bea holds the database key, so she can add a user row and a key slot for a new name
    with a password of her own. Without a signed grant that account opens nothing."""
    key = KeyFile.load(key_file_path(org.path)).unlock("balie", PASSWORD)
    keyfile = KeyFile.load(key_file_path(org.path))
    keyfile.set_user("stiekem", PASSWORD, key)
    keyfile.save(key_file_path(org.path))
    conn = raw(org)
    conn.execute(
        "INSERT INTO users (username, display_name, roles, active, created_at, "
        "password_changed_at, function_title) VALUES ('stiekem', 'Stiekem', 'beheer', 1, "
        "'2026-01-01 00:00:00', '2026-01-01 00:00:00', '')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(WrongPassword):
        org.login("stiekem")
    assert any("'stiekem'" in p and "nooit" in p for p in problems_for_beheer(org))


def test_signed_changes_by_the_beheerder_count(org):
    """The legitimate path still works: roles changed and a password reset by a beheerder,
    a password changed by its owner; nothing is reported."""
    ids = {u.username: u.id for u in admin_users.list_users(org.beheer)}
    admin_users.set_user_roles(org.beheer, ids["balie"], [Role.BALIE, Role.COORDINATOR])
    assert org.login("balie").actor.roles == {Role.BALIE, Role.COORDINATOR}
    setup.change_password(org.login("manager"), PASSWORD, "nieuw-lang-wachtwoord-manager")
    assert org.login("manager", "nieuw-lang-wachtwoord-manager").actor.roles == {Role.MANAGER}
    admin_users.reset_password(org.beheer, ids["directeur"], "opnieuw-ingesteld-directeur")
    assert org.login("directeur", "opnieuw-ingesteld-directeur").actor.roles == {Role.DIRECTEUR}
    admin_users.deactivate_user(org.login("beheer"), ids["coordinator"])
    with pytest.raises(WrongPassword):
        org.login("coordinator")
    assert problems_for_beheer(org) == []
    assert check_problems(org) == []


def test_a_database_from_before_signing_starts_signing_at_the_first_beheer_login(org):
    """Simulate an earlier version's file: no grants, no signatures, a valid plain chain."""
    conn = raw(org)
    conn.execute("UPDATE audit_log SET grants = '', signer = '', signature = ''")
    rehash_from(conn, 1)
    conn.commit()
    conn.close()
    keys = key_file_path(org.path)
    data = json.loads(keys.read_bytes())
    data["root"] = ""
    keys.write_text(json.dumps(data))
    # an earlier version's PCs kept no witness
    (login_state_file().parent / "getuigen.json").unlink()

    assert org.login("balie").actor.roles == {Role.BALIE}  # the table counts until then
    beheer = org.login("beheer")
    assert beheer.integrity == []
    assert KeyFile.load(keys).root == KeyFile.load(keys).sign_key_of("beheer")
    # from here on a hand-written role is ignored again
    conn = raw(org)
    conn.execute("UPDATE users SET roles = 'balie,beheer' WHERE username = 'balie'")
    conn.commit()
    conn.close()
    assert Role.BEHEER not in org.login("balie").actor.roles
    assert check_problems(org) != []


def test_a_sqlite_error_is_not_what_the_attacker_gets(org):
    """Garbage in the grants column is reported as a refused change, not a crash."""
    conn = raw(org)
    first = conn.execute("SELECT min(id) FROM audit_log WHERE grants != ''").fetchone()[0]
    conn.execute(
        "INSERT INTO audit_log (at, username, action, object_ref, detail, prev_hash, hash, "
        "signer, signature, grants) SELECT at, 'x', 'x', '', '', hash, hash, 'AAAA', 'zz', "
        "'{kapot' FROM audit_log WHERE id = ?",
        (first,),
    )
    conn.commit()
    conn.close()
    try:
        shown = problems_for_beheer(org)
    except sqlite3.Error:  # pragma: no cover - the failure this test exists for
        pytest.fail("a damaged grant broke the login")
    assert any("telt niet" in p for p in shown)


def test_a_back_up_testifies_when_this_pc_kept_no_witness(org):
    """Entries deleted that only a back-up had seen (the PC's own memory is gone, as on a
    new PC): ``check`` names the back-up."""
    from klachtdesk.services.safety import backup

    cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    made = backup.make_backup(org.beheer)
    assert made.witness["regel"] > 0
    conn = raw(org)
    conn.execute("DELETE FROM audit_log WHERE id >= ?", (made.witness["regel"] - 1,))
    conn.commit()
    conn.close()
    (login_state_file().parent / "getuigen.json").unlink()

    problems = check_problems(org)
    assert any("de back-up van" in p and "mist regels" in p for p in problems), problems


def test_a_restored_back_up_is_a_shorter_log_but_no_break(org):
    """The beheerder restores an older back-up over the live database: a second PC that saw
    the newer entries accepts it, because the restore itself is a signed entry of a
    beheerder."""
    from klachtdesk.services.safety import backup, restore

    made = backup.make_backup(org.beheer)
    for _ in range(3):
        cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    assert org.login("beheer").integrity == []  # this PC saw the newer entries
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    witnesses = login_state_file().parent / "getuigen.json"
    other_pc = witnesses.read_bytes()  # what a second PC remembers: the newer head
    restore.restore_backup(made.path, org.path, "beheer", PASSWORD, overwrite=True)
    witnesses.write_bytes(other_pc)  # the second PC logs in next

    assert org.login("beheer").integrity == []
    assert check_problems(org) == []


def test_a_slot_written_by_hand_for_the_beheerder_opens_no_session(org):
    """Bea holds the database key, so she can write a slot named 'beheer' with a password of
    her own into the key file. The grants name beheer's real key: her slot opens nothing,
    and the check (here by the coordinator) names the replaced slot."""
    keys = key_file_path(org.path)
    key = KeyFile.load(keys).unlock("balie", PASSWORD)
    keyfile = KeyFile.load(keys)
    keyfile.set_user("beheer", "bea-haar-eigen-wachtwoord", key)
    keyfile.save(keys)
    with pytest.raises(WrongPassword):
        org.login("beheer", "bea-haar-eigen-wachtwoord")
    problems = check.check_database(org.login("coordinator")).problems
    assert any("sleutelvak van 'beheer'" in p for p in problems), problems


def test_stripping_every_grant_does_not_make_the_users_table_count_again(org):
    """Bea blanks the grants, the signatures and the key file's root and rehashes the chain,
    so the file looks like one from before signing, then makes herself beheer in the table.
    This PC remembers the root: nobody gets beheer from the table, and it is reported."""
    conn = raw(org)
    conn.execute("UPDATE audit_log SET grants = '', signer = '', signature = ''")
    rehash_from(conn, 1)
    conn.execute("UPDATE users SET roles = 'balie,beheer' WHERE username = 'balie'")
    conn.commit()
    conn.close()
    keys = key_file_path(org.path)
    data = json.loads(keys.read_bytes())
    data["root"] = ""
    keys.write_text(json.dumps(data))

    assert Role.BEHEER not in org.login("balie").actor.roles
    problems = check.check_database(org.login("coordinator")).problems
    assert any("rechten zijn uit het auditlog verwijderd" in p for p in problems), problems


def test_a_hand_written_beheer_role_does_not_authorise_a_restore(org):
    """Bea makes herself beheer in the table and tries to put a back-up over the live
    database: the restore reads the signed grants too, and refuses."""
    from klachtdesk.services.safety import backup, restore

    made = backup.make_backup(org.balie)  # any user may make a back-up
    conn = raw(org)
    conn.execute("UPDATE users SET roles = 'balie,beheer' WHERE username = 'balie'")
    conn.commit()
    conn.close()
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    before = org.path.read_bytes()
    with pytest.raises(NotAllowed, match="geen actieve beheerder"):
        restore.restore_backup(made.path, org.path, "balie", PASSWORD, overwrite=True)
    assert org.path.read_bytes() == before
