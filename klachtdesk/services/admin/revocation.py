"""Revoking access for real: the database gets a new key that the revoked secret never sees.

Used when a user is deactivated, when the beheerder resets a password (after a compromise the
old password must stop working, also with an old copy of the key file) and when the recovery
code is replaced. See storage/rekey.py for how the re-key survives a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.services.context import Context, audit
from klachtdesk.services.safety import signatures
from klachtdesk.storage import rekey as rekeying
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from klachtdesk.storage.models import User

REKEYED = "database_opnieuw_versleuteld"


@dataclass(frozen=True)
class Revocation:
    """What the beheerder must know after a re-key."""

    # a new recovery code, made because the old one (from before this version) could not
    # receive the new key: print it, the old one no longer works
    new_recovery_code: str | None = None
    # colleagues who had not logged in since this version: their old key slot could not
    # receive the new key, so they need a new password from the beheerder
    need_new_password: list[str] = field(default_factory=list)


def revoke(
    ctx: Context,
    change: Callable[[KeyFile], object],
    reason: str,
    also: Callable[[Session], None] | None = None,
) -> Revocation:
    """Apply ``change`` to the key file and re-encrypt the database with a new key that every
    remaining slot receives (and a removed or replaced one does not). ``also`` writes the
    caller's own changes and audit entries, in the same transaction as the last step."""
    if ctx.db.keyring is None or ctx.db.keyring.identity is None:
        raise KlachtDeskError(
            "Uw eigen sleutel is nog van een eerdere versie van KlachtDesk. Meld u af en "
            "opnieuw aan; daarna kunt u dit doen."
        )
    with ctx.db.session() as session:
        users = session.execute(select(User.username, User.display_name, User.active)).all()
    before = KeyFile.load(key_file_path(ctx.db.path))
    old_style = {before.legacy_lookup_of(u.username): u.display_name for u in users if u.active}
    made: dict[str, str] = {}

    def full_change(keyfile: KeyFile) -> None:
        change(keyfile)
        if keyfile.recovery_is_legacy():  # it cannot receive the new key: a new code now
            made["code"] = keyfile.set_recovery(ctx.db.key)
            made["recovery"] = keyfile.recovery_sign_key()

    def record(session: Session) -> None:
        if also is not None:
            also(session)
        audit(session, ctx, REKEYED, detail=reason)
        if "code" in made:
            signatures.record_recovery_key(session, ctx, made["recovery"])

    dropped = rekeying.rekey(ctx.db, full_change, record)
    return Revocation(
        made.get("code"), sorted(old_style[lookup] for lookup in dropped if lookup in old_style)
    )
