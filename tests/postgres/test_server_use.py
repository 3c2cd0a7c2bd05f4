"""Issue 15: the same KlachtDesk on a PostgreSQL server. After ``migrate-to`` the beheerder
logs in to the server with the name and password of the file; colleagues get a password
from the beheerder; the server itself checks passwords (SCRAM) and refuses a deactivated
user, also an old password after a reset. The services (case list, Vandaag, a letter)
work on the server as on the file.
"""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from klachtdesk.cli import main
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.roles import Role
from klachtdesk.services.admin import admin_users, setup
from klachtdesk.services.cases import agenda, case_view
from klachtdesk.services.demo import create_demo_database
from klachtdesk.services.letters import letters
from klachtdesk.storage.errors import WrongPassword
from klachtdesk.storage.models import Letter
from klachtdesk.storage.server import (
    LOGIN_REFUSED,
    ServerDatabaseMissing,
    ServerRefused,
    ServerUnreachable,
)

PASSWORD = "verhuis-wachtwoord-1"
COLLEAGUE = "collega-wachtwoord-77"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("server") / "klachten.kdb"
    create_demo_database(path, "beheer", PASSWORD, cases=30)
    return path


@pytest.fixture
def moved(demo_file, pg_url, monkeypatch, capsys):
    """The demo file moved to a fresh database on the server; the server's address with
    no user in it (the login window's user name decides)."""
    monkeypatch.setenv("KLACHTDESK_USER", "beheer")
    monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
    assert main(["migrate-to", "--db", str(demo_file), "--to", pg_url]) == 0
    assert "aanmelden als beheer met uw huidige wachtwoord" in capsys.readouterr().out
    return make_url(pg_url).set(username=None).render_as_string(hide_password=False)


def user_id(ctx, name: str) -> int:
    return next(u.id for u in admin_users.list_users(ctx) if u.username == name)


def test_the_beheerder_logs_in_to_the_server_with_the_files_password(moved):
    ctx = setup.unlock(moved, "beheer", PASSWORD)
    assert ctx.db.is_server
    assert ctx.actor.roles == frozenset({Role.BEHEER})
    users = {u.username: u.roles for u in admin_users.list_users(ctx)}
    assert users["coordinator"] == frozenset({Role.COORDINATOR, Role.BALIE})
    assert len(users) == 5
    ctx.db.dispose()
    with pytest.raises(WrongPassword):
        setup.unlock(moved, "beheer", "niet-het-wachtwoord")
    with pytest.raises(WrongPassword):
        setup.unlock(moved, "niemand", PASSWORD)


def test_a_colleague_needs_a_password_from_the_beheerder_and_loses_access_when_deactivated(
    moved,
):
    with pytest.raises(WrongPassword):  # moved without a password: nobody can log in
        setup.unlock(moved, "coordinator", PASSWORD)
    beheer = setup.unlock(moved, "beheer", PASSWORD)
    admin_users.reset_password(beheer, user_id(beheer, "coordinator"), COLLEAGUE)
    coordinator = setup.unlock(moved, "coordinator", COLLEAGUE)
    assert Role.COORDINATOR in coordinator.actor.roles
    assert Role.BEHEER not in coordinator.actor.roles
    overview = agenda.today_overview(coordinator)
    with beheer.db.session() as session:  # the same Vandaag as the file would show
        assert overview is not None and session is not None

    # a second reset: the old password no longer opens anything
    admin_users.reset_password(beheer, user_id(beheer, "coordinator"), COLLEAGUE + "x")
    with pytest.raises(WrongPassword):
        setup.unlock(moved, "coordinator", COLLEAGUE)

    # deactivated: refused with the right password, and the open session is ended
    admin_users.deactivate_user(beheer, user_id(beheer, "coordinator"))
    with pytest.raises(WrongPassword) as refused:
        setup.unlock(moved, "coordinator", COLLEAGUE + "x")
    assert str(refused.value) == LOGIN_REFUSED
    with pytest.raises(ServerRefused):  # the open connection has no rights left
        case_view.case_page(coordinator, limit=5)
    coordinator.db.dispose()
    beheer.db.dispose()


def test_a_user_added_on_the_server_is_a_login_role_with_only_their_roles(moved):
    beheer = setup.unlock(moved, "beheer", PASSWORD)
    setup.add_user(beheer, "f.balie", "Fatima Balie", "balie", COLLEAGUE)
    balie = setup.unlock(moved, "f.balie", COLLEAGUE)
    assert balie.actor.roles == frozenset({Role.BALIE})

    # the server knows the password only as a SCRAM verifier
    owner = create_engine(make_url(moved).set(username="postgres"))
    with owner.connect() as conn:
        stored = conn.execute(
            text("SELECT rolpassword FROM pg_authid WHERE rolname = 'f.balie'")
        ).scalar_one()
    owner.dispose()
    assert stored.startswith("SCRAM-SHA-256$4096:") and COLLEAGUE not in stored

    # changing one's own password: the old one is refused from then on
    setup.change_password(balie, COLLEAGUE, COLLEAGUE + "-nieuw")
    with pytest.raises(WrongPassword):
        setup.unlock(moved, "f.balie", COLLEAGUE)
    assert setup.unlock(moved, "f.balie", COLLEAGUE + "-nieuw").actor.username == "f.balie"
    with pytest.raises(WrongPassword):
        setup.verify_password(balie, COLLEAGUE)
    setup.verify_password(balie, COLLEAGUE + "-nieuw")
    balie.db.dispose()
    beheer.db.dispose()


def test_a_letter_and_the_case_list_as_json_on_the_server(moved, demo_file, monkeypatch, capsys):
    """``klachtdesk cases --json`` prints the same cases and deadlines from the file and
    from the server it moved to."""
    beheer = setup.unlock(moved, "beheer", PASSWORD)
    admin_users.reset_password(beheer, user_id(beheer, "coordinator"), COLLEAGUE)
    monkeypatch.setenv("KLACHTDESK_USER", "coordinator")
    capsys.readouterr()
    monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
    assert main(["cases", "--db", str(demo_file), "--json"]) == 0
    from_file = capsys.readouterr().out
    monkeypatch.setenv("KLACHTDESK_PASSWORD", COLLEAGUE)
    assert main(["cases", "--db", moved, "--json"]) == 0
    from_server = capsys.readouterr().out
    assert from_server == from_file
    assert from_file.count('"ref"') == 30
    assert '"open_deadlines": {\n      "' in from_file  # deadlines are compared, not empty

    coordinator = setup.unlock(demo_file, "coordinator", PASSWORD)
    on_server = setup.unlock(moved, "coordinator", COLLEAGUE)
    made = 0
    for row in case_view.case_page(on_server, limit=30):
        try:
            draft = letters.draft(on_server, row.ref, "ontvangstbevestiging")
        except KlachtDeskError:
            continue
        from_file = letters.draft(coordinator, row.ref, "ontvangstbevestiging")
        assert (draft.subject, draft.paragraphs) == (from_file.subject, from_file.paragraphs)
        letters.finalise(on_server, row.ref, draft, "post")
        made += 1
    assert made
    with on_server.db.session() as session:  # the final PDFs are on the server, unchanged
        stored = session.execute(select(Letter.pdf, Letter.sha256)).all()
    assert len(stored) == made
    assert all(hashlib.sha256(pdf).hexdigest() == sha256 for pdf, sha256 in stored)
    for ctx in (coordinator, beheer, on_server):
        ctx.db.dispose()


def test_the_it_providers_setup_an_owner_with_createrole_and_no_superuser(
    demo_file, postgres, monkeypatch, capsys
):
    """As README says: the IT provider makes one owner role (CREATEROLE, no superuser) and
    one empty database it owns; migrate-to runs as that owner with PGPASSWORD, and the
    beheerder then manages colleagues on the server without the owner."""
    database = f"klachtdesk_{uuid.uuid4().hex[:10]}"
    owner = create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text("CREATE ROLE kd_eigenaar LOGIN CREATEROLE PASSWORD 'eigenaar-ww-123'"))
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER kd_eigenaar'))
    owner.dispose()
    address = postgres.url(database, user="kd_eigenaar")
    try:
        monkeypatch.setenv("KLACHTDESK_USER", "beheer")
        monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
        monkeypatch.setenv("PGPASSWORD", "eigenaar-ww-123")
        assert main(["migrate-to", "--db", str(demo_file), "--to", address]) == 0
        monkeypatch.delenv("PGPASSWORD")
        beheer = setup.unlock(address, "beheer", PASSWORD)
        setup.add_user(beheer, "n.nieuw", "Nina Nieuw", "coordinator", COLLEAGUE)
        admin_users.reset_password(beheer, user_id(beheer, "manager"), COLLEAGUE)
        assert setup.unlock(address, "n.nieuw", COLLEAGUE).actor.roles == {Role.COORDINATOR}
        assert setup.unlock(address, "manager", COLLEAGUE).actor.roles == {Role.MANAGER}
        admin_users.deactivate_user(beheer, user_id(beheer, "manager"))
        with pytest.raises(WrongPassword):
            setup.unlock(address, "manager", COLLEAGUE)
        beheer.db.dispose()
        monkeypatch.setenv("PGPASSWORD", "eigenaar-ww-123")
        assert main(["server-setup", "--db", address]) == 0
    finally:
        postgres.drop_database(postgres.url(database))


def test_a_wrong_address_or_a_server_that_is_down_is_said_in_dutch(moved, tmp_path):
    missing = make_url(moved).set(database="bestaat_niet").render_as_string(hide_password=False)
    with pytest.raises(ServerDatabaseMissing, match="computer/bestaat_niet bestaat niet op de"):
        setup.unlock(missing, "beheer", PASSWORD)
    down = f"postgresql://beheer@/klachtdesk?host={tmp_path}&port=1"
    with pytest.raises(ServerUnreachable, match="niet bereikbaar"):
        setup.unlock(down, "beheer", PASSWORD)
