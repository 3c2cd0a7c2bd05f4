"""Pasted junk in a search box and invisible names (issue 13, item 13).

A NUL (or any control character) pasted into a search box once reached the FTS5 query and
came back as "onverwachte fout"; a name made of zero-width spaces was accepted and showed as
an empty line everywhere. The search treats control characters as spaces and leaves out
invisible format characters, so the window, the intake and the privacy search behave alike;
a required text of only invisible characters is refused as empty, in Dutch.
"""

from __future__ import annotations

import pytest

from klachtdesk.domain.validation import ComplaintInput, search_text
from klachtdesk.services.cases import case_view, cases
from klachtdesk.services.cases.case_view import CaseFilter
from klachtdesk.services.safety import audit_log
from klachtdesk.services.safety.audit_log import AuditFilter
from tests.conftest import TODAY, complaint_data
from tests.gui.conftest import message_boxes_fail_the_test  # noqa: F401 - autouse: no dialog

# Pasted from a binary file, a terminal or a PDF: control characters anywhere in the text.
JUNK = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x00\x00\x00"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u2066"]


def register(ctx, name: str, subject: str, postcode: str = "3511 AB") -> str:
    data = complaint_data(subject=subject)
    data["complainant"] = {**data["complainant"], "name": name, "postcode": postcode}
    return cases.register(ctx, ComplaintInput.validated(data, TODAY))


def refs(ctx, search: str) -> list[str]:
    ids = case_view.case_ids(ctx, CaseFilter(search=search), "ref", False)
    return [row.ref for row in case_view.list_rows(ctx, ids)]


@pytest.fixture
def two(org):
    a = register(org.balie, "Fatima el Amrani", "Lekkage badkamer")
    b = register(org.balie, "Kees de Jong", "Geen antwoord op e-mails", "3431 CD")
    return a, b


def test_search_text_turns_control_characters_into_spaces_and_drops_invisible_ones():
    assert search_text("lek\x00kage") == "lek kage"
    assert search_text("\x00amrani\x00") == "amrani"
    assert search_text("Fat\u200bima\ufeff") == "Fatima"
    assert search_text("kees\t\r\n\x0bjong") == "kees jong"
    assert search_text("\x00\u200b \x1b") == ""
    assert search_text("Jan\ud800sen") == "Jansen"  # half a UTF-16 pair (an odd CLI argument)
    assert search_text("e\u0301") == "\u00e9"  # typed as two code points, stored as one


@pytest.mark.parametrize("junk", JUNK)
def test_control_characters_pasted_into_the_case_search_never_break_it(org, two, junk):
    a, b = two
    assert refs(org.coordinator, f"amrani{junk}") == [a]
    assert refs(org.coordinator, f"{junk}3431cd") == [b]
    assert refs(org.coordinator, f"kees{junk}jong") == [b]
    assert refs(org.coordinator, junk) == [a, b]  # nothing to search for: no filter
    assert refs(org.coordinator, f'"{junk}') == [a, b]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_invisible_characters_in_the_search_are_left_out(org, two, mark):
    a, _ = two
    assert refs(org.coordinator, f"Am{mark}rani") == [a]
    assert refs(org.coordinator, mark * 5) == refs(org.coordinator, "")


def test_the_complainant_search_ignores_junk_and_finds_no_one_for_junk_alone(org, two):
    for junk in JUNK + INVISIBLE:
        found = case_view.find_complainants(org.balie, f"Fatima{junk} el Amrani")
        assert [m.name for m in found][:1] == ["Fatima el Amrani"]
        assert case_view.find_complainants(org.balie, junk * 2) == []  # not 'everyone'


def test_the_audit_log_search_ignores_junk(org, two):
    a, _ = two
    everything = audit_log.query_audit(org.beheer, AuditFilter()).rows
    only_a = audit_log.query_audit(org.beheer, AuditFilter(text=a)).rows
    assert only_a and len(only_a) < len(everything)
    assert audit_log.query_audit(org.beheer, AuditFilter(text=f"{a}\x00")).rows == only_a
    assert audit_log.query_audit(org.beheer, AuditFilter(text=f"\x00{a}")).rows == only_a
    assert audit_log.query_audit(org.beheer, AuditFilter(text="\x00\x00")).rows == everything


# -- the window ----------------------------------------------------------------------------------
def paste(qtbot, widget, text: str) -> None:
    """Put ``text`` on the clipboard and paste it with the keyboard, as a user does."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText(text)
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_a_nul_pasted_into_the_case_list_search_shows_no_error(org, two, qtbot):
    from PySide6.QtCore import Qt

    from klachtdesk.ui.cases.case_list import CaseListPanel

    a, b = two
    panel = CaseListPanel(org.coordinator)
    qtbot.addWidget(panel)
    panel.show()
    paste(qtbot, panel.search, "amrani\x00")
    assert "\x00" in panel.search.text()  # the box holds what was pasted
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())] == [a]
    panel.search.clear()
    paste(qtbot, panel.search, "\x00\x00\u200b")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=2000)  # the timer's search
    assert panel.count.text() == "2 zaken"
