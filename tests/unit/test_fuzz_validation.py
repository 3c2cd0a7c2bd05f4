"""Fuzzing the validation of user and import input (issue 5 point 8, SPEC §8).

Whatever arrives (control characters, bidi overrides, zero-width characters, lone combining
marks, emoji, lone surrogates from a JSON escape, megabytes of text, numbers where text
belongs), each validator either returns a normalised value that keeps its documented
promise or raises a ValidationError whose Dutch message names the field. Never another
exception, never a message that itself carries a megabyte or a control character.

Set KLACHTDESK_FUZZ=deep for a long run (many more examples per property).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict
from datetime import date, datetime, timedelta

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.validation import (
    MAX_NAME,
    MAX_TEXT,
    OLDEST_RECEIPT,
    ComplainantInput,
    ComplaintInput,
    check_received,
    clean_text,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    parse_channel,
    parse_date,
    parse_yes_no,
    required_text,
)
from klachtdesk.domain.values import Channel, Salutation
from tests.conftest import TODAY
from tests.fuzzing import fuzz_settings

FUZZ = fuzz_settings(80, 3000)
# A few properties build megabyte strings: fewer examples, same profile otherwise.
FUZZ_FEW = settings(FUZZ, max_examples=max(10, FUZZ.max_examples // 5))

# -- strategies ------------------------------------------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c\u00ad"
COMBINING = "\u0301\u0308\u0327\u0332\u20dd\u0489"
EMOJI = ["😀", "👍🏽", "👨‍👩‍👧", "🏳️‍🌈", "🇳🇱", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"]
ODD = [
    *BIDI,
    *ZERO_WIDTH,
    *COMBINING,
    *EMOJI,
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\u2028",
    "\u2029",
    "\u00a0",
    "\u3000",
    "\ufffd",
    "\uffff",
    "ß",
    "ﬀ",
    "İ",
    "ı",
    "שלום",
    "مرحبا",
    "１２３４",
    "٠٦١٢",
    "'; DROP TABLE cases; --",
    "Robert'); DELETE FROM complainants;--",
    "{klager_naam}",
    "%s",
    "<b>",
    "&amp;",
]
# Lone surrogates cannot be typed, but a JSON file can carry them ("\ud800").
SURROGATE = st.integers(0xD800, 0xDFFF).map(chr)

odd_text = st.one_of(
    st.text(),
    st.lists(st.sampled_from(ODD + list("aZé09 @.-+")), max_size=20).map("".join),
    st.builds(lambda a, s, b: a + s + b, st.text(max_size=10), SURROGATE, st.text(max_size=10)),
)


@st.composite
def long_text(draw) -> str:
    """10,000 to 1,000,000 characters (built by repetition: hypothesis draws small)."""
    unit = draw(st.sampled_from(["a", "é", "😀", "a\u0301", " ", "ab ", "\u200b", "x\x00"]))
    size = draw(st.integers(10_000, 1_000_000))
    return (unit * (size // len(unit) + 1))[:size]


not_text = st.one_of(
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.binary(max_size=10),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.tuples(st.integers()),
)

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | odd_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)

# -- what a good error and a clean text look like ------------------------------------------------

_CC = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BIDI_RE = re.compile(f"[{BIDI}]")
_DUTCH = re.compile(
    r"\b(is|geen|verwacht|bevat|vul|kies|ligt|een|te|verwijder|ontbreekt|klopt|schrijf)\b"
)
MAX_MESSAGE = 400

COMPLAINT_FIELDS = {
    "klacht",
    "ontvangen",
    "kanaal",
    "klager",
    "naam",
    "straat",
    "postcode",
    "plaats",
    "telefoon",
    "e-mail",
    "aanhef",
    "huurdernummer",
    "adres",
    "voorkeur e-mail",
    "besproken met medewerker",
    "onderwerp",
    "omschrijving",
    "categorie",
    "medewerker",
    "afdeling",
    "verwachting",
}


def assert_dutch_error(error: BaseException, fields: str | set[str]) -> None:
    """A ValidationError that names the field, in Dutch, readable in a dialog."""
    assert isinstance(error, ValidationError), repr(error)
    expected = {fields} if isinstance(fields, str) else fields
    assert error.field in expected
    text = str(error)
    assert text == f"Veld '{error.field}': {error.message}"
    assert _DUTCH.search(error.message), text
    assert len(text) <= MAX_MESSAGE, f"message of {len(text)} characters"
    assert not _CC.search(text), f"control character in the message: {text!r}"
    assert not _BIDI_RE.search(text), f"bidi override in the message: {text!r}"
    assert not re.search(r"[\ud800-\udfff]", text), "lone surrogate in the message"


def assert_clean(result: str, max_length: int, multiline: bool) -> None:
    assert isinstance(result, str)
    assert len(result) <= max_length
    assert result == result.strip()
    assert unicodedata.is_normalized("NFC", result)
    assert not _BIDI_RE.search(result)
    assert not re.search(r"[\ud800-\udfff]", result), "a lone surrogate cannot be stored"
    allowed = {"\n", "\t"} if multiline else set()
    assert not {c for c in result if unicodedata.category(c) == "Cc"} - allowed
    if not multiline:
        assert not re.search(r"\s\s", result)
    assert "\r" not in result


def validated_or_error(func, fields, *args, **kwargs):
    """The result of ``func``, or None after checking the error it raised."""
    try:
        return func(*args, **kwargs)
    except ValidationError as error:
        assert_dutch_error(error, fields)
        return None


# -- free text -----------------------------------------------------------------------------------


@FUZZ
@given(value=odd_text, max_length=st.integers(0, 300), multiline=st.booleans())
@example(value="Jan\ud800sen", max_length=200, multiline=False)  # lone surrogate (JSON "\ud800")
@example(value="\udfff", max_length=200, multiline=True)
def test_clean_text_keeps_its_promise_or_names_the_field(value, max_length, multiline):
    result = validated_or_error(
        clean_text, "naam", value, "naam", max_length=max_length, multiline=multiline
    )
    if result is None:
        return
    assert_clean(result, max_length, multiline)
    # Normalising twice is normalising once.
    assert clean_text(result, "naam", max_length=max_length, multiline=multiline) == result


@FUZZ
@given(value=odd_text, multiline=st.booleans())
def test_required_text_is_never_empty(value, multiline):
    result = validated_or_error(
        required_text, "onderwerp", value, "onderwerp", max_length=200, multiline=multiline
    )
    if result is not None:
        assert result
        assert_clean(result, 200, multiline)


@FUZZ_FEW
@given(value=long_text(), multiline=st.booleans())
def test_very_long_text_is_refused_with_a_short_message(value, multiline):
    result = validated_or_error(
        clean_text, "omschrijving", value, "omschrijving", max_length=MAX_TEXT, multiline=multiline
    )
    if result is not None:  # only what was mostly spaces survives
        assert_clean(result, MAX_TEXT, multiline)


@FUZZ
@given(value=not_text)
def test_clean_text_refuses_what_is_not_text(value):
    with pytest.raises(ValidationError) as info:
        clean_text(value, "straat", max_length=200)
    assert_dutch_error(info.value, "straat")


# -- postcodes -----------------------------------------------------------------------------------

_POSTCODE_RESULT = re.compile(r"[1-9][0-9]{3} [A-Z]{2}")

postcode_like = st.builds(
    lambda digits, gap, letters, before, after: f"{before}{digits}{gap}{letters}{after}",
    st.text(alphabet="0123456789١٢３", min_size=3, max_size=5),
    st.sampled_from(["", " ", "  ", "\t", "\u00a0", "\u3000", "\u200b", "-", "\n"]),
    st.text(alphabet="aAbBsSdDzZßﬀıİ1é", min_size=1, max_size=3),
    st.sampled_from(["", " ", "\ufeff", "\u202e", "\x00"]),
    st.sampled_from(["", " ", "\u0301", "\u200b", "\x00", "😀"]),
)


@FUZZ
@given(value=st.one_of(odd_text, postcode_like))
@example(value="1234ab")
@example(value="1234 SS")
@example(value="0123 AB")
def test_postcode_is_1234_AB_or_refused(value):
    result = validated_or_error(normalise_postcode, "postcode", value)
    if result is None:
        return
    assert _POSTCODE_RESULT.fullmatch(result)
    assert result[-2:] not in {"SA", "SD", "SS"}
    assert normalise_postcode(result) == result
    assert normalise_postcode(result.lower().replace(" ", "")) == result


@FUZZ
@given(value=not_text)
def test_postcode_refuses_numbers_and_lists(value):
    with pytest.raises(ValidationError) as info:
        normalise_postcode(value)
    assert_dutch_error(info.value, "postcode")


# -- phone numbers -------------------------------------------------------------------------------


def _phone(prefix: str, digits: str, separators: list[str], tail: str) -> str:
    pairs = zip(digits, separators[: len(digits)], strict=True)
    return prefix + "".join(d + s for d, s in pairs) + tail


phone_like = st.builds(
    _phone,
    st.sampled_from(["", "0", "06", "+31", "+31 (0)", "0031", "+", "+44 ", "+1", "00", "٠٦"]),
    st.text(alphabet="0123456789", min_size=0, max_size=14),
    st.lists(st.sampled_from(["", "", " ", "-", ".", "/", "\u00a0", "\u200b"]), min_size=14),
    st.sampled_from(["", " ext. 12", " x 5", " (werk)", "\x00", " 😀", "\u202e", "#", "abc"]),
)


@FUZZ
@given(value=st.one_of(odd_text, phone_like))
@example(value="06 12345678")
@example(value="+31 6 12345678 ext. 12")
def test_phone_is_international_and_valid_or_refused(value):
    result = validated_or_error(normalise_phone, "telefoon", value)
    if result is None:
        return
    assert result.startswith("+")
    assert len(result) <= 40
    assert not _CC.search(result)
    assert phonenumbers.is_valid_number(phonenumbers.parse(result, "NL"))
    assert normalise_phone(result) == result


# -- e-mail addresses ----------------------------------------------------------------------------

email_like = st.one_of(
    st.emails(),
    st.builds(
        lambda local, domain, noise: f"{local}{noise}@{domain}",
        st.text(alphabet="abcXYZ.+_-'é😀\u200b", min_size=1, max_size=20),
        st.sampled_from(["voorbeeld.nl", "bücher.de", "xn--bcher-kva.de", "x.y", "localhost"]),
        st.sampled_from(["", " ", "\x00", "\u202e", "\u0301", "@", '"', "\ufeff"]),
    ),
)


@FUZZ
@given(value=st.one_of(odd_text, email_like))
@example(value="A.deVries@Voorbeeld.NL")
@example(value="fatima@xn--bcher-kva.de")
def test_email_is_valid_and_stable_or_refused(value):
    result = validated_or_error(normalise_email, "e-mail", value)
    if result is None:
        return
    assert "@" in result
    assert len(result) <= 254
    assert not re.search(r"\s", result)
    assert not _CC.search(result) and not _BIDI_RE.search(result)
    assert normalise_email(result) == result


# -- dates ---------------------------------------------------------------------------------------

date_like = st.one_of(
    st.dates().map(date.isoformat),
    st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
    st.dates().map(lambda d: d.strftime("%Y%m%d")),
    st.datetimes().map(datetime.isoformat),
    st.builds(
        lambda y, m, d, sep: f"{y}{sep}{m}{sep}{d}",
        st.integers(-10, 100_000),
        st.integers(-1, 14),
        st.integers(-1, 40),
        st.sampled_from(["-", "/", ".", " ", "--", "\u2013", "\x00"]),
    ),
    odd_text,
)


@FUZZ
@given(value=st.one_of(date_like, not_text, st.none()))
@example(value="2026-02-30")
@example(value="x" * 1_000_000)  # the message quotes the value: it must stay short
@example(value="2026-11-25\x00")  # ... and show no control character
@example(value="\u202e52-11-6202")
def test_parse_date_gives_a_date_or_names_the_field(value):
    result = validated_or_error(parse_date, "ontvangen", value, "ontvangen")
    if result is not None:
        assert isinstance(result, date)
        assert parse_date(result.isoformat(), "ontvangen") == result


@FUZZ
@given(day=st.dates())
@example(day=TODAY + timedelta(days=1))
@example(day=OLDEST_RECEIPT - timedelta(days=1))
@example(day=date.max)
@example(day=date.min)
def test_received_is_between_2000_and_today_or_refused(day):
    result = validated_or_error(check_received, "ontvangen", day, TODAY)
    if result is None:
        assert not OLDEST_RECEIPT <= day <= TODAY
    else:
        assert OLDEST_RECEIPT <= result <= TODAY


# -- small choices -------------------------------------------------------------------------------


@FUZZ
@given(value=st.one_of(odd_text, not_text, st.sampled_from([c.value.upper() for c in Channel])))
@example(value="x" * 100_000)
@example(value="web\x00")
def test_channel_is_known_or_refused(value):
    result = validated_or_error(parse_channel, "kanaal", value)
    if result is not None:
        assert isinstance(result, Channel)


@FUZZ
@given(value=st.one_of(odd_text, not_text, st.sampled_from(["JA", " nee ", "True", "0"])))
@example(value="x" * 100_000)
@example(value=["ja", "\x1b[31m"])
def test_yes_no_is_bool_none_or_refused(value):
    result = validated_or_error(parse_yes_no, "voorkeur e-mail", value, "voorkeur e-mail")
    assert result in (True, False, None)


# -- whole records -------------------------------------------------------------------------------

sql = st.sampled_from(["'; DROP TABLE cases; --", "Robert'); DELETE FROM complainants;--"])


@st.composite
def complaint_records(draw) -> object:
    """A complaint record as an import file might carry it: mostly plausible, any field odd."""
    good_complainant = {
        "name": "Fatima el Amrani",
        "street": "Lindelaan 4",
        "postcode": "3511ab",
        "city": "Utrecht",
        "phone": "06 12345678",
        "email": "fatima@voorbeeld.nl",
        "salutation": "mevrouw",
        "member_number": "H-1",
        "prefers_email": "ja",
    }
    good = {
        "received": "2026-11-20",
        "channel": "web",
        "subject": "Lekkage badkamer",
        "description": "Het plafond lekt.\r\nAl drie weken.",
        "category": "Onderhoud",
        "employee": "Erik Hoekstra",
        "department": "Wonen",
        "discussed_with_employee": True,
        "expectation": "Reparatie.",
    }
    odd = st.one_of(json_value, odd_text, sql, long_text())
    for key in draw(st.sets(st.sampled_from(sorted(good_complainant)), max_size=4)):
        if draw(st.booleans()):
            good_complainant[key] = draw(odd)
        else:
            del good_complainant[key]
    for key in draw(st.sets(st.sampled_from(sorted(good)), max_size=4)):
        if draw(st.booleans()):
            good[key] = draw(odd)
        else:
            del good[key]
    good["complainant"] = draw(st.one_of(st.just(good_complainant), st.just(good_complainant), odd))
    good.update(draw(st.dictionaries(st.text(max_size=10), json_value, max_size=2)))
    return draw(st.one_of(st.just(good), st.just(good), st.just(good), json_value))


def _as_record(complaint: ComplaintInput) -> dict:
    data = asdict(complaint)
    data["received"] = complaint.received.isoformat()
    data["channel"] = complaint.channel.value
    data["complainant"]["salutation"] = complaint.complainant.salutation.value
    return data


@FUZZ
@given(record=complaint_records())
@example(record={"received": "2026-11-20", "channel": "web", "complainant": {"name": "\ud800"}})
@example(record=["not", "a", "record"])
def test_complaint_record_is_normalised_or_names_the_field(record):
    complaint = validated_or_error(ComplaintInput.validated, COMPLAINT_FIELDS, record, TODAY)
    if complaint is None:
        return
    person = complaint.complainant
    for value, limit, multiline in (
        (person.name, MAX_NAME, False),
        (person.street, 200, False),
        (person.city, 200, False),
        (person.member_number, 40, False),
        (complaint.subject, 200, False),
        (complaint.description, MAX_TEXT, True),
        (complaint.category, 200, False),
        (complaint.employee, MAX_NAME, False),
        (complaint.department, 200, False),
        (complaint.expectation, MAX_TEXT, True),
    ):
        assert_clean(value, limit, multiline)
    assert person.name and complaint.subject and complaint.description
    assert person.email or (person.street and person.postcode and person.city)
    assert not person.prefers_email or person.email
    assert isinstance(person.salutation, Salutation)
    assert OLDEST_RECEIPT <= complaint.received <= TODAY
    # The normalised record, validated again, is itself.
    assert ComplaintInput.validated(_as_record(complaint), TODAY) == complaint


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["name", "email", "street", "postcode"]), json_value))
def test_complainant_is_normalised_or_names_the_field(data):
    result = validated_or_error(ComplainantInput.validated, COMPLAINT_FIELDS, data)
    if result is not None:
        assert result.name and (result.email or result.postcode)
