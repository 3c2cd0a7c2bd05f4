"""The notice on the case window's "Klager en klacht" tab: what an import brought for a known
complainant that differs from what is stored, with "Overnemen" per field."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from klachtdesk.services.cases import import_review
from klachtdesk.services.cases.case_view import CaseDetail
from klachtdesk.services.context import Context
from klachtdesk.ui.common import call_service, confirm

_STYLE = (
    "QFrame#importDifferences { background: #fff3cd; border-radius: 3px; }"
    " QLabel { color: #664d03; }"
)


class ImportNotice(QFrame):
    """Hidden unless the case has differences waiting. ``decided`` carries the case's new
    version (None when the service refused) and the sentence to show."""

    decided = Signal(object, str)

    def __init__(self, ctx: Context, may_leave: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.detail: CaseDetail | None = None
        self._may_leave = may_leave  # unsaved edits in the form: ask before reading anew
        self.setObjectName("importDifferences")
        self.setStyleSheet(_STYLE)
        self._layout = QVBoxLayout(self)
        self.hide()

    def show_case(self, d: CaseDetail) -> None:
        self.detail = d
        while self._layout.count():
            item = self._layout.takeAt(0)
            child = item.widget()
            if child is not None:
                child.setParent(None)
                child.deleteLater()
            elif item.layout() is not None:
                _clear(item.layout())
        if not d.import_differences:
            self.hide()
            return
        allowed = import_review.may_decide(self.ctx, d.status)
        why_not = "" if allowed else import_review.MAY_DECIDE
        head = QLabel(
            "<b>Bij de import kwamen andere gegevens binnen</b> dan KlachtDesk van deze klager "
            "kent. Er is niets overschreven: neem over wat klopt (het geldt dan voor alle "
            "zaken van deze klager), of maak een nieuwe klager als het om een andere persoon "
            "gaat."
        )
        head.setWordWrap(True)
        self._layout.addWidget(head)
        for difference in d.import_differences:
            row = QHBoxLayout()
            text = QLabel(f"{difference.label}: {difference.imported} (nu: {difference.current})")
            text.setWordWrap(True)
            row.addWidget(text, 1)
            accept = QPushButton("Overnemen")
            accept.setObjectName(f"accept_{difference.field}")
            accept.setAccessibleName(f"{difference.label} overnemen")
            accept.setEnabled(allowed)
            accept.setToolTip(why_not or f"Neem {difference.label} uit de import over.")
            accept.clicked.connect(lambda _=False, key=difference.field: self.accept(key))
            row.addWidget(accept)
            self._layout.addLayout(row)
        other = QPushButton("Andere persoon: nieuwe klager maken")
        other.setObjectName("newComplainantButton")
        other.setEnabled(allowed)
        other.setToolTip(
            why_not
            or "De gegevens uit de import horen bij iemand anders: deze zaak krijgt een eigen "
            "klager met die gegevens; de bekende klager blijft zoals zij of hij is."
        )
        other.clicked.connect(self.new_complainant)
        line = QHBoxLayout()
        line.addStretch()
        line.addWidget(other)
        self._layout.addLayout(line)
        self.show()

    def accept(self, key: str) -> None:
        d = self.detail
        if d is None or not self._may_leave():
            return
        result = call_service(
            self,
            import_review.accept_imported,
            self.ctx,
            d.ref,
            key,
            expected_version=d.version,
            complainant_version=d.complainant_version,
        )
        self.decided.emit(result, import_review.ACCEPTED_SENTENCE)

    def new_complainant(self) -> None:
        d = self.detail
        if d is None or not self._may_leave():
            return
        if not confirm(
            self,
            "Andere klager",
            f"Zaak {d.ref} krijgt een eigen klager met de gegevens uit de import. De klager "
            f"die KlachtDesk kent ({d.complainant_name}) en haar of zijn andere zaken blijven "
            "zoals ze zijn. Doorgaan?",
            "Nieuwe klager maken",
        ):
            return
        result = call_service(
            self, import_review.new_complainant, self.ctx, d.ref, expected_version=d.version
        )
        self.decided.emit(result, import_review.NEW_COMPLAINANT_SENTENCE)


def _clear(layout) -> None:
    while layout.count():
        child = layout.takeAt(0).widget()
        if child is not None:
            child.setParent(None)
            child.deleteLater()
