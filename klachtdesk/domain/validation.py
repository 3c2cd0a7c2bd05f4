"""Validation and normalisation of what users and import files give us (SPEC §8)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.values import Channel, Relation, Salutation

MAX_NAME = 200
MAX_SUBJECT = 200
MAX_LINE = 200
MAX_TEXT = 20_000
OLDEST_RECEIPT = date(2000, 1, 1)

# Dutch postcodes: four digits (not starting with 0), two letters; SA, SD and SS are not issued.
_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s*([A-Z]{2})$")
_UNISSUED = {"SA", "SD", "SS"}
# C0 and C1 control characters, and the bidirectional overrides that can make a text
# display differently from what it says.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Half of a UTF-16 pair: a JSON file can carry one ("\ud800"), but no database can store it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Letters that show as nothing (Hangul fillers, the blank braille pattern): a name of only
# these looks empty. Format characters (category Cf: zero-width space and joiners, word
# joiner, BOM, soft hyphen) are recognised by their category.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Marks that change the character before them (variation selectors, the combining grapheme
# joiner, Mongolian and Khmer ignorables, tag characters): stripped only at the start, where
# they have nothing to change. At the end they belong to an emoji ("❤️", a regional flag).
_LEADING_MARKS = re.compile(
    "[\u034f\u17b4\u17b5\u180b-\u180d\u180f\ufe00-\ufe0f"
    "\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef]"
)
_SHOWN_LENGTH = 60


def shown(value: object) -> str:
    """A user's value as a message may quote it: short, on one line, nothing invisible."""
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("\ufffd", " ".join(str(value).split())))
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def _blank(char: str, leading: bool) -> bool:
    """Does ``char`` show as nothing at this end of a text? Control characters and bidi
    overrides are not blank here: they are refused, not silently dropped."""
    if char.isspace():
        return True
    if _CONTROL.match(char) or _SURROGATE.match(char):
        return False
    if char in _BLANK_LETTERS or (leading and _LEADING_MARKS.match(char)):
        return True
    return unicodedata.category(char) == "Cf" and not ("\U000e0020" <= char <= "\U000e007f")


def strip_invisible(text: str) -> str:
    """``text`` without whitespace and invisible characters at either end: a name of only
    zero-width spaces is empty, and 'Jan' after a zero-width space is stored as 'Jan'."""
    start, end = 0, len(text)
    while start < end and _blank(text[start], leading=True):
        start += 1
    while end > start and _blank(text[end - 1], leading=False):
        end -= 1
    return text[start:end]


def clean_text(value: object, field_name: str, *, max_length: int, multiline: bool = False) -> str:
    """Strip whitespace and invisible characters at both ends, normalise Unicode (NFC),
    refuse control characters and overlong text."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field_name, "verwacht tekst.")
    text = strip_invisible(unicodedata.normalize("NFC", value))
    if not multiline:
        text = re.sub(r"\s+", " ", text)
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        raise ValidationError(field_name, "bevat onzichtbare stuurtekens; verwijder die.")
    if _SURROGATE.search(text):
        raise ValidationError(
            field_name,
            "bevat een ongeldig teken (een beschadigde tekencodering); herstel de tekst.",
        )
    if len(text) > max_length:
        raise ValidationError(
            field_name, f"is te lang ({len(text)} tekens; ten hoogste {max_length})."
        )
    return text


def search_text(value: str) -> str:
    """What a user typed or pasted into a search box, as the search looks for it.

    Control characters (a NUL pasted from a binary file, a tab, a line break) count as
    spaces; invisible format characters (zero-width space, BOM, soft hyphen, bidi marks) and
    half UTF-16 pairs are left out; the text is NFC-normalised and its spaces collapsed.
    Never refused: a search box has no wrong input, only input that finds nothing.
    """
    kept = []
    for char in unicodedata.normalize("NFC", value):
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" ")
        elif category not in ("Cf", "Cs"):
            kept.append(char)
    return " ".join("".join(kept).split())


def required_text(value: object, field_name: str, *, max_length: int, multiline=False) -> str:
    text = clean_text(value, field_name, max_length=max_length, multiline=multiline)
    if not text:
        raise ValidationError(field_name, "is verplicht.")
    return text


def normalise_postcode(value: str) -> str:
    """'1234ab' → '1234 AB'; anything that is not a Dutch postcode is refused."""
    text = clean_text(value, "postcode", max_length=20).upper()
    match = _POSTCODE.match(text)
    if not match or match.group(2) in _UNISSUED:
        raise ValidationError(
            "postcode",
            f"'{shown(text)}' is geen geldige Nederlandse postcode (bijvoorbeeld 1234 AB).",
        )
    return f"{match.group(1)} {match.group(2)}"


def normalise_phone(value: str) -> str:
    """A Dutch or international phone number in international notation ('+31 6 12345678')."""
    text = clean_text(value, "telefoon", max_length=40)
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "telefoon", f"'{shown(text)}' is geen geldig telefoonnummer (bijvoorbeeld 06 12345678)."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_email(value: str) -> str:
    text = clean_text(value, "e-mail", max_length=254)
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(
            "e-mail",
            f"'{shown(text)}' is geen geldig e-mailadres (bijvoorbeeld naam@voorbeeld.nl).",
        ) from None


def normalise_kvk(value: str) -> str:
    """A Chamber of Commerce number: 8 digits ('12 34 56 78' → '12345678')."""
    text = clean_text(value, "KvK-nummer", max_length=20)
    digits = re.sub(r"[\s.]", "", text)
    if not re.fullmatch(r"\d{8}", digits):
        raise ValidationError(
            "KvK-nummer", f"'{shown(text)}' is geen KvK-nummer; dat zijn 8 cijfers (12345678)."
        )
    return digits


_WEBSITE = re.compile(
    r"^(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})(/[^\s]*)?$",
    re.IGNORECASE,
)


def normalise_website(value: str) -> str:
    """'https://www.Delinde.nl/' → 'www.delinde.nl' (as a letterhead shows it)."""
    text = clean_text(value, "website", max_length=200)
    match = _WEBSITE.match(text)
    if not match:
        raise ValidationError(
            "website", f"'{shown(text)}' is geen webadres (bijvoorbeeld www.voorbeeld.nl)."
        )
    path = (match.group(2) or "").rstrip("/")
    return match.group(1).lower() + path


def parse_date(value: object, field_name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValidationError(field_name, "verwacht een datum als JJJJ-MM-DD.")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            field_name,
            f"'{shown(value)}' is geen geldige datum (schrijf JJJJ-MM-DD, bijv. 2026-11-22).",
        ) from None


def check_received(received: date, today: date) -> date:
    if received > today:
        raise ValidationError("ontvangen", "de datum van ontvangst ligt in de toekomst.")
    if received < OLDEST_RECEIPT:
        raise ValidationError("ontvangen", "de datum van ontvangst ligt vóór 2000; klopt dat?")
    return received


def parse_channel(value: object) -> Channel:
    try:
        return Channel(str(value).strip().lower())
    except ValueError:
        options = ", ".join(c.value for c in Channel)
        raise ValidationError(
            "kanaal", f"'{shown(value)}' is geen bekend kanaal (kies uit: {options})."
        ) from None


_YES = {"ja", "j", "yes", "y", "true", "waar", "1"}
_NO = {"nee", "n", "no", "false", "onwaar", "0"}


def parse_yes_no(value: object, field_name: str) -> bool | None:
    """True, False, or None when not given; 'ja'/'nee' and 'true'/'false' as text too."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError(field_name, f"'{shown(value)}' is geen ja of nee.")


@dataclass(frozen=True)
class ComplainantInput:
    name: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    salutation: Salutation = Salutation.ONBEKEND
    member_number: str = ""
    prefers_email: bool = False

    @classmethod
    def validated(cls, data: dict) -> ComplainantInput:
        name = required_text(data.get("name"), "naam", max_length=MAX_NAME)
        street = clean_text(data.get("street"), "straat", max_length=MAX_LINE)
        postcode = data.get("postcode") or ""
        postcode = normalise_postcode(postcode) if str(postcode).strip() else ""
        city = clean_text(data.get("city"), "plaats", max_length=MAX_LINE)
        phone = data.get("phone") or ""
        phone = normalise_phone(phone) if str(phone).strip() else ""
        email = data.get("email") or ""
        email = normalise_email(email) if str(email).strip() else ""
        try:
            salutation = Salutation(str(data.get("salutation") or "onbekend").strip().lower())
        except ValueError:
            raise ValidationError("aanhef", "kies heer, mevrouw of onbekend.") from None
        member = clean_text(data.get("member_number"), "huurdernummer", max_length=40)
        has_address = bool(street and postcode and city)
        if (street or postcode or city) and not has_address:
            parts = (("straat", street), ("postcode", postcode), ("plaats", city))
            missing = [name for name, value in parts if not value]
            raise ValidationError(missing[0], "is nodig voor een volledig postadres.")
        if not has_address and not email:
            raise ValidationError(
                "adres",
                "vul een postadres of een e-mailadres in, zodat wij de klager kunnen antwoorden.",
            )
        return cls(
            name=name,
            street=street,
            postcode=postcode,
            city=city,
            phone=phone,
            email=email,
            salutation=salutation,
            member_number=member,
            prefers_email=parse_yes_no(data.get("prefers_email"), "voorkeur e-mail") is True
            and bool(email),
        )


@dataclass(frozen=True)
class ComplaintInput:
    """A complaint as the clerk or an import file gives it, validated and normalised."""

    received: date
    channel: Channel
    complainant: ComplainantInput
    subject: str
    description: str
    category: str = ""
    employee: str = ""
    department: str = ""
    discussed_with_employee: bool | None = None
    expectation: str = ""
    relation: Relation | None = None  # the complainant's relation to the home (who may complain)
    repeat: bool | None = None  # the complainant says it was handled before
    earlier_ref: str = ""
    new_facts: str = ""  # the new facts or circumstances the complainant brings, if any

    @classmethod
    def validated(cls, data: dict, today: date) -> ComplaintInput:
        if not isinstance(data, dict):
            raise ValidationError("klacht", "verwacht een object met velden.")
        if data.get("received") in (None, ""):
            raise ValidationError("ontvangen", "is verplicht.")
        received = check_received(parse_date(data.get("received"), "ontvangen"), today)
        if data.get("channel") in (None, ""):
            raise ValidationError("kanaal", "is verplicht.")
        channel = parse_channel(data.get("channel"))
        complainant_data = data.get("complainant")
        if not isinstance(complainant_data, dict):
            raise ValidationError("klager", "ontbreekt (naam en adres van de klager).")
        complainant = ComplainantInput.validated(complainant_data)
        discussed = data.get("discussed_with_employee")
        if discussed is not None and not isinstance(discussed, bool):
            raise ValidationError("besproken met medewerker", "verwacht ja of nee (true/false).")
        repeat = data.get("repeat")
        if repeat is not None and not isinstance(repeat, bool):
            raise ValidationError("eerder behandeld", "verwacht ja of nee (true/false).")
        relation = data.get("relation")
        if relation not in (None, ""):
            try:
                relation = Relation(str(relation).strip().lower())
            except ValueError:
                options = ", ".join(r.value for r in Relation)
                raise ValidationError(
                    "relatie tot de woning", f"'{relation}' is onbekend (kies uit: {options})."
                ) from None
        else:
            relation = None
        return cls(
            received=received,
            channel=channel,
            complainant=complainant,
            subject=required_text(data.get("subject"), "onderwerp", max_length=MAX_SUBJECT),
            description=required_text(
                data.get("description"), "omschrijving", max_length=MAX_TEXT, multiline=True
            ),
            category=clean_text(data.get("category"), "categorie", max_length=MAX_LINE),
            employee=clean_text(data.get("employee"), "medewerker", max_length=MAX_NAME),
            department=clean_text(data.get("department"), "afdeling", max_length=MAX_LINE),
            discussed_with_employee=discussed,
            expectation=clean_text(
                data.get("expectation"), "verwachting", max_length=MAX_TEXT, multiline=True
            ),
            relation=relation,
            repeat=repeat,
            earlier_ref=clean_text(data.get("earlier_ref"), "eerdere zaak", max_length=MAX_LINE),
            new_facts=clean_text(
                data.get("new_facts"), "nieuwe feiten", max_length=MAX_TEXT, multiline=True
            ),
        )
