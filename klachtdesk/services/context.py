"""The acting user and the unlocked database every service call works with."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.roles import Role
from klachtdesk.storage.engine import Database
from klachtdesk.storage.models import AuditEntry

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    roles: frozenset[Role]

    def require(self, *roles: Role, what: str = "deze handeling") -> None:
        if not self.roles & set(roles):
            allowed = " of ".join(sorted(r.label for r in roles))
            raise NotAllowed(f"Voor '{what}' is de rol {allowed} nodig; die heeft u niet.")


@dataclass
class Context:
    """An unlocked database, the user acting on it, and the clock (replaceable in tests)."""

    db: Database
    actor: Actor
    today: Callable[[], date] = date.today
    now: Callable[[], datetime] = field(default=lambda: datetime.now().replace(microsecond=0))


def audit(
    session: Session,
    ctx_or_name: Context | str,
    action: str,
    object_ref: str = "",
    detail: str = "",
    at: datetime | None = None,
) -> None:
    """Append an audit entry chained to the previous one (inside the caller's transaction).

    ``detail`` must not hold personal data of complainants: the log outlives anonymisation.
    """
    if isinstance(ctx_or_name, Context):
        username, at = ctx_or_name.actor.username, at or ctx_or_name.now()
    else:
        username, at = ctx_or_name, at or datetime.now().replace(microsecond=0)
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    prev = prev or GENESIS_HASH
    entry = AuditEntry(
        at=at,
        username=username,
        action=action,
        object_ref=object_ref,
        detail=detail,
        prev_hash=prev,
        hash="",
    )
    entry.hash = audit_hash(entry)
    session.add(entry)


def audit_hash(entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            entry.prev_hash,
            entry.at.isoformat(),
            entry.username,
            entry.action,
            entry.object_ref,
            entry.detail,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
