"""The manual inside the application: Help → Handleiding (F1) and Help → Sneltoetsen.

F1 opens the page of the window in front (``WINDOW_PAGES``); the manual shows the pages of
``help_pages`` with the table of contents and a search on the left.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import (
    QAction,
    QColor,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
    QTextTable,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from klachtdesk.ui.common import fit_to_screen
from klachtdesk.ui.help_pages import (
    INDEX,
    SHORTCUTS,
    contents,
    read_page,
    searchable,
    shortcuts_markdown,
)

# Which page belongs to which window or panel, by objectName or class name. F1 looks from the
# focused widget outward (a dialog of the case window finds the case window), and in the main
# window at the tab in front. A class may also say it itself: ``help_page = "zaak.md"``.
WINDOW_PAGES = {
    "CaseListPanel": "zaken.md",
    "todayPanel": "vandaag.md",
    "calendarPanel": "kalender.md",
    "mainWindow": "hoofdvenster.md",
    "caseDetailWindow": "zaak.md",
    "letterDialog": "brieven.md",
    "letterViewer": "brieven.md",
    "intakeWizard": "nieuwe-klacht.md",
    "reportWindow": "evaluatierapport.md",
    "settingsDialog": "instellingen.md",
    "backupDialog": "back-ups.md",
    "restoreDialog": "back-ups.md",
    "auditLogWindow": "auditlog.md",
    "privacyWindow": "privacy.md",
    "changePasswordDialog": "vergrendelen.md",
    "newRecoveryCodeDialog": "vergrendelen.md",
    "recoveryDialog": "vergrendelen.md",
    "lockDialog": "vergrendelen.md",
    "LoginDialog": "aanmelden.md",
    "SetupWizard": "aanmelden.md",
}
_HELP_F1 = "klachtdeskHelpF1"  # property: this window has our F1 shortcut


def page_for(widget: QWidget | None) -> str:
    """The help page of the window ``widget`` is in: the nearest widget, from the focus outward,
    that names one; in the main window the tab in front."""
    if widget is None:
        return INDEX
    window = widget.window()
    tabs = window.findChild(QTabWidget, "mainTabs")
    current = widget if widget is not window else (window.focusWidget() or window)
    if tabs is not None and tabs.window() is window:
        current = tabs.currentWidget() or window
    while current is not None:
        page = (
            getattr(current, "help_page", None)
            or WINDOW_PAGES.get(current.objectName())
            or WINDOW_PAGES.get(type(current).__name__)
        )
        if page:
            return page
        current = current.parentWidget()
    return INDEX


# -- the window ---------------------------------------------------------------------------------
class HelpBrowser(QTextBrowser):
    """Shows one page; links between pages work, history too (Alt+pijl links/rechts)."""

    def __init__(self, generated: dict[str, Callable[[], str]]):
        super().__init__()
        self.generated = generated
        self.setObjectName("helpBrowser")
        self.setOpenExternalLinks(False)
        self.document().setDocumentMargin(18)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.12)
        self.setFont(font)

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt's name
        name = url.fileName()
        if name in self.generated:
            return self.generated[name]()
        text = read_page(name) if not url.scheme() or url.isLocalFile() else ""
        if text:
            return text
        if getattr(kind, "value", kind) == QTextDocument.ResourceType.ImageResource.value:
            return None
        return (
            "# Pagina niet gevonden\n\nDeze pagina staat niet in de handleiding. "
            "Ga terug naar de [inhoud](index.md).\n"
        )


def polish(document: QTextDocument) -> None:
    """Calmer headings, tables and links than Qt's plain rendering of Markdown."""
    heading_colour, link_colour = QColor("#1f3a5f"), QColor("#0b5cad")
    block = document.begin()
    while block.isValid():
        cursor = QTextCursor(block)
        fmt = block.blockFormat()
        level = fmt.headingLevel()
        if level:
            fmt.setTopMargin(4 if level == 1 else 16)
            fmt.setBottomMargin(8 if level == 1 else 4)
            cursor.setBlockFormat(fmt)
            cursor.movePosition(
                QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
            )
            colour = QTextCharFormat()
            colour.setForeground(heading_colour)
            cursor.mergeCharFormat(colour)
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid() and fragment.charFormat().isAnchor():
                link = QTextCursor(document)
                link.setPosition(fragment.position())
                link.setPosition(fragment.position() + fragment.length(), link.MoveMode.KeepAnchor)
                style = QTextCharFormat()
                style.setForeground(link_colour)
                style.setFontUnderline(True)
                link.mergeCharFormat(style)
            iterator += 1
        block = block.next()
    for frame in document.rootFrame().childFrames():
        if isinstance(frame, QTextTable):
            fmt = frame.format()
            fmt.setBorder(1)
            fmt.setBorderBrush(QColor("#c8ccd0"))
            fmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
            fmt.setCellPadding(5)
            fmt.setCellSpacing(0)
            fmt.setBorderCollapse(True)
            fmt.setTopMargin(4)
            fmt.setBottomMargin(8)
            frame.setFormat(fmt)
            for column in range(frame.columns()):
                cell = frame.cellAt(0, column).format()
                cell.setBackground(QColor("#eef1f4"))
                frame.cellAt(0, column).setFormat(cell)


class HelpWindow(QWidget):
    """The manual: contents and search on the left, the page on the right.

    ``shortcuts`` writes the shortcut page (from the main window's actions)."""

    def __init__(self, shortcuts: Callable[[], str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("helpWindow")
        self.setWindowTitle("Handleiding — KlachtDesk")
        self._shortcuts = shortcuts or (lambda: shortcuts_markdown(None))
        self.browser = HelpBrowser({SHORTCUTS: self._shortcuts})
        self.texts: dict[str, str] = {}  # page → lower-case text, for the search
        self.search = QLineEdit()
        self.search.setObjectName("helpSearch")
        self.search.setPlaceholderText("Zoeken in de handleiding…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Zoeken in de handleiding")
        self.found = QLabel()
        self.found.setObjectName("helpFound")
        self.found.setWordWrap(True)
        self.found.setStyleSheet("color: #555;")
        self.tree = QTreeWidget()
        self.tree.setObjectName("helpContents")
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Inhoud van de handleiding")
        self.back_button = self._button("helpBack", "◀ &Terug", self.browser.backward)
        self.back_button.setToolTip("Terug naar de vorige pagina (Alt+pijl links)")
        self.forward_button = self._button("helpForward", "&Vooruit ▶", self.browser.forward)
        self.forward_button.setToolTip("Vooruit naar de volgende pagina (Alt+pijl rechts)")
        self.home_button = self._button("helpHome", "&Inhoud", lambda: self.show_page(INDEX))
        self.home_button.setToolTip("Naar de eerste pagina met de inhoud van de handleiding")
        self.close_button = self._button("helpClose", "&Sluiten", self.close)
        self._build()
        self._fill_contents()
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)
        self.browser.sourceChanged.connect(self._page_shown)
        self.tree.currentItemChanged.connect(self._item_chosen)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._open_first_found)
        for keys, slot in (
            (QKeySequence.StandardKey.Find, self._focus_search),
            (QKeySequence(Qt.Key.Key_Escape), self.close),
            (QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Left), self.browser.backward),
            (QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Right), self.browser.forward),
        ):
            QShortcut(QKeySequence(keys), self, activated=slot)
        fit_to_screen(self, 1100, 700)

    def _button(self, name: str, text: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _build(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.found)
        column.addWidget(self.tree, 1)
        right = QWidget()
        page = QVBoxLayout(right)
        page.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        for button in (self.back_button, self.forward_button, self.home_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        page.addLayout(buttons)
        page.addWidget(self.browser, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("helpSplitter")
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([290, 810])
        QVBoxLayout(self).addWidget(splitter)

    def _fill_contents(self) -> None:
        self.tree.clear()
        for section in contents():
            parent = None
            if section.title:
                parent = QTreeWidgetItem([section.title])
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
                parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(parent)
            for title, name in section.pages:
                item = QTreeWidgetItem([title])
                item.setData(0, Qt.ItemDataRole.UserRole, name)
                item.setToolTip(0, title)
                if parent is None:
                    self.tree.addTopLevelItem(item)
                else:
                    parent.addChild(item)
                text = self._shortcuts() if name == SHORTCUTS else read_page(name)
                self.texts[name] = searchable(f"{title}\n{text}")
            if parent is not None:
                parent.setExpanded(True)

    # -- showing ----------------------------------------------------------------------------------
    def show_page(self, name: str) -> None:
        """Open a page ('zaak.md'); the shortcut page is written anew each time."""
        if self.current_page() == name:
            self.browser.reload()
        else:
            self.browser.setSource(QUrl(name), QTextDocument.ResourceType.MarkdownResource)

    def current_page(self) -> str:
        return self.browser.source().fileName()

    def _page_shown(self, url: QUrl) -> None:
        polish(self.browser.document())
        self._highlight()
        name = url.fileName()
        self.tree.blockSignals(True)
        try:
            for item in self._items():
                if item.data(0, Qt.ItemDataRole.UserRole) == name:
                    self.tree.setCurrentItem(item)
                    break
            else:
                self.tree.setCurrentItem(None)
        finally:
            self.tree.blockSignals(False)

    def _item_chosen(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        name = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if name and name != self.current_page():
            self.show_page(name)

    def _items(self) -> list[QTreeWidgetItem]:
        items = []
        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            items.append(top)
            items.extend(top.child(n) for n in range(top.childCount()))
        return items

    # -- searching --------------------------------------------------------------------------------
    def _words(self) -> list[str]:
        return searchable(self.search.text()).split()

    def _filter(self) -> None:
        words = self._words()
        count = 0
        for item in self._items():
            name = item.data(0, Qt.ItemDataRole.UserRole)
            if name is None:
                continue
            hit = all(word in self.texts.get(name, "") for word in words)
            item.setHidden(not hit)
            count += hit
        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            if top.childCount():
                top.setHidden(all(top.child(n).isHidden() for n in range(top.childCount())))
        if not words:
            self.found.setText("")
        elif count:
            self.found.setText(
                f"{count} {'pagina' if count == 1 else 'pagina’s'} gevonden. Druk op Enter "
                "om de eerste te openen."
            )
        else:
            self.found.setText(f"Niets gevonden voor ‘{self.search.text().strip()}’.")
        self._highlight()

    def _open_first_found(self) -> None:
        for item in self._items():
            name = item.data(0, Qt.ItemDataRole.UserRole)
            if name and not item.isHidden():
                self.show_page(name)
                words = self._words()
                if words:
                    self.browser.moveCursor(QTextCursor.MoveOperation.Start)
                    self.browser.find(words[0])
                return

    def _highlight(self) -> None:
        """Mark every place on the page where a search word occurs."""
        selections = []
        document = self.browser.document()
        for word in self._words():
            cursor = document.find(word)
            while not cursor.isNull():
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format.setBackground(QColor("#fff3a3"))
                selections.append(selection)
                cursor = document.find(word, cursor)
        self.browser.setExtraSelections(selections)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()


# -- the Help menu and F1 -----------------------------------------------------------------------
class HelpLauncher(QObject):
    """The Help menu's actions for the main window, and F1 in every window of the application.

    The main window's F1 is the menu action. Another window (a case window, a dialog) gets its
    own F1 shortcut the first time it has the focus, so F1 also works under a modal dialog.
    """

    def __init__(self, main: QMainWindow):
        super().__init__(main)
        self.main = main
        self.help_window: HelpWindow | None = None
        self.manual_action = QAction("&Handleiding", main)
        self.manual_action.setObjectName("openManual")
        self.manual_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.manual_action.triggered.connect(self.open_manual)
        self.shortcuts_action = QAction("&Sneltoetsen", main)
        self.shortcuts_action.setObjectName("openShortcuts")
        self.shortcuts_action.triggered.connect(self.open_shortcuts)
        QApplication.instance().focusChanged.connect(self._focus_changed)

    @Slot()
    def open_manual(self) -> None:
        self.open_page(page_for(self.main))

    @Slot()
    def open_shortcuts(self) -> None:
        self.open_page(SHORTCUTS)

    def open_page(self, name: str) -> HelpWindow:
        window = self.help_window
        if window is None or not shiboken6.isValid(window):
            # No parent: a dialog that is modal to the main window does not block the manual,
            # and the manual does not keep KlachtDesk running once the main window is closed.
            window = self.help_window = HelpWindow(lambda: shortcuts_markdown(self.main))
            window.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        modal = QApplication.activeModalWidget()
        wanted = (
            Qt.WindowModality.ApplicationModal
            if modal is not None
            and modal is not window
            and modal.windowModality() == Qt.WindowModality.ApplicationModal
            else Qt.WindowModality.NonModal
        )
        if window.windowModality() != wanted:  # above an application-modal dialog: usable
            window.hide()
            window.setWindowModality(wanted)
        window.show_page(name)
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    @Slot(QWidget, QWidget)
    def _focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        if now is None or not shiboken6.isValid(self.main):
            return
        locker = getattr(self.main, "locker", None)
        if locker is not None and locker.is_locked:
            return  # no manual over the lock
        window = now.window()
        if (
            window is self.main
            or window is self.help_window
            or window.property(_HELP_F1)
            or window.windowType() == Qt.WindowType.Popup
        ):
            return
        shortcut = QShortcut(QKeySequence(Qt.Key.Key_F1), window)
        shortcut.setObjectName("helpShortcut")
        shortcut.activated.connect(self._f1_pressed)
        window.setProperty(_HELP_F1, True)

    @Slot()
    def _f1_pressed(self) -> None:
        shortcut = self.sender()
        if isinstance(shortcut, QShortcut):
            self.open_page(page_for(shortcut.parent()))
