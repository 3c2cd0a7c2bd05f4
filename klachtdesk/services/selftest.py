"""The self-test behind `klachtdesk --self-test`: the whole chain on a throw-away database.

It proves that an installed KlachtDesk (above all the PyInstaller build, where a missing
hidden import or data file only shows at run time) has what it needs: SQLCipher and the
Alembic migrations, the Dutch holiday data, phone-number and e-mail validation, ReportLab
with the bundled fonts, PDFium and Pillow for the charts, and the integrity check.

Everything happens in a fresh temporary folder that is removed afterwards; the user's own
database and settings are not touched. Qt is checked by the caller (the command line passes
it as an extra step): services know no Qt.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from klachtdesk.domain.calendar import DeadlineCalendar
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.paths import resource_path
from klachtdesk.services import report
from klachtdesk.services.admin import admin, setup
from klachtdesk.services.cases import agenda, case_view, cases
from klachtdesk.services.context import Context
from klachtdesk.services.letters import letters
from klachtdesk.services.safety import check
from klachtdesk.storage import migrate

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SQLITE_MAGIC = b"SQLite format 3\x00"  # what an unencrypted database file starts with
EMBEDDED_FONT = b"DejaVuSans"  # the bundled font's name inside a PDF that embeds it
LETTER_TYPE = "ontvangstbevestiging"
ADMIN, WORKER = "beheer", "zelftest"

# A step gets the state so far and returns a short Dutch description of what it proved.
ExtraStep = tuple[str, Callable[[Context], str]]


class SelfTestFailed(KlachtDeskError):
    """A step of the self-test failed; ``step`` names it, the message says why (Dutch)."""

    def __init__(self, step: str, reason: str):
        self.step = step
        self.reason = reason
        super().__init__(f"De zelftest is mislukt bij de stap '{step}': {reason}")


@dataclass(frozen=True)
class StepResult:
    step: str
    detail: str


@dataclass
class _State:
    folder: Path
    today: date
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    database: Path | None = None
    ctx: Context | None = None
    ref: str = ""

    @property
    def context(self) -> Context:
        if self.ctx is None:
            raise KlachtDeskError("er is geen geopende database (een eerdere stap ontbrak).")
        return self.ctx


def run(
    say: Callable[[str], None] = print,
    extra: Sequence[ExtraStep] = (),
    temp_root: Path | None = None,
) -> list[StepResult]:
    """Run every step in a new temporary folder, reporting each with ``say`` (Dutch).

    ``extra`` steps (the Qt check) run after the others, with the unlocked context. The
    folder is removed afterwards, also after a failure. Raises SelfTestFailed at the first
    step that fails; the steps after it do not run.
    """
    results: list[StepResult] = []
    with tempfile.TemporaryDirectory(prefix="klachtdesk-zelftest-", dir=temp_root) as folder:
        state = _State(Path(folder), date.today())
        steps: list[tuple[str, Callable[[], str]]] = [
            ("versleutelde database", lambda: _create_database(state)),
            ("feestdagen", lambda: _holidays(state)),
            ("zaak registreren", lambda: _register(state)),
            ("zoeken", lambda: _search(state)),
            ("termijnen naar de agenda", lambda: _agenda(state)),
            ("brief (PDF)", lambda: _letter(state)),
            ("evaluatierapport (PDF)", lambda: _report(state)),
            ("databasecontrole", lambda: _check(state)),
            ("PostgreSQL-stuurprogramma", _server_driver),
        ]
        steps += [(name, (lambda f=func: f(state.context))) for name, func in extra]
        try:
            for name, func in steps:
                detail = _run_step(name, func)
                results.append(StepResult(name, detail))
                say(f"  in orde  {name}: {detail}")
        finally:
            if state.ctx is not None:
                state.ctx.db.dispose()  # before the folder goes (Windows keeps open files)
    return results


def _run_step(name: str, func: Callable[[], str]) -> str:
    try:
        return func()
    except KlachtDeskError as error:
        raise SelfTestFailed(name, str(error)) from error
    except ImportError as error:  # the typical gap in a frozen build: a missing hidden import
        missing = error.name or str(error)
        raise SelfTestFailed(
            name, f"een onderdeel van het programma ontbreekt ({missing}): {error}"
        ) from error
    except Exception as error:  # noqa: BLE001 - every failure must name its step
        raise SelfTestFailed(name, f"onverwachte fout ({type(error).__name__}: {error})") from error


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise KlachtDeskError(reason)


# -- the steps ------------------------------------------------------------------------------
def _create_database(state: _State) -> str:
    path = state.folder / "zelftest.kdb"
    setup.create_database(path, "Zelftest KlachtDesk", "woonpartners", ADMIN, state.password)
    beheer = setup.unlock(path, ADMIN, state.password)
    try:
        setup.add_user(beheer, WORKER, "Zelftest Medewerker", "coordinator,manager", state.password)
        # The application icon as letterhead logo: the letter then shows that images work.
        admin.save_settings(beheer, {}, logo=resource_path("icons", "klachtdesk.png").read_bytes())
    finally:
        beheer.db.dispose()
    state.database = path
    state.ctx = setup.unlock(path, WORKER, state.password)
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    _require(head != SQLITE_MAGIC, "het databasebestand is niet versleuteld.")
    revision = migrate.current_revision(state.ctx.db)
    _require(
        revision == migrate.head_revision(),
        f"het schema staat op versie {revision} in plaats van {migrate.head_revision()}.",
    )
    return f"aangemaakt en geopend (SQLCipher, schemaversie {revision})"


def _holidays(state: _State) -> str:
    christmas = date(state.today.year, 12, 25)
    name = DeadlineCalendar().public_holiday(christmas)
    _require(
        name == "Eerste Kerstdag",
        f"25 december heet '{name}' in plaats van 'Eerste Kerstdag' (Nederlandse namen "
        "van de feestdagen ontbreken).",
    )
    return f"25-12-{christmas.year} is {name}"


def _register(state: _State) -> str:
    complaint = ComplaintInput.validated(
        {
            "received": state.today.isoformat(),
            "channel": "telefoon",
            "complainant": {
                "name": "Zelftest Klager",
                "street": "Proefstraat 1",
                "postcode": "1234ab",
                "city": "Utrecht",
                "phone": "06 12345678",
                "email": "zelftest@example.nl",
            },
            "subject": "Zelftest van KlachtDesk",
            "description": "Een proefklacht die de zelftest registreert en weer verwijdert.",
            "category": "Dienstverlening",
        },
        state.today,
    )
    state.ref = cases.register(state.context, complaint)
    rows = [row for row in cases.list_cases(state.context) if row.ref == state.ref]
    _require(len(rows) == 1, f"zaak {state.ref} staat niet in de lijst met zaken.")
    _require(bool(rows[0].deadlines), f"zaak {state.ref} heeft geen termijnen gekregen.")
    return f"zaak {state.ref} met {_terms(len(rows[0].deadlines))}"


def _search(state: _State) -> str:
    ctx = state.context
    found = case_view.list_rows(ctx, case_view.case_ids(ctx, case_view.CaseFilter("proefklacht")))
    _require(
        [row.ref for row in found] == [state.ref],
        "zoeken op een woord uit de klacht vindt de zaak niet.",
    )
    people = case_view.find_complainants(ctx, "Zelftest Klagr")  # a typo, on purpose
    _require(bool(people), "zoeken op een naam met een tikfout vindt de klager niet.")
    return "de zaak gevonden op een woord uit de klacht, de klager op een naam met tikfout"


def _agenda(state: _State) -> str:
    ctx = state.context
    items = agenda.deadlines_between(ctx, state.today, state.today + timedelta(days=366))
    data = agenda.export_ics(ctx, items)
    _require(
        data.startswith(b"BEGIN:VCALENDAR") and state.ref.encode() in data,
        "het agendabestand (iCalendar) bevat de termijnen van de zaak niet.",
    )
    return f"{_terms(len(items))} als iCalendar-bestand ({_kb(len(data))})"


def _letter(state: _State) -> str:
    ctx = state.context
    draft = letters.draft(ctx, state.ref, LETTER_TYPE)
    letter_id = letters.finalise(ctx, state.ref, draft, "post")
    data = letters.letter_pdf(ctx, letter_id)  # checks the stored SHA-256 itself
    stored = letters.stored_letter(ctx, letter_id)
    _require(data.startswith(PDF_MAGIC), "de opgeslagen brief is geen PDF-bestand.")
    _require(
        hashlib.sha256(data).hexdigest() == stored.sha256,
        "de controlecode (SHA-256) van de opgeslagen brief klopt niet.",
    )
    _require(EMBEDDED_FONT in data, "het lettertype DejaVu Sans is niet in de brief opgenomen.")
    _require(b"/Subtype /Image" in data, "het logo staat niet op de brief.")
    copy = letters.save_letter_as(ctx, letter_id, state.folder / "brief.pdf")
    _require(copy.read_bytes() == data, "de opgeslagen kopie van de brief wijkt af.")
    return f"'{draft.label}' met logo opgeslagen, {_kb(len(data))}, SHA-256 klopt"


def _report(state: _State) -> str:
    ctx = state.context
    period = f"{state.today.year}H{1 if state.today.month <= 6 else 2}"
    evaluation = report.evaluation(ctx, period)
    path = report.save_pdf(ctx, evaluation, state.folder / "rapport.pdf")
    data = path.read_bytes()
    _require(data.startswith(PDF_MAGIC), "het rapport is geen PDF-bestand.")
    _require(EMBEDDED_FONT in data, "het lettertype DejaVu Sans is niet in het rapport opgenomen.")
    charts = report.chart_images(evaluation, scale=0.5)  # PDFium and Pillow
    _require(
        bool(charts) and all(png.startswith(PNG_MAGIC) for _, png in charts),
        "de grafieken van het rapport konden niet als afbeelding worden getekend.",
    )
    return f"over {evaluation.period.label}, {_kb(len(data))}, {len(charts)} grafieken getekend"


def _check(state: _State) -> str:
    result = check.check_database(state.context)
    _require(result.ok, "; ".join(result.problems) or "de database is niet in orde.")
    return "de database is in orde (" + ", ".join(result.facts) + ")"


def _server_driver() -> str:
    """What a database on a PostgreSQL server needs: psycopg with its own libpq (the
    installer must carry the compiled part, which psycopg finds by name at run time)."""
    from klachtdesk.storage.server import require_driver

    require_driver()
    import psycopg
    from sqlalchemy.dialects.postgresql import psycopg as dialect

    _require(dialect.dialect.driver == "psycopg", "SQLAlchemy kent psycopg niet.")
    version = psycopg.pq.version()
    return f"psycopg {psycopg.__version__} ({psycopg.pq.__impl__}), libpq {version // 10000}"


def _terms(count: int) -> str:
    return f"{count} {'termijn' if count == 1 else 'termijnen'}"


def _kb(size: int) -> str:
    return f"{max(size // 1024, 1)} kB"
