"""The small dialogs of the case window: each asks exactly what one action's service needs."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.calendar import long_date
from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.domain.states import ACTION_LABELS, DONE_SENTENCES, Action, Activity
from klachtdesk.domain.values import Channel, NotAdmissibleReason, Outcome, Relation
from klachtdesk.services.cases import case_activities, cases
from klachtdesk.services.cases.case_edit import EditChoices
from klachtdesk.services.cases.case_view import CaseDetail, EventView
from klachtdesk.services.context import Context
from klachtdesk.services.letters import letters
from klachtdesk.ui.common import fmt_date, status_label

# Button texts. ACTIVITY_LABELS name what happened (timeline); a button says what to do.
BUTTON_LABELS: dict[Action | Activity, str] = {
    **ACTION_LABELS,
    Action.SLUITEN: "Zaak sluiten",
    Activity.BEHANDELAAR_TOEWIJZEN: "Behandelaar toewijzen",
    Activity.VERWACHTING: "Verwachting vastleggen",
    Activity.HOORGESPREK: "Hoorgesprek vastleggen",
    Activity.BEMIDDELING: "Verslag bemiddeling",
    Activity.VERKLARING_MEDEWERKER: "Verklaring medewerker",
    Activity.VERLENGING: "Termijn verlengen",
    Activity.TEVREDENHEID: "Tevredenheid vastleggen",
    Activity.GESCHIL_UITKOMST: "Uitkomst geschil",
    Activity.NOTITIE: "Notitie toevoegen",
    Activity.BIJLAGE: "Bijlage toevoegen",
    Activity.BRIEF: "Verzonden brief vastleggen",
    Activity.GEGEVENS_WIJZIGEN: "Gegevens wijzigen",
    Activity.ONAFHANKELIJKHEID: "Onafhankelijkheid toelichten",
}

LETTER_CHANNELS = (("post", "Per post"), ("email", "Per e-mail"))
# No outcome is chosen for the decision-maker: the first entry is empty and must be changed.
OUTCOMES = (("", "(kies een uitkomst)"), *((o.value, o.label) for o in Outcome))
SATISFACTION = (
    ("", "(kies een antwoord)"),
    ("ja", "Ja, tevreden"),
    ("nee", "Nee, niet tevreden"),
    ("onbereikbaar", "De klager was niet bereikbaar"),
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Field:
    """One question in a dialog. ``kind``: line, text, date, choice, yesno or info."""

    key: str
    label: str
    kind: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    default: Any = None
    hint: str = ""
    minimum: date | None = None
    maximum: date | None = None


@dataclass(frozen=True)
class ActionForm:
    """What a dialog asks and which service it calls with the answers."""

    name: str
    title: str
    intro: str
    fields: tuple[Field, ...]
    ok_text: str
    call: Callable[[Context, str, int, dict], int]
    done: str = ""  # the sentence the case window shows once the service accepted it


class FormDialog(QDialog):
    """A dialog built from an ActionForm. ``submit`` gets the answers and says whether the
    dialog may close (it stays open, with the message shown, when the input was refused)."""

    def __init__(self, parent: QWidget | None, form: ActionForm, submit: Callable[[dict], bool]):
        super().__init__(parent)
        self.form = form
        self._submit = submit
        self.setObjectName(f"{form.name}Dialog")
        self.setWindowTitle(form.title)
        self.setMinimumWidth(520)
        self.widgets: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        if form.intro:
            intro = QLabel(form.intro)
            intro.setObjectName("dialogIntro")
            intro.setWordWrap(True)
            layout.addWidget(intro)
        rows = QFormLayout()
        rows.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for field in form.fields:
            widget = self._widget(field)
            label = QLabel(f"{field.label}{' *' if field.required else ''}:")
            label.setWordWrap(True)
            if field.kind != "yesno":
                label.setBuddy(widget)
            rows.addRow(label, widget)
        layout.addLayout(rows)
        if any(field.required for field in form.fields):
            legend = QLabel("Velden met * zijn verplicht.")
            legend.setStyleSheet("color: #555;")
            layout.addWidget(legend)
        self.error = QLabel()
        self.error.setObjectName("dialogError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #842029;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(form.ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("okButton")
        self.ok_button.setDefault(True)
        cancel = buttons.addButton("&Annuleren", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _widget(self, field: Field) -> QWidget:
        name = f"{field.key}Field"
        if field.kind == "line":
            widget = QLineEdit(field.default or "")
            widget.setPlaceholderText(field.hint)
        elif field.kind == "text":
            widget = QPlainTextEdit(field.default or "")
            widget.setPlaceholderText(field.hint)
            widget.setTabChangesFocus(True)
            widget.setMinimumHeight(90)
        elif field.kind == "date":
            widget = QDateEdit()
            widget.setCalendarPopup(True)
            widget.setDisplayFormat("dd-MM-yyyy")
            if field.minimum:
                widget.setMinimumDate(QDate(field.minimum))
            if field.maximum:
                widget.setMaximumDate(QDate(field.maximum))
            widget.setDate(QDate(field.default or date.today()))
        elif field.kind == "choice":
            widget = QComboBox()
            for value, text in field.choices:
                widget.addItem(text, value)
            index = widget.findData(field.default)
            widget.setCurrentIndex(max(index, 0))
        elif field.kind == "yesno":
            widget = QWidget()
            row = QHBoxLayout(widget)
            row.setContentsMargins(0, 0, 0, 0)
            group = QButtonGroup(widget)
            for text, suffix in (("&Ja", "Yes"), ("&Nee", "No")):
                button = QRadioButton(text)
                button.setObjectName(f"{field.key}{suffix}")
                group.addButton(button)
                row.addWidget(button)
            row.addStretch()
            widget.group = group
        else:  # info: shown, not asked
            widget = QLabel(field.default or "")
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        widget.setObjectName(name)
        if field.hint and field.kind not in ("line", "text"):
            widget.setToolTip(field.hint)
        self.widgets[field.key] = widget
        return widget

    def values(self) -> dict[str, Any]:
        result = {}
        for field in self.form.fields:
            widget = self.widgets[field.key]
            if field.kind == "line":
                result[field.key] = widget.text()
            elif field.kind == "text":
                result[field.key] = widget.toPlainText()
            elif field.kind == "date":
                result[field.key] = widget.date().toPython()
            elif field.kind == "choice":
                result[field.key] = widget.currentData()
            elif field.kind == "yesno":
                checked = widget.group.checkedButton()
                result[field.key] = None if checked is None else checked.text() == "&Ja"
        return result

    def show_error(self, text: str, key: str | None = None) -> None:
        self.error.setText(text)
        self.error.show()
        widget = self.widgets.get(key) if key else None
        if widget is not None:
            widget.setFocus()

    def accept(self) -> None:
        values = self.values()
        for field in self.form.fields:
            value = values.get(field.key)
            empty = value is None or (isinstance(value, str) and not value.strip())
            if field.required and empty:
                self.show_error(f"Vul '{field.label}' in.", field.key)
                return
        if self._submit(values):
            super().accept()


# -- how a recorded action reads on the timeline ----------------------------------------------
# Timeline detail names that read better than the stored key itself.
DATA_LABELS = {
    "oud": "Oude termijn",
    "nieuw": "Nieuwe termijn",
    "velden": "Gewijzigd",
    "opgevolgd": "Opvolging",
}


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB".replace(".", ",")
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def _value_text(key: str, value) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    if _ISO_DATE.match(text):
        return fmt_date(date.fromisoformat(text))
    lookups = {
        "uitkomst": {o.value: o.label for o in Outcome},
        "reden": {r.value: r.label for r in NotAdmissibleReason},
        "kanaal": {c.value: c.label for c in Channel},
        "brief": {key: kind.label for key, kind in letters.LETTER_TYPES.items()},
        "via": {"post": "post", "email": "e-mail"},
    }
    if key == "grootte" and isinstance(value, int):
        return human_size(value)
    return lookups.get(key, {}).get(text, text)


def event_details(event: EventView) -> str:
    """The event's details in Dutch; confidential ones stay hidden for the clerk."""
    if event.confidential:
        return "Vertrouwelijk"  # the clerk sees that it happened, not what was said
    parts = []
    if event.from_status and event.to_status:
        parts.append(f"{status_label(event.from_status)} → {status_label(event.to_status)}")
    elif event.to_status:
        parts.append(f"Status: {status_label(event.to_status)}")
    # The recorded text (a report, a note) reads best after the short facts.
    for key, value in sorted(event.data.items(), key=lambda kv: kv[0] == "tekst"):
        if value in ("", None):
            continue
        text = _value_text(key, value)
        label = DATA_LABELS.get(key) or key.replace("_", " ").capitalize()
        parts.append(text if key == "tekst" else f"{label}: {text}")
    return "\n".join(parts)


# -- which dialog for which action ---------------------------------------------------------------
def _handlers(choices: EditChoices, empty: str | None) -> tuple[tuple[str, str], ...]:
    options = tuple((h.username, h.display_name) for h in choices.handlers)
    return ((("", empty),) if empty else ()) + options


def _perform(action: Action):
    def call(ctx: Context, ref: str, version: int, values: dict) -> int:
        return cases.perform(ctx, ref, action, expected_version=version, **values)

    return call


def _record(activity: Activity, text_key: str = "text"):
    def call(ctx: Context, ref: str, version: int, values: dict) -> int:
        details = dict(values)
        text = details.pop(text_key)
        return case_activities.record(ctx, ref, activity, text, expected_version=version, **details)

    return call


def _assign(ctx: Context, ref: str, version: int, values: dict) -> int:
    return case_activities.assign_handler(ctx, ref, values["handler"], expected_version=version)


def _extend(ctx: Context, ref: str, version: int, values: dict) -> int:
    return case_activities.extend_decision(
        ctx,
        ref,
        values["new_due"],
        values["reason"],
        expected_version=version,
        consent=values.get("consent", ""),
    )


def _satisfaction(ctx: Context, ref: str, version: int, values: dict) -> int:
    answer = values["answer"]
    details = {"unreachable": True} if answer == "onbereikbaar" else {"satisfied": answer == "ja"}
    return case_activities.record(
        ctx, ref, Activity.TEVREDENHEID, values["text"], expected_version=version, **details
    )


def _letter(ctx: Context, ref: str, version: int, values: dict) -> int:
    # The deadlines it meets follow from the letter type (services.letters is the one source).
    return case_activities.mark_letter_sent(
        ctx,
        ref,
        values["letter_type"],
        values["sent_on"],
        values["via"],
        expected_version=version,
    )


def _sent_letter_intro() -> str:
    """The dialog's explanation; which letters meet a deadline comes from services.letters."""
    counting = [t.label.lower() for t in letters.LETTER_TYPES.values() if t.answers]
    listed = counting[0] if len(counting) == 1 else ", ".join(counting[:-1]) + " of " + counting[-1]
    return (
        "Leg hier een brief vast die buiten KlachtDesk is gemaakt en verstuurd. Een brief die u "
        "met 'Brief maken…' maakt, is al vastgelegd.\n\n"
        f"Een verzonden {listed} telt voor de termijn die de brief beantwoordt."
    )


def record_sent_form(detail: CaseDetail, letter_id: int, label: str, today: date) -> ActionForm:
    """The dialog that records when and how a stored final letter went out."""

    def call(ctx: Context, ref: str, version: int, values: dict) -> int:
        return letters.record_sent(
            ctx, ref, letter_id, values["via"], values["sent_on"], expected_version=version
        )

    sent = Field(
        "sent_on", "Verzonden op", "date", minimum=detail.received, maximum=today, default=today
    )
    via = Field(
        "via",
        "Verzonden via",
        "choice",
        required=True,
        choices=LETTER_CHANNELS,
        default="email" if detail.prefers_email else "post",
    )
    intro = (
        f"De brief '{label}' is definitief. Vanaf de verzenddatum telt hij voor de termijn die "
        "hij beantwoordt."
    )
    title = f"Verzending vastleggen — {detail.ref}"
    return ActionForm(
        "verzending", title, intro, (sent, via), "&Vastleggen", call, DONE_SENTENCES[Activity.BRIEF]
    )


def triage_warnings(detail: CaseDetail) -> list[str]:
    """What the procedure's admissibility rules say about this case before triage."""
    warnings = []
    if "niet_besproken" in detail.refusal_grounds and detail.discussed_with_employee is False:
        warnings.append("de klacht is niet eerst met de medewerker besproken.")
    relation = detail.complainant_relation
    if detail.entitled_relations and relation and relation not in detail.entitled_relations:
        who = ", ".join(Relation(r).label.lower() for r in detail.entitled_relations)
        warnings.append(
            f"volgens de klachtenregeling kan alleen een {who} klagen; de klager is "
            f"{Relation(relation).label.lower()}."
        )
    if "herhaling" in detail.refusal_grounds and detail.repeat_claimed:
        earlier = f" ({detail.earlier_ref})" if detail.earlier_ref else ""
        warnings.append(
            f"de klacht is volgens de klager eerder behandeld{earlier}; noem de nieuwe feiten "
            "of omstandigheden."
        )
    return warnings


def current_decision_deadline(detail: CaseDetail):
    for deadline in detail.deadlines:
        if deadline.active and deadline.kind == DeadlineKind.UITSPRAAK.value:
            return deadline
    return None


def action_form(
    kind: Action | Activity, detail: CaseDetail, choices: EditChoices, today: date
) -> ActionForm:
    """The dialog for ``kind`` on this case: its questions and the service it calls."""
    title = f"{BUTTON_LABELS[kind]} — {detail.ref}"
    ok = "&Vastleggen"
    name = kind.value

    def form(intro: str, *fields: Field, ok_text: str = ok, call=None) -> ActionForm:
        return ActionForm(
            name, title, intro, fields, ok_text, call or _perform(kind), DONE_SENTENCES[kind]
        )

    note = Field("note", "Toelichting", "text")
    since_receipt = {"minimum": detail.received, "maximum": today, "default": today}
    if kind is Action.TRIAGE_KLACHT:
        intro = "De melding is een klacht over de dienstverlening of over een medewerker."
        for warning in triage_warnings(detail):
            intro += f" Let op: {warning} Licht toe waarom u haar toch in behandeling neemt, of "
            intro += "verklaar haar niet ontvankelijk."
        handler = Field(
            "handler",
            "Behandelaar",
            "choice",
            choices=_handlers(choices, "(later kiezen)"),
            default=detail.handler_username,
        )
        return form(intro, handler, note, ok_text="In &behandeling nemen")
    if kind is Action.DOORVERWIJZEN:
        target = Field(
            "referral_to",
            "Naar welk formulier of welke afdeling",
            "line",
            required=True,
            hint="bijvoorbeeld het reparatieformulier op de website",
        )
        intro = "Dit is geen klacht maar een melding voor een ander proces."
        return form(intro, target, ok_text="&Doorverwijzen")
    if kind is Action.NIET_ONTVANKELIJK:
        reason = Field(
            "reason",
            "Reden",
            "choice",
            required=True,
            choices=tuple(
                (r.value, r.label) for r in NotAdmissibleReason if r.value in detail.refusal_grounds
            ),
        )
        explain = Field("note", "Toelichting", "text", hint="verplicht bij 'Andere reden'")
        intro = "De klacht wordt niet in behandeling genomen."
        return form(intro, reason, explain, ok_text="&Niet ontvankelijk verklaren")
    if kind in (Action.UITSPRAAK, Action.UITSPRAAK_DIRECTEUR):
        appeal = next(
            (d for d in detail.deadlines if d.kind == DeadlineKind.HEROVERWEGING.value), None
        )
        earliest = appeal.start if kind is Action.UITSPRAAK_DIRECTEUR and appeal else None
        fields = [
            Field("outcome", "Uitkomst", "choice", required=True, choices=OUTCOMES),
            Field("motivation", "Motivering", "text", required=True),
        ]
        if kind is Action.UITSPRAAK:
            fields.append(Field("solution", "Aangeboden oplossing", "text"))
        fields.append(
            Field(
                "decided_on",
                "Datum van de beslissing",
                "date",
                required=True,
                **{**since_receipt, "minimum": earliest or detail.received},
            )
        )
        intro = (
            "De termijn is pas gehaald als de brief met de beslissing is verzonden; maak die "
            "brief daarna met 'Brief maken…'."
        )
        return form(intro, *fields, ok_text="&Uitspraak vastleggen")
    if kind is Action.BEROEP:
        earliest = {**since_receipt, "minimum": detail.decided_on or detail.received}
        received = Field("received", "Verzoek om heroverweging ontvangen op", "date", **earliest)
        grounds = Field(
            "grounds",
            "Waarom vraagt de klager om heroverweging?",
            "text",
            required=True,
            hint="de gronden van de klager, zoals die ze noemt",
        )
        intro = "De klager vraagt de directeur-bestuurder de klacht opnieuw te bekijken."
        return form(intro, received, grounds, ok_text="&Heroverweging vastleggen")
    if kind is Action.GESCHIL:
        body = Field(
            "body", "Instantie", "line", hint="leeg laten: de instantie uit de klachtenregeling"
        )
        submitted = Field("submitted", "Voorgelegd op", "date", **since_receipt)
        intro = "De klager legt de klacht voor aan een onafhankelijke externe instantie."
        return form(intro, body, submitted, ok_text="&Geschil vastleggen")
    if kind is Action.INTREKKEN:
        return form("De klager trekt de klacht in.", note, ok_text="&Intrekken")
    if kind is Action.SLUITEN:
        intro = (
            f"Na het sluiten van zaak {detail.ref} kunnen de gegevens niet meer worden "
            "gewijzigd. Wilt u de zaak sluiten?"
        )
        return form(intro, ok_text="Zaak &sluiten")
    if kind is Activity.BEHANDELAAR_TOEWIJZEN:
        handler = Field(
            "handler",
            "Behandelaar",
            "choice",
            required=True,
            choices=_handlers(choices, None),
            default=detail.handler_username,
        )
        intro = "De behandelaar is niet de medewerker over wie de klacht gaat."
        return form(intro, handler, ok_text="&Toewijzen", call=_assign)
    if kind is Activity.HOORGESPREK:
        held = Field("held_on", "Datum hoorgesprek", "date", **since_receipt)
        report = Field("text", "Verslag", "text", required=True)
        return form("", held, report, call=_record(kind))
    if kind is Activity.VERLENGING:
        current = current_decision_deadline(detail)
        due = current.due if current else today
        shown = Field("current", "Huidige termijn", "info", default=long_date(due))
        new_due = Field(
            "new_due",
            "Nieuwe datum",
            "date",
            required=True,
            minimum=due + timedelta(days=1),
            default=due + timedelta(days=14),
        )
        reason = Field("reason", "Reden (de klager leest deze)", "text", required=True)
        limit = detail.max_extension_to
        consent = Field(
            "consent",
            "Instemming van de klager",
            "text",
            hint="alleen nodig na de uiterste datum: wanneer en hoe stemde de klager in?",
        )
        intro = (
            "De klager krijgt vóór het einde van de huidige termijn schriftelijk bericht "
            "met de nieuwe datum en de reden."
        )
        if limit:
            intro += (
                f" Zonder instemming van de klager kan de termijn worden verlengd tot "
                f"uiterlijk {long_date(limit)}."
            )
        return form(intro, shown, new_due, reason, consent, ok_text="&Verlengen", call=_extend)
    if kind is Activity.TEVREDENHEID:
        answer = Field(
            "answer", "Is de klager tevreden?", "choice", required=True, choices=SATISFACTION
        )
        explain = Field("text", "Toelichting", "text", required=True)
        return form("", answer, explain, call=_satisfaction)
    if kind is Activity.GESCHIL_UITKOMST:
        advice = Field("text", "Advies van de commissie", "text", required=True)
        followed = Field("followed", "Wat is met het advies gedaan", "text")
        return form("", advice, followed, call=_record(kind))
    if kind is Activity.BRIEF:
        likely = letters.types_for(detail)
        letter = Field(
            "letter_type",
            "Soort brief",
            "choice",
            required=True,
            choices=tuple((key, t.label) for key, t in letters.LETTER_TYPES.items()),
            default=likely[0] if likely else None,
        )
        sent = Field("sent_on", "Verzonden op", "date", **since_receipt)
        via = Field("via", "Verzonden via", "choice", required=True, choices=LETTER_CHANNELS)
        return form(_sent_letter_intro(), letter, sent, via, call=_letter)
    texts = {
        Activity.VERWACHTING: ("Wat verwacht de klager?", detail.expectation),
        Activity.BEMIDDELING: ("Verslag van de bemiddeling", ""),
        Activity.VERKLARING_MEDEWERKER: ("Verklaring van de medewerker", ""),
        Activity.NOTITIE: ("Notitie", ""),
        Activity.ONAFHANKELIJKHEID: (
            "Waarom mag deze collega de klacht toch behandelen of beslissen?",
            detail.independence_note,
        ),
    }
    if kind in texts:
        label, default = texts[kind]
        return form("", Field("text", label, "text", True, default=default), call=_record(kind))
    raise ValueError(f"no dialog for {kind}")
