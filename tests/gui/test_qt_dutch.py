"""Qt's own dialogs speak Dutch after install_dutch: file, print and message dialogs, menus."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabBar,
    QTabWidget,
    QTreeView,
    QWidget,
)

from klachtdesk.paths import resource_path
from klachtdesk.ui.common import install_dutch

# Whole texts (after normalise) that mean Qt left a text in English. Words that are Dutch
# as well ("OK", "Type", "Printer", "Help", "Alias") are not listed.
ENGLISH = {
    # file dialog
    "look in", "files of type", "file name", "computer", "my computer", "detail view",
    "list view", "back", "go back", "forward", "go forward", "parent directory",
    "go to the parent directory", "create new folder", "create a new folder", "new folder",
    "folder", "file folder", "drive", "file", "files", "directory", "directories", "sidebar",
    "list of places and bookmarks", "recent places", "name", "size", "date modified",
    "rename", "delete", "show hidden files", "show size", "show type", "show date modified",
    "change to list view mode", "change to detail view mode", "unknown", "shortcut",
    # print dialog, its options and its properties (page setup)
    "print", "page set", "options", "properties", "printer properties", "print to file (pdf)",
    "local file", "write pdf file", "location", "preview", "output file", "copies", "collate",
    "reverse", "color mode", "color", "grayscale", "double sided printing", "duplex printing",
    "off", "long side binding", "short side binding", "long side", "short side", "print range",
    "print all", "pages from", "to", "pages", "current page", "selection", "all pages",
    "odd pages", "even pages", "output settings", "page", "advanced", "paper", "page size",
    "paper source", "width", "height", "orientation", "portrait", "landscape",
    "reverse portrait", "reverse landscape", "margins", "page layout", "page order",
    "pages per sheet", "job", "job options", "scroll left", "scroll right",
    # standard buttons, message boxes
    "cancel", "save", "save all", "open", "yes", "no", "yes to all", "no to all", "close",
    "discard", "apply", "reset", "restore defaults", "abort", "retry", "ignore",
    "show details", "hide details",
    # edit menus
    "undo", "redo", "cut", "copy", "paste", "select all", "copy link location",
}  # fmt: skip

STANDARD_BUTTONS = [
    "Ok", "Cancel", "Yes", "No", "Save", "Discard", "Close", "Open", "SaveAll", "YesToAll",
    "NoToAll", "Abort", "Retry", "Ignore", "Apply", "Reset", "RestoreDefaults",
]  # fmt: skip

CATALOGUE = resource_path("translations", "klachtdesk_qt_nl.ts")


def normalise(text: str) -> str:
    """'&Look in:' → 'look in'; 'Cu&t\\tCtrl+X' → 'cut'; '&Options >>' → 'options'."""
    text = text.split("\t")[0].replace("&&", "\0").replace("&", "").replace("\0", "&")
    return re.sub(r"(\s*(:|\.\.\.|…|>>|<<))+$", "", text.strip()).strip().lower()


def texts_of(root: QObject) -> list[tuple[str, str]]:
    """Every text a user can see or hear in ``root`` and its children, with where it is."""
    found: list[tuple[str, str]] = []

    def add(obj: QObject, text: str | None) -> None:
        if text:
            found.append((f"{type(obj).__name__} {obj.objectName()!r}", text))

    for obj in [root, *root.findChildren(QObject)]:
        if isinstance(obj, QWidget):
            if obj.isWindow():
                add(obj, obj.windowTitle())
            for text in (obj.toolTip(), obj.statusTip(), obj.whatsThis(), obj.accessibleName()):
                add(obj, text)
        if isinstance(obj, QLabel):
            add(obj, obj.text())
        if isinstance(obj, QAbstractButton):
            add(obj, obj.text())
        if isinstance(obj, QGroupBox):
            add(obj, obj.title())
        if isinstance(obj, QLineEdit):
            add(obj, obj.placeholderText())
        if isinstance(obj, QComboBox):
            for row in range(obj.count()):
                add(obj, obj.itemText(row))
        if isinstance(obj, QTabWidget | QTabBar):
            for tab in range(obj.count()):
                add(obj, obj.tabText(tab))
                add(obj, obj.tabToolTip(tab))
        if isinstance(obj, QMenu):
            add(obj, obj.title())
        if isinstance(obj, QAction):
            add(obj, obj.text())
            add(obj, obj.toolTip())
        if isinstance(obj, QHeaderView) and obj.model() is not None:
            for section in range(obj.count()):
                add(obj, obj.model().headerData(section, obj.orientation()))
        is_list = isinstance(obj, QAbstractItemView) and not isinstance(obj, QHeaderView)
        if is_list and obj.model() is not None:
            model, parent = obj.model(), obj.rootIndex()
            for row in range(min(model.rowCount(parent), 50)):
                for column in range(model.columnCount(parent)):
                    add(obj, model.index(row, column, parent).data())
    return [(where, text) for where, text in found if isinstance(text, str)]


def english_in(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(where, text) for where, text in texts if normalise(text) in ENGLISH]


def assert_dutch(texts: list[tuple[str, str]]) -> None:
    english = english_in(texts)
    assert not english, "English left in Qt's dialogs:\n" + "\n".join(
        f"  {text!r} ({where})" for where, text in english
    )


@pytest.fixture
def dutch(qapp):
    """install_dutch on the test run's QApplication, undone afterwards for the other tests."""
    default_locale = QLocale()
    translators = install_dutch(qapp)
    yield translators
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(default_locale)


def test_normalise_matches_whole_texts_only():
    assert normalise("&Look in:") == "look in"
    assert normalise("Cu&t\tCtrl+X") == "cut"
    assert normalise("&Options >>") == "options"
    assert normalise("Details tonen...") == "details tonen"
    assert english_in([("x", "Opslaan"), ("x", "Kopiëren"), ("x", "Copy")]) == [("x", "Copy")]


def test_our_catalogue_is_compiled_from_its_ts_file():
    """The committed .qm gives every translation of the .ts: after editing the .ts, run
    pyside6-lrelease resources/translations/klachtdesk_qt_nl.ts and commit both."""
    translator = QTranslator()
    assert translator.load(str(resource_path("translations", "klachtdesk_qt_nl.qm")))
    messages = 0
    for context in ET.parse(CATALOGUE).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            source, comment = message.findtext("source"), message.findtext("comment")
            expected = message.findtext("translation")
            assert translator.translate(name, source, comment) == expected, (name, source)
            messages += 1
    assert messages > 30


def test_install_dutch_loads_qt_and_our_catalogue(dutch):
    assert len(dutch) == 2
    assert QApplication.translate("QPlatformTheme", "Cancel") == "Annuleren"  # Qt's own
    assert QApplication.translate("QFileDialog", "&Look in:") == "&Zoeken in:"  # ours


def test_file_save_dialog_is_dutch(dutch, qtbot, tmp_path):
    (tmp_path / "map").mkdir()
    (tmp_path / "brief.pdf").write_bytes(b"%PDF-1.4\n")
    dialog = QFileDialog(None, "Opslaan als", str(tmp_path), "PDF-documenten (*.pdf)")
    qtbot.addWidget(dialog)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.show()
    files = dialog.findChild(QTreeView, "treeView")
    qtbot.waitUntil(lambda: files.model().rowCount(files.rootIndex()) == 2)
    look_in = dialog.findChild(QComboBox, "lookInCombo")
    look_in.showPopup()  # fills the list with the places ('Computer', recent folders)
    look_in.hidePopup()

    texts = texts_of(dialog)
    assert_dutch(texts)
    shown = {normalise(text) for _, text in texts}
    assert {"zoeken in", "bestandsnaam", "bestandstype", "opslaan", "annuleren"} <= shown
    assert {"deze computer", "map", "bovenliggende map", "vooruit"} <= shown


def test_print_dialog_is_dutch(dutch, qtbot):
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # the same on every machine
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    options = next(b for b in dialog.findChildren(QPushButton) if "Opties" in b.text())
    options.click()  # the copies and options tabs
    properties: list[tuple[str, str]] = []

    def read_properties_and_close() -> None:
        shown = QApplication.activeModalWidget()
        try:
            properties.extend(texts_of(shown))
        finally:
            shown.reject()

    QTimer.singleShot(0, read_properties_and_close)
    dialog.findChild(QPushButton, "properties").click()  # page setup, a modal dialog

    texts = texts_of(dialog)
    assert properties, "the printer's properties dialog did not open"
    assert_dutch(texts + properties)
    shown = {normalise(text) for _, text in texts + properties}
    assert {"afdrukken", "opties", "paginaset", "dubbelzijdig afdrukken", "staand"} <= shown


def test_message_box_and_button_box_are_dutch(dutch, qtbot):
    buttons = QMessageBox.StandardButton.NoButton
    for name in STANDARD_BUTTONS:
        buttons |= getattr(QMessageBox.StandardButton, name)
    box = QMessageBox(QMessageBox.Icon.Question, "Vraag", "Wijzigingen opslaan?", buttons)
    box.setDetailedText("Details")
    qtbot.addWidget(box)
    box.show()
    button_box = QDialogButtonBox(QDialogButtonBox.StandardButton(buttons.value))
    qtbot.addWidget(button_box)

    texts = texts_of(box) + texts_of(button_box)
    assert_dutch(texts)
    labels = [normalise(b.text()) for b in button_box.buttons()]
    assert len(labels) == len(STANDARD_BUTTONS)
    assert {"ok", "annuleren", "ja", "nee", "opslaan", "niet opslaan", "sluiten"} <= set(labels)


def test_edit_context_menus_are_dutch(dutch, qtbot):
    line = QLineEdit("Lindelaan 4")
    text = QPlainTextEdit("Klacht over de lift")
    qtbot.addWidget(line)
    qtbot.addWidget(text)
    menus = [line.createStandardContextMenu(), text.createStandardContextMenu()]

    texts = [item for menu in menus for item in texts_of(menu)]
    assert_dutch(texts)
    actions = {normalise(action.text()) for action in menus[0].actions() if action.text()}
    assert actions == {
        "ongedaan maken", "opnieuw", "knippen", "kopiëren", "plakken", "verwijderen",
        "alles selecteren",
    }  # fmt: skip
    for menu in menus:
        menu.deleteLater()


def test_without_install_dutch_the_check_would_see_english(qtbot):
    """The check itself works: Qt's dialogs without translators are caught."""
    box = QMessageBox(QMessageBox.Icon.Question, "t", "x", QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    if QApplication.translate("QPlatformTheme", "Cancel") != "Cancel":
        pytest.skip("a translator is still installed")
    assert [text for _, text in english_in(texts_of(box))] == ["Cancel"]
