"""Importing complaints from a web-form export (JSON or CSV): one file, one transaction."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from klachtdesk.domain.contact import CONTACT_FIELDS, ContactField, differences, values_of
from klachtdesk.domain.deadlines import initial_deadlines
from klachtdesk.domain.errors import KlachtDeskError, ValidationError
from klachtdesk.domain.states import IMPORT_ROLES, Status
from klachtdesk.domain.validation import ComplainantInput, ComplaintInput, parse_yes_no
from klachtdesk.domain.values import case_reference
from klachtdesk.services.admin.settings import load_calendar
from klachtdesk.services.cases.cases import (
    by_name,
    complaint_columns,
    current_procedure_version,
    deadline_columns,
    event_data,
    procedure_of,
    registered,
    same_complainant,
)
from klachtdesk.services.context import Context, audit_many
from klachtdesk.storage.models import (
    Case,
    Category,
    Complainant,
    Deadline,
    Department,
    Employee,
    Event,
    ImportDifference,
    RefCounter,
)
from klachtdesk.storage.server import follow_ids

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


# The registration event of a case whose complainant was recognised, when the record said
# something else than what is stored: which fields (labels, never values).
DIFFERENCES_NOTED = "afwijkende_gegevens"
_CHUNK = 500  # names per query (SQLite limits the number of parameters)
_CONTACT_COLUMNS = [column for item in CONTACT_FIELDS for column in item.columns]
# The columns of a new case that no complaint fills in (the ORM's defaults, for bulk rows).
_CASE_DEFAULTS = {
    "handler_id": None,
    "not_admissible_reason": None,
    "referral_to": "",
    "outcome": None,
    "motivation": "",
    "solution": "",
    "decided_on": None,
    "director_outcome": None,
    "director_motivation": "",
    "director_decided_on": None,
    "satisfied": None,
    "satisfaction_unreachable": False,
    "appeal_grounds": "",
    "independence_note": "",
    "closed_on": None,
    "anonymised_at": None,
}


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


# -- importing: prepare without the lock, write in one short transaction ---------------------
@dataclass
class _Record:
    """One complaint, resolved against the database and ready to be written."""

    label: str
    complaint: ComplaintInput
    category_id: int | None
    department_id: int | None
    employee_id: int | None
    employee_name: str
    deadlines: dict
    complainant: int = 0  # index into _Plan.people
    differences: list[ContactField] = field(default_factory=list)


@dataclass
class _Person:
    """A complainant the import uses: a stored one (``id``) or one it adds (``values``)."""

    id: int | None
    values: dict[str, Any]


@dataclass
class _Plan:
    version_id: int
    records: list[_Record]
    people: list[_Person]


def _active(session: Session, model) -> dict[str, tuple]:
    """Active rows by their name as the database lowers it (as ``cases.by_name`` compares)."""
    columns = [model.id, model.name]
    if model is Employee:
        columns.append(Employee.department_id)
    query = select(func.lower(model.name), *columns).where(model.active).order_by(model.id)
    found: dict[str, tuple] = {}
    for key, *row in session.execute(query):
        found.setdefault(key, tuple(row))
    return found


def _resolve(session: Session, model, known: dict, name: str, label: str, required: bool):
    if not name:
        return None
    row = known.get(name.lower())
    if row is None and required:
        by_name(session, model, name, label, required=True)  # raises with the known names
    return row


def _known_people(session: Session, complaints) -> dict[str, list[tuple]]:
    """Stored complainants with a name in the file, newest first, by lowered name."""
    names = sorted({c.complainant.name.lower() for _, c in complaints})
    columns = [Complainant.id, Complainant.postcode, Complainant.email] + [
        getattr(Complainant, column) for item in CONTACT_FIELDS for column in item.columns
    ]
    people: dict[str, list[tuple]] = {}
    for start in range(0, len(names), _CHUNK):
        query = (
            select(func.lower(Complainant.name), *columns)
            .where(func.lower(Complainant.name).in_(names[start : start + _CHUNK]))
            .where(Complainant.anonymised_at.is_(None))
            .order_by(Complainant.id.desc())
        )
        for key, *row in session.execute(query):
            people.setdefault(key, []).append(tuple(row))
    return people


def _contact(person: ComplainantInput) -> dict[str, Any]:
    return {
        "name": person.name,
        "street": person.street,
        "postcode": person.postcode,
        "city": person.city,
        "phone": person.phone,
        "email": person.email,
        "salutation": person.salutation.value,
        "member_number": person.member_number,
        "prefers_email": person.prefers_email,
    }


def _plan(session: Session, complaints: list[tuple[str, ComplaintInput]]) -> _Plan:
    """Everything the import will write, worked out by reading only: the references to
    categories, departments and employees (a wrong one is refused here, naming the record),
    the deadlines, and which complainant each record is about."""
    calendar = load_calendar(session)
    version = current_procedure_version(session)
    procedure = procedure_of(version)
    categories, departments = _active(session, Category), _active(session, Department)
    employees = _active(session, Employee)
    deadlines: dict = {}
    records = []
    for label, complaint in complaints:
        try:
            category = _resolve(
                session, Category, categories, complaint.category, "categorie", True
            )
            department = _resolve(
                session, Department, departments, complaint.department, "afdeling", True
            )
            employee = _resolve(
                session, Employee, employees, complaint.employee, "medewerker", False
            )
        except ValidationError as error:
            raise error.in_record(label) from None
        department_id = department[0] if department else None
        if employee is not None and department_id is None:
            department_id = employee[2]
        received = complaint.received
        if received not in deadlines:
            deadlines[received] = initial_deadlines(received, procedure, calendar)
        records.append(
            _Record(
                label=label,
                complaint=complaint,
                category_id=category[0] if category else None,
                department_id=department_id,
                employee_id=employee[0] if employee else None,
                employee_name=employee[1] if employee else complaint.employee,
                deadlines=deadlines[received],
            )
        )
    return _Plan(version.id, records, _match(session, records, complaints))


def _match(session: Session, records: list[_Record], complaints) -> list[_Person]:
    """Which complainant each record is about (``cases.same_complainant``: same name, and the
    same postcode or e-mail address, the newest first). A known one is never changed: what
    the record says differently is kept as its differences. Records of one new person later
    in the file are about the complainant the first of them adds."""
    known = _known_people(session, complaints)
    people: list[_Person] = []
    candidates: dict[str, list[tuple[int, str, str, dict[str, Any]]]] = {}
    for name, rows in known.items():
        for person_id, postcode, email, *contact in rows:
            people.append(_Person(person_id, {}))
            values = dict(zip(_CONTACT_COLUMNS, contact, strict=True))
            candidates.setdefault(name, []).append((len(people) - 1, postcode, email, values))
    for record in records:
        data = record.complaint.complainant
        imported = _contact(data)
        same = candidates.setdefault(data.name.lower(), [])
        match = next((c for c in same if same_complainant(c[1], c[2], data)), None)
        if match is None:
            people.append(_Person(None, imported))
            same.insert(0, (len(people) - 1, data.postcode, data.email, imported))
            record.complainant = len(people) - 1
        else:
            record.complainant = match[0]
            record.differences = differences(match[3], imported)
    return people


def _next_ids(session: Session, *models) -> dict:
    """The first free id of each table (the write lock is held: nobody else adds rows;
    ``follow_ids`` tells a server's sequences afterwards)."""
    return {model: (session.scalar(select(func.max(model.id))) or 0) + 1 for model in models}


def _write(session: Session, ctx: Context, plan: _Plan, suffix: str) -> list[str]:
    """All rows of the import in bulk, inside the caller's write transaction."""
    now = ctx.now()
    ids = _next_ids(session, Complainant, Case, Deadline, Event, ImportDifference)
    person_ids, new_people = [], []
    for person in plan.people:
        if person.id is not None:
            person_ids.append(person.id)
            continue
        person_ids.append(ids[Complainant])
        values = {k: v for k, v in person.values.items()}
        new_people.append({"id": ids[Complainant], "created_at": now, "version": 1, **values})
        ids[Complainant] += 1
    counters = {c.year: c for c in session.scalars(select(RefCounter))}
    refs, case_rows, deadline_rows, event_rows, difference_rows = [], [], [], [], []
    for record in plan.records:
        complaint = record.complaint
        year = complaint.received.year
        counter = counters.get(year)
        if counter is None:
            counter = counters[year] = RefCounter(year=year, last=0)
            session.add(counter)
        counter.last += 1
        ref = case_reference(year, counter.last)
        case_id = ids[Case]
        ids[Case] += 1
        refs.append(ref)
        first = min(record.deadlines.items(), key=lambda item: item[1].due, default=None)
        case_rows.append(
            {
                **_CASE_DEFAULTS,
                **complaint_columns(complaint),
                "id": case_id,
                "ref": ref,
                "seq": counter.last,
                "version": 1,
                "procedure_version_id": plan.version_id,
                "complainant_id": person_ids[record.complainant],
                "category_id": record.category_id,
                "department_id": record.department_id,
                "employee_id": record.employee_id,
                "employee_name": record.employee_name,
                "created_at": now,
                "updated_at": now,
                "next_due": first[1].due if first else None,
                "next_due_kind": first[0].value if first else None,
            }
        )
        for kind, computed in record.deadlines.items():
            deadline_rows.append(
                {"id": ids[Deadline], "case_id": case_id, **deadline_columns(kind, computed, ctx)}
            )
            ids[Deadline] += 1
        said = registered(complaint)
        if record.differences:
            said[DIFFERENCES_NOTED] = ", ".join(item.label for item in record.differences)
        event_rows.append(
            {
                "id": ids[Event],
                "case_id": case_id,
                "at": now,
                "user_id": ctx.actor.user_id,
                "kind": "geregistreerd",
                "from_status": None,
                "to_status": Status.ONTVANGEN.value,
                "data": event_data(**said),
            }
        )
        ids[Event] += 1
        whole = json.dumps(_contact(complaint.complainant), ensure_ascii=False)
        for item in record.differences:
            imported = values_of(item, _contact(complaint.complainant))
            difference_rows.append(
                {
                    "id": ids[ImportDifference],
                    "case_id": case_id,
                    "complainant_id": person_ids[record.complainant],
                    "field": item.key,
                    "imported": json.dumps(imported, ensure_ascii=False),
                    "record": whole,
                    "created_at": now,
                    "resolved_at": None,
                    "resolved_by_id": None,
                    "resolution": "",
                }
            )
            ids[ImportDifference] += 1
    for model, rows in (
        (Complainant, new_people),
        (Case, case_rows),
        (Deadline, deadline_rows),
        (Event, event_rows),
        (ImportDifference, difference_rows),
    ):
        if rows:
            session.execute(insert(model.__table__), rows)
    # on a server: the id sequences continue after the ids given here
    follow_ids(session.connection(), [Complainant, Case, Deadline, Event, ImportDifference])
    session.flush()  # the reference counters
    audit_many(
        session,
        ctx,
        [*(("zaak_geregistreerd", ref, "") for ref in refs)]
        + [("import", "", f"{len(refs)} klachten uit {suffix} bestand" + _noted(plan))],
    )
    return refs


def _noted(plan: _Plan) -> str:
    count = sum(1 for record in plan.records if record.differences)
    if not count:
        return ""
    return f"; bij {count} {'klacht' if count == 1 else 'klachten'} andere contactgegevens"


def import_file(ctx: Context, path: Path) -> list[str]:
    """Import all complaints in ``path`` or none; returns the new references.

    Everything is read, validated and matched before the write lock is asked for; then all
    rows are written in one short transaction (thousands of complaints a second), so other
    PCs are never locked out for long. When someone else committed in between (SQLite's
    data_version says so), the preparation is done again inside the write transaction.
    A known complainant's stored data is never changed: differences wait with the new case
    (``services.cases.import_review``).
    """
    ctx.actor.require(*IMPORT_ROLES, what="klachten importeren")
    complaints = parse_file(path, ctx.today())
    with ctx.db.pinned() as pinned:
        with pinned.session() as session:
            plan = _plan(session, complaints)
            seen = pinned.data_version()
        with pinned.session(write=True) as session:
            if pinned.data_version() != seen:
                plan = _plan(session, complaints)
            return _write(session, ctx, plan, Path(path).suffix)
