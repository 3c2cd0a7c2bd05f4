"""The manual's pages: reading them, the table of contents, and the shortcut page.

The pages are Markdown files under ``resources/help/``, read through ``resource_path`` so they
ship with the application (also inside the PyInstaller bundle) and need no internet.
``index.md`` is the start page; its lists of links are also the table of contents. The
shortcut page is written from the actions of the main window and the shortcuts of the case
window, so it cannot go stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow

from klachtdesk.domain.roles import Role
from klachtdesk.paths import resource_path

INDEX = "index.md"
SHORTCUTS = "sneltoetsen.md"  # written from the windows' actions, not a file
ROLE_PAGES = {  # "Eerste dag" per role
    Role.BALIE: "eerste-dag-balie.md",
    Role.COORDINATOR: "eerste-dag-coordinator.md",
    Role.MANAGER: "eerste-dag-manager.md",
    Role.DIRECTEUR: "eerste-dag-directeur.md",
    Role.BEHEER: "eerste-dag-beheer.md",
}
# The case window's own shortcuts (QShortcut, no menu). A test checks them against a real
# case window; when one is open, its shortcuts are read from it instead.
CASE_WINDOW_KEYS = (
    (QKeySequence.StandardKey.Refresh, "De zaak opnieuw inlezen (de knop Vernieuwen)"),
    (
        QKeySequence.StandardKey.Close,
        "Het zaakvenster sluiten (met een vraag als er nog iets niet is opgeslagen)",
    ),
)
FIXED_KEYS = {
    "Lijsten": (
        ("Enter of dubbelklik", "De gekozen zaak openen (Zaken, Kalender, brieven van een zaak)"),
        ("Enter of klik", "Op Vandaag: de zaak openen, of de brief maken die klaarstaat"),
        ("Enter in het zoekvak", "Naar de eerste gevonden zaak in de lijst"),
    ),
    "Vensters met vragen en de wizard": (
        ("Enter", "De standaardknop: Vastleggen, Volgende, Registreren of Aanmelden"),
        ("Esc", "Annuleren: het venster sluiten zonder iets vast te leggen"),
        ("Tab en Shift+Tab", "Naar het volgende of het vorige veld"),
        ("Spatiebalk", "Een vakje aan- of uitvinken, of de gekozen knop indrukken"),
        ("Alt+pijl omlaag", "Een keuzelijst openklappen"),
        ("Delete", "Nieuwe klacht, stap Bijlagen: het gekozen bestand weghalen"),
    ),
    "In de handleiding": (
        ("F1", "De pagina over het venster dat vooraan staat"),
        ("Alt+pijl links", "Terug naar de vorige pagina"),
        ("Alt+pijl rechts", "Vooruit naar de volgende pagina"),
        ("Ctrl+F", "Naar het zoekvak van de handleiding"),
        ("Esc", "De handleiding sluiten"),
    ),
}
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_CONTENTS_ENTRY = re.compile(r"^[-*] \[([^\]]+)\]\(([^)#\s]+)\)")


# -- pages --------------------------------------------------------------------------------------
def page_names() -> list[str]:
    """Every page file under resources/help, and the generated shortcut page."""
    folder = resource_path("help")
    files = sorted(p.name for p in folder.glob("*.md")) if folder.is_dir() else []
    return [*files, SHORTCUTS]


def read_page(name: str) -> str:
    """The Markdown of a page file ('' if there is no such file)."""
    path = resource_path("help", name)
    if name != path.name or not path.is_file():  # only plain names inside the help folder
        return ""
    return path.read_text(encoding="utf-8")


def links_of(markdown: str) -> list[str]:
    """The link targets in a page: 'zaak.md', 'termijnen.md'."""
    return _LINK.findall(markdown)


def title_of(markdown: str, fallback: str = "") -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


@dataclass(frozen=True)
class Section:
    title: str
    pages: tuple[tuple[str, str], ...]  # (title, page)


def contents() -> list[Section]:
    """The table of contents: the '## ' headings of index.md with the links listed under them."""
    sections: list[Section] = [Section("", (("Welkom", INDEX),))]
    title, pages = "", []
    for line in read_page(INDEX).splitlines():
        if line.startswith("## "):
            if pages:
                sections.append(Section(title, tuple(pages)))
            title, pages = line[3:].strip(), []
        elif match := _CONTENTS_ENTRY.match(line.strip()):
            pages.append((match.group(1), match.group(2)))
    if pages:
        sections.append(Section(title, tuple(pages)))
    return sections


def searchable(text: str) -> str:
    """Lower case, without Markdown marks: what the search compares with."""
    return re.sub(r"[*_`#|>\[\]()]", " ", text).lower()


# -- the shortcut page --------------------------------------------------------------------------
def key_text(sequences) -> str:
    """'Ctrl+N', 'Ctrl+F4 of Ctrl+W': as this computer shows them. Keys that only special
    keyboards have (a "Refresh" or "Close" key) are left out."""
    texts = []
    for sequence in sequences:
        sequence = QKeySequence(sequence)
        if sequence.isEmpty() or sequence[0].key().value >= Qt.Key.Key_Back.value:
            continue
        text = sequence.toString(QKeySequence.SequenceFormat.NativeText)
        if text and text not in texts:
            texts.append(text)
    return " of ".join(texts)


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def main_window_rows(window: QMainWindow) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(keys, what, menu path) for every usable menu action with a shortcut, and 'Alt+B: menu
    Bestand' for every menu of the window."""
    rows, menus = [], []
    for top in window.menuBar().actions():
        menu = top.menu()
        if menu is None or not top.isVisible():
            continue
        title = _plain(top.text())
        mnemonic = key_text([QKeySequence.mnemonic(top.text())])
        if mnemonic:
            menus.append(f"**{mnemonic}**: menu {title}")
        for action in menu.actions():
            keys = key_text(action.shortcuts())
            if keys and action.isVisible() and action.isEnabled():
                what = _plain(action.text())
                rows.append((keys, what.rstrip("…"), f"{title} → {what}"))
    return rows, menus


def case_window_rows() -> list[tuple[str, str]]:
    """The case window's shortcuts: from an open case window, else the known list."""
    open_windows = [
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "caseDetailWindow" and shiboken6.isValid(w)
    ]
    # QKeySequence(StandardKey) is the first binding of this platform, as the window uses it.
    described = {key_text([QKeySequence(standard)]): what for standard, what in CASE_WINDOW_KEYS}
    if not open_windows:
        return list(described.items())
    rows = []
    for shortcut in open_windows[0].findChildren(QShortcut):
        keys = key_text(shortcut.keys())
        if shortcut.objectName() == "helpShortcut" or not keys:
            continue
        rows.append((keys, described.get(keys, "Een sneltoets van het zaakvenster")))
    return rows


def shortcuts_markdown(window: QMainWindow | None) -> str:
    lines = [
        "# Sneltoetsen",
        "",
        "Met deze toetsen werkt u sneller. De lijst komt uit KlachtDesk zelf en klopt dus "
        "altijd met deze versie en deze computer. Zie ook [Het hoofdvenster](hoofdvenster.md).",
        "",
        "## Hoofdvenster",
        "",
        "| Toets | Wat het doet | In het menu |",
        "| --- | --- | --- |",
    ]
    rows, menus = main_window_rows(window) if window is not None else ([], [])
    lines += [f"| **{k}** | {_cell(w)} | {_cell(p)} |" for k, w, p in rows]
    if menus:
        lines += [
            "",
            "Een menu opent u met Alt en de onderstreepte letter: " + ", ".join(menus) + ".",
        ]
    lines += [
        "",
        "## Zaakvenster",
        "",
        "| Toets | Wat het doet |",
        "| --- | --- |",
        *(f"| **{k}** | {_cell(w)} |" for k, w in case_window_rows()),
        "| **Alt + onderstreepte letter** | Een knop kiezen, bijvoorbeeld **Alt+M** voor "
        "**Brief maken…** bij Handelingen |",
        "| **F1** | Deze handleiding, op de pagina [Zaak](zaak.md) |",
    ]
    for title, keys in FIXED_KEYS.items():
        lines += ["", f"## {title}", "", "| Toets | Wat het doet |", "| --- | --- |"]
        lines += [f"| **{k}** | {_cell(w)} |" for k, w in keys]
    return "\n".join(lines) + "\n"
