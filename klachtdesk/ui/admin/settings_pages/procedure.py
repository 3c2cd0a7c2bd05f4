"""Settings page: which complaints procedure new cases get, and its terms and rules."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.domain.calendar import Term, TermUnit
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.procedures import Procedure
from klachtdesk.domain.values import Relation
from klachtdesk.services.admin import admin, procedures
from klachtdesk.ui.admin.settings_pages import ErrorLabel, Page, attempt, intro
from klachtdesk.ui.common import fmt_date

UNIT_LABELS = {
    TermUnit.WERKDAGEN: "werkdagen",
    TermUnit.DAGEN: "kalenderdagen",
    TermUnit.WEKEN: "weken",
}
# The switches of a procedure, in the order a coordinator meets them.
SWITCHES = {
    "must_discuss_with_employee_first": (
        "Niet ontvankelijk als de klacht niet eerst met de betrokken medewerker is besproken"
    ),
    "refuse_repeat_without_new_facts": (
        "Niet ontvankelijk als dezelfde klacht al is behandeld en er geen nieuwe feiten zijn"
    ),
    "refuse_older_than_one_year": (
        "Niet ontvankelijk als de gedraging meer dan een jaar geleden plaatsvond (Awb 9:8)"
    ),
    "extension_allowed": "Verlenging van de termijn voor de uitspraak is mogelijk (met brief)",
    "apply_atw": (
        "Algemene termijnenwet toepassen: een termijn eindigt niet in het weekend of op een "
        "feestdag"
    ),
    "satisfaction_check": "Na de uitspraak vragen of de klacht naar tevredenheid is opgelost",
    "mention_huurcommissie": "De uitspraakbrief noemt ook de Huurcommissie",
    "acknowledgement_names_handler": (
        "De ontvangstbevestiging noemt de behandelaar (eerst een behandelaar toewijzen)"
    ),
}


class TermEditor(QWidget):
    """A term as an amount and a unit: '7' 'werkdagen'."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.amount = QSpinBox()
        self.amount.setObjectName(name + "Amount")
        self.amount.setRange(1, 520)
        self.amount.setMaximumWidth(90)
        self.unit = QComboBox()
        self.unit.setObjectName(name + "Unit")
        for unit, label in UNIT_LABELS.items():
            self.unit.addItem(label, unit)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.amount)
        row.addWidget(self.unit)
        row.addStretch()
        self.setFocusProxy(self.amount)

    def set_term(self, term: Term | None) -> None:
        term = term or Term(2, TermUnit.WEKEN)
        self.amount.setValue(term.amount)
        self.unit.setCurrentIndex(self.unit.findData(term.unit))

    def term(self) -> Term:
        return Term(self.amount.value(), TermUnit(self.unit.currentData()))


class ProcedurePage(Page):
    title = "Klachtenregeling"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.infos: dict[str, admin.ProcedureInfo] = {}
        self.current_key = ""

        self.choice = QComboBox()
        self.choice.setObjectName("procedureChoice")
        self.choice.currentIndexChanged.connect(self._show_selected)
        self.version_label = QLabel()
        self.version_label.setObjectName("procedureVersion")
        self.error = ErrorLabel("procedureError")
        choose = QGroupBox("Regeling voor nieuwe klachten")
        choose_form = QFormLayout(choose)
        choose_form.addRow("&Regeling:", self.choice)
        choose_form.addRow("Versie:", self.version_label)

        self.name = QLineEdit()
        self.name.setObjectName("procedureName")
        self.name.setMaxLength(200)
        self.acknowledgement = TermEditor("acknowledgementTerm")
        self.decision = TermEditor("decisionTerm")
        self.appeal = QCheckBox("Heroverweging door de directeur-bestuurder is mogelijk")
        self.appeal.setObjectName("procedure_appeal")
        self.appeal_term = TermEditor("appealTerm")
        self.appeal.toggled.connect(self.appeal_term.setEnabled)
        self.external_body = QLineEdit()
        self.external_body.setObjectName("procedureExternalBody")
        self.external_body.setMaxLength(200)
        self.evaluations = QSpinBox()
        self.evaluations.setObjectName("procedureEvaluations")
        self.evaluations.setRange(1, 12)
        self.evaluations.setMaximumWidth(90)
        self.switches: dict[str, QCheckBox] = {}
        for field, label in SWITCHES.items():
            box = QCheckBox(label)
            box.setObjectName("procedure_" + field)
            self.switches[field] = box
        self.max_extension = TermEditor("maxExtension")
        self.max_extension.setToolTip(
            "Zonder instemming van de klager mag de termijn voor de uitspraak hoogstens zo lang "
            "worden verlengd (Awb 9:11: ten hoogste vier weken)."
        )
        self.relations: dict[Relation, QCheckBox] = {}
        for relation in (Relation.HUURDER, Relation.BEWONER, Relation.EIGENAAR):
            box = QCheckBox(relation.label)
            box.setObjectName(f"entitled_{relation.value}")
            self.relations[relation] = box
        self.note = QLineEdit()
        self.note.setObjectName("procedureNote")
        self.note.setMaxLength(200)
        self.note.setPlaceholderText("bijvoorbeeld: termijn verlengd na besluit bestuur")

        terms = QGroupBox("Termijnen (gerekend vanaf de datum van ontvangst)")
        terms_form = QFormLayout(terms)
        terms_form.addRow("&Ontvangstbevestiging binnen:", self.acknowledgement)
        terms_form.addRow("&Uitspraak binnen:", self.decision)
        terms_form.addRow(self.switches["extension_allowed"])
        terms_form.addRow("Verlenging ten &hoogste:", self.max_extension)
        terms_form.addRow(self.switches["apply_atw"])
        terms_form.addRow(self.switches["acknowledgement_names_handler"])
        admissible = QGroupBox("Ontvankelijkheid")
        admissible_layout = QVBoxLayout(admissible)
        for field in (
            "must_discuss_with_employee_first",
            "refuse_repeat_without_new_facts",
            "refuse_older_than_one_year",
        ):
            admissible_layout.addWidget(self.switches[field])
        who = QLabel(
            "Wie mag een klacht indienen? (niets aangevinkt: iedereen; anders vraagt de intake "
            "de relatie tot de woning)"
        )
        who.setWordWrap(True)
        admissible_layout.addWidget(who)
        relations = QHBoxLayout()
        for box in self.relations.values():
            relations.addWidget(box)
        relations.addStretch()
        admissible_layout.addLayout(relations)
        after = QGroupBox("Na de uitspraak")
        after_form = QFormLayout(after)
        after_form.addRow(self.appeal)
        after_form.addRow("Reactie directeur-bestuurder &binnen:", self.appeal_term)
        after_form.addRow("&Externe instantie bij geschil:", self.external_body)
        after_form.addRow(self.switches["satisfaction_check"])
        after_form.addRow(self.switches["mention_huurcommissie"])
        after_form.addRow("E&valuaties per jaar:", self.evaluations)
        choose_form.addRow("&Naam:", self.name)
        note = QFormLayout()
        note.addRow("&Toelichting bij deze wijziging:", self.note)

        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(
            intro(
                "Een wijziging wordt opgeslagen als nieuwe versie van de regeling. Zaken die al "
                "binnen zijn, houden de versie waaronder ze zijn ontvangen."
            )
        )
        column.addWidget(choose)
        column.addWidget(self.error)
        column.addWidget(terms)
        column.addWidget(admissible)
        column.addWidget(after)
        column.addLayout(note)
        column.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._tab_order()
        self.refresh()

    def _tab_order(self) -> None:
        """Tab follows the page from top to bottom."""
        chain = [
            self.choice,
            self.name,
            self.acknowledgement.amount,
            self.acknowledgement.unit,
            self.decision.amount,
            self.decision.unit,
            self.switches["extension_allowed"],
            self.max_extension.amount,
            self.max_extension.unit,
            self.switches["apply_atw"],
            self.switches["acknowledgement_names_handler"],
            self.switches["must_discuss_with_employee_first"],
            self.switches["refuse_repeat_without_new_facts"],
            self.switches["refuse_older_than_one_year"],
            *self.relations.values(),
            self.appeal,
            self.appeal_term.amount,
            self.appeal_term.unit,
            self.external_body,
            self.switches["satisfaction_check"],
            self.switches["mention_huurcommissie"],
            self.evaluations,
            self.note,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- loading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        infos = admin.list_procedures(self.ctx)
        self.infos = {info.key: info for info in infos}
        self.current_key = next((i.key for i in infos if i.current), infos[0].key)
        self.choice.blockSignals(True)
        self.choice.clear()
        for info in infos:
            self.choice.addItem(info.name, info.key)
        self.choice.setCurrentIndex(self.choice.findData(self.current_key))
        self.choice.blockSignals(False)
        self.note.clear()
        self._show_selected()

    def _show_selected(self) -> None:
        info = self.infos[self.choice.currentData()]
        self.error.clear()
        text = f"{info.version}, vastgesteld op {fmt_date(info.created_at.date())}"
        if info.created_by:
            text += f" door {info.created_by}"
        if info.note:
            text += f" ({info.note})"
        if not info.current:
            text += " — nog niet in gebruik"
        self.version_label.setText(text)
        procedure = info.procedure
        self.name.setText(procedure.name)
        self.acknowledgement.set_term(procedure.acknowledgement_term)
        self.decision.set_term(procedure.decision_term)
        self.appeal.setChecked(procedure.appeal)
        self.appeal_term.set_term(procedure.appeal_term)
        self.appeal_term.setEnabled(procedure.appeal)
        self.external_body.setText(procedure.external_body)
        self.evaluations.setValue(procedure.evaluations_per_year)
        for field, box in self.switches.items():
            box.setChecked(getattr(procedure, field))
        self.max_extension.set_term(procedure.max_extension)
        for relation, box in self.relations.items():
            box.setChecked(relation in procedure.entitled_relations)

    def _from_form(self) -> Procedure:
        base = self.infos[self.choice.currentData()].procedure
        return base.changed(
            name=self.name.text().strip(),
            acknowledgement_term=self.acknowledgement.term(),
            decision_term=self.decision.term(),
            appeal=self.appeal.isChecked(),
            appeal_term=self.appeal_term.term() if self.appeal.isChecked() else None,
            external_body=self.external_body.text().strip(),
            evaluations_per_year=self.evaluations.value(),
            max_extension=self.max_extension.term(),
            entitled_relations=tuple(r for r, box in self.relations.items() if box.isChecked()),
            **{field: box.isChecked() for field, box in self.switches.items()},
        )

    # -- saving -----------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        key = self.choice.currentData()
        if key != self.current_key:
            return True
        try:
            return self._from_form() != self.infos[key].procedure
        except ValidationError:
            return True

    def clear_errors(self) -> None:
        self.error.clear()

    def save(self) -> str | None:
        """Save a new version and/or switch the organisation's procedure; a message or None."""
        key = self.choice.currentData()
        try:
            procedure = self._from_form()
        except ValidationError as error:
            self.error.say(str(error))
            widget = {"naam": self.name, "termijn heroverweging": self.appeal_term}.get(
                error.field, self.name
            )
            widget.setFocus()
            return None
        messages = []
        if procedure != self.infos[key].procedure:
            ok, number = attempt(
                self, self.error, procedures.save_procedure, self.ctx, procedure, self.note.text()
            )
            if not ok:
                return None
            messages.append(
                f"Opgeslagen als versie {number}; zaken die al binnen zijn houden hun versie."
            )
        if key != self.current_key:
            ok, _ = attempt(self, self.error, procedures.choose_procedure, self.ctx, key)
            if not ok:
                return None
            messages.append(f"Nieuwe klachten vallen voortaan onder '{procedure.name}'.")
        self.refresh()
        return " ".join(messages)
