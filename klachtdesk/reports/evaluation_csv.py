"""The evaluation's figures as CSV for Dutch Excel: semicolons, Dutch numbers, UTF-8 with BOM."""

from __future__ import annotations

import csv
import io

from klachtdesk.reports.evaluation_pdf import TITLE
from klachtdesk.reports.model import Evaluation, Kind, fmt_difference, fmt_value
from klachtdesk.reports.periods import short_date


def rows(report: Evaluation) -> list[list[str]]:
    """The table as lists of cells (also what the tests read back)."""
    cur, prev = report.current.period, report.previous.period
    result = [
        [TITLE],
        ["Organisatie", report.organisation],
        ["Periode", cur.label],
        ["Vorige periode", prev.label],
        ["Opgesteld op", short_date(report.made_on)],
        [],
        ["Onderdeel", "Omschrijving", cur.short_label, prev.short_label, "Verschil"],
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
                    section.title,
                    label,
                    fmt_value(line.current, line.kind),
                    fmt_value(line.previous, line.kind),
                    fmt_difference(line.difference, line.kind),
                ]
            )
    result += [[], ["Actiepunten"], ["Actiepunt", "Verantwoordelijke", "Uiterlijk", "Stand"]]
    for point in report.action_points:
        result.append([point.description, point.owner, short_date(point.due), point.status_label])
    return result


def render(report: Evaluation) -> bytes:
    """CSV bytes that Dutch Excel opens with the columns and characters right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows(report))
    return buffer.getvalue().encode("utf-8-sig")
