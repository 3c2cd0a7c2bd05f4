"""Cells for the CSV files KlachtDesk writes: text shown as text, never run as a formula.

Excel, LibreOffice Calc and Google Sheets read a cell that starts with = + - @ (or a tab or
carriage return, which they skip) as a formula, so an action point or a name written as
``=HYPERLINK("https://…")`` would run in the reader's spreadsheet (CSV or formula
injection). An apostrophe in front makes the spreadsheet show the cell as text.

Both CSV exports (evaluation, audit log) use these: ``text_cell`` for every text cell,
``figure_cell`` for a figure KlachtDesk formatted itself, which stays a number to the
spreadsheet ('-3', '+12', '87,5%') and is escaped as text when it is not a plain number
('-3,6 %-punt').
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A number as babel writes it for nl_NL: sign, thousands with dots, decimals after a comma,
# an optional percent sign. Nothing a spreadsheet could evaluate fits this.
_PLAIN_NUMBER = re.compile(
    r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})*(?:,[0-9]+)?%?|[+-]?[0-9]+(?:,[0-9]+)?%?"
)


def text_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it as text: an apostrophe before a formula start."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def figure_cell(value: str) -> str:
    """A formatted figure: left alone when it is a plain number, otherwise a text cell."""
    return value if _PLAIN_NUMBER.fullmatch(value) else text_cell(value)
