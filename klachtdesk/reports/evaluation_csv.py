"""The evaluation's figures as CSV for Dutch Excel: semicolons, Dutch numbers, UTF-8 with BOM.

Text cells (the organisation, labels, action points) never start a formula, figures stay
numbers: see ``csv_cells``.
"""

from __future__ import annotations

import csv
import io

from klachtdesk.reports.csv_cells import figure_cell, text_cell
from klachtdesk.reports.evaluation_pdf import TITLE
from klachtdesk.reports.model import Evaluation, Kind, fmt_difference, fmt_value
from klachtdesk.reports.periods import short_date


def rows(report: Evaluation) -> list[list[str]]:
    """The table as lists of cells, escaped as the file holds them (what the tests read back)."""
    cur, prev = report.current.period, report.previous.period
    result = [
        [TITLE],
        ["Organisatie", text_cell(report.organisation)],
        ["Periode", text_cell(cur.label)],
        ["Vorige periode", text_cell(prev.label)],
        ["Opgesteld op", short_date(report.made_on)],
        [],
        [
            "Onderdeel",
            "Omschrijving",
            text_cell(cur.short_label),
            text_cell(prev.short_label),
            "Verschil",
        ],
    ]
    for section in report.sections():
        parent = ""
        for line in section.lines:
            if line.kind is Kind.HEADING or not line.level:
                parent = line.label
            if line.kind is Kind.HEADING:
                continue
            label = f"{parent} – {line.label}" if line.level and parent else line.label
            result.append(
                [
                    text_cell(section.title),
                    text_cell(label),
                    figure_cell(fmt_value(line.current, line.kind)),
                    figure_cell(fmt_value(line.previous, line.kind)),
                    figure_cell(fmt_difference(line.difference, line.kind)),
                ]
            )
    result += [[], ["Actiepunten"], ["Actiepunt", "Verantwoordelijke", "Uiterlijk", "Stand"]]
    for point in report.action_points:
        result.append(
            [
                text_cell(point.description),
                text_cell(point.owner),
                short_date(point.due),
                point.status_label,
            ]
        )
    return result


def render(report: Evaluation) -> bytes:
    """CSV bytes that Dutch Excel opens with the columns and characters right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows(report))
    return buffer.getvalue().encode("utf-8-sig")
