"""Logging in and managing users on a PostgreSQL server (issue 15).

On a server the password is the server's (SCRAM): logging in is connecting as the user's
login role, and a wrong password is refused by the server itself. The KlachtDesk roles a
user has are the group roles the server gives the login role (storage/server_roles.py), so
what the windows allow and what the server allows are the same thing. Adding, changing and
deactivating a user changes the login role in the same transaction as the ``users`` row
and its audit entry: either all of it happens or none of it.

Passwords reach the server only as SCRAM verifiers (storage.server.scram_verifier): the
server's log never holds one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.roles import Role
from klachtdesk.services.admin.admin_access import roles_of
from klachtdesk.services.context import Actor, Context, audit
from klachtdesk.storage import migrate, server_roles
from klachtdesk.storage.errors import WrongPassword
from klachtdesk.storage.models import User
from klachtdesk.storage.server import (
    LOGIN_REFUSED,
    ServerDatabase,
    scram_verifier,
    server_url,
)

WRONG_OWN_PASSWORD = "Het wachtwoord klopt niet. Let op hoofdletters en de Caps Lock-toets."


def open_server(address: str, username: str, password: str) -> ServerDatabase:
    """Connect as ``username``; the server checks the password. The schema must be this
    version's (the database's owner upgrades it: ``klachtdesk server-setup``)."""
    db = ServerDatabase(server_url(address), username, password)
    try:
        with db.translated_errors():
            migrate.ensure_current(db)
    except BaseException:
        db.dispose()
        raise
    return db


def unlock(address: str, username: str, password: str, **clock) -> Context:
    """Log in to the KlachtDesk database on a PostgreSQL server."""
    name = (username or "").strip().lower()
    if not name or not password:
        raise WrongPassword(LOGIN_REFUSED)
    db = open_server(address, name, password)
    try:
        with db.session() as session:
            user = session.scalar(select(User).where(User.username == name))
            roles = server_roles.own_roles(session.connection())
        if not roles:  # a login role without any KlachtDesk role has no rights here at all
            raise WrongPassword(LOGIN_REFUSED)
        if user is None or not user.active:
            # a login role that is no KlachtDesk user (any more): the server let it in,
            # KlachtDesk does not, and says no more than for a wrong password
            with db.session(write=True) as session:
                audit(session, name, "aanmelden_mislukt", detail="geen actieve gebruiker")
            raise WrongPassword(LOGIN_REFUSED)
        ctx = Context(db, Actor(user.id, user.username, user.display_name, roles), **clock)
        with db.session(write=True) as session:
            audit(session, ctx, "aangemeld")
    except BaseException:
        db.dispose()
        raise
    return ctx


def check_own_password(ctx: Context, password: str) -> None:
    """The logged-in user's password, asked again (the idle lock, a password change): the
    server checks it on a connection of its own."""
    trial = ServerDatabase(ctx.db.url, ctx.actor.username, password)
    try:
        with trial.translated_errors(), trial.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except WrongPassword:
        with ctx.db.session(write=True) as session:
            audit(session, ctx, "aanmelden_mislukt", detail="onjuist wachtwoord")
        raise WrongPassword(WRONG_OWN_PASSWORD) from None
    finally:
        trial.dispose()


def change_own_password(ctx: Context, new_password: str) -> None:
    """A role may change its own password: the server stores the new verifier, and the old
    password no longer opens anything."""
    with ctx.db.session(write=True) as session:
        verifier = scram_verifier(new_password)
        session.connection().exec_driver_sql(f"ALTER ROLE CURRENT_USER PASSWORD '{verifier}'")
        session.get(User, ctx.actor.user_id).password_changed_at = ctx.now()
        audit(session, ctx, "wachtwoord_gewijzigd", ctx.actor.username)
    ctx.db.use_password(new_password)


def add_user(session: Session, ctx: Context, user: User, roles: frozenset[Role], password: str):
    """The login role of a new user, in the transaction that adds the ``users`` row."""
    conn = session.connection()
    try:
        server_roles.create_login(conn, user.username, scram_verifier(password))
    except server_roles.LoginExists:
        raise ValidationError(
            "gebruikersnaam",
            f"'{user.username}' bestaat al op de PostgreSQL-server (mogelijk voor een andere "
            "database). Kies een andere gebruikersnaam.",
        ) from None
    server_roles.set_roles(conn, user.username, roles)
    audit(session, ctx, "gebruiker_toegevoegd", user.username, detail=_roles_detail(roles))


def set_roles(session: Session, ctx: Context, user: User, roles: frozenset[Role]) -> None:
    server_roles.set_roles(session.connection(), user.username, roles)
    user.roles = ",".join(sorted(r.value for r in roles))
    audit(session, ctx, "gebruiker_rollen_gewijzigd", user.username, detail=_roles_detail(roles))


def deactivate(session: Session, ctx: Context, user: User) -> None:
    """The login role may no longer log in, and a connection still open has no rights left
    (its group roles are taken away; ``set_password`` gives them back)."""
    server_roles.set_login(session.connection(), user.username, False)
    server_roles.set_roles(session.connection(), user.username, frozenset())
    user.active = False
    audit(session, ctx, "gebruiker_gedeactiveerd", user.username)


def set_password(
    session: Session, ctx: Context, user: User, password: str, action: str, at: datetime
) -> None:
    """A password chosen by the beheerder (a reset, or a user who comes back)."""
    conn = session.connection()
    server_roles.set_password(conn, user.username, scram_verifier(password))
    server_roles.set_login(conn, user.username, True)
    server_roles.set_roles(conn, user.username, roles_of(user))
    user.active = True
    user.password_changed_at = at
    audit(session, ctx, action, user.username)


def _roles_detail(roles: frozenset[Role]) -> str:
    return "rollen: " + ", ".join(sorted(r.value for r in roles))
