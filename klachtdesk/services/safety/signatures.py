"""Signed audit entries, grants of rights, and witnesses: tampering becomes visible.

Anyone who holds a valid password can decrypt the shared database and edit its rows by hand.
KlachtDesk cannot prevent that, but it makes it visible:

* every audit entry is signed with the Ed25519 key of the person who acted (the key is
  wrapped in that person's own key slot, so only they can sign);
* a change of users or roles carries a *grant* and counts only when a beheerder whose own
  grant traces back to the first beheerder signed it (``domain/grants.py``). Roles are taken
  from the grants at login; a role written into the users table by hand is ignored and
  reported;
* every PC remembers the newest entry it saw (number and hash) and the first beheerder's key
  (a *witness*), and so does every back-up. Entries deleted or rewritten after a PC or a
  back-up saw them are then missing from the chain: a break.

A break shows a red banner to the beheerder and in ``klachtdesk check``; it never stops the
clerk working.
"""

from __future__ import annotations

import base64
import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klachtdesk.domain import grants as rules
from klachtdesk.domain.roles import Role, parse_roles
from klachtdesk.paths import login_state_file
from klachtdesk.services.context import Context, audit, audit_hash
from klachtdesk.storage.engine import StoredAccount
from klachtdesk.storage.errors import KeyFileWriteFailed
from klachtdesk.storage.keyslots import Identity, KeyFile, key_file_path, write_private
from klachtdesk.storage.models import AuditEntry, User

INTRODUCED = "ondertekening_ingevoerd"
RESTORED = "backup_teruggezet"
RECOVERY = rules.RECOVERY
# Entries a session may write before its person can sign (a slot from an earlier version
# logs in, and is strengthened right after).
UNSIGNED_ALLOWED = frozenset({"aangemeld", "aanmelden_mislukt"})


# -- grants -----------------------------------------------------------------------------------
def public_key(identity: Identity) -> str:
    return base64.b64encode(identity.sign_public).decode("ascii")


def grant(subject: str, roles, active: bool, key: str) -> dict:
    """One grant: ``subject``'s roles, whether the account is active, and its signing key."""
    names = sorted(r.value if isinstance(r, Role) else str(r) for r in roles)
    return {"wie": subject, "rollen": names, "actief": bool(active), "sleutel": key}


def grants_json(*items: dict) -> str:
    return json.dumps(list(items), ensure_ascii=False, sort_keys=True)


def signature_ok(signer: str, signature: str, entry_hash: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(signer, validate=True))
        key.verify(bytes.fromhex(signature), bytes.fromhex(entry_hash))
    except (InvalidSignature, ValueError):
        return False
    return True


def _grants_of(entry: AuditEntry) -> list[rules.Grant]:
    intact = audit_hash(entry) == entry.hash
    ok = intact and signature_ok(entry.signer, entry.signature, entry.hash)
    try:
        items = json.loads(entry.grants)
        return [
            rules.Grant(
                seq=entry.id,
                at=entry.at,
                subject=str(item["wie"]),
                roles=frozenset(str(r) for r in item["rollen"]),
                active=bool(item["actief"]),
                key=str(item["sleutel"]),
                signer=entry.signer,
                signature_ok=ok,
            )
            for item in items
        ]
    except (ValueError, KeyError, TypeError):
        return [rules.Grant(entry.id, entry.at, "?", frozenset(), False, "", entry.signer, False)]


def replay(session: Session, root: str) -> rules.Replay | None:
    """The accounts as the signed grants give them; None before signing was introduced."""
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.grants != "").order_by(AuditEntry.id)
    ).all()
    return _replay_entries(list(entries), root)


def _replay_entries(entries: list[AuditEntry], root: str) -> rules.Replay | None:
    if not entries:
        return None
    return rules.replay(root, [g for entry in entries for g in _grants_of(entry)])


def stored_beheer(
    stored: StoredAccount, keyfile: KeyFile, username: str, identity: Identity | None
) -> bool:
    """Is ``username`` an active beheerder by the signed grants of a database read without
    a session (a restore about to replace it), with the slot the grants name?"""
    entries = []
    for row in stored.grant_rows:
        at = row["at"]
        entries.append(
            AuditEntry(**{**row, "at": at if isinstance(at, datetime) else _stored_time(at)})
        )
    trusted = _replay_entries(entries, keyfile.root)
    if trusted is None:
        roles = {r.value for r in parse_roles(stored.roles)} if stored.roles else set()
        return stored.active and rules.BEHEER in roles and not grants_were_removed(keyfile)
    account = trusted.accounts.get(username)
    return (
        account is not None
        and account.active
        and rules.BEHEER in account.roles
        and slot_is_granted(account, identity)
    )


def _stored_time(text) -> datetime:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return datetime.min  # its hash will not match: the grant is refused


def account_of(session: Session, keyfile: KeyFile, username: str) -> rules.Account | None:
    """The signed account of ``username``; None when it has none. Before signing was
    introduced (a database from an earlier version) the users table counts."""
    trusted = replay(session, keyfile.root)
    if trusted is not None:
        return trusted.accounts.get(username)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        return None
    roles = frozenset(r.value for r in parse_roles(user.roles))
    if grants_were_removed(keyfile):  # nobody gets beheer from a table then
        roles -= {rules.BEHEER}
    return rules.Account(roles, user.active, "")


def grants_were_removed(keyfile: KeyFile) -> bool:
    """No grants in the log although signing had begun: the key file names a root, or this
    PC saw one. Someone stripped the grants (to make the users table count again)."""
    witness = load_witness(keyfile.file_id)
    return bool(keyfile.root or (witness is not None and witness.root))


def slot_is_granted(account: rules.Account, identity: Identity | None) -> bool:
    """Is this the slot the grants know for the account? A key holder can write a slot for
    any name into the key file; only the signed key counts. An account without a known key
    (from before signing, until its first login) is taken on trust."""
    if not account.key:
        return True
    return identity is not None and public_key(identity) == account.key


def roles_for_grant(session: Session, keyfile: KeyFile, username: str) -> frozenset[str]:
    """The roles a new grant for ``username`` carries forward (the signed ones)."""
    account = account_of(session, keyfile, username)
    return account.roles if account is not None else frozenset()


def record_grants(session: Session, ctx: Context, action: str, ref: str, *items: dict) -> None:
    """An audit entry that changes users or roles, signed by the acting person. Before
    signing was introduced (a database from an earlier version, until its first beheer
    login) the entry carries no grants: a grant then would not trace back to a root."""
    started = session.scalar(select(AuditEntry.id).where(AuditEntry.grants != "").limit(1))
    if started is None:
        audit(session, ctx, action, ref, _detail(items))
        return
    audit(session, ctx, action, ref, _detail(items), grants=grants_json(*items))


def record_recovery_key(session: Session, ctx: Context, key: str) -> None:
    """The recovery code was replaced: its new key, signed by whoever replaced it."""
    record_grants(session, ctx, "herstelcode_vervangen", "", grant(RECOVERY, (), True, key))


def signed_key(session: Session, keyfile: KeyFile, username: str) -> str:
    """The signing key the grants give ``username`` now ("" when none)."""
    account = account_of(session, keyfile, username)
    return account.key if account is not None else ""


def _detail(items: tuple[dict, ...]) -> str:
    """'balie: rollen balie, coordinator', for the audit-log window (names, no secrets)."""
    return "; ".join(
        "nieuwe sleutel van de herstelcode"
        if item["wie"] == RECOVERY
        else f"{item['wie']}: "
        + (f"rollen {', '.join(item['rollen'])}" if item["rollen"] else "geen rollen")
        + ("" if item["actief"] else " (gedeactiveerd)")
        for item in items
    )


def introduce(ctx: Context) -> bool:
    """A database from before signing: the first beheer login records every account as the
    users table has it now (trusted from here on), with this beheerder's key as the root.
    Returns whether it did."""
    if Role.BEHEER not in ctx.actor.roles or ctx.db.signing_key() is None:
        return False
    if grants_were_removed(KeyFile.load(key_file_path(ctx.db.path))):
        return False  # not a database from an earlier version: its grants were stripped
    keys_path = key_file_path(ctx.db.path)
    with ctx.db.session(write=True) as session:
        if session.scalar(select(AuditEntry.id).where(AuditEntry.grants != "").limit(1)):
            return False  # another PC was first
        keyfile = KeyFile.load(keys_path)
        mine = keyfile.sign_key_of(ctx.actor.username)
        users = session.scalars(select(User).order_by(User.id)).all()
        me = [u for u in users if u.username == ctx.actor.username]
        items = [
            grant(u.username, parse_roles(u.roles), u.active, keyfile.sign_key_of(u.username))
            for u in me + [u for u in users if u.username != ctx.actor.username]
        ]
        items.append(grant(RECOVERY, (), True, keyfile.recovery_sign_key()))
        keyfile.root = mine
        audit(
            session,
            ctx,
            INTRODUCED,
            detail="vanaf hier is iedere regel ondertekend; de rollen van nu gelden als begin",
            grants=grants_json(*items),
        )
        try:  # last, inside the transaction: a failure writes nothing
            keyfile.save(keys_path)
        except OSError as error:
            raise KeyFileWriteFailed(keys_path, error) from None
    return True


# -- problems -----------------------------------------------------------------------------------
@dataclass
class Integrity:
    problems: list[str] = field(default_factory=list)
    checked: int = 0


def login_problems(session: Session, keyfile: KeyFile) -> tuple[list[str], bool]:
    """What the login shows the beheerder (cheap: no walk over every signature), and whether
    this PC's witness still holds (then it may move on to today's head)."""
    witnessed = _witness_problems(session, keyfile, load_witness(keyfile.file_id), "deze computer")
    problems = _grant_problems(session, keyfile) + _gap_problems(session) + witnessed
    return problems, not witnessed


def _grant_problems(session: Session, keyfile: KeyFile) -> list[str]:
    trusted = replay(session, keyfile.root)
    if trusted is None:
        if grants_were_removed(keyfile):
            return [
                "De ondertekende rechten zijn uit het auditlog verwijderd: KlachtDesk geeft "
                "daarom niemand de rol Beheerder; de andere rollen komen uit de "
                "gebruikerstabel. Zet een back-up van vóór deze melding terug."
            ]
        return []
    problems = [
        f"Regel {seq}: een wijziging van rechten telt niet: {why}." for seq, why in trusted.refused
    ]
    for user in session.scalars(select(User).order_by(User.username)):
        account = trusted.accounts.get(user.username)
        slot_key = keyfile.sign_key_of(user.username)
        if account is not None and account.active and account.key and slot_key != account.key:
            problems.append(
                f"Het sleutelvak van '{user.username}' in het sleutelbestand is niet het "
                "ondertekende: het is buiten KlachtDesk om vervangen of verwijderd; met dat "
                "vak kan niemand aanmelden."
            )
        table = frozenset(r.value for r in parse_roles(user.roles)) if user.roles else frozenset()
        if account is None:
            problems.append(
                f"Gebruiker '{user.username}' staat in de tabel, maar is nooit door een "
                "beheerder ondertekend toegevoegd; deze gebruiker kan niet aanmelden."
            )
        elif (account.roles, account.active) != (table, user.active):
            signed = ", ".join(sorted(account.roles)) or "geen"
            problems.append(
                f"De rollen of de status van '{user.username}' in de gebruikerstabel zijn "
                f"buiten KlachtDesk om gewijzigd; KlachtDesk houdt de ondertekende rollen aan "
                f"({signed}{'' if account.active else ', gedeactiveerd'})."
            )
    return problems


def _gap_problems(session: Session) -> list[str]:
    count, low, high = session.execute(
        select(func.count(AuditEntry.id), func.min(AuditEntry.id), func.max(AuditEntry.id))
    ).one()
    if not count or (low == 1 and high == count):
        return []
    missing = high - count  # numbers run from 1 without gaps
    numbers = "ontbreekt 1 regelnummer" if missing == 1 else f"ontbreken {missing} regelnummers"
    return [
        f"In het auditlog {numbers} (tussen 1 en {high}): er zijn regels verwijderd buiten "
        "KlachtDesk om."
    ]


def signature_problems(session: Session, keyfile: KeyFile) -> Integrity:
    """Every entry since signing began: signed by a key that was valid for an account, and
    by the person named on it (the full walk of ``klachtdesk check``)."""
    result = Integrity()
    trusted = replay(session, keyfile.root)
    if trusted is None:
        return result
    first = session.scalar(select(func.min(AuditEntry.id)).where(AuditEntry.grants != ""))
    known = dict(trusted.known_keys)
    rows = session.execute(
        select(
            AuditEntry.id,
            AuditEntry.username,
            AuditEntry.action,
            AuditEntry.hash,
            AuditEntry.signer,
            AuditEntry.signature,
        )
        .where(AuditEntry.id >= first)
        .order_by(AuditEntry.id)
    )
    bad: list[int] = []
    for row in rows:
        result.checked += 1
        if not row.signer:
            if row.action not in UNSIGNED_ALLOWED:
                bad.append(row.id)
            continue
        holder = known.get(row.signer)
        if holder is None or not signature_ok(row.signer, row.signature, row.hash):
            bad.append(row.id)
    if bad:
        shown = ", ".join(str(i) for i in bad[:5]) + (" …" if len(bad) > 5 else "")
        result.problems.append(
            f"{len(bad)} regel(s) van het auditlog zijn niet (geldig) ondertekend (regel "
            f"{shown}): ze zijn buiten KlachtDesk om geschreven of gewijzigd."
        )
    return result


# -- witnesses -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Witness:
    seq: int
    hash: str
    root: str
    seen_at: str  # ISO time this PC (or back-up) saw it

    def to_dict(self) -> dict:
        return {"regel": self.seq, "hash": self.hash, "root": self.root, "gezien": self.seen_at}

    @classmethod
    def from_dict(cls, data) -> Witness | None:
        try:
            return cls(
                int(data["regel"]), str(data["hash"]), str(data["root"]), str(data["gezien"])
            )
        except (KeyError, TypeError, ValueError):
            return None


def _witness_file() -> Path:
    return login_state_file().parent / "getuigen.json"


def _load_all() -> dict:
    try:
        data = json.loads(_witness_file().read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_witness(file_id: str) -> Witness | None:
    return Witness.from_dict(_load_all().get(file_id))


def current_witness(session: Session, keyfile: KeyFile, now: datetime) -> Witness | None:
    head = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    if head is None:
        return None
    return Witness(head.id, head.hash, keyfile.root, now.isoformat(timespec="seconds"))


def remember(session: Session, keyfile: KeyFile, now: datetime) -> None:
    """This PC saw the chain up to its newest entry (best effort: a witness that cannot be
    written only means this PC cannot testify later)."""
    witness = current_witness(session, keyfile, now)
    if witness is None:
        return
    data = _load_all()
    data[keyfile.file_id] = witness.to_dict()
    path = _witness_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, json.dumps(data).encode("utf-8"))
    except OSError:
        return


def witness_problems(
    session: Session, keyfile: KeyFile, witnesses: list[tuple[str, dict]]
) -> list[str]:
    """The heads that back-ups recorded (``who``, manifest witness) must still be there."""
    problems: list[str] = []
    for who, data in witnesses:
        witness = Witness.from_dict(data)
        if witness is not None:
            problems += _witness_problems(session, keyfile, witness, who)
    return problems


def forget_witness(file_id: str) -> None:
    """A beheerder put a back-up in place on this PC: what it saw before no longer holds
    (a back-up from before signing has no grants yet; the next beheer login begins them)."""
    data = _load_all()
    if data.pop(file_id, None) is None:
        return
    with contextlib.suppress(OSError):  # at worst this PC reports the restore as a break
        write_private(_witness_file(), json.dumps(data).encode("utf-8"))


def _witness_problems(
    session: Session, keyfile: KeyFile, witness: Witness | None, who: str
) -> list[str]:
    if witness is None:
        return []
    problems = []
    if witness.root and witness.root != keyfile.root:
        problems.append(
            f"De sleutel van de eerste beheerder in het sleutelbestand is niet die welke "
            f"{who} kent: het sleutelbestand is buiten KlachtDesk om vervangen of gewijzigd."
        )
    seen = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == witness.seq))
    if seen == witness.hash:
        return problems
    if _restored_since(session, keyfile, witness):
        return problems
    problems.append(
        f"Het auditlog mist regels die {who} op {_when(witness.seen_at)} al had gezien "
        f"(tot en met regel {witness.seq}): er zijn regels verwijderd of herschreven buiten "
        "KlachtDesk om."
    )
    return problems


def _restored_since(session: Session, keyfile: KeyFile, witness: Witness) -> bool:
    """A beheerder (or the recovery code) restored a back-up after the witness saw the chain
    (a shorter chain is then expected): the restore's entry is signed by a valid key."""
    trusted = replay(session, keyfile.root)
    if trusted is None:
        return False
    try:
        seen = datetime.fromisoformat(witness.seen_at)
    except ValueError:
        return False
    for entry in session.scalars(
        select(AuditEntry).where(AuditEntry.action == RESTORED, AuditEntry.at >= seen)
    ):
        holder = trusted.known_keys.get(entry.signer)
        account = trusted.accounts.get(holder) if holder else None
        if (
            account is not None
            and (rules.BEHEER in account.roles or holder == RECOVERY)
            and audit_hash(entry) == entry.hash
            and signature_ok(entry.signer, entry.signature, entry.hash)
        ):
            return True
    return False


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%d-%m-%Y %H:%M")
    except ValueError:
        return iso
