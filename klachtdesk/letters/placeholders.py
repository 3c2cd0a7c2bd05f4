"""The small placeholder engine of the letter templates.

A template is a subject and a body; paragraphs are separated by an empty line. Placeholders
are written ``{naam}`` (the documented list is ``PLACEHOLDERS``); ``{{`` and ``}}`` give a
literal brace. Filling a template only ever substitutes these names with plain text: no
expression, attribute or format specification is evaluated, so a template typed by a user
cannot run code or reach into the program.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from klachtdesk.domain.errors import ValidationError

PLACEHOLDERS: dict[str, str] = {
    "klager_naam": "naam van de klager",
    "zaak": "kenmerk van de zaak (KD-2026-0042)",
    "onderwerp_klacht": "onderwerp van de klacht",
    "ontvangen": "datum waarop de klacht is ontvangen (voluit)",
    "datum": "datum van de brief (voluit)",
    "organisatie": "naam van de organisatie",
    "organisatie_adres": "bezoekadres van de organisatie",
    "organisatie_telefoon": "telefoonnummer van de organisatie",
    "organisatie_email": "e-mailadres van de organisatie",
    "organisatie_website": "website van de organisatie",
    "contact": "hoe de klager ons bereikt ('via 030 123 45 67 of klachten@…')",
    "behandelaar": "naam van de behandelaar (of 'onze klachtencoördinator')",
    "behandelaar_functie": "functie van de behandelaar",
    "medewerker": "de medewerker om wie het gaat",
    "afdeling": "de afdeling van de klacht",
    "termijn_uitspraak": "uiterste datum van de uitspraak (na verlenging de nieuwe datum)",
    "termijn_uitspraak_duur": "de termijn voor de uitspraak ('vier weken')",
    "termijn_oud": "de uiterste datum van de uitspraak vóór de verlenging",
    "reden_verlenging": "de reden van de verlenging",
    "reden_niet_ontvankelijk": "waarom de klacht niet in behandeling wordt genomen",
    "advies": "het advies bij een niet-ontvankelijke klacht (bijvoorbeeld: eerst bespreken)",
    "doorverwezen_naar": "formulier of afdeling waarnaar is doorverwezen",
    "uitkomst": "de uitkomst in één woord ('gegrond', 'deels gegrond', …)",
    "oordeel": "de uitkomst als zin ('Wij vinden uw klacht gegrond.')",
    "motivering": "de motivering van de uitspraak",
    "oplossing": "de geboden oplossing",
    "datum_uitspraak": "datum van de uitspraak (voluit)",
    "vervolg": "wat de klager na de uitspraak kan doen (volgens de klachtenregeling)",
    "huurcommissie": "de verwijzing naar de Huurcommissie (als de klachtenregeling dat vraagt)",
    "termijn_heroverweging": "uiterste datum van de reactie van de directeur-bestuurder",
    "oordeel_directeur": "het oordeel van de directeur-bestuurder als zin",
    "motivering_directeur": "de motivering van de directeur-bestuurder",
    "vervolg_directeur": "de weg naar de geschillencommissie of externe instantie",
    "externe_instantie": "de externe instantie van de klachtenregeling",
    "informatie_bronnen": "waarop de uitspraak steunt ('de informatie van u en van de "
    "betrokken medewerkers' alleen als een verklaring van een medewerker is vastgelegd)",
    "klacht_zoals_vastgelegd": "bij een klacht per telefoon of aan de balie: de klacht zoals "
    "wij die vastlegden, zodat de klager die kan controleren (anders leeg)",
}

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    """("text", …), ("field", name) and ("stray", "{" or "}") pieces of a template."""
    i, start = 0, 0
    close = 0  # the next "}" at or after i (-1: none left); found once, not per "{"
    while i < len(text):
        char = text[i]
        if char not in "{}":
            i += 1
            continue
        if i > start:
            yield "text", text[start:i]
        if text.startswith(char * 2, i):
            yield "text", char
            i += 2
        elif char == "{":
            if close != -1 and close <= i:
                close = text.find("}", i + 1)
            if close == -1 or text.find("{", i + 1, close) != -1:
                yield "stray", char
                i += 1
            else:
                yield "field", text[i + 1 : close]
                i = close + 1
        else:
            yield "stray", char
            i += 1
        start = i
    if start < len(text):
        yield "text", text[start:]


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a template uses, in order of first use."""
    seen: list[str] = []
    for kind, value in _tokens(text):
        if kind == "field" and value not in seen:
            seen.append(value)
    return seen


_SHOWN_UNKNOWN = 5
_SHOWN_LENGTH = 40


def _shown(name: str) -> str:
    """A typed placeholder as a message can show it: exactly as typed (spaces too, so that
    '{ zaak }' is not shown as the valid '{zaak}'), but short and with nothing invisible."""
    name = "".join(c if c.isprintable() else "\ufffd" for c in name[: _SHOWN_LENGTH + 1])
    return name if len(name) <= _SHOWN_LENGTH else name[: _SHOWN_LENGTH - 1] + "…"


def check_template(text: str, field: str = "sjabloon") -> None:
    """Refuse unknown placeholders (and stray braces) with a Dutch message naming them."""
    unknown: list[str] = []
    stray = False
    for kind, value in _tokens(text):
        if kind == "field" and (not _NAME.match(value) or value not in PLACEHOLDERS):
            shown_name = "{" + _shown(value) + "}"
            if shown_name not in unknown:
                unknown.append(shown_name)
        stray = stray or kind == "stray"
    if unknown:
        word = "Onbekend invulveld" if len(unknown) == 1 else "Onbekende invulvelden"
        names = ", ".join(unknown[:_SHOWN_UNKNOWN])
        if len(unknown) > _SHOWN_UNKNOWN:
            names += f" en nog {len(unknown) - _SHOWN_UNKNOWN} andere"
        raise ValidationError(
            field,
            f"{word}: {names}. Gebruik alleen de invulvelden uit de lijst "
            "(bijvoorbeeld {klager_naam} of {zaak}).",
        )
    if stray:
        raise ValidationError(
            field,
            "er staat een losse accolade in de tekst. Een invulveld schrijft u als {naam}; "
            "wilt u een accolade als gewone tekst, typ dan {{ of }}.",
        )


def fill(text: str, values: Mapping[str, str]) -> str:
    """Substitute the placeholders; values are inserted as plain text, never interpreted."""
    parts = []
    for kind, value in _tokens(text):
        if kind == "field":
            parts.append(values.get(value, "{" + value + "}"))
        else:
            parts.append(value)
    return "".join(parts)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by empty lines; empty paragraphs disappear."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def _tidy(paragraph: str) -> str:
    # An empty placeholder can leave a double space or a space before a full stop.
    lines = []
    for line in paragraph.split("\n"):
        line = re.sub(r"[ \t]{2,}", " ", line.strip())
        line = re.sub(r" +([.,;:?!])", r"\1", line)
        lines.append(line)
    text = "\n".join(lines).strip()
    return capitalise(text)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].isalpha() else text


def render_text(subject: str, body: str, values: Mapping[str, str]) -> tuple[str, list[str]]:
    """The filled subject and the body's paragraphs (empty paragraphs left out)."""
    filled_subject = " ".join(fill(subject, values).split())
    paragraphs = [_tidy(p) for p in split_paragraphs(fill(body, values))]
    return filled_subject, [p for p in paragraphs if p]
