"""A complainant's contact data in the parts a person takes over one by one ('adres',
'telefoon' …): what an import brought that differs from what is stored, and how it reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from klachtdesk.domain.values import Salutation


@dataclass(frozen=True)
class ContactField:
    key: str  # what the command line takes ('adres'); stored with a difference
    label: str  # in a Dutch sentence
    columns: tuple[str, ...]  # the complainant's columns it stands for


CONTACT_FIELDS = (
    # The address is one field: a street taken over without its postcode is no address.
    ContactField("adres", "adres", ("street", "postcode", "city")),
    ContactField("telefoon", "telefoon", ("phone",)),
    ContactField("email", "e-mail", ("email",)),
    ContactField("huurdernummer", "huurdernummer", ("member_number",)),
    ContactField("aanhef", "aanhef", ("salutation",)),
    ContactField("brieven", "brieven", ("prefers_email",)),
)
BY_KEY = {f.key: f for f in CONTACT_FIELDS}


def values_of(item: ContactField, source: Mapping[str, Any]) -> dict[str, Any]:
    return {column: source[column] for column in item.columns}


def _given(item: ContactField, values: Mapping[str, Any]) -> bool:
    """Did the record say anything here? An empty field, 'onbekend' or no preference for
    e-mail says nothing, and never counts as a difference."""
    if item.key == "aanhef":
        return values["salutation"] != Salutation.ONBEKEND.value
    if item.key == "brieven":
        return bool(values["prefers_email"])
    return all(str(value).strip() for value in values.values())


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
    return a == b


def differences(stored: Mapping[str, Any], imported: Mapping[str, Any]) -> list[ContactField]:
    """The fields in which an imported record says something else than the stored person
    (both as column → value, the imported values already validated and normalised)."""
    return [
        item
        for item in CONTACT_FIELDS
        if _given(item, values_of(item, imported))
        and not all(_same(stored[c], imported[c]) for c in item.columns)
    ]


def shown(item: ContactField, values: Mapping[str, Any]) -> str:
    """'Lindelaan 4, 3511 AB Utrecht', '+31 6 12345678', 'per e-mail' …"""
    if item.key == "adres":
        street, postcode, city = (values[c] for c in item.columns)
        place = f"{postcode} {city}".strip()
        return ", ".join(part for part in (street, place) if part) or "(geen)"
    if item.key == "aanhef":
        return {"heer": "de heer", "mevrouw": "mevrouw"}.get(values["salutation"], "onbekend")
    if item.key == "brieven":
        return "per e-mail" if values["prefers_email"] else "per post"
    return str(values[item.columns[0]]) or "(geen)"
