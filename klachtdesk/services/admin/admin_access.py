"""What every administration change shares: the transaction of a still active beheerder."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.orm import Session

from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.roles import Role, parse_roles
from klachtdesk.services.context import Context
from klachtdesk.storage.models import User


@contextlib.contextmanager
def admin_session(ctx: Context, what: str) -> Iterator[Session]:
    """One write transaction by a user who is (still, in the database) an active beheerder."""
    ctx.actor.require(Role.BEHEER, what=what)
    with ctx.db.session(write=True) as session:
        me = session.get(User, ctx.actor.user_id)
        if me is None or not me.active or Role.BEHEER not in roles_of(me):
            # Another PC took the role away or deactivated this account since login.
            raise NotAllowed(
                "Uw account is intussen gewijzigd of gedeactiveerd; meld u opnieuw aan."
            )
        yield session


def roles_of(user: User) -> frozenset[Role]:
    return parse_roles(user.roles) if user.roles else frozenset()


def existing(session: Session, model, item_id: int, noun: str):
    """The row with this id; a Dutch message when another PC removed it meanwhile."""
    row = session.get(model, item_id)
    if row is None:
        raise ValidationError(noun, "bestaat niet (meer); vernieuw de lijst.")
    return row
