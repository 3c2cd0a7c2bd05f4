"""Is the person who handles or decides a complaint the employee it is about? (SPEC §2)

The employee complained about is often typed as the complainant said it: "E. Hoekstra",
"mevrouw De Vries", "Hoekstra". A name is compared with a colleague's full name by surname
(ignoring Dutch particles such as "van der", small typing errors allowed) and, when the typed
name has initials or a first name, by the first initial.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

# Words that are not a name: particles of Dutch surnames, titles and forms of address.
_PARTICLES = frozenset(
    [
        "van",
        "de",
        "der",
        "den",
        "het",
        "ten",
        "ter",
        "te",
        "t",
        "in",
        "op",
        "aan",
        "bij",
        "el",
        "al",
        "la",
        "le",
        "da",
        "di",
        "du",
        "von",
        "zu",
    ]
)
_TITLES = frozenset(
    [
        "dhr",
        "heer",
        "mevr",
        "mevrouw",
        "mw",
        "mr",
        "dr",
        "drs",
        "ir",
        "ing",
        "prof",
        "meneer",
        "juffrouw",
        "collega",
    ]
)
SURNAME_SIMILARITY = 85  # rapidfuzz ratio: "Hoekstra" ~ "Hoekstrq", "Jansen" ~ "Janssen"


@dataclass(frozen=True)
class NameParts:
    initials: str  # first letters of the given names, e.g. "ej" for "E.J." or "Erik Jan"
    surname: str  # the surname without particles, e.g. "berg" for "van den Berg"


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def name_parts(name: str) -> NameParts | None:
    """The initials and surname of a typed or full name; None when there is no name in it."""
    words = [w for w in re.split(r"[^a-z]+", _plain(name).replace("'", "")) if w]
    words = [w for w in words if w not in _TITLES]
    if not words:
        return None
    core = [w for w in words if w not in _PARTICLES]
    if not core:
        return None
    surname = core[-1]
    given = core[:-1]
    # "E.J. Hoekstra" splits into e, j, hoekstra; "Erik Hoekstra" into erik, hoekstra.
    initials = "".join(w[0] for w in given)
    return NameParts(initials, surname)


def likely_same_person(typed: str, full_name: str) -> bool:
    """Whether ``typed`` (as the complainant named the employee) probably is ``full_name``."""
    a, b = name_parts(typed), name_parts(full_name)
    if a is None or b is None:
        return False
    if fuzz.ratio(a.surname, b.surname) < SURNAME_SIMILARITY:
        return False
    # "E. Hoekstra" is not Jan Hoekstra; "Hoekstra" alone may be either.
    return not (a.initials and b.initials and a.initials[0] != b.initials[0])


def matching_names(typed: str, candidates: dict[int, str]) -> list[int]:
    """The keys of ``candidates`` (id → full name) whose name probably is ``typed``."""
    if not typed.strip():
        return []
    return [key for key, name in candidates.items() if likely_same_person(typed, name)]
