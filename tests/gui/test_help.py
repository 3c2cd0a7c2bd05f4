"""The manual inside the application: F1 per window, contents and links, the shortcut list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QTreeWidgetItemIterator,
    QWidget,
)

from klachtdesk.domain.roles import Role
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import cases
from klachtdesk.ui.admin.settings_dialog import PAGE_TYPES, SettingsDialog
from klachtdesk.ui.help_pages import (
    CASE_WINDOW_KEYS,
    INDEX,
    ROLE_PAGES,
    SHORTCUTS,
    contents,
    key_text,
    links_of,
    page_names,
    read_page,
    shortcuts_markdown,
    title_of,
)
from klachtdesk.ui.help_window import WINDOW_PAGES, HelpWindow, page_for
from klachtdesk.ui.main_window import TAB_CALENDAR, TAB_CASES, TAB_TODAY, MainWindow
from klachtdesk.ui.safety.backup_window import BackupDialog
from tests.conftest import TODAY, complaint_data

ROOT = Path(__file__).resolve().parents[2]
# Words of an English interface that must not appear in the manual's own widgets.
ENGLISH = {
    "back", "forward", "home", "search", "find", "contents", "close", "help", "next",
    "previous", "cancel", "ok", "index", "page", "shortcuts", "keyboard", "open", "print",
    "save", "manual", "loading", "error", "found", "table", "topics",
}  # fmt: skip


@pytest.fixture(autouse=True)
def close_manuals():
    """The manual has no parent window: close it after each test."""
    yield
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == "helpWindow":
            widget.close()
            widget.deleteLater()


def register(ctx) -> str:
    return cases.register(ctx, ComplaintInput.validated(complaint_data(), TODAY))


def activate(qtbot, window: QWidget) -> None:
    window.show()
    window.raise_()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def main_window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    activate(qtbot, window)
    return window


def press_f1(qtbot, window: QWidget) -> HelpWindow:
    """F1 where the focus is in ``window``; the manual that opened."""
    activate(qtbot, window)
    target = QApplication.focusWidget() or window
    if window.property("klachtdeskHelpF1") is None and not isinstance(window, MainWindow):
        target.setFocus()  # a window gets its F1 when it has the focus
        qtbot.waitUntil(lambda: window.findChild(QShortcut, "helpShortcut") is not None)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F1)
    manual = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "helpWindow")
    qtbot.waitUntil(manual.isVisible)
    return manual


# -- F1 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("tab", "page"),
    [(TAB_CASES, "zaken.md"), (TAB_TODAY, "vandaag.md"), (TAB_CALENDAR, "kalender.md")],
)
def test_f1_in_the_main_window_opens_the_page_of_the_tab_in_front(org, qtbot, tab, page):
    window = main_window(qtbot, org.coordinator)
    window.tabs.setCurrentIndex(tab)
    manual = press_f1(qtbot, window)
    assert manual.current_page() == page
    assert manual.tree.currentItem().text(0) == title_of(read_page(page))
    assert "Pagina niet gevonden" not in manual.browser.toPlainText()


def test_the_help_menu_has_the_manual_the_shortcuts_and_about(org, qtbot):
    window = main_window(qtbot, org.balie)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    texts = [a.text() for a in help_menu.actions() if not a.isSeparator()]
    assert texts == ["&Handleiding", "&Sneltoetsen", "&Over KlachtDesk"]
    assert window.help.manual_action.shortcut() == QKeySequence(Qt.Key.Key_F1)


def test_f1_in_a_case_window_opens_zaak_and_in_its_dialogs_too(org, qtbot):
    ref = register(org.balie)
    window = main_window(qtbot, org.coordinator)
    window.open_case(ref)
    case_window = window.detail_windows[ref]
    manual = press_f1(qtbot, case_window)
    assert manual.current_page() == "zaak.md"
    assert manual.windowModality() == Qt.WindowModality.NonModal

    case_window.start(case_window.detail.actions[0])  # In behandeling nemen: a window-modal dialog
    dialog = case_window.dialog
    assert press_f1(qtbot, dialog).current_page() == "zaak.md"
    dialog.reject()

    case_window.make_letter()  # the letter dialog
    letter_dialog = case_window.files.letter_dialog
    assert press_f1(qtbot, letter_dialog).current_page() == "brieven.md"
    letter_dialog.reject()


def test_f1_above_an_application_modal_dialog_gives_a_manual_that_can_be_used(org, qtbot):
    window = main_window(qtbot, org.beheer)
    dialog = SettingsDialog(org.beheer, window)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)  # as exec() does
    manual = press_f1(qtbot, dialog)
    assert manual.current_page() == "instellingen.md"
    assert manual.windowModality() == Qt.WindowModality.ApplicationModal  # not blocked
    dialog.close()
    window.help.open_manual()  # later, without a modal dialog: an ordinary window again
    assert manual.windowModality() == Qt.WindowModality.NonModal


def test_windows_map_to_pages_that_exist():
    names = set(page_names())
    assert set(WINDOW_PAGES.values()) <= names
    assert page_for(None) == INDEX


def test_no_manual_over_the_lock(org, qtbot):
    window = main_window(qtbot, org.coordinator)
    window.lock()
    lock_dialog = window.locker.dialog
    activate(qtbot, lock_dialog)
    lock_dialog.password.setFocus()
    assert lock_dialog.findChild(QShortcut, "helpShortcut") is None


# -- contents and links -----------------------------------------------------------------------
def test_every_page_in_the_contents_exists_and_every_page_is_in_the_contents():
    names = page_names()
    listed = [page for section in contents() for _title, page in section.pages]
    assert len(listed) == len(set(listed)), "a page is listed twice"
    assert sorted(listed) == sorted(names)
    for page in listed:
        text = shortcuts_markdown(None) if page == SHORTCUTS else read_page(page)
        assert title_of(text), f"{page} has no title"
        assert len(text.split()) > 80, f"{page} is (nearly) empty"


def test_every_internal_link_resolves():
    names = set(page_names())
    for page in names:
        text = shortcuts_markdown(None) if page == SHORTCUTS else read_page(page)
        for target in links_of(text):
            assert "://" not in target and "#" not in target, f"{page}: {target}"
            assert target in names, f"{page} links to {target}, which does not exist"


def test_every_link_in_the_rendered_pages_opens_a_page(qtbot):
    manual = HelpWindow()
    qtbot.addWidget(manual)
    names = set(page_names())
    for page in sorted(names):
        manual.show_page(page)
        assert manual.current_page() == page
        document = manual.browser.document()
        block, hrefs = document.begin(), set()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                href = iterator.fragment().charFormat().anchorHref()
                if href:
                    hrefs.add(href)
                iterator += 1
            block = block.next()
        assert hrefs <= names, f"{page}: {hrefs - names}"
    manual.browser.setSource(QUrl("bestaat-niet.md"))
    assert "Pagina niet gevonden" in manual.browser.toPlainText()


def test_each_role_has_a_first_day_page_with_menu_paths_and_shortcuts():
    for role in Role:
        page = ROLE_PAGES[role]
        text = read_page(page)
        assert title_of(text) == f"Eerste dag: {role.label.lower()}"
        assert "→" in text and re.search(r"\*\*(Ctrl|F1|F5|Enter)", text), page
        assert f"]({page})" in read_page(INDEX)


def test_the_menu_paths_in_the_pages_exist(org, qtbot):
    """'**Bestand → Nieuwe klacht…**', '**Beheer → Instellingen… → Kalender**': the menu, the
    command and (for Instellingen and Back-ups) the page or button must be there."""
    menus: dict[str, set[str]] = {}
    for ctx in (org.coordinator, org.beheer):  # together: every menu and command
        window = main_window(qtbot, ctx)
        for top in window.menuBar().actions():
            commands = menus.setdefault(top.text().replace("&", ""), set())
            commands |= {a.text().replace("&", "") for a in top.menu().actions()}
    backups = BackupDialog(org.beheer)
    qtbot.addWidget(backups)
    third = {
        "Instellingen…": {page.title for page in PAGE_TYPES},
        "Back-ups…": {b.text().replace("&", "") for b in backups.findChildren(QAbstractButton)},
    }
    found = 0
    for page in page_names():
        text = shortcuts_markdown(None) if page == SHORTCUTS else read_page(page)
        for match in re.finditer(r"\*\*((?:Bestand|Beeld|Rapporten|Beheer|Help) →[^*]+)\*\*", text):
            menu, command, *rest = " ".join(match.group(1).split()).split(" → ")
            assert command in menus[menu], f"{page}: {menu} → {command}"
            if rest:
                assert rest[0] in third[command], f"{page}: {command} → {rest[0]}"
            found += 1
    assert found > 30


def test_search_finds_pages_and_marks_the_words(qtbot):
    manual = HelpWindow()
    qtbot.addWidget(manual)
    manual.show_page(INDEX)
    qtbot.keyClicks(manual.search, "herstelcode")
    visible = [
        item.text(0)
        for item in _tree_items(manual)
        if not item.isHidden() and item.data(0, Qt.ItemDataRole.UserRole)
    ]
    assert "Vergrendelen en wachtwoorden" in visible and "Kalender" not in visible
    assert "gevonden" in manual.found.text()
    qtbot.keyClick(manual.search, Qt.Key.Key_Return)
    assert read_page(manual.current_page()).lower().count("herstelcode") > 0
    assert manual.browser.extraSelections()  # the word is marked on the page
    manual.search.clear()
    qtbot.keyClicks(manual.search, "qwxyz")
    assert manual.found.text() == "Niets gevonden voor ‘qwxyz’."


def _tree_items(manual: HelpWindow):
    iterator = QTreeWidgetItemIterator(manual.tree)
    while iterator.value():
        yield iterator.value()
        iterator += 1


# -- shortcuts --------------------------------------------------------------------------------
def test_the_shortcut_overview_lists_the_main_window_shortcuts(org, qtbot):
    window = main_window(qtbot, org.coordinator)
    window.help.shortcuts_action.trigger()
    manual = window.help.help_window
    assert manual.current_page() == SHORTCUTS
    text = manual.browser.toPlainText()
    for keys in ("Ctrl+N", "Ctrl+F", "Ctrl+L", "F1", "Ctrl+1", "Ctrl+2", "Ctrl+3", "F5"):
        assert keys in text, keys
    for menu in window.menuBar().actions():
        for action in menu.menu().actions():
            keys = key_text(action.shortcuts())
            if keys and action.isVisible():
                assert f"| **{keys}** |" in shortcuts_markdown(window), action.text()


def test_a_director_is_not_shown_the_shortcut_for_a_new_complaint(org, qtbot):
    window = main_window(qtbot, org.directeur)
    text = shortcuts_markdown(window)
    assert "Bestand → Nieuwe klacht" not in text and "Ctrl+L" in text


def test_the_case_window_keys_in_the_overview_are_those_of_the_case_window(org, qtbot):
    ref = register(org.balie)
    window = main_window(qtbot, org.coordinator)
    expected = {key_text([QKeySequence(standard)]) for standard, _what in CASE_WINDOW_KEYS}
    closed = shortcuts_markdown(window)  # no case window open: the known list
    window.open_case(ref)
    case_window = window.detail_windows[ref]
    real = {
        key_text(shortcut.keys())
        for shortcut in case_window.findChildren(QShortcut)
        if shortcut.objectName() != "helpShortcut"
    }
    assert real == expected
    opened = shortcuts_markdown(window)  # read from the open case window
    for keys in expected:
        assert f"| **{keys}** |" in closed and f"| **{keys}** |" in opened


# -- the window itself ------------------------------------------------------------------------
def test_the_manual_speaks_dutch(qtbot):
    manual = HelpWindow()
    qtbot.addWidget(manual)
    manual.show_page(INDEX)
    texts = [manual.windowTitle()]
    for widget in manual.findChildren(QWidget):
        texts += [widget.toolTip(), widget.accessibleName(), widget.windowTitle()]
        if isinstance(widget, (QAbstractButton, QLabel)):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
    texts += [item.text(0) for item in _tree_items(manual)]
    words = {w.lower() for text in texts for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", text)}
    assert not words & ENGLISH, words & ENGLISH


def test_back_forward_and_contents_buttons(qtbot):
    manual = HelpWindow()
    qtbot.addWidget(manual)
    manual.show_page(INDEX)
    assert not manual.back_button.isEnabled()
    manual.show_page("zaak.md")
    assert manual.back_button.isEnabled()
    qtbot.mouseClick(manual.back_button, Qt.MouseButton.LeftButton)
    assert manual.current_page() == INDEX
    qtbot.mouseClick(manual.forward_button, Qt.MouseButton.LeftButton)
    assert manual.current_page() == "zaak.md"
    qtbot.mouseClick(manual.home_button, Qt.MouseButton.LeftButton)
    assert manual.current_page() == INDEX
    item = next(i for i in _tree_items(manual) if i.text(0) == "Termijnen")
    manual.tree.setCurrentItem(item)
    assert manual.current_page() == "termijnen.md"


def test_the_manual_ships_with_the_application():
    spec = (ROOT / "installer" / "klachtdesk.spec").read_text(encoding="utf-8")
    assert '"resources" / "help"' in spec
