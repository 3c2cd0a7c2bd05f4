"""How a letter writes names and numbers: salutation, address block name, phone number."""

from __future__ import annotations

import phonenumbers

# Dutch (and a few common foreign) name prefixes (tussenvoegsels). Written without a first
# name or initials, the first prefix gets a capital: "Jan de Vries" → "De Vries".
TUSSENVOEGSELS = frozenset(
    {
        "'s",
        "'t",
        "aan",
        "al",
        "auf",
        "bij",
        "d'",
        "da",
        "das",
        "de",
        "del",
        "della",
        "den",
        "der",
        "des",
        "di",
        "die",
        "do",
        "dos",
        "du",
        "el",
        "het",
        "in",
        "la",
        "le",
        "les",
        "lo",
        "op",
        "over",
        "te",
        "ten",
        "ter",
        "tot",
        "uit",
        "uijt",
        "van",
        "vande",
        "vanden",
        "vander",
        "ver",
        "von",
        "vom",
        "zu",
        "zum",
        "zur",
    }
)


def surname(full_name: str) -> str:
    """The family name as used after "heer"/"mevrouw", from a full name.

    "Jan de Vries" → "De Vries", "Fatima el Amrani" → "El Amrani", "Anna Maria Bakker" →
    "Bakker", "Jan Bakker-de Vries" → "Bakker-de Vries", "J.P. van den Berg" → "Van den
    Berg". A single word is returned as it is.
    """
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip()
    rest = words[1:]
    start = len(rest) - 1  # by default the last word
    for index, word in enumerate(rest):
        if word.lower() in TUSSENVOEGSELS or "-" in word:
            start = index
            break
    family = " ".join(rest[start:])
    return _capitalise_first_letter(family)


def _capitalise_first_letter(text: str) -> str:
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
    return text


def salutation_line(full_name: str, salutation: str) -> str:
    """ "Geachte heer De Vries," / "Geachte mevrouw El Amrani," / "Geachte Fatima el Amrani,"."""
    name = " ".join(full_name.split())
    if not name:
        return "Geachte heer, mevrouw,"
    if salutation in ("heer", "mevrouw"):
        return f"Geachte {salutation} {surname(name)},"
    return f"Geachte {name},"


def address_name(full_name: str, salutation: str) -> str:
    """The first line of the address block: "De heer Jan de Vries" or just the name."""
    name = " ".join(full_name.split())
    if salutation == "heer":
        return f"De heer {name}"
    if salutation == "mevrouw":
        return f"Mevrouw {name}"
    return name


def display_phone(number: str) -> str:
    """A Dutch number as the Dutch write it on paper ('030 123 4567'); others unchanged."""
    try:
        parsed = phonenumbers.parse(number, "NL")
    except phonenumbers.NumberParseException:
        return number
    if parsed.country_code == 31 and phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return number
