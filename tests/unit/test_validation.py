"""Validation and normalisation of user and import input (SPEC §8): clear Dutch messages."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klachtdesk.domain.errors import KlachtDeskError, ValidationError
from klachtdesk.domain.validation import (
    MAX_TEXT,
    ComplainantInput,
    ComplaintInput,
    check_received,
    clean_text,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    parse_channel,
    parse_date,
    required_text,
)
from klachtdesk.domain.values import Channel, Salutation

TODAY = date(2026, 3, 10)
FAST = settings(max_examples=200, deadline=None)


# --------------------------------------------------------------------------------------------
# ValidationError
# --------------------------------------------------------------------------------------------


def test_validation_error_names_field():
    error = ValidationError("postcode", "is geen geldige postcode.")
    assert str(error) == "Veld 'postcode': is geen geldige postcode."
    assert error.field == "postcode"
    assert error.record is None
    assert error.exit_code == 2
    assert isinstance(error, KlachtDeskError)


def test_validation_error_in_record_names_record_and_field():
    error = ValidationError("postcode", "is geen geldige postcode.")
    located = error.in_record("Regel 3")
    assert str(located) == "Regel 3, veld 'postcode': is geen geldige postcode."
    assert (located.field, located.message, located.record) == (
        "postcode",
        "is geen geldige postcode.",
        "Regel 3",
    )
    # The original is unchanged.
    assert str(error) == "Veld 'postcode': is geen geldige postcode."


def test_validation_error_from_a_real_check_in_record():
    with pytest.raises(ValidationError) as info:
        normalise_postcode("12345")
    assert str(info.value.in_record("Klacht 7")) == (
        "Klacht 7, veld 'postcode': '12345' is geen geldige Nederlandse postcode "
        "(bijvoorbeeld 1234 AB)."
    )


# --------------------------------------------------------------------------------------------
# Postcode, phone, e-mail
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234ab", "1234 AB"),
        ("1234 AB", "1234 AB"),
        (" 1234  ab ", "1234 AB"),
        ("1234\tab", "1234 AB"),
        ("9999 zz", "9999 ZZ"),
        ("1000 AA", "1000 AA"),
    ],
)
def test_postcode_normalised(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["0123 AB", "1234 SA", "1234 sd", "1234 SS", "12345", "ABCD EF", "1234-AB", "123 AB", ""],
)
def test_postcode_refused(raw):
    with pytest.raises(ValidationError) as info:
        normalise_postcode(raw)
    assert info.value.field == "postcode"
    assert info.value.message.endswith(
        "is geen geldige Nederlandse postcode (bijvoorbeeld 1234 AB)."
    )


def test_postcode_message_quotes_the_input():
    with pytest.raises(ValidationError) as info:
        normalise_postcode("abcd ef")
    assert str(info.value) == (
        "Veld 'postcode': 'ABCD EF' is geen geldige Nederlandse postcode (bijvoorbeeld 1234 AB)."
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12345678", "+31 6 12345678"),
        ("0612345678", "+31 6 12345678"),
        ("+31 6 1234 5678", "+31 6 12345678"),
        ("020-1234567", "+31 20 123 4567"),
        ("010 123 4567", "+31 10 123 4567"),
        ("+32 470 12 34 56", "+32 470 12 34 56"),
        ("0032 470 123456", "+32 470 12 34 56"),
    ],
)
def test_phone_normalised(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12", "06123", "abc", "06 1234567890123"])
def test_phone_refused(raw):
    with pytest.raises(ValidationError) as info:
        normalise_phone(raw)
    assert str(info.value) == (
        f"Veld 'telefoon': '{raw}' is geen geldig telefoonnummer (bijvoorbeeld 06 12345678)."
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jan@voorbeeld.nl", "jan@voorbeeld.nl"),
        ("Jan.Jansen@Voorbeeld.NL", "Jan.Jansen@voorbeeld.nl"),
        ("  piet@woonpartners.nl ", "piet@woonpartners.nl"),
    ],
)
def test_email_normalised(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["jan@", "geen-adres", "jan@@voorbeeld.nl", "jan @voorbeeld.nl"])
def test_email_refused(raw):
    with pytest.raises(ValidationError) as info:
        normalise_email(raw)
    assert info.value.field == "e-mail"
    assert info.value.message.endswith(
        "is geen geldig e-mailadres (bijvoorbeeld naam@voorbeeld.nl)."
    )


# --------------------------------------------------------------------------------------------
# Dates and channel
# --------------------------------------------------------------------------------------------


def test_parse_date():
    assert parse_date("2026-11-22", "ontvangen") == date(2026, 11, 22)
    assert parse_date(" 2026-11-22 ", "ontvangen") == date(2026, 11, 22)
    assert parse_date(date(2026, 11, 22), "ontvangen") == date(2026, 11, 22)


def test_parse_date_refused():
    with pytest.raises(ValidationError) as info:
        parse_date("22-11-2026", "ontvangen")
    assert str(info.value) == (
        "Veld 'ontvangen': '22-11-2026' is geen geldige datum "
        "(schrijf JJJJ-MM-DD, bijv. 2026-11-22)."
    )
    with pytest.raises(ValidationError) as info:
        parse_date("2026-02-30", "ontvangen")
    with pytest.raises(ValidationError) as info:
        parse_date(20261122, "ontvangen")
    assert info.value.message == "verwacht een datum als JJJJ-MM-DD."


def test_received_date():
    assert check_received(TODAY, TODAY) == TODAY
    assert check_received(date(2000, 1, 1), TODAY) == date(2000, 1, 1)
    with pytest.raises(ValidationError) as info:
        check_received(date(2026, 3, 11), TODAY)
    assert str(info.value) == "Veld 'ontvangen': de datum van ontvangst ligt in de toekomst."
    with pytest.raises(ValidationError) as info:
        check_received(date(1999, 12, 31), TODAY)
    assert info.value.message == "de datum van ontvangst ligt vóór 2000; klopt dat?"


def test_parse_channel():
    assert parse_channel(" Telefoon ") is Channel.TELEFOON
    assert parse_channel("email") is Channel.EMAIL
    assert parse_channel(Channel.WEB) is Channel.WEB
    with pytest.raises(ValidationError) as info:
        parse_channel("fax")
    assert str(info.value) == (
        "Veld 'kanaal': 'fax' is geen bekend kanaal (kies uit: telefoon, brief, balie, email, web)."
    )


# --------------------------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------------------------


def test_clean_text_basics():
    assert clean_text(None, "x", max_length=10) == ""
    assert clean_text("  a \t b \n c  ", "x", max_length=10) == "a b c"
    # NFC: 'e' + combining acute accent becomes one character.
    assert clean_text("Caf\u0065\u0301", "x", max_length=4) == "Caf\u00e9"
    # Multi-line text keeps its lines (and tabs) and unifies line ends.
    assert clean_text(" a\r\nb\rc\td ", "x", max_length=10, multiline=True) == "a\nb\nc\td"


def test_clean_text_wants_text():
    with pytest.raises(ValidationError) as info:
        clean_text(42, "onderwerp", max_length=10)
    assert str(info.value) == "Veld 'onderwerp': verwacht tekst."


def test_clean_text_length():
    assert clean_text("x" * 200, "onderwerp", max_length=200) == "x" * 200
    with pytest.raises(ValidationError) as info:
        clean_text("x" * 201, "onderwerp", max_length=200)
    assert str(info.value) == "Veld 'onderwerp': is te lang (201 tekens; ten hoogste 200)."


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x08", "\x1b", "\x7f"])
@pytest.mark.parametrize("multiline", [False, True])
def test_clean_text_refuses_control_characters(char, multiline):
    with pytest.raises(ValidationError) as info:
        clean_text(f"Klacht{char}tekst", "omschrijving", max_length=100, multiline=multiline)
    assert str(info.value) == ("Veld 'omschrijving': bevat onzichtbare stuurtekens; verwijder die.")


@pytest.mark.parametrize("char", ["\x0b", "\x0c"])
def test_clean_text_refuses_vertical_tab_and_form_feed_in_multiline(char):
    with pytest.raises(ValidationError):
        clean_text(f"a{char}b", "omschrijving", max_length=100, multiline=True)


@pytest.mark.parametrize("multiline", [False, True])
def test_clean_text_refuses_c1_control_characters(multiline):
    with pytest.raises(ValidationError):
        clean_text("a\x9bb", "omschrijving", max_length=100, multiline=multiline)


def test_required_text():
    assert required_text(" Lekkage ", "onderwerp", max_length=200) == "Lekkage"
    for empty in (None, "", "   \n "):
        with pytest.raises(ValidationError) as info:
            required_text(empty, "onderwerp", max_length=200)
        assert str(info.value) == "Veld 'onderwerp': is verplicht."


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@FAST
@given(value=st.text(max_size=60), max_length=st.integers(0, 80), multiline=st.booleans())
def test_prop_clean_text_normalises_or_refuses(value, max_length, multiline):
    try:
        result = clean_text(value, "veld", max_length=max_length, multiline=multiline)
    except ValidationError as error:
        assert error.field == "veld"
        return
    assert isinstance(result, str)
    assert len(result) <= max_length
    assert result == result.strip()
    assert not _CONTROL.search(result)
    assert "\r" not in result
    if not multiline:
        assert "\n" not in result
        assert "  " not in result
    # Cleaning is idempotent.
    assert clean_text(result, "veld", max_length=max_length, multiline=multiline) == result


@FAST
@given(value=st.text(max_size=30))
def test_prop_postcode_normalises_or_refuses(value):
    try:
        result = normalise_postcode(value)
    except ValidationError as error:
        assert error.field == "postcode"
        return
    assert re.fullmatch(r"[1-9][0-9]{3} [A-Z]{2}", result)
    assert result[-2:] not in {"SA", "SD", "SS"}
    assert normalise_postcode(result) == result


@FAST
@given(
    digits=st.integers(1000, 9999),
    letters=st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=2, max_size=2
    ),
    gap=st.sampled_from(["", " ", "  ", "\t"]),
)
def test_prop_every_issued_postcode_is_accepted(digits, letters, gap):
    raw = f" {digits}{gap}{letters} "
    if letters.upper() in {"SA", "SD", "SS"}:
        with pytest.raises(ValidationError):
            normalise_postcode(raw)
    else:
        assert normalise_postcode(raw) == f"{digits} {letters.upper()}"


@FAST
@given(value=st.text(max_size=40))
def test_prop_phone_and_email_never_crash(value):
    for check in (normalise_phone, normalise_email):
        with contextlib.suppress(ValidationError):
            check(value)


# --------------------------------------------------------------------------------------------
# Complainant and complaint records
# --------------------------------------------------------------------------------------------


def full_record(**changes) -> dict:
    record = {
        "received": "2026-03-02",
        "channel": "Telefoon",
        "complainant": {
            "name": "  Mevr. A. de  Vries-van  Dijk ",
            "street": "Kerkstraat 12 bis",
            "postcode": "1234ab",
            "city": "Amersfoort",
            "phone": "06 12345678",
            "email": "A.deVries@Voorbeeld.NL",
            "salutation": "Mevrouw",
            "member_number": "H-004711",
            "prefers_email": True,
        },
        "subject": "Lekkage badkamer niet verholpen",
        "description": (
            "Sinds januari lekt het plafond van de badkamer.\r\n"
            "Ik heb drie keer gebeld; de monteur is niet gekomen.\r\n\r\n"
            "Ik wil dat het nu wordt opgelost."
        ),
        "category": "onderhoud",
        "employee": "J. Bakker",
        "department": "Vastgoedonderhoud",
        "discussed_with_employee": True,
        "expectation": "Reparatie binnen twee weken en excuses.",
    }
    record.update(changes)
    return record


def test_complaint_full_record():
    complaint = ComplaintInput.validated(full_record(), TODAY)
    assert complaint.received == date(2026, 3, 2)
    assert complaint.channel is Channel.TELEFOON
    assert complaint.subject == "Lekkage badkamer niet verholpen"
    assert complaint.description == (
        "Sinds januari lekt het plafond van de badkamer.\n"
        "Ik heb drie keer gebeld; de monteur is niet gekomen.\n\n"
        "Ik wil dat het nu wordt opgelost."
    )
    assert complaint.category == "onderhoud"
    assert complaint.employee == "J. Bakker"
    assert complaint.department == "Vastgoedonderhoud"
    assert complaint.discussed_with_employee is True
    assert complaint.expectation == "Reparatie binnen twee weken en excuses."
    assert complaint.complainant == ComplainantInput(
        name="Mevr. A. de Vries-van Dijk",
        street="Kerkstraat 12 bis",
        postcode="1234 AB",
        city="Amersfoort",
        phone="+31 6 12345678",
        email="A.deVries@voorbeeld.nl",
        salutation=Salutation.MEVROUW,
        member_number="H-004711",
        prefers_email=True,
    )


def test_complaint_minimal_record_with_email_only():
    record = {
        "received": date(2026, 3, 10),
        "channel": "web",
        "complainant": {"name": "P. Jansen", "email": "p.jansen@voorbeeld.nl"},
        "subject": "Onvriendelijk behandeld",
        "description": "Aan de balie.",
    }
    complaint = ComplaintInput.validated(record, TODAY)
    assert complaint.received == TODAY
    assert complaint.complainant.street == complaint.complainant.postcode == ""
    assert complaint.complainant.salutation is Salutation.ONBEKEND
    assert complaint.discussed_with_employee is None
    assert complaint.category == ""


def test_complaint_with_missing_address_and_email():
    complainant = {"name": "P. Jansen", "phone": "06 12345678"}
    with pytest.raises(ValidationError) as info:
        ComplaintInput.validated(full_record(complainant=complainant), TODAY)
    assert info.value.field == "adres"
    assert str(info.value) == (
        "Veld 'adres': vul een postadres of een e-mailadres in, "
        "zodat wij de klager kunnen antwoorden."
    )


@pytest.mark.parametrize(
    ("complainant", "field"),
    [
        ({"name": "A", "street": "Kerkstraat 1", "city": "Utrecht"}, "postcode"),
        ({"name": "A", "postcode": "3511 AB", "city": "Utrecht"}, "straat"),
        ({"name": "A", "street": "Kerkstraat 1", "postcode": "3511 AB"}, "plaats"),
    ],
)
def test_complainant_incomplete_address(complainant, field):
    with pytest.raises(ValidationError) as info:
        ComplainantInput.validated(complainant)
    assert str(info.value) == f"Veld '{field}': is nodig voor een volledig postadres."


def test_complainant_address_without_email_and_prefers_email_without_address():
    person = ComplainantInput.validated(
        {"name": "A", "street": "Kerkstraat 1", "postcode": "3511ab", "city": "Utrecht"}
    )
    assert person.postcode == "3511 AB"
    assert person.email == ""
    # Wanting letters by e-mail without an e-mail address falls back to post.
    person = ComplainantInput.validated(
        {
            "name": "A",
            "street": "Kerkstraat 1",
            "postcode": "3511ab",
            "city": "Utrecht",
            "prefers_email": True,
        }
    )
    assert person.prefers_email is False


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"received": None}, "ontvangen", "is verplicht."),
        ({"received": ""}, "ontvangen", "is verplicht."),
        ({"received": "2026-03-11"}, "ontvangen", "de datum van ontvangst ligt in de toekomst."),
        ({"received": "2-3-2026"}, "ontvangen", None),
        ({"channel": None}, "kanaal", "is verplicht."),
        ({"channel": "fax"}, "kanaal", None),
        ({"complainant": None}, "klager", "ontbreekt (naam en adres van de klager)."),
        ({"complainant": "A. de Vries"}, "klager", None),
        ({"subject": "  "}, "onderwerp", "is verplicht."),
        ({"subject": "x" * 201}, "onderwerp", "is te lang (201 tekens; ten hoogste 200)."),
        ({"description": None}, "omschrijving", "is verplicht."),
        (
            {"description": "x" * (MAX_TEXT + 1)},
            "omschrijving",
            "is te lang (20001 tekens; ten hoogste 20000).",
        ),
        ({"description": "regel\x00"}, "omschrijving", None),
        ({"category": "onder\x1bhoud"}, "categorie", None),
        ({"discussed_with_employee": "ja"}, "besproken met medewerker", None),
    ],
)
def test_complaint_refused(changes, field, message):
    with pytest.raises(ValidationError) as info:
        ComplaintInput.validated(full_record(**changes), TODAY)
    assert info.value.field == field
    if message is not None:
        assert info.value.message == message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "naam"),
        ({"name": "x" * 201}, "naam"),
        ({"postcode": "1234 SA"}, "postcode"),
        ({"phone": "12"}, "telefoon"),
        ({"email": "geen-adres"}, "e-mail"),
        ({"salutation": "dokter"}, "aanhef"),
        ({"member_number": "x" * 41}, "huurdernummer"),
    ],
)
def test_complainant_refused(changes, field):
    complainant = {**full_record()["complainant"], **changes}
    with pytest.raises(ValidationError) as info:
        ComplaintInput.validated(full_record(complainant=complainant), TODAY)
    assert info.value.field == field


def test_complaint_not_a_mapping():
    with pytest.raises(ValidationError) as info:
        ComplaintInput.validated(["niet", "goed"], TODAY)
    assert str(info.value) == "Veld 'klacht': verwacht een object met velden."


def test_complaint_long_description_within_limit():
    text = ("Een lange klacht.\n" * 1200)[:MAX_TEXT]
    complaint = ComplaintInput.validated(full_record(description=text), TODAY)
    assert len(complaint.description) <= MAX_TEXT


def test_complaint_received_as_datetime():
    record = full_record(received=datetime(2026, 3, 2, 10, 30))
    try:
        complaint = ComplaintInput.validated(record, TODAY)
    except ValidationError:
        return  # a clear Dutch message is acceptable too
    assert type(complaint.received) is date
    assert complaint.received == date(2026, 3, 2)


def test_file_system_errors_are_explained_in_dutch():
    import errno

    from klachtdesk.domain.errors import os_reason

    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "de schijf is vol"
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")).startswith("u heeft")
    assert os_reason(OSError(errno.EXDEV, "Invalid cross-device link")) == (
        "het bestand kon niet worden gelezen of geschreven"
    )
