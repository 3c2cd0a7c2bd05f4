"""Who may do what, as the signed audit log says it — not as a table someone can edit.

Every change of a user (added, roles changed, deactivated, activated again, a new key after a
password change or reset) is an audit entry carrying a *grant*: the user's roles, whether the
account is active and the user's public signing key. The entry is signed. Replaying the
grants in log order gives the accounts; a grant counts only when its signer was allowed to
give it at that moment:

* the very first grant is the first beheerder's, signed with the file's root key (the key in
  the key file and in every witness);
* an active beheerder may give any grant;
* a user may replace their own key (a new password), nothing else;
* an account without a known key (from before signing) may register its first key itself;
* the recovery code's key may give a beheerder a new key (the forgotten password) and
  replace itself.

Anything else — a role someone wrote into the users table by hand, a grant signed by a key
without that right — does not count and is reported.

Pure Python: the signatures are checked by the caller (``Grant.signature_ok``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

BEHEER = "beheer"
RECOVERY = "herstelcode"  # the recovery code's account


@dataclass(frozen=True)
class Grant:
    seq: int  # the audit entry's number
    at: datetime
    subject: str  # a user name, or RECOVERY
    roles: frozenset[str]
    active: bool
    key: str  # the subject's public signing key ("" while unknown)
    signer: str  # the public key that signed the entry
    signature_ok: bool


@dataclass(frozen=True)
class Account:
    roles: frozenset[str]
    active: bool
    key: str


@dataclass
class Replay:
    accounts: dict[str, Account] = field(default_factory=dict)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (seq, why) in Dutch
    # every key that belonged to an active account at some moment: who may sign entries
    known_keys: dict[str, str] = field(default_factory=dict)

    def holder(self, key: str) -> str | None:
        """The active account whose current key this is."""
        for name, account in self.accounts.items():
            if account.active and account.key and account.key == key:
                return name
        return None


def replay(root: str, grants: list[Grant]) -> Replay:
    """The accounts the grants give, in order; grants without the right are refused."""
    result = Replay()
    for grant in sorted(grants, key=lambda g: g.seq):
        why = _refusal(root, grant, result)
        if why:
            result.refused.append((grant.seq, why))
            continue
        result.accounts[grant.subject] = Account(grant.roles, grant.active, grant.key)
        if grant.active and grant.key:
            result.known_keys[grant.key] = grant.subject
    return result


def _refusal(root: str, grant: Grant, state: Replay) -> str:
    """Why ``grant`` does not count given the accounts so far ("" when it does)."""
    if not grant.signature_ok:
        return "de handtekening klopt niet"
    if not state.accounts:
        if grant.signer == root and grant.key == root and BEHEER in grant.roles:
            return ""
        return "het eerste recht is niet dat van de eerste beheerder"
    before = state.accounts.get(grant.subject)
    only_key = before is not None and (before.roles, before.active) == (grant.roles, grant.active)
    if only_key and before is not None and not before.key and grant.signer == grant.key:
        return ""  # an account from before signing registers its first key itself
    signer = state.holder(grant.signer)
    if signer is None:
        return "ondertekend met een sleutel die op dat moment niet geldig was"
    if signer != RECOVERY and BEHEER in state.accounts[signer].roles:
        return ""
    if signer == grant.subject and only_key:
        return ""  # a new password: the old key hands over to the new one
    if signer == RECOVERY and (
        grant.subject == RECOVERY or (only_key and before is not None and BEHEER in before.roles)
    ):
        return ""
    return "de ondertekenaar mocht dit recht niet geven"
