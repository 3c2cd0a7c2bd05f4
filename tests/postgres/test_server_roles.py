"""Issue 15, item 3: the server enforces what the file cannot. Each test connects as a
KlachtDesk user's login role, straight to the server with SQL (not through KlachtDesk),
tries what that role may not do, and the server refuses."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from klachtdesk.cli import main
from klachtdesk.domain.roles import Role
from klachtdesk.services.admin import admin_users, setup
from klachtdesk.services.safety import audit_log, check
from tests.postgres.test_server_use import (  # noqa: F401 - the fixtures
    PASSWORD,
    demo_file,
    moved,
    user_id,
)

USERS = ("balie", "coordinator", "manager", "directeur")
SECRET = "eigen-wachtwoord-{}-9"


@pytest.fixture
def logins(moved):  # noqa: F811 - the fixture's name
    """Every demo user with a password of their own on the server."""
    beheer = setup.unlock(moved, "beheer", PASSWORD)
    for name in USERS:
        admin_users.reset_password(beheer, user_id(beheer, name), SECRET.format(name))
    beheer.db.dispose()
    return moved


def as_user(address: str, name: str):
    password = PASSWORD if name == "beheer" else SECRET.format(name)
    return create_engine(make_url(address).set(username=name), connect_args={"password": password})


def refused(engine, statement: str, **params) -> bool:
    """Does the server refuse ``statement`` for lack of rights (nothing is changed)?"""
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), params)
    except ProgrammingError as error:
        assert getattr(error.orig, "sqlstate", "") == "42501", error
        return True
    return False


def test_the_audit_log_only_grows_for_every_login_role(logins):
    for name in (*USERS, "beheer"):
        engine = as_user(logins, name)
        assert refused(engine, "UPDATE audit_log SET detail = 'weg'"), name
        assert refused(engine, "DELETE FROM audit_log"), name
        assert refused(engine, "TRUNCATE audit_log"), name
        assert refused(engine, "ALTER TABLE audit_log DISABLE TRIGGER ALL"), name
        engine.dispose()
    # and KlachtDesk's own check of the chain holds on the server
    beheer = setup.unlock(logins, "beheer", PASSWORD)
    status = audit_log.verify_chain(beheer)
    assert status.ok and status.count > 80
    owner = create_engine(make_url(logins).set(username="postgres"))
    with owner.begin() as conn:  # the superuser can; the chain shows where
        conn.execute(text("UPDATE audit_log SET detail = 'verzonnen' WHERE id = 10"))
    owner.dispose()
    broken = audit_log.verify_chain(beheer)
    assert not broken.ok and broken.broken_id == 10
    beheer.db.dispose()


def test_a_baliemedewerker_registers_but_never_decides(logins):
    balie = as_user(logins, "balie")
    with balie.connect() as conn:
        case_id = conn.execute(text("SELECT min(id) FROM cases")).scalar_one()
    assert refused(balie, "UPDATE cases SET outcome = 'gegrond' WHERE id = :i", i=case_id)
    assert refused(balie, "UPDATE cases SET motivation = 'x' WHERE id = :i", i=case_id)
    assert refused(balie, "UPDATE cases SET director_outcome = 'x' WHERE id = :i", i=case_id)
    assert not refused(balie, "UPDATE cases SET subject = subject WHERE id = :i", i=case_id)
    coordinator = as_user(logins, "coordinator")
    assert not refused(
        coordinator, "UPDATE cases SET motivation = motivation WHERE id = :i", i=case_id
    )
    for engine in (balie, coordinator):
        assert refused(engine, "UPDATE settings SET value = value")
        assert refused(engine, "UPDATE users SET roles = 'beheer'")
        assert refused(engine, "CREATE TABLE eigen (id int)")
        engine.dispose()


def test_the_directeur_reads_and_changes_appeal_cases_only(logins):
    owner = create_engine(make_url(logins).set(username="postgres"))
    with owner.connect() as conn:
        appeals = set(
            conn.execute(
                text("SELECT case_id FROM deadlines WHERE kind = 'heroverweging'")
            ).scalars()
        )
        everything = set(conn.execute(text("SELECT id FROM cases")).scalars())
    owner.dispose()
    assert appeals and everything - appeals
    directeur = as_user(logins, "directeur")
    with directeur.begin() as conn:
        assert set(conn.execute(text("SELECT id FROM cases")).scalars()) == appeals
        other = min(everything - appeals)
        changed = conn.execute(text("UPDATE cases SET subject = 'x' WHERE id = :i"), {"i": other})
        assert changed.rowcount == 0
    directeur.dispose()
    ctx = setup.unlock(logins, "directeur", SECRET.format("directeur"))
    assert ctx.actor.roles == frozenset({Role.DIRECTEUR})
    ctx.db.dispose()


def test_a_user_without_a_klachtdesk_role_cannot_even_connect(logins):
    owner = create_engine(make_url(logins).set(username="postgres"))
    with owner.begin() as conn:
        conn.execute(text("CREATE ROLE buitenstaander LOGIN PASSWORD 'buiten-wachtwoord-1'"))
    owner.dispose()
    outsider = create_engine(
        make_url(logins).set(username="buitenstaander"),
        connect_args={"password": "buiten-wachtwoord-1"},
    )
    with pytest.raises(DBAPIError) as error:
        outsider.connect().close()
    assert "permission denied for database" in str(error.value)
    outsider.dispose()


def test_the_check_says_when_someone_loosened_the_audit_log_by_hand(logins, capsys):
    beheer = setup.unlock(logins, "beheer", PASSWORD)
    report = check.check_database(beheer)
    assert report.ok, report.problems
    assert any(fact.startswith("PostgreSQL ") for fact in report.facts)
    database = make_url(logins).database
    owner = create_engine(make_url(logins).set(username="postgres"))
    with owner.begin() as conn:
        conn.execute(text(f'GRANT DELETE ON audit_log TO "{database}_manager"'))
    report = check.check_database(beheer)
    assert not report.ok
    assert f"{database}_manager" in report.problems[0] and "manager" in report.problems[0]
    owner.dispose()
    # the database's owner puts the rights back (the address names the owner)
    assert main(["server-setup", "--db", f"{logins}"]) == 0
    assert "rechten opnieuw gekregen" in capsys.readouterr().out
    assert check.check_database(beheer).ok
    beheer.db.dispose()
