"""The users of KlachtDesk, by beheer: roles, names, deactivating and new passwords."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.passwords import check_password
from klachtdesk.domain.roles import Role, parse_roles
from klachtdesk.domain.validation import MAX_LINE, clean_text, required_text
from klachtdesk.services.admin import server_accounts
from klachtdesk.services.admin.admin_access import admin_session, existing, roles_of
from klachtdesk.services.admin.revocation import Revocation, revoke
from klachtdesk.services.admin.setup import org_name
from klachtdesk.services.context import Context, audit
from klachtdesk.services.safety import signatures
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from klachtdesk.storage.models import Employee, User


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    function_title: str
    roles: frozenset[Role]
    active: bool
    employee_id: int | None
    employee: str
    is_me: bool


def list_users(ctx: Context) -> list[UserInfo]:
    ctx.actor.require(Role.BEHEER, what="het beheer van gebruikers")
    with ctx.db.session() as session:
        rows = session.execute(
            select(User, Employee.name)
            .outerjoin(Employee, Employee.id == User.employee_id)
            .order_by(User.username)
        ).all()
        return [
            UserInfo(
                u.id,
                u.username,
                u.display_name,
                u.function_title,
                roles_of(u),
                u.active,
                u.employee_id,
                employee or "",
                u.id == ctx.actor.user_id,
            )
            for u, employee in rows
        ]


def _other_active_beheer(session: Session, user: User) -> bool:
    return any(
        Role.BEHEER in roles_of(other)
        for other in session.scalars(select(User).where(User.active, User.id != user.id))
    )


def _check_keeps_a_beheerder(session: Session, user: User, what: str) -> None:
    """Never leave the organisation without an active beheerder (nobody could add users)."""
    if user.active and Role.BEHEER in roles_of(user) and not _other_active_beheer(session, user):
        raise NotAllowed(
            f"{user.display_name} is de laatste actieve beheerder en kan daarom niet {what}. "
            "Geef eerst een andere gebruiker de rol Beheerder."
        )


def set_user_roles(ctx: Context, user_id: int, roles: Iterable[Role | str]) -> None:
    wanted = parse_roles(",".join(str(r) for r in roles))
    with admin_session(ctx, "het beheer van gebruikers") as session:
        user = existing(session, User, user_id, "gebruiker")
        if Role.BEHEER in roles_of(user) and Role.BEHEER not in wanted:
            _check_keeps_a_beheerder(session, user, "de rol Beheerder verliezen")
            if user.id == ctx.actor.user_id:
                raise NotAllowed(
                    "U kunt uw eigen rol Beheerder niet intrekken; laat een andere beheerder "
                    "dat doen."
                )
        if ctx.db.is_server:
            if wanted != roles_of(user):
                server_accounts.set_roles(session, ctx, user, wanted)
            return
        text = ",".join(sorted(r.value for r in wanted))
        keyfile = KeyFile.load(key_file_path(ctx.db.path))
        signed = signatures.account_of(session, keyfile, user.username)
        if text != ",".join(sorted(r.value for r in roles_of(user))) or (
            signed is not None and signed.roles != {r.value for r in wanted}
        ):
            user.roles = text
            key = signatures.signed_key(session, keyfile, user.username)
            signatures.record_grants(
                session,
                ctx,
                "gebruiker_rollen_gewijzigd",
                user.username,
                signatures.grant(user.username, wanted, user.active, key),
            )


def update_user(
    ctx: Context,
    user_id: int,
    display_name: str,
    function_title: str = "",
    employee_id: int | None = None,
) -> None:
    """Name and function (for letters) and, if the user is also an employee, which one.

    The employee link makes the independence rule work: nobody handles a complaint about
    themselves.
    """
    with admin_session(ctx, "het beheer van gebruikers") as session:
        user = existing(session, User, user_id, "gebruiker")
        user.display_name = required_text(display_name, "naam", max_length=MAX_LINE)
        user.function_title = clean_text(function_title, "functie", max_length=MAX_LINE)
        if employee_id is not None:
            existing(session, Employee, employee_id, "medewerker")
        user.employee_id = employee_id
        audit(session, ctx, "gebruiker_gewijzigd", user.username)


def deactivate_user(ctx: Context, user_id: int) -> Revocation | None:
    """The user can no longer log in: the account is kept, their key slot is removed and the
    database gets a new key their slot never receives, so their password opens nothing live
    any more, not even with an old copy of the key file. On a server: the login role may no
    longer log in and loses its group roles (``server_accounts.deactivate``); None."""
    with admin_session(ctx, "het beheer van gebruikers") as session:
        user = existing(session, User, user_id, "gebruiker")
        if not user.active:
            return Revocation()
        _check_keeps_a_beheerder(session, user, "worden gedeactiveerd")
        if user.id == ctx.actor.user_id:
            raise NotAllowed("U kunt uzelf niet deactiveren; laat een andere beheerder dat doen.")
        if ctx.db.is_server:  # the server refuses the login role from now on
            server_accounts.deactivate(session, ctx, user)
            return None  # nothing re-encrypted
        username = user.username

    def also(session: Session) -> None:
        again = existing(session, User, user_id, "gebruiker")
        again.active = False
        keyfile = KeyFile.load(key_file_path(ctx.db.path))
        roles = signatures.roles_for_grant(session, keyfile, username)
        key = signatures.signed_key(session, keyfile, username)
        signatures.record_grants(
            session,
            ctx,
            "gebruiker_gedeactiveerd",
            username,
            signatures.grant(username, roles, False, key),
        )

    # The slot goes in the re-key's first step, the account's state in its last: a crash
    # in between leaves an account that cannot log in, and deactivating it again finishes.
    return revoke(
        ctx, lambda keyfile: keyfile.remove_user(username), "gebruiker gedeactiveerd", also
    )


def reset_password(ctx: Context, user_id: int, password: str) -> Revocation | None:
    """A colleague forgot their password or it leaked: the beheerder sets a new one. The
    slot gets a new identity and the database a new key, so the old password opens nothing
    live any more (data stays as is). On a server: the login role's new SCRAM verifier; None."""
    organisation = org_name(ctx)
    with admin_session(ctx, "het beheer van gebruikers") as session:
        user = existing(session, User, user_id, "gebruiker")
        check_password(password, user.username, user.display_name, organisation)
        if not user.active:
            raise ValidationError(
                "wachtwoord", f"{user.display_name} is gedeactiveerd; activeer de gebruiker."
            )
        if ctx.db.is_server:  # the server's verifier changes: the old password opens nothing
            action = "wachtwoord_opnieuw_ingesteld"
            server_accounts.set_password(session, ctx, user, password, action, ctx.now())
            return None  # nothing re-encrypted
        username = user.username
    made: dict[str, str] = {}

    def change(keyfile: KeyFile) -> None:
        made["key"] = signatures.public_key(keyfile.set_user(username, password, ctx.db.key))

    def also(session: Session) -> None:
        again = existing(session, User, user_id, "gebruiker")
        again.password_changed_at = ctx.now()
        keyfile = KeyFile.load(key_file_path(ctx.db.path))
        roles = signatures.roles_for_grant(session, keyfile, username)
        signatures.record_grants(
            session,
            ctx,
            "wachtwoord_opnieuw_ingesteld",
            username,
            signatures.grant(username, roles, True, made["key"]),
        )

    return revoke(ctx, change, "wachtwoord opnieuw ingesteld", also)


def reactivate_user(ctx: Context, user_id: int, password: str) -> None:
    """A deactivated user comes back with a new password chosen by the beheerder (a new
    slot; nothing old is revived, so no re-key is needed)."""
    organisation = org_name(ctx)
    with admin_session(ctx, "het beheer van gebruikers") as session:
        user = existing(session, User, user_id, "gebruiker")
        if user.active:
            return
        check_password(password, user.username, user.display_name, organisation)
        if ctx.db.is_server:
            action = "gebruiker_geactiveerd"
            server_accounts.set_password(session, ctx, user, password, action, ctx.now())
            return
        user.active = True
        user.password_changed_at = ctx.now()
        # Read inside the write lock, written last: a password another PC changed a moment
        # ago is kept, and if writing fails the account stays deactivated.
        keys_path = key_file_path(ctx.db.path)
        keyfile = KeyFile.load(keys_path)
        identity = keyfile.set_user(user.username, password, ctx.db.key)
        roles = signatures.roles_for_grant(session, keyfile, user.username)
        signatures.record_grants(
            session,
            ctx,
            "gebruiker_geactiveerd",
            user.username,
            signatures.grant(user.username, roles, True, signatures.public_key(identity)),
        )
        keyfile.save(keys_path)
