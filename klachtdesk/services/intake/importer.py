"""Importing complaints from a web-form export (JSON or CSV): one file, one transaction."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from klachtdesk.domain.errors import KlachtDeskError, ValidationError
from klachtdesk.domain.states import IMPORT_ROLES
from klachtdesk.domain.validation import ComplaintInput, parse_yes_no
from klachtdesk.services.admin.settings import load_calendar
from klachtdesk.services.cases.cases import current_procedure_version, register_in
from klachtdesk.services.context import Context, audit

MAX_FILE_BYTES = 50 * 1024 * 1024
COMPLAINANT_FIELDS = ("name", "street", "postcode", "city", "phone", "email")
KNOWN_COLUMNS = (
    "received",
    "channel",
    "subject",
    "description",
    "category",
    "employee",
    "discussed_with_employee",
    "expectation",
)


class ImportFileError(KlachtDeskError):
    exit_code = 2


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(f"Het bestand '{path.name}' is te groot (meer dan 50 MB).")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"Het bestand '{path}' bestaat niet.") from None
    except IsADirectoryError:
        raise ImportFileError(f"'{path}' is een map, geen bestand.") from None
    except OSError:
        raise ImportFileError(
            f"Het bestand '{path.name}' kan niet worden gelezen. Controleer of u het mag openen "
            "en of het niet in een ander programma openstaat."
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            f"Het bestand '{path.name}' is geen UTF-8-tekst. Sla het op als UTF-8 (CSV UTF-8 in "
            "Excel) en probeer het opnieuw."
        ) from None


def _records_from_json(text: str, name: str) -> list[tuple[str, object]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"'{name}' is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno})."
        ) from None
    except (ValueError, RecursionError):
        # A number of thousands of digits, or lists nested thousands deep: valid JSON
        # syntax, but no web form writes it and Python refuses to read it.
        raise ImportFileError(
            f"'{name}' is geen bruikbare JSON: er staat een getal van duizenden cijfers of een "
            "veel te diep geneste lijst in."
        ) from None
    if not isinstance(data, list):
        raise ImportFileError(f"'{name}' moet een lijst van klachten bevatten ([ {{…}}, … ]).")
    return [(f"Record {number}", item) for number, item in enumerate(data, start=1)]


def _csv_rows(text: str, delimiter: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """(record number, fields) of each row; the header is record 1, as in Excel.

    Strict: a quote that is never closed would otherwise swallow every row after it into
    one field, and a stray quote would silently disappear.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise ImportFileError(
                f"'{name}', regel {number}: een aanhalingsteken (\") staat verkeerd of wordt "
                "niet gesloten. Een veld dat met een aanhalingsteken begint, moet er ook mee "
                'eindigen; een aanhalingsteken binnen zo\'n veld schrijft u dubbel ("").'
            ) from None
        yield number, row


def _records_from_csv(text: str, name: str) -> list[tuple[str, object]]:
    # The header decides the delimiter: Dutch Excel writes ';', other tools ',' or tabs,
    # and free text in the rows may contain any of them. Column names may be quoted.
    header = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    known = {*COMPLAINANT_FIELDS, *KNOWN_COLUMNS}
    delimiter = max(
        (";", ",", "\t"),
        key=lambda d: sum(
            h.strip().lower().removeprefix("complainant_") in known
            for h in next(csv.reader([header], delimiter=d), [])
        ),
    )
    # Fields longer than the csv module's default limit (128 KB) must reach validation,
    # which names the field; the file itself is at most MAX_FILE_BYTES.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    rows = _csv_rows(text, delimiter, name)
    headers = [h.strip().lower() for h in next(rows, (1, []))[1]]
    required = {"received", "channel", "name", "subject", "description"}
    missing = sorted(required - {h.removeprefix("complainant_") for h in headers})
    if missing:
        raise ImportFileError(
            f"In '{name}' ontbreken de kolommen: {', '.join(missing)}. De eerste regel moet de "
            "kolomnamen bevatten (zie de README, 'Importformaat')."
        )
    records = []
    for line_number, row in rows:
        line = f"Regel {line_number}"
        if len(row) > len(headers):
            raise ValidationError("kolommen", "bevat meer velden dan er kolommen zijn.", line)
        values: dict[str, str] = {}
        for key, value in zip(headers, row, strict=False):
            if key:
                values[key] = value.strip()
        if not any(values.values()):
            continue  # an empty line, as Excel likes to leave at the end
        complainant = {
            f: values.pop(f, values.pop(f"complainant_{f}", "")) for f in COMPLAINANT_FIELDS
        }
        record: dict = {**values, "complainant": complainant}
        discussed = values.get("discussed_with_employee", "")
        try:
            record["discussed_with_employee"] = parse_yes_no(discussed, "besproken met medewerker")
        except ValidationError as error:
            # Reported in its turn: a wrong answer here must not hide an error on an
            # earlier line.
            records.append((line, error))
            continue
        records.append((line, record))
    return records


def parse_file(path: Path, today) -> list[tuple[str, ComplaintInput]]:
    """Read and validate every record; the first bad record stops everything.

    Each complaint comes with its label ('Record 3', 'Regel 4') for messages.
    """
    path = Path(path)
    text = _read_text(path)
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        records = _records_from_json(text, path.name)
    else:
        records = _records_from_csv(text, path.name)
    if not records:
        raise ImportFileError(f"'{path.name}' bevat geen klachten.")
    result = []
    for label, record in records:
        try:
            if isinstance(record, ValidationError):
                raise record
            result.append((label, ComplaintInput.validated(record, today)))
        except ValidationError as error:
            raise error.in_record(label) from None
    return result


def import_file(ctx: Context, path: Path) -> list[str]:
    """Import all complaints in ``path`` or none; returns the new references."""
    ctx.actor.require(*IMPORT_ROLES, what="klachten importeren")
    complaints = parse_file(path, ctx.today())
    refs = []
    with ctx.db.session(write=True) as session:
        calendar = load_calendar(session)
        version = current_procedure_version(session)
        for label, complaint in complaints:
            try:
                refs.append(register_in(session, ctx, complaint, calendar, version).ref)
            except ValidationError as error:
                raise error.in_record(label) from None
        audit(
            session, ctx, "import", detail=f"{len(refs)} klachten uit {Path(path).suffix} bestand"
        )
    return refs
