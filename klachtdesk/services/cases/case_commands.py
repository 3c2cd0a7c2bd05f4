"""The case window's actions as plain data, for the command line (``klachtdesk case``).

Each command names the service it calls, the details (NAAM=WAARDE) it takes with their
Dutch labels, and which of those are required. The services themselves decide whether the
action is allowed (role, status, procedure) and say why not, in the same Dutch words the
window shows; this module only turns text into the values those services take.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from klachtdesk.domain.contact import BY_KEY
from klachtdesk.domain.errors import KlachtDeskError, ValidationError
from klachtdesk.domain.states import DONE_SENTENCES, Action, Activity, Status
from klachtdesk.domain.validation import parse_yes_no
from klachtdesk.domain.values import LetterChannel, NotAdmissibleReason, Outcome
from klachtdesk.letters.templates import LETTER_TYPES
from klachtdesk.services.cases import case_activities, case_view, cases, import_review
from klachtdesk.services.context import Context
from klachtdesk.services.letters import letters
from klachtdesk.storage.models import Case

TEXT, DATE, YESNO, CHOICE, NUMBER = "tekst", "datum", "ja/nee", "keuze", "nummer"


class CommandError(KlachtDeskError):
    """An unknown action or detail name, or a required detail left out: bad input."""

    exit_code = 2


@dataclass(frozen=True)
class Detail:
    """One NAAM=WAARDE a command takes: the service's own keyword and its Dutch label."""

    name: str
    label: str
    kind: str = TEXT
    required: bool = False
    description: str = ""
    choices: tuple[str, ...] = ()


LETTER_SENT = "brief_verzonden"  # the command for Activity.BRIEF: a letter went out
# What an import brought for a known complainant (services.cases.import_review).
IMPORT_ACCEPT = "importgegevens_overnemen"
NEW_COMPLAINANT = "nieuwe_klager"
_OTHER_DONE = {
    LETTER_SENT: DONE_SENTENCES[Activity.BRIEF],
    IMPORT_ACCEPT: import_review.ACCEPTED_SENTENCE,
    NEW_COMPLAINANT: import_review.NEW_COMPLAINANT_SENTENCE,
}


@dataclass(frozen=True)
class Command:
    """One action of the case window: its name, what it does, what it takes, what it calls."""

    name: str
    label: str  # what it does, as on the window's button
    details: tuple[Detail, ...]
    call: Callable[[Context, str, dict[str, Any]], int]

    @property
    def done(self) -> str:
        """What happened, as the sentence the case window shows too."""
        if self.name in _OTHER_DONE:
            return _OTHER_DONE[self.name]
        actions = {action.value for action in Action}
        return DONE_SENTENCES[Action(self.name) if self.name in actions else Activity(self.name)]

    def detail(self, name: str) -> Detail | None:
        return next((d for d in self.details if d.name == name), None)


# -- the service calls ----------------------------------------------------------------------------
def _perform(action: Action) -> Callable[[Context, str, dict[str, Any]], int]:
    def call(ctx: Context, ref: str, values: dict[str, Any]) -> int:
        return cases.perform(ctx, ref, action, **values)

    return call


def _record(activity: Activity) -> Callable[[Context, str, dict[str, Any]], int]:
    def call(ctx: Context, ref: str, values: dict[str, Any]) -> int:
        details = dict(values)
        text = details.pop("text")
        return case_activities.record(ctx, ref, activity, text, **details)

    return call


def _assign(ctx: Context, ref: str, values: dict[str, Any]) -> int:
    return case_activities.assign_handler(ctx, ref, values["handler"])


def _extend(ctx: Context, ref: str, values: dict[str, Any]) -> int:
    return case_activities.extend_decision(
        ctx, ref, values["new_due"], values["reason"], consent=values.get("consent", "")
    )


def _letter_sent(ctx: Context, ref: str, values: dict[str, Any]) -> int:
    """A final letter stored in KlachtDesk (``letter_id``), or one made outside it
    (``letter_type``), went out."""
    sent_on = values.get("sent_on") or None
    if "letter_id" in values:
        return letters.record_sent(ctx, ref, values["letter_id"], values["via"], sent_on)
    if "letter_type" not in values:
        raise ValidationError(
            "letter_type",
            "geef op welke brief is verzonden: letter_id=NUMMER voor een brief die in "
            "KlachtDesk is gemaakt, of letter_type=SOORT voor een brief van buiten KlachtDesk.",
        )
    return case_activities.mark_letter_sent(ctx, ref, values["letter_type"], sent_on, values["via"])


def _accept_imported(ctx: Context, ref: str, values: dict[str, Any]) -> int:
    return import_review.accept_imported(ctx, ref, values["field"])


def _new_complainant(ctx: Context, ref: str, values: dict[str, Any]) -> int:
    return import_review.new_complainant(ctx, ref)


# -- the details ----------------------------------------------------------------------------------
def _text(name: str, label: str, description: str = "", required: bool = True) -> Detail:
    return Detail(name, label, TEXT, required, description)


def _date(name: str, label: str, description: str = "", required: bool = False) -> Detail:
    if not required:
        description = f"{description} Leeg: vandaag.".strip()
    return Detail(name, label, DATE, required, description)


NOTE = _text("note", "Toelichting", required=False)
OUTCOME = Detail(
    "outcome",
    "Uitkomst",
    CHOICE,
    True,
    choices=tuple(o.value for o in Outcome),
)
MOTIVATION = _text("motivation", "Motivering", "Waarom deze uitkomst.")
HANDLER = Detail(
    "handler",
    "Behandelaar",
    TEXT,
    description="Gebruikersnaam van een coördinator of manager die niet de medewerker is "
    "over wie de klacht gaat.",
)

COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command(
            Action.TRIAGE_KLACHT.value,
            "In behandeling nemen",
            (
                HANDLER,
                _text(
                    "note",
                    "Toelichting",
                    "Waarom u de klacht toch in behandeling neemt, als de klachtenregeling "
                    "dat vraagt (niet eerst besproken, eerder behandeld, niet klachtgerechtigd).",
                    required=False,
                ),
            ),
            _perform(Action.TRIAGE_KLACHT),
        ),
        Command(
            Action.NIET_ONTVANKELIJK.value,
            "Niet ontvankelijk verklaren",
            (
                Detail(
                    "reason",
                    "Reden",
                    CHOICE,
                    True,
                    "Welke gronden gelden, bepaalt de klachtenregeling van de zaak.",
                    tuple(r.value for r in NotAdmissibleReason),
                ),
                _text("note", "Toelichting", "Verplicht bij reason=anders.", required=False),
            ),
            _perform(Action.NIET_ONTVANKELIJK),
        ),
        Command(
            Action.DOORVERWIJZEN.value,
            "Doorverwijzen (melding)",
            (
                _text(
                    "referral_to",
                    "Naar welk formulier of welke afdeling",
                    "Bijvoorbeeld: het reparatieformulier op de website.",
                ),
            ),
            _perform(Action.DOORVERWIJZEN),
        ),
        Command(
            Action.UITSPRAAK.value,
            "Uitspraak doen",
            (
                OUTCOME,
                MOTIVATION,
                _text("solution", "Aangeboden oplossing", required=False),
                _date("decided_on", "Datum van de beslissing"),
            ),
            _perform(Action.UITSPRAAK),
        ),
        Command(
            Action.BEROEP.value,
            "Heroverweging aanvragen",
            (
                _date("received", "Verzoek om heroverweging ontvangen op"),
                _text(
                    "grounds",
                    "Gronden van het verzoek",
                    "Waarom de klager om heroverweging vraagt, zoals de klager het zegt.",
                ),
            ),
            _perform(Action.BEROEP),
        ),
        Command(
            Action.UITSPRAAK_DIRECTEUR.value,
            "Uitspraak directeur-bestuurder",
            (OUTCOME, MOTIVATION, _date("decided_on", "Datum van de beslissing")),
            _perform(Action.UITSPRAAK_DIRECTEUR),
        ),
        Command(
            Action.GESCHIL.value,
            "Geschil voorleggen",
            (
                _text(
                    "body",
                    "Instantie",
                    "Leeg: de externe instantie uit de klachtenregeling.",
                    required=False,
                ),
                _date("submitted", "Voorgelegd op"),
            ),
            _perform(Action.GESCHIL),
        ),
        Command(
            Action.INTREKKEN.value,
            "Intrekken",
            (NOTE,),
            _perform(Action.INTREKKEN),
        ),
        Command(Action.SLUITEN.value, "Zaak sluiten", (), _perform(Action.SLUITEN)),
        Command(
            Activity.BEHANDELAAR_TOEWIJZEN.value,
            "Behandelaar toewijzen",
            (Detail(HANDLER.name, HANDLER.label, TEXT, True, HANDLER.description),),
            _assign,
        ),
        Command(
            Activity.VERWACHTING.value,
            "Verwachting vastleggen",
            (_text("text", "Wat verwacht de klager?"),),
            _record(Activity.VERWACHTING),
        ),
        Command(
            Activity.HOORGESPREK.value,
            "Hoorgesprek vastleggen",
            (_text("text", "Verslag"), _date("held_on", "Datum hoorgesprek")),
            _record(Activity.HOORGESPREK),
        ),
        Command(
            Activity.BEMIDDELING.value,
            "Verslag bemiddeling",
            (_text("text", "Verslag van de bemiddeling"),),
            _record(Activity.BEMIDDELING),
        ),
        Command(
            Activity.VERKLARING_MEDEWERKER.value,
            "Verklaring medewerker",
            (_text("text", "Verklaring van de medewerker"),),
            _record(Activity.VERKLARING_MEDEWERKER),
        ),
        Command(
            Activity.VERLENGING.value,
            "Termijn verlengen",
            (
                _date("new_due", "Nieuwe datum", "Een werkdag na de huidige termijn.", True),
                _text("reason", "Reden", "De klager leest deze reden."),
                _text(
                    "consent",
                    "Instemming van de klager",
                    "Alleen nodig na de uiterste datum van de klachtenregeling: wanneer en "
                    "hoe de klager instemde.",
                    required=False,
                ),
            ),
            _extend,
        ),
        Command(
            Activity.TEVREDENHEID.value,
            "Tevredenheid vastleggen",
            (
                Detail(
                    "satisfied",
                    "Is de klager tevreden?",
                    YESNO,
                    description="Ja of nee; laat weg als de klager niet bereikbaar was.",
                ),
                Detail(
                    "unreachable",
                    "De klager was niet bereikbaar",
                    YESNO,
                    description="Ja in plaats van satisfied.",
                ),
                _text("text", "Toelichting"),
            ),
            _record(Activity.TEVREDENHEID),
        ),
        Command(
            Activity.GESCHIL_UITKOMST.value,
            "Uitkomst geschil",
            (
                _text("text", "Advies van de commissie"),
                _text("followed", "Wat is met het advies gedaan", required=False),
            ),
            _record(Activity.GESCHIL_UITKOMST),
        ),
        Command(
            Activity.NOTITIE.value,
            "Notitie toevoegen",
            (_text("text", "Notitie"),),
            _record(Activity.NOTITIE),
        ),
        Command(
            Activity.ONAFHANKELIJKHEID.value,
            "Onafhankelijkheid toelichten",
            (
                _text(
                    "text",
                    "Toelichting onafhankelijkheid",
                    "Waarom deze collega de klacht toch mag behandelen of beslissen.",
                ),
            ),
            _record(Activity.ONAFHANKELIJKHEID),
        ),
        Command(
            LETTER_SENT,
            "Verzonden brief vastleggen",
            (
                Detail(
                    "letter_id",
                    "Briefnummer",
                    NUMBER,
                    description="Het nummer van een brief die in KlachtDesk definitief is "
                    "gemaakt maar nog niet verzonden (zie 'klachtdesk case KENMERK').",
                ),
                Detail(
                    "letter_type",
                    "Soort brief",
                    CHOICE,
                    description="Voor een brief die buiten KlachtDesk is gemaakt; verplicht "
                    "zonder letter_id.",
                    choices=tuple(LETTER_TYPES),
                ),
                _date("sent_on", "Verzonden op"),
                Detail(
                    "via",
                    "Verzonden via",
                    CHOICE,
                    True,
                    choices=tuple(c.value for c in LetterChannel),
                ),
            ),
            _letter_sent,
        ),
        Command(
            IMPORT_ACCEPT,
            "Gegeven uit de import overnemen",
            (
                Detail(
                    "field",
                    "Gegeven",
                    CHOICE,
                    True,
                    "Welk gegeven uit de import in de gegevens van de klager komt (voor al "
                    "haar of zijn zaken); de verschillen staan onder import_differences in "
                    "'klachtdesk case KENMERK --json'. Alleen de klachtencoördinator.",
                    tuple(BY_KEY),
                ),
            ),
            _accept_imported,
        ),
        Command(
            NEW_COMPLAINANT,
            "Andere persoon: nieuwe klager met de gegevens uit de import",
            (),
            _new_complainant,
        ),
    )
}

# Timeline activities the window offers under another name here.
_ACTIVITY_COMMANDS = {Activity.BRIEF: LETTER_SENT}


# -- from text to the services' values ------------------------------------------------------------
def command(name: str) -> Command:
    """The command called ``name``; CommandError (exit code 2) when there is none."""
    found = COMMANDS.get(name.strip().lower())
    if found is None:
        raise CommandError(
            f"'{name}' is geen handeling van KlachtDesk. Mogelijk zijn: "
            + ", ".join(COMMANDS)
            + ". Zie 'klachtdesk case --help'."
        )
    return found


def _value(detail: Detail, text: str) -> Any:
    if detail.kind == YESNO:
        return parse_yes_no(text, detail.name)
    if detail.kind == NUMBER:
        try:
            return int(text.strip())
        except ValueError:
            raise ValidationError(detail.name, f"'{text}' is geen nummer.") from None
    if detail.kind == CHOICE and text.strip():
        value = text.strip().lower()
        if value not in detail.choices:
            raise ValidationError(
                detail.name, f"'{text}' is geen keuze; kies uit: {', '.join(detail.choices)}."
            )
        return value
    return text


def prepared(name: str, values: dict[str, str]) -> tuple[Command, dict[str, Any]]:
    """The command and its details as the service takes them; refused (exit code 2) for an
    unknown action or name, a missing required detail, or a value of the wrong form."""
    found = command(name)
    details: dict[str, Any] = {}
    for key, text in values.items():
        detail = found.detail(key.strip().lower())
        if detail is None:
            known = ", ".join(d.name for d in found.details) or "geen gegevens"
            raise CommandError(
                f"'{key}' is geen gegeven van de handeling '{found.name}'. Deze handeling kent: "
                f"{known}. Zie 'klachtdesk case KENMERK {found.name} --help'."
            )
        value = _value(detail, text)
        if value is not None and value != "":
            details[detail.name] = value
    missing = [d for d in found.details if d.required and d.name not in details]
    if missing:
        names = ", ".join(f"{d.name} ({d.label.lower()})" for d in missing)
        raise CommandError(
            f"Voor de handeling '{found.name}' ontbreekt: {names}. Geef het op als NAAM=WAARDE; "
            f"zie 'klachtdesk case KENMERK {found.name} --help'."
        )
    return found, details


def run(ctx: Context, ref: str, action: str, values: dict[str, str]) -> int:
    """Take ``action`` on case ``ref`` with the details ``values`` (text, as typed) through the
    same service the case window calls; returns the case's new version."""
    found, details = prepared(action, values)
    return found.call(ctx, ref, details)


def done_line(ctx: Context, ref: str, action: str) -> str:
    """'Zaak KD-2026-0001: De klacht is in behandeling genomen. Status: In behandeling.'"""
    with ctx.db.session() as session:
        row = session.execute(
            select(Case.ref, Case.status).where(Case.ref == ref.strip().upper())
        ).one()
    return f"Zaak {row.ref}: {command(action).done} Status: {Status(row.status).label}."


# -- one case as data -----------------------------------------------------------------------------
def _iso(day) -> str | None:
    return day.isoformat() if day else None


def case_record(ctx: Context, ref: str) -> dict[str, Any]:
    """One case as plain data (``klachtdesk case REF --json``): read through ``case_detail``,
    so with the window's role checks, and audited as viewing the case."""
    detail = case_view.case_detail(ctx, ref)
    try:
        stored = {s.id: s for s in letters.stored_letters(ctx, detail.ref)}
    except KlachtDeskError:  # may not read letters: what the case view knows, as the window
        stored = None
    letter_rows = []
    for f in detail.letters:
        s = stored.get(f.id) if stored is not None else None
        letter_rows.append(
            {
                "id": f.id,
                "type": f.name,
                "state": None if stored is None else "verzonden" if s.sent_on else "definitief",
                "sent_on": _iso(s.sent_on) if s else None,
                "via": s.sent_via if s else None,
            }
        )
    names = [a.value for a in detail.actions if a not in detail.not_yet] + [
        _ACTIVITY_COMMANDS.get(a, a.value)
        for a in detail.activities
        if _ACTIVITY_COMMANDS.get(a, a.value) in COMMANDS
    ]
    if detail.import_differences and import_review.may_decide(ctx, detail.status):
        names += [IMPORT_ACCEPT, NEW_COMPLAINANT]
    return {
        "ref": detail.ref,
        "status": detail.status,
        "procedure": {"key": detail.procedure_key, "version": detail.procedure_version},
        "received": detail.received.isoformat(),
        "subject": detail.subject,
        "complainant": {
            "name": detail.complainant_name,
            "street": detail.street,
            "postcode": detail.postcode,
            "city": detail.city,
            "phone": detail.phone,
            "email": detail.email,
        },
        "handler": detail.handler,
        "deadlines": [
            {
                "kind": d.kind,
                "due": d.due.isoformat(),
                "state": d.deadline_state.value,
                "met_on": _iso(d.met_on),
                "reason": d.settled_by or "",
                "settled_on": _iso(d.settled_on),
                "active": d.active,
            }
            for d in detail.deadlines
        ],
        "letters": letter_rows,
        "import_differences": [
            {"field": d.field, "imported": d.imported, "current": d.current}
            for d in detail.import_differences
        ],
        "actions": names,
        "not_yet": {a.value: why for a, why in detail.not_yet.items()},
    }
