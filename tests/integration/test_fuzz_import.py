"""Fuzzing the import of web-form exports (issue 5 point 8, SPEC §8).

Random bytes, truncated JSON, wrong types, missing and extra keys, BOMs, other encodings,
CSV with the wrong delimiter, quotes and line breaks inside fields, 10,000-character
fields, SQL-looking text in every field. The rule: the whole file is stored exactly (text
comes back verbatim in the case window), or the import is refused with a Dutch message
that names the record and the field, and nothing at all is stored. Never a traceback,
never half a file.

Set KLACHTDESK_FUZZ=deep for a long run (many more examples per property).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given
from hypothesis import strategies as st

from klachtdesk.domain.errors import KlachtDeskError, ValidationError
from klachtdesk.domain.validation import ComplaintInput, parse_yes_no
from klachtdesk.services.admin.setup import DEFAULT_CATEGORIES, DEFAULT_DEPARTMENTS
from klachtdesk.services.cases import case_view, import_review
from klachtdesk.services.intake import importer
from tests.conftest import TODAY, cli_env
from tests.fuzzing import fuzz_settings
from tests.unit.test_fuzz_validation import COMPLAINT_FIELDS

FUZZ = fuzz_settings(
    50,
    1000,
    HealthCheck.function_scoped_fixture,  # `org` is shared on purpose: see stamp()
    HealthCheck.large_base_example,
)

SQL = ("'; DROP TABLE cases; --", "Robert'); DELETE FROM complainants;--")
FREE_TEXT = {  # field in the file → (field in the case window, Dutch field name)
    "name": ("complainant_name", "naam"),
    "street": ("street", "straat"),
    "city": ("city", "plaats"),
    "member_number": ("member_number", "huurdernummer"),
    "subject": ("subject", "onderwerp"),
    "description": ("description", "omschrijving"),
    "employee": ("employee", "medewerker"),
    "expectation": ("expectation", "verwachting"),
}
COMPLAINANT_KEYS = {"name", "street", "postcode", "city", "phone", "email", "member_number"}
# complainant fields in which another value does not make another person: field → the
# difference it makes for a known complainant (services.cases.import_review)
RECOGNISED = {"street": "adres", "city": "adres", "member_number": "huurdernummer"}
COMPLAINANT_KEYS |= {"salutation", "prefers_email"}
RECORD_FIELDS = COMPLAINT_FIELDS | {"kolommen"}  # the CSV header too
_DUTCH = re.compile(r"\b(is|geen|verwacht|bevat|vul|kies|ligt|een|te|ontbreken|staat|moet)\b")
_LABEL = re.compile(r"^(Record|Regel) (\d+), veld '([^']+)': ")
_files = itertools.count()


# -- helpers -----------------------------------------------------------------------------------


def stamp(org) -> tuple[int, tuple[int, int]]:
    """Number of cases and the newest event and case id: unchanged means nothing stored."""
    return len(case_view.case_ids(org.coordinator)), case_view.data_stamp(org.coordinator)


def write(tmp_path: Path, suffix: str, data: bytes) -> Path:
    path = tmp_path / f"import-{next(_files)}{suffix}"
    path.write_bytes(data)
    return path


def assert_dutch_refusal(error: KlachtDeskError, records: int | None = None) -> None:
    text = str(error)
    assert text and len(text) < 1000, text[:300]
    assert _DUTCH.search(text), text
    assert "Traceback" not in text and "Error" not in text
    if isinstance(error, ValidationError):
        label = _LABEL.match(text)
        assert label, f"names no record and field: {text}"
        assert error.field in RECORD_FIELDS
        if records is not None:
            assert 1 <= int(label.group(2)) <= records + 1


def import_or_refuse(org, path: Path, records: int | None = None) -> list[str] | None:
    """The new references, or None after checking the refusal stored nothing."""
    before = stamp(org)
    try:
        refs = importer.import_file(org.balie, path)
    except KlachtDeskError as error:
        assert_dutch_refusal(error, records)
        assert stamp(org) == before, "a refused import stored something"
        return None
    count, _ = stamp(org)
    assert count == before[0] + len(refs), "more or fewer cases than references"
    assert len(set(refs)) == len(refs)
    return refs


def expected_outcome(records: list[tuple[str, object]]):
    """What the import must do with these records: the complaints, or the first error."""
    complaints = []
    for label, record in records:
        if isinstance(record, ValidationError):
            return record.in_record(label)
        try:
            complaints.append(ComplaintInput.validated(record, TODAY))
        except ValidationError as error:
            return error.in_record(label)
    if not complaints:
        return "empty"
    categories = {c.lower() for c in DEFAULT_CATEGORIES}
    departments = {d.lower() for d in DEFAULT_DEPARTMENTS}
    for (label, _), complaint in zip(records, complaints, strict=True):
        if complaint.category and complaint.category.lower() not in categories:
            return ValidationError("categorie", "is onbekend", label)
        if complaint.department and complaint.department.lower() not in departments:
            return ValidationError("afdeling", "is onbekend", label)
    return complaints


def assert_stored_exactly(org, refs: list[str], complaints: list[ComplaintInput]) -> None:
    assert len(refs) == len(complaints)
    for ref, complaint in zip(refs, complaints, strict=True):
        detail = case_view.case_detail(org.coordinator, ref)
        person = complaint.complainant
        assert detail.received == complaint.received
        assert detail.channel == complaint.channel.value
        assert detail.complainant_name == person.name
        assert detail.street == person.street
        assert detail.postcode == person.postcode
        assert detail.city == person.city
        assert detail.phone == person.phone
        assert detail.email == person.email
        assert detail.member_number == person.member_number
        assert detail.subject == complaint.subject
        assert detail.description == complaint.description
        assert detail.category.lower() == complaint.category.lower()
        assert detail.department.lower() == complaint.department.lower()
        assert detail.employee == complaint.employee
        assert detail.discussed_with_employee == complaint.discussed_with_employee
        assert detail.expectation == complaint.expectation


def check_import(org, path: Path, records: list[tuple[str, object]]) -> None:
    """Import ``path`` (which holds exactly ``records``) and check the exact outcome."""
    expected = expected_outcome(records)
    before = stamp(org)
    try:
        refs = importer.import_file(org.balie, path)
    except KlachtDeskError as error:
        assert not isinstance(expected, list), f"a correct file was refused: {error}"
        assert_dutch_refusal(error, len(records))
        assert stamp(org) == before, "a refused import stored something"
        event(f"refused: {getattr(error, 'field', type(error).__name__)}")
        if isinstance(expected, ValidationError):
            assert isinstance(error, ValidationError)
            if expected.field in {"categorie", "afdeling"}:  # checked in the database
                assert (error.field, error.record) == (expected.field, expected.record)
            else:
                assert str(error) == str(expected)
        return
    assert isinstance(expected, list), f"imported although: {expected}"
    event("imported")
    assert stamp(org)[0] == before[0] + len(refs)
    assert_stored_exactly(org, refs, expected)


# -- strategies ----------------------------------------------------------------------------------

odd_unicode = st.sampled_from(
    [
        "שלום עליכם",
        "مرحبا",
        "e\u0301\u0301",
        "\u0301begin",
        "👨‍👩‍👧 🇳🇱",
        "zero\u200bwidth",
        "\u00a0nbsp",
        "Ǆemal Ørsted",
        "{klager_naam} %s ${x} {0.__globals__}",
        "\"aanhalingstekens\" en 'apostrof'",
        "semi;colon, comma\ttab",
        "<b>vet</b> &amp;",
        "\\N \\x00 \\",
    ]
)
free_text = st.one_of(
    st.sampled_from(SQL),
    odd_unicode,
    st.text(st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1, max_size=30),
)
multiline_text = st.one_of(
    free_text,
    st.lists(free_text, min_size=2, max_size=4).map("\n".join),
    st.lists(free_text, min_size=2, max_size=3).map("\r\n\r\n".join),
    st.builds(
        lambda unit, n: (unit * n)[:10_000], st.sampled_from(["ab ", "é", "x;\n"]), st.just(10_000)
    ),
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)
bad_value = st.one_of(
    json_value,
    st.sampled_from(SQL),
    st.sampled_from(["", "   ", "\x00", "a\x1bb", "\u202eevil", "x" * 10_000, "\ud800"]),
)
_GOOD_CATEGORY = st.sampled_from(["", *DEFAULT_CATEGORIES, *map(str.upper, DEFAULT_CATEGORIES)])
_ANY_CATEGORY = st.one_of(_GOOD_CATEGORY, _GOOD_CATEGORY, _GOOD_CATEGORY, st.sampled_from(SQL))
_GOOD_DEPARTMENT = st.sampled_from(["", *DEFAULT_DEPARTMENTS, "FINANCIËN"])
_ANY_DEPARTMENT = st.one_of(_GOOD_DEPARTMENT, _GOOD_DEPARTMENT, st.just(SQL[0]))


@st.composite
def good_record(draw, unique: str, known_lists: bool = True) -> dict:
    """A complaint a web form could send: correct, but with odd text wherever text goes.

    ``unique`` keeps the complainant new, so earlier examples cannot be matched. Without
    ``known_lists`` the category or department may be SQL-looking text, which is unknown."""
    name = draw(free_text) + " " + unique
    has_address = draw(st.booleans())
    complainant = {
        "name": name,
        "email": draw(st.sampled_from(["", "fatima@voorbeeld.nl", "O'Brien@bücher.de"])),
        "phone": draw(st.sampled_from(["", "06 12345678", "+44 20 7946 0958", "030-1234567"])),
        "member_number": draw(st.one_of(st.just(""), st.sampled_from(SQL))),
        "salutation": draw(st.sampled_from(["heer", "Mevrouw", "onbekend", ""])),
        "prefers_email": draw(st.sampled_from([True, False, "ja", "nee", None])),
    }
    if has_address or not complainant["email"]:
        complainant.update(
            street=draw(free_text),
            postcode=draw(st.sampled_from(["3511ab", "1234 AB", " 9999zz "])),
            city=draw(free_text),
        )
    return {
        "received": draw(st.sampled_from(["2026-11-25", "2000-01-01", " 2026-02-28 "])),
        "channel": draw(st.sampled_from(["web", "Telefoon", "EMAIL", " balie "])),
        "complainant": complainant,
        "subject": draw(free_text),
        "description": draw(multiline_text),
        "category": draw(_GOOD_CATEGORY if known_lists else _ANY_CATEGORY),
        "department": draw(_GOOD_DEPARTMENT if known_lists else _ANY_DEPARTMENT),
        "employee": draw(st.one_of(st.just(""), free_text)),
        "discussed_with_employee": draw(st.sampled_from([True, False, None])),
        "expectation": draw(st.one_of(st.just(""), multiline_text)),
    }


@st.composite
def record_list(draw, spoil: bool = True) -> list:
    """One to four records; with ``spoil`` usually one thing wrong: a key missing, an odd
    value, an unexpected key, another type where text belongs, a record that is no object."""
    example_id = next(_files)
    records = [
        draw(good_record(f"#{example_id}.{i}", known_lists=not spoil))
        for i in range(draw(st.integers(1, 4)))
    ]
    if not spoil:
        return records
    action = draw(st.sampled_from(["keep", "drop", "odd", "extra", "swap", "insert"]))
    record = draw(st.sampled_from(records))
    top = draw(st.sampled_from(sorted(record)))
    target, key = record, top
    if top == "complainant":
        target, key = record["complainant"], draw(st.sampled_from(sorted(COMPLAINANT_KEYS)))
    if action == "drop":
        target.pop(key, None)
    elif action == "odd":
        target[key] = draw(bad_value)
    elif action == "extra":
        target[draw(st.text(max_size=8))] = draw(json_value)
    elif action == "swap":
        target[key] = draw(st.sampled_from([12345, 3.5, ["lijst"], {"genest": {"a": 1}}]))
    elif action == "insert":
        records.insert(draw(st.integers(0, len(records))), draw(json_value))
    return records


# -- JSON ----------------------------------------------------------------------------------------


@FUZZ
@given(records=record_list(spoil=False), ascii_only=st.booleans(), bom=st.booleans())
def test_a_good_json_file_is_stored_exactly(org, tmp_path, records, ascii_only, bom):
    """SQL-looking text, quotes, braces, RTL text, emoji, 10,000 characters: all verbatim."""
    text = json.dumps(records, ensure_ascii=ascii_only)
    path = write(tmp_path, ".json", ("\ufeff" if bom else "").encode() + text.encode())
    labelled = [(f"Record {n}", r) for n, r in enumerate(records, start=1)]
    check_import(org, path, labelled)


@FUZZ
@given(records=record_list(), ascii_only=st.booleans(), bom=st.booleans())
@example(
    records=[
        {
            "received": "2026-11-20",
            "channel": "web",
            "complainant": {"name": "Jan\ud800", "email": "jan@voorbeeld.nl"},
            "subject": "s",
            "description": "d",
        }
    ],
    ascii_only=True,  # "\ud800" in the file: a lone surrogate no database can store
    bom=False,
)
def test_json_import_is_exact_or_refused_whole(org, tmp_path, records, ascii_only, bom):
    text = json.dumps(records, ensure_ascii=ascii_only)
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8", "surrogatepass")
    path = write(tmp_path, ".json", data)
    labelled = [(f"Record {n}", r) for n, r in enumerate(records, start=1)]
    if not ascii_only and re.search(r"[\ud800-\udfff]", text):
        assert import_or_refuse(org, path) is None  # not UTF-8 at all
    else:
        check_import(org, path, labelled)


@FUZZ
@given(records=record_list(), cut=st.floats(0, 1, exclude_max=True))
def test_truncated_json_is_refused(org, tmp_path, records, cut):
    text = json.dumps(records, ensure_ascii=False).rstrip()
    path = write(tmp_path, ".json", text[: int(len(text) * cut)].encode("utf-8", "surrogatepass"))
    with pytest.raises(KlachtDeskError) as info:
        importer.import_file(org.balie, path)
    assert_dutch_refusal(info.value)


@FUZZ
@given(
    records=record_list(),
    encoding=st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"]),
)
def test_json_in_another_encoding_is_refused_or_read_exactly(org, tmp_path, records, encoding):
    text = json.dumps(records, ensure_ascii=False)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode(encoding, "replace")
    path = write(tmp_path, ".json", data)
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = None
    if decoded is None:
        assert import_or_refuse(org, path) is None
    elif decoded == text:  # only ASCII: latin-1 and UTF-8 are the same bytes
        check_import(org, path, [(f"Record {n}", r) for n, r in enumerate(records, start=1)])
    else:  # other text that happens to be UTF-8 too ("Ã©" is "é")
        import_or_refuse(org, path)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=300).map(lambda b: b"[" + b),
        st.binary(max_size=300).map(lambda b: b'[{"received": "2026-11-20", "subject": "' + b),
        st.binary(max_size=300).map(lambda b: b"received;channel;name;subject;description\n" + b),
        st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\x00" * 100, b"", b"   ", b"\n\n"]),
    ),
    suffix=st.sampled_from([".json", ".csv", ".txt", ""]),
)
@example(data=b"[" + b"1" * 5000 + b"]", suffix=".json")  # int() refuses 5,000 digits
@example(data=b"[" * 100_000, suffix=".json")  # RecursionError in the JSON parser
@example(data=b'[{"a": ' * 3000 + b"1" + b"}]" * 3000, suffix=".json")
@example(
    data=b'[{"received": "2026-11-20", "channel": ' + b"[" * 900 + b"]" * 900 + b"}]", suffix=""
)
def test_random_bytes_are_refused_or_imported_whole(org, tmp_path, data, suffix):
    import_or_refuse(org, write(tmp_path, suffix, data))


@pytest.mark.parametrize(
    "document",
    [
        {"klachten": []},
        "tekst",
        42,
        None,
        [],
        [[]],
        [None],
        [{"received": "2026-11-20"}],
        [{"complainant": {"name": ["lijst"]}}],
    ],
)
def test_json_of_the_wrong_shape_gets_a_dutch_message(org, tmp_path, document):
    path = write(tmp_path, ".json", json.dumps(document).encode())
    assert import_or_refuse(org, path) is None


# -- CSV -----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "received",
    "channel",
    "name",
    "street",
    "postcode",
    "city",
    "phone",
    "email",
    "subject",
    "description",
    "category",
    "employee",
    "discussed_with_employee",
    "expectation",
)
_YES_NO = {True: "ja", False: "nee", None: ""}


def csv_row(record: dict) -> dict[str, str]:
    """A good record as the strings of one CSV row."""
    person = record["complainant"]
    row = {k: str(record.get(k) or "") for k in CSV_COLUMNS if k in record}
    row.update({k: str(person.get(k) or "") for k in CSV_COLUMNS if k in person})
    row["discussed_with_employee"] = _YES_NO[record.get("discussed_with_employee")]
    return row


def as_import_record(row: dict[str, str]) -> dict | ValidationError:
    """What the README promises a CSV row means, as a JSON-style record."""
    values = {k.strip().lower(): v.strip() for k, v in row.items()}
    values = {k.removeprefix("complainant_"): v for k, v in values.items()}
    complainant = {k: values.pop(k, "") for k in ("name", "street", "postcode", "city")}
    complainant.update({k: values.pop(k, "") for k in ("phone", "email")})
    record: dict = {**values, "complainant": complainant}
    try:
        record["discussed_with_employee"] = parse_yes_no(
            values.get("discussed_with_employee", ""), "besproken met medewerker"
        )
    except ValidationError as error:
        return error  # the import reports it when it reaches this line
    return record


@st.composite
def csv_file(draw):
    """(file text, records it holds or None when the file is damaged on purpose)."""
    example_id = next(_files)
    rows = [
        csv_row(draw(good_record(f"#{example_id}.{i}"))) for i in range(draw(st.integers(1, 4)))
    ]
    for row in rows:
        if draw(st.integers(0, 4)) == 0:
            key = draw(st.sampled_from(sorted(row)))
            row[key] = draw(
                st.one_of(
                    st.sampled_from(SQL),
                    st.sampled_from(["", "x" * 10_000, "\x00", "\u202e", "nee hoor", "2026-13-01"]),
                    st.text(max_size=20),
                )
            )
    columns = [c for c in CSV_COLUMNS if draw(st.integers(0, 6)) or c in {"name", "subject"}]
    columns = draw(st.permutations(columns))
    header = [
        draw(st.sampled_from([c, c.upper(), f" {c} ", f"complainant_{c}"]))
        if c in {"name", "street", "postcode", "city", "phone", "email"}
        else draw(st.sampled_from([c, c.title()]))
        for c in columns
    ]
    if draw(st.booleans()):
        header.append("extra_kolom")
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    ending = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    if ending == "\r":  # Python 3.11's writer then leaves a "\n" in a field unquoted
        quoting = csv.QUOTE_ALL
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=ending)
    writer.writerow(header)
    file_rows = []
    for row in rows:
        cells = [row.get(c, "") for c in columns] + (["iets"] if len(header) > len(columns) else [])
        writer.writerow(cells)
        file_rows.append(dict(zip(header, cells, strict=True)))
    text = buffer.getvalue()
    damage = draw(st.sampled_from([None] * 6 + ["delimiter", "quote", "raw", "cut"]))
    if damage == "delimiter":
        text = text.replace(delimiter, "|")
    elif damage == "quote":
        at = draw(st.integers(len(text) // 2, len(text)))
        text = text[:at] + f'{delimiter}"niet gesloten' + text[at:]
    elif damage == "raw":
        lines = [delimiter.join(header)] + [delimiter.join(r.values()) for r in file_rows]
        text = "\n".join(lines)
    elif damage == "cut":
        text = text[: draw(st.integers(0, len(text) - 1))]
    if damage is not None:
        return text, None
    present = {c for c in columns}
    if not {"received", "channel", "name", "subject", "description"} <= present:
        return text, "missing"
    records = [(f"Regel {n}", as_import_record(r)) for n, r in enumerate(file_rows, start=2)]
    return text, records


@FUZZ
@given(case=csv_file(), bom=st.booleans())
def test_csv_import_is_exact_or_refused_whole(org, tmp_path, case, bom):
    text, records = case
    path = write(tmp_path, ".csv", ("\ufeff" if bom else "").encode() + text.encode())
    if isinstance(records, list):
        check_import(org, path, records)
        event("csv outcome checked exactly")
    else:
        refs = import_or_refuse(org, path)
        if records == "missing":
            assert refs is None


def test_a_quote_never_closed_does_not_swallow_the_rows_after_it(org, tmp_path):
    """Before: the rest of the file became the description of one case, silently."""
    text = (
        "received;channel;name;email;subject;description\n"
        '2026-11-20;web;Jan;jan@voorbeeld.nl;Lekkage;"Het lekt\n'
        "2026-11-21;web;Piet;piet@voorbeeld.nl;Tocht;Het tocht\n"
        "2026-11-22;web;Klaas;klaas@voorbeeld.nl;Schimmel;Er is schimmel\n"
    )
    path = write(tmp_path, ".csv", text.encode())
    assert import_or_refuse(org, path) is None
    with pytest.raises(KlachtDeskError, match=r"regel 2: een aanhalingsteken"):
        importer.parse_file(path, TODAY)


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_csv_with_any_line_ending_and_a_line_break_in_a_field(org, tmp_path, ending):
    """Before: a file with only '\\r' (old Mac, some web forms) raised csv.Error."""
    text = ending.join(
        [
            "received;channel;name;email;subject;description",
            '2026-11-20;web;Jan;jan@voorbeeld.nl;Lekkage;"Het lekt.\nAl weken."',
            "2026-11-21;web;Piet;piet@voorbeeld.nl;Tocht;Het tocht",
            "",
        ]
    )
    path = write(tmp_path, ".csv", text.encode())
    refs = import_or_refuse(org, path)
    assert refs is not None and len(refs) == 2
    assert case_view.case_detail(org.coordinator, refs[0]).description == "Het lekt.\nAl weken."


def test_a_field_over_128_kb_is_named_not_a_csv_error(org, tmp_path):
    """Before: csv.Error 'field larger than field limit (131072)' reached the user."""
    text = "received;channel;name;email;subject;description\n"
    text += "2026-11-20;web;Jan;jan@voorbeeld.nl;Lekkage;" + "d" * 200_000 + "\n"
    with pytest.raises(ValidationError) as info:
        importer.import_file(org.balie, write(tmp_path, ".csv", text.encode()))
    assert str(info.value) == (
        "Regel 2, veld 'omschrijving': is te lang (200000 tekens; ten hoogste 20000)."
    )


# -- SQL-looking text in every field -------------------------------------------------------------

VALID = {
    "received": "2026-11-20",
    "channel": "web",
    "complainant": {
        "name": "Fatima el Amrani",
        "street": "Lindelaan 4",
        "postcode": "3511ab",
        "city": "Utrecht",
        "phone": "06 12345678",
        "email": "fatima@voorbeeld.nl",
        "member_number": "H-1",
        "salutation": "mevrouw",
        "prefers_email": True,
    },
    "subject": "Lekkage badkamer",
    "description": "Het plafond lekt.",
    "category": "Onderhoud en reparaties",
    "department": "Wonen",
    "employee": "Erik Hoekstra",
    "discussed_with_employee": True,
    "expectation": "Reparatie.",
}
REFUSED = {  # field in the file → Dutch field name in the message
    "received": "ontvangen",
    "channel": "kanaal",
    "postcode": "postcode",
    "phone": "telefoon",
    "email": "e-mail",
    "salutation": "aanhef",
    "prefers_email": "voorkeur e-mail",
    "category": "categorie",
    "department": "afdeling",
    "discussed_with_employee": "besproken met medewerker",
}


def record_with(field: str, value) -> dict:
    record = json.loads(json.dumps(VALID))
    (record["complainant"] if field in COMPLAINANT_KEYS else record)[field] = value
    return record


@pytest.mark.parametrize("sql", SQL)
@pytest.mark.parametrize("field", sorted({*FREE_TEXT, *REFUSED}))
def test_sql_text_in_any_field_is_kept_verbatim_or_refused_by_name(org, tmp_path, field, sql):
    records = [VALID, record_with(field, sql)]
    path = write(tmp_path, ".json", json.dumps(records).encode())
    before = stamp(org)
    if field in FREE_TEXT:
        refs = importer.import_file(org.balie, path)
        if field in RECOGNISED:
            # Record 2 is the person of record 1 (name and e-mail address): an import never
            # writes over a known complainant, the text waits verbatim as a difference until
            # the coordinator takes it over.
            import_review.accept_imported(org.coordinator, refs[1], RECOGNISED[field])
        detail = case_view.case_detail(org.coordinator, refs[1])
        assert getattr(detail, FREE_TEXT[field][0]) == sql
        assert stamp(org)[0] == before[0] + 2
    else:
        with pytest.raises(ValidationError) as info:
            importer.import_file(org.balie, path)
        assert str(info.value).startswith(f"Record 2, veld '{REFUSED[field]}': ")
        assert stamp(org) == before


def test_sql_text_in_every_text_field_at_once_round_trips(org, tmp_path):
    record = json.loads(json.dumps(VALID))
    for number, field in enumerate(FREE_TEXT):
        text = SQL[number % 2]
        (record["complainant"] if field in COMPLAINANT_KEYS else record)[field] = text
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    row = csv_row(record)
    writer.writerow(list(row))
    writer.writerow(list(row.values()))
    for path in (
        write(tmp_path, ".json", json.dumps([record], ensure_ascii=False).encode()),
        write(tmp_path, ".csv", buffer.getvalue().encode()),
    ):
        (ref,) = importer.import_file(org.balie, path)
        detail = case_view.case_detail(org.coordinator, ref)
        for number, (field, (attribute, _)) in enumerate(FREE_TEXT.items()):
            if field == "member_number" and path.suffix == ".csv":
                continue  # not a CSV column
            assert getattr(detail, attribute) == SQL[number % 2], field
    # The tables the text talks about are still there, with both cases in them.
    assert len(case_view.case_ids(org.coordinator)) == 2
    assert [m.name for m in case_view.find_complainants(org.coordinator, SQL[0])] == [SQL[0]]
    # ... and the text can be searched for like any other.
    for words in (SQL[0], SQL[1], "DROP TABLE", "complainants;--"):
        found = case_view.case_ids(org.coordinator, case_view.CaseFilter(search=words))
        assert len(found) == 2, words


# -- never half a file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"category": "Bestaat niet"}, "Record 3, veld 'categorie': 'Bestaat niet' is onbekend"),
        ({"department": "Nergens"}, "Record 3, veld 'afdeling': 'Nergens' is onbekend"),
        ({"received": "2026-11-26"}, "Record 3, veld 'ontvangen': de datum van ontvangst"),
    ],
)
def test_a_bad_last_record_stores_none_of_the_good_ones(org, tmp_path, bad, message):
    """The last check fails inside the database transaction: the first two must go too."""
    records = [VALID, VALID, {**VALID, **bad}]
    path = write(tmp_path, ".json", json.dumps(records).encode())
    before = stamp(org)
    with pytest.raises(ValidationError) as info:
        importer.import_file(org.balie, path)
    assert str(info.value).startswith(message)
    assert stamp(org) == before


# -- the command line ----------------------------------------------------------------------------


def run_import(org, tmp_path: Path, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "klachtdesk", "import", "--db", str(org.path), str(path)],
        env=cli_env(tmp_path, "balie"),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("random.json", bytes(range(256)) * 4, "is geen UTF-8-tekst"),
        ("diep.json", b"[" * 100_000, "is geen bruikbare JSON"),
        ("getal.json", b"[" + b"9" * 5000 + b"]", "is geen bruikbare JSON"),
        ("afgebroken.json", json.dumps([VALID, VALID]).encode()[:-40], "is geen geldige JSON"),
        ("utf16.csv", "received;channel\n".encode("utf-16"), "is geen UTF-8-tekst"),
        (
            "aanhalingsteken.csv",
            b'received;channel;name;email;subject;description\n2026-11-20;web;"Jan\n',
            "regel 2: een aanhalingsteken",
        ),
        (
            "sql.json",
            json.dumps([VALID, record_with("postcode", SQL[0])]).encode(),
            "Record 2, veld 'postcode': is te lang (23 tekens; ten hoogste 20).",
        ),
    ],
)
def test_cli_refuses_bad_files_in_dutch_without_traceback(org, tmp_path, name, data, message):
    before = stamp(org)
    path = tmp_path / name
    path.write_bytes(data)
    result = run_import(org, tmp_path, path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and "onverwachts" not in result.stderr
    assert stamp(org) == before


def test_cli_imports_sql_text_verbatim(org, tmp_path):
    record = record_with("name", SQL[1])
    record["subject"] = SQL[0]
    path = tmp_path / "sql.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    result = run_import(org, tmp_path, path)
    assert result.returncode == 0, result.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "klachtdesk", "cases", "--db", str(org.path), "--json"],
        env=cli_env(tmp_path, "balie"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    (case,) = json.loads(listed.stdout)
    assert case["complainant"] == SQL[1]
    assert case["subject"] == SQL[0]
