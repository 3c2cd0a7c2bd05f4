"""The evaluation's figures as plain values: what the PDF, the CSV and the window all show.

Nothing here identifies a person: counts per channel, category and department, shares and
working days only. Action points name an owner by function or department.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from babel.numbers import format_decimal, format_percent

from klachtdesk.reports.periods import LOCALE, Period, short_date

NO_VALUE = "–"


@dataclass(frozen=True)
class DeadlineFigures:
    """Deadlines of one kind that fell due in a period."""

    on_time: int = 0
    late: int = 0
    pending: int = 0  # not met yet and not yet past due

    @property
    def judged(self) -> int:
        return self.on_time + self.late

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.judged if self.judged else None


Counts = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Figures:
    """All figures of one period."""

    period: Period
    received: int
    by_channel: Counts
    by_category: Counts
    by_department: Counts
    admitted: int
    not_admissible: Counts  # per reason
    referred: int
    withdrawn_before_assessment: int
    not_yet_assessed: int
    outcomes: Counts
    appeals: int
    director_decisions: int
    disputes: int
    handling_count: int
    handling_median: float | None
    handling_p90: int | None
    acknowledgements: DeadlineFigures
    decisions_on_time: DeadlineFigures
    open_at_end: int

    @property
    def not_admissible_total(self) -> int:
        return sum(count for _, count in self.not_admissible)

    @property
    def decisions(self) -> int:
        return sum(count for _, count in self.outcomes)


@dataclass(frozen=True)
class ActionPointInfo:
    id: int
    period_key: str
    description: str
    owner: str
    due: date | None
    done_on: date | None

    @property
    def status_label(self) -> str:
        return f"Afgerond op {short_date(self.done_on)}" if self.done_on else "Open"


class Kind(StrEnum):
    COUNT = "aantal"
    PERCENT = "percentage"
    DAYS = "werkdagen"
    HEADING = "kop"  # a sub-heading inside a section: a label, no figures


@dataclass(frozen=True)
class Line:
    """One figure of a section, for this period and the previous one."""

    label: str
    current: float | None
    previous: float | None
    kind: Kind = Kind.COUNT
    level: int = 0  # 1: a part of the line above it

    @property
    def difference(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


@dataclass(frozen=True)
class Section:
    title: str
    note: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Evaluation:
    organisation: str
    made_on: date
    current: Figures
    previous: Figures
    action_points: tuple[ActionPointInfo, ...]

    @property
    def period(self) -> Period:
        return self.current.period

    def sections(self) -> list[Section]:
        """The figures in the order and words the reader sees them, everywhere."""
        cur, prev = self.current, self.previous

        def counts(pairs_now: Counts, pairs_before: Counts, level: int = 1) -> list[Line]:
            before = dict(pairs_before)
            labels = [label for label, _ in pairs_now]
            labels += [label for label, _ in pairs_before if label not in labels]
            now = dict(pairs_now)
            return [
                Line(label, now.get(label, 0), before.get(label, 0), level=level)
                for label in labels
            ]

        def deadline(label: str, now: DeadlineFigures, before: DeadlineFigures) -> list[Line]:
            return [
                Line(label, now.share_on_time, before.share_on_time, Kind.PERCENT),
                Line("aantal op tijd", now.on_time, before.on_time, level=1),
                Line("aantal te laat", now.late, before.late, level=1),
                Line("termijn loopt nog", now.pending, before.pending, level=1),
            ]

        return [
            Section(
                "Ontvangen klachten",
                "Klachten met een datum van ontvangst in de periode.",
                (
                    Line("Totaal ontvangen", cur.received, prev.received),
                    Line("Per kanaal", None, None, Kind.HEADING),
                    *counts(cur.by_channel, prev.by_channel),
                    Line("Per categorie", None, None, Kind.HEADING),
                    *counts(cur.by_category, prev.by_category),
                    Line("Per afdeling", None, None, Kind.HEADING),
                    *counts(cur.by_department, prev.by_department),
                ),
            ),
            Section(
                "Beoordeling van de ontvangen klachten",
                "Van de klachten die in de periode zijn ontvangen: de beoordeling zoals die "
                "aan het einde van de periode was vastgelegd.",
                (
                    Line("Ontvankelijk, in behandeling genomen", cur.admitted, prev.admitted),
                    Line("Niet ontvankelijk", cur.not_admissible_total, prev.not_admissible_total),
                    *counts(cur.not_admissible, prev.not_admissible),
                    Line("Doorverwezen (melding)", cur.referred, prev.referred),
                    Line(
                        "Ingetrokken vóór de beoordeling",
                        cur.withdrawn_before_assessment,
                        prev.withdrawn_before_assessment,
                    ),
                    Line("Nog niet beoordeeld", cur.not_yet_assessed, prev.not_yet_assessed),
                ),
            ),
            Section(
                "Uitspraken",
                "Uitspraken die in de periode zijn gedaan, naar uitkomst.",
                (
                    Line("Aantal uitspraken", cur.decisions, prev.decisions),
                    *counts(cur.outcomes, prev.outcomes),
                ),
            ),
            Section(
                "Heroverweging en geschillen",
                "Wat in de periode is gebeurd.",
                (
                    Line("Verzoeken om heroverweging", cur.appeals, prev.appeals),
                    Line(
                        "Uitspraken directeur-bestuurder",
                        cur.director_decisions,
                        prev.director_decisions,
                    ),
                    Line(
                        "Geschillen voorgelegd aan externe instantie", cur.disputes, prev.disputes
                    ),
                ),
            ),
            Section(
                "Behandelduur",
                "Werkdagen van de datum van ontvangst tot de uitspraak, voor de uitspraken in "
                "de periode. Het 90e percentiel: 9 van de 10 klachten waren binnen deze tijd "
                "afgehandeld.",
                (
                    Line("Mediaan", cur.handling_median, prev.handling_median, Kind.DAYS),
                    Line("90e percentiel", cur.handling_p90, prev.handling_p90, Kind.DAYS),
                ),
            ),
            Section(
                "Termijnen",
                "Termijnen die in de periode afliepen. Op tijd: de brief of beslissing is "
                "uiterlijk op de laatste dag vastgelegd. Het percentage telt alleen termijnen "
                "die al verstreken of gehaald zijn.",
                (
                    *deadline(
                        "Ontvangstbevestigingen op tijd",
                        cur.acknowledgements,
                        prev.acknowledgements,
                    ),
                    *deadline(
                        "Uitspraken op tijd (brief met de uitspraak binnen de termijn verzonden)",
                        cur.decisions_on_time,
                        prev.decisions_on_time,
                    ),
                ),
            ),
            Section(
                "Openstaande klachten",
                "Klachten die aan het einde van de periode nog in behandeling waren "
                "(ontvangen, in behandeling, heroverweging of geschil).",
                (Line("Open aan het einde van de periode", cur.open_at_end, prev.open_at_end),),
            ),
        ]


# -- Dutch numbers ------------------------------------------------------------------------------
def fmt_value(value: float | None, kind: Kind) -> str:
    """'1.234', '87,5%', '6,5' — or a dash when there is nothing to show."""
    if kind is Kind.HEADING:
        return ""
    if value is None:
        return NO_VALUE
    if kind is Kind.PERCENT:
        return format_percent(value, format="#,##0.0%", locale=LOCALE)
    if kind is Kind.DAYS:
        return format_decimal(value, format="#,##0.#", locale=LOCALE)
    return format_decimal(value, format="#,##0", locale=LOCALE)


def fmt_difference(value: float | None, kind: Kind) -> str:
    """'+12', '-3', '+2,5 %-punt'; empty when one of the two periods has no figure."""
    if value is None:
        return ""
    if kind is Kind.PERCENT:
        text = format_decimal(value * 100, format="+#,##0.0;-#,##0.0", locale=LOCALE)
        return f"{text} %-punt"
    pattern = "+#,##0.#;-#,##0.#" if kind is Kind.DAYS else "+#,##0;-#,##0"
    return "0" if value == 0 else format_decimal(value, format=pattern, locale=LOCALE)
