"""The acting user and the unlocked database every service call works with."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.roles import Role
from klachtdesk.paths import login_state_file
from klachtdesk.storage.engine import SIGNER, Database
from klachtdesk.storage.errors import ReadOnlyDatabase
from klachtdesk.storage.keyslots import KeyFile, key_file_path, write_private
from klachtdesk.storage.models import AuditEntry
from klachtdesk.storage.server import lock_writers

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


@dataclass(frozen=True, eq=False)
class DeferredEntry:
    """An audit entry of this user that waited for the write lock (a login while another PC
    was writing); it keeps the time it happened."""

    action: str
    at: datetime
    detail: str = ""


@dataclass
class Context:
    """An unlocked database, the user acting on it, and the clock (replaceable in tests).

    ``deferred``: audit entries waiting for the write lock; the next audited change of this
    user writes them first (``audit``), and ``settle_deferred`` at the end of a session.
    """

    db: Database
    actor: Actor
    today: Callable[[], date] = date.today
    now: Callable[[], datetime] = field(default=lambda: datetime.now().replace(microsecond=0))
    deferred: list[DeferredEntry] = field(default_factory=list)
    # what the login found changed behind KlachtDesk's back (shown to a beheerder in red)
    integrity: list[str] = field(default_factory=list)


def audit(
    session: Session,
    ctx_or_name: Context | str,
    action: str,
    object_ref: str = "",
    detail: str = "",
    at: datetime | None = None,
    grants: str = "",
) -> None:
    """Append an audit entry chained to the previous one (inside the caller's transaction),
    signed by the logged-in person (``grants``: a change of users or roles, see
    services/safety/signatures.py).

    ``detail`` must not hold personal data of complainants: the log outlives anonymisation.
    """
    if isinstance(ctx_or_name, Context):
        username, at = ctx_or_name.actor.username, at or ctx_or_name.now()
        if ctx_or_name.db.read_only:  # a read on a database that cannot be written
            _wait_on_this_pc(ctx_or_name, [at.isoformat(), username, action, object_ref, detail])
            return
        _write_deferred(session, ctx_or_name)
    else:
        username, at = ctx_or_name, at or datetime.now().replace(microsecond=0)
    _append(session, username, action, object_ref, detail, at, grants)


def _head(session: Session) -> str:
    lock_writers(session.connection())  # on a server, also in a reading transaction
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return prev or GENESIS_HASH


def _append(
    session: Session,
    username: str,
    action: str,
    object_ref: str,
    detail: str,
    at: datetime,
    grants: str = "",
) -> None:
    entry = AuditEntry(
        at=at,
        username=username,
        action=action,
        object_ref=object_ref,
        detail=detail,
        prev_hash=_head(session),
        hash="",
        grants=grants,
    )
    entry.hash = audit_hash(entry)
    entry.signer, entry.signature = _signed(session, entry.hash)
    session.add(entry)


def _signed(session: Session, entry_hash: str) -> tuple[str, str]:
    """(public key, signature) of this session's signer over an entry's hash; ("", "") when
    nobody can sign (a slot from an earlier version, before its first login)."""
    signer: Ed25519PrivateKey | None = session.info.get(SIGNER)
    if signer is None:
        return "", ""
    public = base64.b64encode(signer.public_key().public_bytes_raw()).decode("ascii")
    return public, signer.sign(bytes.fromhex(entry_hash)).hex()


def audit_many(session: Session, ctx: Context, entries: Iterable[tuple[str, str, str]]) -> int:
    """Append (action, object_ref, detail) entries in one go, as ``audit`` would one by one:
    one read of the chain's head, one bulk insert (an import of thousands of complaints).
    Returns how many were appended."""
    _write_deferred(session, ctx)
    session.flush()  # entries added before these come first in the chain
    prev, at, username = _head(session), ctx.now(), ctx.actor.username
    rows = []
    for action, object_ref, detail in entries:
        row = {
            "at": at,
            "username": username,
            "action": action,
            "object_ref": object_ref,
            "detail": detail,
            "prev_hash": prev,
        }
        prev = row["hash"] = chain_hash(prev, at, username, action, object_ref, detail)
        row["signer"], row["signature"] = _signed(session, prev)
        rows.append(row)
    if rows:
        session.execute(insert(AuditEntry), rows)
    return len(rows)


_DEFERRED_WRITTEN = "klachtdesk_deferred_written"


def _write_deferred(session: Session, ctx: Context) -> None:
    """Entries that waited for the write lock go into the chain first, with their own time.
    They leave ``ctx.deferred`` only when this transaction commits."""
    written: list[DeferredEntry] = session.info.setdefault(_DEFERRED_WRITTEN, [])
    waiting = [e for e in ctx.deferred if not any(e is w for w in written)]
    if not waiting:
        return
    if not written:

        def forget(committed: Session) -> None:
            done = committed.info.get(_DEFERRED_WRITTEN, [])
            ctx.deferred[:] = [e for e in ctx.deferred if not any(e is d for d in done)]

        event.listen(session, "after_commit", forget, once=True)
    for entry in waiting:
        _append(session, ctx.actor.username, entry.action, "", entry.detail, entry.at)
        written.append(entry)


def settle_deferred(ctx: Context) -> None:
    """Write the audit entries that waited for the write lock (at the end of a session)."""
    if ctx.deferred:
        with ctx.db.session(write=True) as session:
            _write_deferred(session, ctx)


def chain_hash(
    prev_hash: str,
    at: datetime,
    username: str,
    action: str,
    object_ref: str,
    detail: str,
    grants: str = "",
) -> str:
    """The entry's hash over its content and its predecessor's hash (the grants only when
    there are any, so entries from before signing keep their hashes)."""
    parts = [prev_hash, at.isoformat(), username, action, object_ref, detail]
    if grants:
        parts.append(grants)
    payload = json.dumps(parts, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def audit_hash(entry: AuditEntry) -> str:
    return chain_hash(
        entry.prev_hash,
        entry.at,
        entry.username,
        entry.action,
        entry.object_ref,
        entry.detail,
        entry.grants or "",
    )


# -- reading while the database cannot be written -----------------------------------------------
@contextlib.contextmanager
def viewing(ctx: Context) -> Iterator[Session]:
    """A transaction that reads personal data and records who read it (``audit`` inside it).

    Normally a write transaction. On a database that can only be read (a full disk, a
    read-only share) a read transaction: the audit entries then wait on this PC and go into
    the log at the next login that can write. If they cannot even wait here, the data stays
    closed: nobody reads complaints unrecorded.
    """
    with ctx.db.session(write=not ctx.db.read_only) as session:
        yield session


def _waiting_file(db: Database) -> Path:
    file_id = KeyFile.load(key_file_path(db.path)).file_id
    return login_state_file().parent / f"wachtende-auditregels-{file_id}.json"


def _wait_on_this_pc(ctx: Context, entry: list[str]) -> None:
    path = _waiting_file(ctx.db)
    try:
        waiting = json.loads(path.read_bytes()) if path.exists() else []
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, json.dumps([*waiting, entry]).encode("utf-8"))
    except (OSError, ValueError):
        raise ReadOnlyDatabase(
            f"{ctx.db.read_only}, en ook op deze computer kan niet worden vastgelegd wie wat "
            "inziet; daarom blijft dit dicht"
        ) from None


def move_waiting_audit(db: Database) -> int:
    """Entries written on this PC while the database could only be read go into the log,
    with their own times; returns how many. The file goes only after the commit: a crash in
    between writes them twice rather than never."""
    path = _waiting_file(db)
    try:
        waiting = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return 0
    count = 0
    with db.session(write=True) as session:
        for item in waiting if isinstance(waiting, list) else []:
            try:
                at, username, action, object_ref, detail = (str(part) for part in item)
                when = datetime.fromisoformat(at)
            except (TypeError, ValueError):
                continue
            audit(session, username, action, object_ref, detail, at=when)
            count += 1
    path.unlink(missing_ok=True)
    return count
