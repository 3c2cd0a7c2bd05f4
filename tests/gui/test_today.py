"""The 'Vandaag' overview: greeting, what is late, what is due, letters, appeals first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton

from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import case_activities, cases
from klachtdesk.ui.letters import letter_dialog
from klachtdesk.ui.today import TodayPanel
from tests.conftest import APPEAL_GROUNDS, TODAY, complaint_data


def at(ctx, day: date, hour: int = 10):
    return replace(ctx, today=lambda: day, now=lambda: datetime(day.year, day.month, day.day, hour))


def register(org, received: str) -> str:
    data = complaint_data(received=received)
    return cases.register(
        at(org.balie, date.fromisoformat(received)), ComplaintInput.validated(data, TODAY)
    )


def make_panel(qtbot, ctx, **options) -> TodayPanel:
    panel = TodayPanel(ctx, **options)
    qtbot.addWidget(panel)
    panel.resize(1280, 760)
    panel.show()
    return panel


def rows(panel, key: str) -> list[list[str]]:
    table = panel.sections[key].rows
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


@pytest.mark.parametrize(
    ("hour", "word"), [(8, "Goedemorgen"), (14, "Goedemiddag"), (20, "Goedenavond")]
)
def test_greeting_with_first_name_and_the_date_written_out(org, qtbot, hour, word):
    panel = make_panel(qtbot, at(org.coordinator, TODAY, hour))
    assert panel.greeting.text() == f"{word}, Carla — woensdag 25 november 2026"


def test_a_quiet_day_has_calm_empty_texts(org, qtbot):
    panel = make_panel(qtbot, org.coordinator)
    overdue = panel.findChild(QGroupBox, "section_verlopen")
    assert overdue.title() == "Verlopen termijnen (0)"
    empty = panel.findChild(QLabel, "empty_verlopen")
    assert empty.isVisible() and empty.text() == "Geen verlopen termijnen. Mooi zo."
    assert not panel.sections["verlopen"].rows.isVisible()
    assert panel.summary.text() == "Er staat vandaag niets open. Een rustige dag."


def test_overdue_this_week_and_letters_land_in_their_sections(org, qtbot):
    old = register(org, "2026-11-02")  # acknowledgement due 9 November
    new = register(org, "2026-11-20")  # acknowledgement due Friday 27 November
    panel = make_panel(qtbot, org.coordinator)
    assert panel.section_order() == ["verlopen", "deze_week", "brieven", "heroverwegingen"]
    assert rows(panel, "verlopen") == [
        [
            old,
            "Ontvangstbevestiging",
            "09-11-2026 · 12 werkdagen te laat",
            "Lekkage badkamer niet verholpen",
        ]
    ]
    assert panel.sections["verlopen"].title() == "Verlopen termijnen (1)"
    assert rows(panel, "deze_week") == [
        [
            new,
            "Ontvangstbevestiging",
            "27-11-2026 · nog 2 werkdagen",
            "Lekkage badkamer niet verholpen",
        ]
    ]
    assert [r[:3] for r in rows(panel, "brieven")] == [
        [old, "Ontvangstbevestiging", "uiterlijk 09-11-2026"],
        [new, "Ontvangstbevestiging", "uiterlijk 27-11-2026"],
    ]
    assert panel.findChild(QLabel, "empty_heroverwegingen").isVisible()
    assert panel.summary.text() == (
        "Vandaag: 1 verlopen termijn, 1 termijn deze week en 2 brieven te versturen."
    )

    # The acknowledgement goes out; after refreshing, the overdue list is calm again.
    case_activities.mark_letter_sent(org.balie, old, "ontvangstbevestiging", TODAY, "post")
    panel.refresh()
    assert rows(panel, "verlopen") == []
    assert panel.findChild(QLabel, "empty_verlopen").isVisible()
    assert [r[0] for r in rows(panel, "brieven")] == [new]


def test_a_click_selects_and_a_double_click_or_enter_opens_the_case(org, qtbot):
    old = register(org, "2026-11-02")
    new = register(org, "2026-11-20")
    panel = make_panel(qtbot, org.coordinator)
    table = panel.sections["verlopen"].rows
    rect = table.visualItemRect(table.item(0, 3))
    opened_by_click = []
    panel.open_case.connect(opened_by_click.append)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened_by_click == [] and table.currentRow() == 0  # one click only selects
    panel.open_case.disconnect()
    with qtbot.waitSignal(panel.open_case) as opened:
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [old]
    week = panel.sections["deze_week"].rows
    week.setFocus()
    week.setCurrentCell(0, 0)
    with qtbot.waitSignal(panel.open_case) as opened:
        qtbot.keyClick(week, Qt.Key.Key_Return)
    assert opened.args == [new]


def test_a_letter_row_opens_the_letter_dialog_with_that_letter(org, qtbot, monkeypatch):
    monkeypatch.setattr(letter_dialog, "ask_final", lambda *args: True)
    monkeypatch.setattr(letter_dialog, "ask_channel", lambda *args: "post")
    waiting = register(org, "2026-11-20")
    decided = register(org, "2026-11-19")
    case_activities.mark_letter_sent(org.balie, decided, "ontvangstbevestiging", TODAY, "post")
    cases.perform(org.coordinator, decided, Action.TRIAGE_KLACHT, handler="coordinator")
    cases.perform(org.manager, decided, Action.UITSPRAAK, outcome="gegrond", motivation="Ja.")
    extended = register(org, "2026-11-18")
    case_activities.mark_letter_sent(
        org.balie,
        extended,
        "ontvangstbevestiging",
        TODAY,
        "post",
    )
    case_activities.extend_decision(org.coordinator, extended, "2027-01-08", "Rapport volgt.")
    panel = make_panel(qtbot, org.coordinator)
    assert [r[:3] for r in rows(panel, "brieven")] == [
        [waiting, "Ontvangstbevestiging", "uiterlijk 27-11-2026"],
        # the notice of an extension is due on the old decision date
        [extended, "Verlenging van de termijn", "uiterlijk 16-12-2026"],
        # decided, but the decision counts only when this letter is sent
        [decided, "Uitspraak", "uiterlijk 17-12-2026"],
    ]
    assert panel.summary.text().endswith("en 3 brieven te versturen.")

    table = panel.sections["brieven"].rows
    opened = []
    panel.open_case.connect(opened.append)
    rect = table.visualItemRect(table.item(2, 3))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.letter_dialog is None  # a single click makes no letter
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = panel.letter_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert (dialog.ref, dialog.type_combo.currentData()) == (decided, "uitspraak")
    assert "Wij vinden uw klacht gegrond." in dialog.body_edit.toPlainText()
    assert opened == []  # the letter opens, not the case
    with qtbot.waitSignal(panel.changed) as changed:
        qtbot.mouseClick(dialog.finalise_button, Qt.MouseButton.LeftButton)
    assert changed.args == [decided]
    panel.refresh()  # final is not sent: it stays on the list
    assert [r[0] for r in rows(panel, "brieven")] == [waiting, extended, decided]
    qtbot.mouseClick(dialog.sent_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.letter_dialog is None)
    assert [r[0] for r in rows(panel, "brieven")] == [waiting, extended]

    # Enter works too; the extension's letter is offered first.
    table.setFocus()
    table.setCurrentCell(1, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = panel.letter_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert (dialog.ref, dialog.type_combo.currentData()) == (extended, "verlenging")
    dialog.reject()


def test_a_long_list_holds_every_row_its_title_counts_and_scrolls(org, qtbot):
    """Eleven overdue deadlines: the title says 11 and the list holds all 11, the oldest
    first; on a laptop-sized panel the list scrolls to the last one."""
    refs = [register(org, "2026-11-02") for _ in range(11)]
    panel = make_panel(qtbot, org.coordinator)
    panel.resize(1280, 620)
    section = panel.sections["verlopen"]
    assert [r[0] for r in rows(panel, "verlopen")] == refs
    assert section.title() == "Verlopen termijnen (11)"
    table = section.rows
    qtbot.waitUntil(lambda: table.verticalScrollBar().isVisible())
    table.scrollToBottom()
    last = table.visualItemRect(table.item(10, 0))
    assert table.viewport().rect().contains(last)


def test_a_section_with_more_rows_than_it_holds_says_so_and_shows_all_on_request(org, qtbot):
    """Vandaag reads the first rows of each section: a list of more says how many it
    holds of how many, and 'Toon alle' lists every row its title counts, oldest first
    (and keeps doing so when the panel refreshes)."""
    refs = [register(org, "2026-11-02") for _ in range(5)]
    panel = make_panel(qtbot, org.coordinator, shown=3)
    section = panel.sections["verlopen"]
    assert section.title() == "Verlopen termijnen (5)"
    assert [r[0] for r in rows(panel, "verlopen")] == refs[:3]
    partial = panel.findChild(QLabel, "partial_verlopen")
    button = panel.findChild(QPushButton, "showAll_verlopen")
    assert partial.isVisible() and partial.text() == "U ziet de eerste 3 van 5."
    assert button.isVisible() and button.text() == "Toon alle 5"
    assert panel.summary.text() == "Vandaag: 5 verlopen termijnen en 5 brieven te versturen."
    # the letters section too; a section that holds all says nothing more
    assert panel.findChild(QPushButton, "showAll_brieven").text() == "Toon alle 5"
    assert not panel.findChild(QPushButton, "showAll_deze_week").isVisible()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert [r[0] for r in rows(panel, "verlopen")] == refs
    assert section.title() == "Verlopen termijnen (5)"
    assert not partial.isVisible() and not button.isVisible()
    assert len(rows(panel, "brieven")) == 3  # only the section asked for

    case_activities.mark_letter_sent(org.balie, refs[0], "ontvangstbevestiging", TODAY, "post")
    panel.refresh()
    assert [r[0] for r in rows(panel, "verlopen")] == refs[1:]
    assert section.title() == "Verlopen termijnen (4)" and not button.isVisible()

    # A letter row of the whole list still makes that letter.
    qtbot.mouseClick(panel.findChild(QPushButton, "showAll_brieven"), Qt.MouseButton.LeftButton)
    letters = panel.sections["brieven"].rows
    assert letters.rowCount() == 4
    assert letters.item(3, 0).data(Qt.ItemDataRole.UserRole + 1) == "ontvangstbevestiging"


def test_the_unlinked_banner_counts_every_case_and_names_the_first(org, qtbot):
    refs = [register_naming(org, f"P. Onbekend{n}") for n in "abcdefghij"]
    panel = make_panel(qtbot, org.coordinator)
    text = panel.unlinked.text()
    assert text.startswith("10 open zaken noemen een medewerker die niet in de lijst")
    assert refs[7] in text and refs[8] not in text
    assert text.endswith("; en nog 2.")


def register_naming(org, employee: str) -> str:
    data = complaint_data(received="2026-11-20", employee=employee)
    return cases.register(at(org.balie, date(2026, 11, 20)), ComplaintInput.validated(data, TODAY))


def test_the_directeur_sees_the_appeals_first(org, qtbot):
    register(org, "2026-11-02")  # not an appeal: the directeur does not see it
    appealed = register(org, "2026-11-19")
    case_activities.mark_letter_sent(
        org.balie,
        appealed,
        "ontvangstbevestiging",
        TODAY,
        "post",
    )
    cases.perform(org.coordinator, appealed, Action.TRIAGE_KLACHT, handler="coordinator")
    cases.perform(org.manager, appealed, Action.UITSPRAAK, outcome="ongegrond", motivation="Nee.")
    case_activities.mark_letter_sent(org.coordinator, appealed, "uitspraak", TODAY, "post")
    cases.perform(
        org.coordinator, appealed, Action.BEROEP, received="2026-11-25", grounds=APPEAL_GROUNDS
    )

    panel = make_panel(qtbot, at(org.directeur, TODAY, 9))
    assert panel.greeting.text() == "Goedemorgen, Dirk — woensdag 25 november 2026"
    assert panel.section_order()[0] == "heroverwegingen"
    assert panel.overview.director_first
    assert rows(panel, "heroverwegingen") == [
        [
            appealed,
            "Reactie directeur-bestuurder",
            "09-12-2026 · nog 10 werkdagen",
            "Lekkage badkamer niet verholpen",
        ]
    ]
    assert rows(panel, "verlopen") == []
    assert panel.summary.text() == "Vandaag: 1 heroverweging."

    # The coordinator sees the same appeal, in the last section.
    coordinator = make_panel(qtbot, org.coordinator)
    assert coordinator.section_order()[-1] == "heroverwegingen"
    assert [r[0] for r in rows(coordinator, "heroverwegingen")] == [appealed]


def test_a_procedure_without_appeal_has_no_appeals_panel(livable_org, qtbot):
    """Livable's procedure has no appeal stage: its Vandaag shows no heroverweging panel,
    and the three panels still fill the window (the last one takes the whole width)."""
    register(livable_org, "2026-11-20")
    panel = make_panel(qtbot, livable_org.coordinator)
    assert panel.section_order() == ["verlopen", "deze_week", "brieven"]
    assert not panel.sections["heroverwegingen"].isVisible()
    assert "heroverweging" not in panel.summary.text()
    letters = panel.sections["brieven"]
    assert letters.width() > panel.sections["verlopen"].width() * 1.5
