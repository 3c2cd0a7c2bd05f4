"""The evaluation report: exact figures for a known data set, no personal data in PDF or CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.reports import evaluation_csv, evaluation_pdf
from klachtdesk.reports.model import DeadlineFigures
from klachtdesk.reports.periods import Period
from klachtdesk.services import report
from klachtdesk.services.cases import case_activities, cases
from klachtdesk.storage.models import AuditEntry
from tests.conftest import APPEAL_GROUNDS, TODAY, complaint_data

EMPLOYEE = "Jan Pietersen"


def at(ctx, day: date, hour: int = 10):
    """The same user on another day (the services read the clock from the context)."""
    return replace(ctx, today=lambda: day, now=lambda: datetime(day.year, day.month, day.day, hour))


SURNAMES = [
    "Zwanenburg",
    "Oosterhout",
    "Kwakernaak",
    "Hoogendijk",
    "Brinkhorst",
    "Vreeswijk",
    "Lievaart",
]


def person(number: int) -> dict:
    return {
        "name": f"Hendrika {SURNAMES[number % len(SURNAMES)]}",
        "street": f"Merelstraat {number}",
        "postcode": "3512 CD",
        "city": "Utrecht",
        "phone": "06 87654321",
        "email": f"h.zwanenburg{number}@voorbeeld.nl",
    }


PERSONAL = [
    *SURNAMES,
    "Merelstraat",
    "@voorbeeld.nl",
    "87654321",
    "3512",
    "lekt er water door het plafond",
    "Lekkage badkamer",
    "binnen een week",
    EMPLOYEE,
    "Pietersen",
    "Mark Manager",
    "Carla",
    "Bea Balie",
    "Dirk Directeur",
    "KD-20",  # case references lead to a person too
]


class Book:
    """Registers and handles complaints through the services, each on its own day."""

    def __init__(self, org):
        self.org = org
        self.count = 0

    def register(self, received: str, channel: str, category: str, department: str, **extra):
        self.count += 1
        day = extra.pop("registered", None) or date.fromisoformat(received)
        data = complaint_data(
            received=received,
            channel=channel,
            category=category,
            department=department,
            complainant=person(self.count),
            **extra,
        )
        return cases.register(at(self.org.balie, day), ComplaintInput.validated(data, TODAY))

    def ack(self, ref: str, day: str) -> None:
        sent = date.fromisoformat(day)
        case_activities.mark_letter_sent(
            at(self.org.balie, sent),
            ref,
            "ontvangstbevestiging",
            sent,
            "post",
        )

    def act(self, who: str, day: str, ref: str, action: Action, **details) -> None:
        cases.perform(at(getattr(self.org, who), date.fromisoformat(day)), ref, action, **details)

    def admit(self, ref: str, day: str) -> None:
        self.act("coordinator", day, ref, Action.TRIAGE_KLACHT, handler="manager")

    def decide(self, ref: str, day: str, outcome: str, sent: str | None = None) -> None:
        """The manager decides on ``day``; the letter goes out on ``sent`` (default: that day)."""
        self.act("manager", day, ref, Action.UITSPRAAK, outcome=outcome, motivation="Toelichting.")
        self.send(ref, sent or day, "uitspraak")

    def send(self, ref: str, day: str, letter: str) -> None:
        sent = date.fromisoformat(day)
        case_activities.mark_letter_sent(at(self.org.balie, sent), ref, letter, sent, "post")


@pytest.fixture
def data_set(org):
    """Four complaints in the second half of 2025, nine in the first half of 2026 (Woonpartners:
    acknowledgement within 5 working days, decision within 4 weeks)."""
    book = Book(org)
    # -- 2025H2 ---------------------------------------------------------------------------------
    p1 = book.register("2025-09-01", "telefoon", "Onderhoud en reparaties", "Vastgoed en onderhoud")
    book.ack(p1, "2025-09-02")  # due 8 September: on time
    book.admit(p1, "2025-09-02")
    book.decide(p1, "2025-09-22", "gegrond")  # 15 working days; due 29 September: on time
    book.act("coordinator", "2025-10-15", p1, Action.SLUITEN)
    p2 = book.register("2025-11-03", "email", "Communicatie", "Klantenservice")
    # never acknowledged: due 10 November, late
    book.admit(p2, "2025-11-04")
    # Decided 12 January 2026 (47 working days: Christmas and New Year do not count);
    # the decision was due 1 December 2025: late, in the previous period.
    book.decide(p2, "2026-01-12", "ongegrond")
    p3 = book.register("2025-12-15", "brief", "Huur en betalingen", "Financiën")
    book.ack(p3, "2025-12-16")  # due 22 December: on time
    book.act("coordinator", "2025-12-16", p3, Action.NIET_ONTVANKELIJK, reason="andere_instantie")
    # its decision deadline (12 January 2026) lapsed on 16 December: it asks for nothing
    p4 = book.register("2025-07-01", "balie", "Dienstverlening", "Wonen")
    book.ack(p4, "2025-07-02")  # due 8 July: on time
    book.act("coordinator", "2025-07-02", p4, Action.DOORVERWIJZEN, referral_to="Onderhoud")

    # -- 2026H1 ---------------------------------------------------------------------------------
    a = book.register("2026-01-05", "telefoon", "Onderhoud en reparaties", "Vastgoed en onderhoud")
    book.ack(a, "2026-01-07")  # due 12 January: on time
    book.admit(a, "2026-01-06")
    book.decide(a, "2026-01-26", "gegrond")  # 15 working days; due 2 February: on time
    b = book.register("2026-02-02", "email", "Communicatie", "Klantenservice", employee=EMPLOYEE)
    book.ack(b, "2026-02-12")  # due 9 February: late
    book.admit(b, "2026-02-03")
    book.decide(b, "2026-03-16", "ongegrond")  # 30 working days; due 2 March: late
    c = book.register("2026-04-01", "brief", "Onderhoud en reparaties", "Vastgoed en onderhoud")
    book.ack(c, "2026-04-02")  # due 10 April (Good Friday, Easter Monday): on time
    book.admit(c, "2026-04-02")
    book.decide(c, "2026-04-20", "deels_gegrond")  # 11 working days; due 29 April: on time
    book.act(
        "coordinator", "2026-04-24", c, Action.BEROEP, received="2026-04-24", grounds=APPEAL_GROUNDS
    )
    book.act(
        "directeur",
        "2026-05-04",
        c,
        Action.UITSPRAAK_DIRECTEUR,
        outcome="ongegrond",
        motivation="x",
    )
    book.act("coordinator", "2026-05-20", c, Action.GESCHIL, submitted="2026-05-20")  # open
    d = book.register(
        "2026-03-02",
        "balie",
        "Bejegening medewerker",
        "Klantenservice",
        employee=EMPLOYEE,
        discussed_with_employee=False,
    )
    book.ack(d, "2026-03-03")  # due 9 March: on time
    book.act("coordinator", "2026-03-03", d, Action.NIET_ONTVANKELIJK, reason="niet_besproken")
    e = book.register("2026-05-11", "web", "Overlast-afhandeling", "")
    # never acknowledged: due 19 May (Ascension Day does not count), late
    book.act("coordinator", "2026-05-12", e, Action.DOORVERWIJZEN, referral_to="Wijkbeheer")
    f = book.register("2026-06-01", "telefoon", "Dienstverlening", "Wonen")
    # withdrawn before its deadlines: they ask for nothing
    book.act("balie", "2026-06-03", f, Action.INTREKKEN, note="Opgelost.")
    g = book.register("2026-06-22", "telefoon", "Dienstverlening", "Wonen")
    book.ack(g, "2026-06-23")  # due 29 June: on time
    book.admit(g, "2026-07-02")  # after the period: not yet assessed on 30 June, still open
    book.decide(g, "2026-07-20", "gegrond")  # decided in the next period
    # received on 29 June, registered on 3 July: open at the end of June
    book.register("2026-06-29", "email", "Communicatie", "", registered=date(2026, 7, 3))
    i = book.register("2026-05-04", "brief", "Huur en betalingen", "Financiën")
    book.ack(i, "2026-05-06")  # due 11 May: on time
    book.admit(i, "2026-05-06")
    case_activities.extend_decision(
        at(org.coordinator, date(2026, 5, 20)),
        i,
        "2026-07-13",
        "Wij wachten op de aannemer.",
        consent="De klager stemde op 19 mei 2026 telefonisch in met de latere datum.",
    )  # the decision deadline moves out of the period (more than 4 weeks: with consent)
    book.decide(i, "2026-07-10", "gegrond")
    return org


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


# -- periods --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "start", "end", "key", "previous"),
    [
        ("2026H1", date(2026, 1, 1), date(2026, 6, 30), "2026H1", "2025H2"),
        (" 2026h2 ", date(2026, 7, 1), date(2026, 12, 31), "2026H2", "2026H1"),
        ("2026-01-01:2026-06-30", date(2026, 1, 1), date(2026, 6, 30), "2026H1", "2025H2"),
        (
            "2026-03-01:2026-05-31",
            date(2026, 3, 1),
            date(2026, 5, 31),
            "2026-03-01:2026-05-31",
            "2025-12-01:2026-02-28",
        ),
        (
            "2026-03-01:2026-03-10",
            date(2026, 3, 1),
            date(2026, 3, 10),
            "2026-03-01:2026-03-10",
            "2026-02-19:2026-02-28",
        ),
    ],
)
def test_periods_are_read_and_have_an_equal_previous_period(text, start, end, key, previous):
    period = report.parse_period(text)
    assert (period.start, period.end, period.key) == (start, end, key)
    assert period.previous().key == previous


def test_a_period_is_written_out_in_dutch():
    period = report.parse_period("2026H1")
    assert period.label == "1 januari 2026 – 30 juni 2026"
    assert period.short_label == "1e halfjaar 2026"
    assert Period(date(2026, 3, 1), date(2026, 3, 10)).short_label == "01-03-2026 t/m 10-03-2026"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "geef een periode op"),
        ("2026H3", "geen periode"),
        ("eerste helft", "geen periode"),
        ("2026-02-30:2026-03-31", "geen geldige datums"),
        ("2026-06-30:2026-01-01", "einddatum ligt vóór de begindatum"),
    ],
)
def test_a_bad_period_gets_a_dutch_message(text, message):
    with pytest.raises(ValidationError, match=message) as error:
        report.parse_period(text)
    assert "periode" in str(error.value)


# -- the figures ----------------------------------------------------------------------------------
def test_the_figures_of_a_known_data_set(data_set):
    result = report.evaluation(data_set.coordinator, "2026H1")
    cur, prev = result.current, result.previous
    assert result.organisation == "Woonstichting De Linde"
    assert prev.period == Period(date(2025, 7, 1), date(2025, 12, 31))

    assert cur.received == 9 and prev.received == 4
    assert dict(cur.by_channel) == {
        "Telefoon": 3,
        "Brief": 2,
        "Balie": 1,
        "E-mail": 2,
        "Webformulier": 1,
    }
    assert dict(prev.by_channel) == {
        "Telefoon": 1,
        "Brief": 1,
        "Balie": 1,
        "E-mail": 1,
        "Webformulier": 0,
    }
    assert dict(cur.by_category) == {
        "Dienstverlening": 2,
        "Bejegening medewerker": 1,
        "Onderhoud en reparaties": 2,
        "Communicatie": 2,
        "Overlast-afhandeling": 1,
        "Huur en betalingen": 1,
        "Woningtoewijzing": 0,
    }
    assert dict(cur.by_department) == {
        "Klantenservice": 2,
        "Wonen": 2,
        "Vastgoed en onderhoud": 2,
        "Financiën": 1,
        "Geen afdeling": 2,
    }
    assert dict(prev.by_department)["Geen afdeling"] == 0  # aligned with this period

    # Assessment as recorded on 30 June.
    assert (cur.admitted, cur.referred, cur.withdrawn_before_assessment, cur.not_yet_assessed) == (
        4,
        1,
        1,
        2,
    )
    assert dict(cur.not_admissible)["Niet eerst besproken met de medewerker"] == 1
    assert cur.not_admissible_total == 1
    assert (prev.admitted, prev.referred, prev.not_admissible_total) == (2, 1, 1)
    assert dict(prev.not_admissible)["Zaak voor de Huurcommissie of de rechter"] == 1

    # Decisions made in the period (one of them on a complaint of the previous period).
    assert dict(cur.outcomes) == {
        "Gegrond": 1,
        "Deels gegrond": 1,
        "Ongegrond": 2,
        "Geen oordeel": 0,
    }
    assert dict(prev.outcomes)["Gegrond"] == 1 and prev.decisions == 1
    assert (cur.appeals, cur.director_decisions, cur.disputes) == (1, 1, 1)
    assert (prev.appeals, prev.director_decisions, prev.disputes) == (0, 0, 0)

    # Working days from receipt to decision: 11, 15, 30 and 47.
    assert cur.handling_count == 4
    assert cur.handling_median == 22.5
    assert cur.handling_p90 == 47
    assert (prev.handling_count, prev.handling_median, prev.handling_p90) == (1, 15, 15)

    assert cur.acknowledgements == DeadlineFigures(on_time=5, late=2, pending=0)
    # Only real decisions count: a refusal, referral or withdrawal before the day lapses the
    # decision deadline (it asks for nothing); a decision counts when its letter went out.
    assert cur.decisions_on_time == DeadlineFigures(on_time=2, late=1, pending=0)
    assert prev.acknowledgements == DeadlineFigures(on_time=3, late=1, pending=0)
    assert prev.decisions_on_time == DeadlineFigures(on_time=1, late=1, pending=0)
    assert cur.acknowledgements.share_on_time == pytest.approx(5 / 7)

    # Open on 30 June: the dispute, the complaint in treatment, and two not yet assessed.
    assert cur.open_at_end == 4
    assert prev.open_at_end == 1


def test_sections_pair_each_figure_with_the_previous_period_and_the_difference(data_set):
    result = report.evaluation(data_set.manager, "2026H1")
    lines = {line.label: line for section in result.sections() for line in section.lines}
    total = lines["Totaal ontvangen"]
    assert (total.current, total.previous, total.difference) == (9, 4, 5)
    assert report.fmt_difference(total.difference, total.kind) == "+5"
    median = lines["Mediaan"]
    assert report.fmt_value(median.current, median.kind) == "22,5"
    assert report.fmt_difference(median.difference, median.kind) == "+7,5"
    share = lines["Ontvangstbevestigingen op tijd"]
    assert report.fmt_value(share.current, share.kind) == "71,4%"
    assert report.fmt_value(share.previous, share.kind) == "75,0%"
    assert report.fmt_difference(share.difference, share.kind) == "-3,6 %-punt"


def test_a_period_that_runs_until_today_counts_what_is_still_running(data_set):
    ctx = at(data_set.coordinator, date(2026, 7, 6))
    result = report.evaluation(ctx, "2026-07-01:2026-07-06")
    # Received 29 June, acknowledgement due 6 July: today, so still running.
    assert result.current.acknowledgements == DeadlineFigures(0, 0, 1)
    assert result.current.open_at_end == 4  # the dispute, G and I in treatment, H received
    assert result.previous.period == Period(date(2026, 6, 25), date(2026, 6, 30))


def test_an_empty_period_has_no_handling_time_and_no_shares(org):
    result = report.evaluation(org.coordinator, "2026H1")
    assert result.current.received == 0
    assert result.current.handling_median is None
    assert result.current.acknowledgements.share_on_time is None
    lines = {line.label: line for section in result.sections() for line in section.lines}
    assert report.fmt_value(lines["Mediaan"].current, lines["Mediaan"].kind) == "–"
    assert report.fmt_difference(lines["Mediaan"].difference, lines["Mediaan"].kind) == ""
    assert "Geen gegevens" in pdf_text(evaluation_pdf.render(result))


def test_a_period_in_the_future_is_refused(org):
    with pytest.raises(ValidationError, match="na vandaag"):
        report.evaluation(org.coordinator, "2027H1")


def test_the_front_desk_may_not_see_the_report(org):
    with pytest.raises(NotAllowed, match="evaluatierapport"):
        report.evaluation(org.balie, "2026H1")
    assert report.may_view(org.directeur) and not report.may_view(org.balie)


def test_viewing_is_audited_with_the_period_only(org):
    report.evaluation(org.directeur, "2026H1")
    with org.beheer.db.session() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.username, entry.action, entry.object_ref) == ("directeur", "rapport", "2026H1")


# -- action points ---------------------------------------------------------------------------
def test_action_points_are_added_listed_completed_and_audited(org):
    ctx = org.coordinator
    first = report.add_action_point(
        ctx, "2026H1", "Bevestigingen dezelfde dag versturen.", "Teamleider Klantenservice", ""
    )
    second = report.add_action_point(
        ctx, "2026H1", "Training klachtgesprekken.", "Manager Vastgoed", "2026-09-30"
    )
    report.add_action_point(ctx, "2026H2", "Iets voor later.", "Klachtencoördinator")
    points = report.list_action_points(org.manager, "2026H1")
    assert [(p.id, p.due, p.done_on) for p in points] == [
        (second, date(2026, 9, 30), None),  # with a date first
        (first, None, None),
    ]
    assert report.complete_action_point(org.beheer, second) == TODAY
    done = report.list_action_points(ctx, "2026-01-01:2026-06-30")[0]
    assert done.done_on == TODAY and done.status_label == "Afgerond op 25-11-2026"
    with pytest.raises(NotAllowed, match="al afgerond"):
        report.complete_action_point(ctx, second)
    with org.beheer.db.session() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("actiepunt_toegevoegd") == 3 and "actiepunt_afgerond" in actions


def test_action_points_need_a_description_an_owner_and_the_right_role(org):
    with pytest.raises(ValidationError, match="actiepunt"):
        report.add_action_point(org.coordinator, "2026H1", "  ", "Klantenservice")
    with pytest.raises(ValidationError, match="verantwoordelijke"):
        report.add_action_point(org.coordinator, "2026H1", "Iets doen.", "")
    with pytest.raises(ValidationError, match="uiterlijk"):
        report.add_action_point(org.coordinator, "2026H1", "Iets doen.", "Wonen", "2025-12-01")
    with pytest.raises(NotAllowed):
        report.add_action_point(org.manager, "2026H1", "Iets doen.", "Wonen")
    with pytest.raises(ValidationError, match="toekomst"):
        point = report.add_action_point(org.coordinator, "2026H1", "Iets doen.", "Wonen")
        report.complete_action_point(org.coordinator, point, "2026-12-01")
    assert report.list_action_points(org.coordinator, "2026H1")[0].done_on is None


# -- PDF and CSV ---------------------------------------------------------------------------------
def test_pdf_and_csv_hold_the_figures_and_no_personal_data(data_set, tmp_path):
    ctx = data_set.coordinator
    report.add_action_point(ctx, "2026H1", "Termijnbewaking verbeteren.", "Klachtencoördinator")
    pdf, csv_path = tmp_path / "rapport.pdf", tmp_path / "rapport.csv"
    result = report.export(ctx, "2026H1", pdf, csv_path)
    assert result.current.received == 9

    text = pdf_text(pdf.read_bytes())
    for expected in (
        "Woonstichting De Linde",
        "Evaluatie klachtbehandeling",
        "1 januari 2026 – 30 juni 2026",
        "1 juli 2025 – 31 december 2025",
        "Totaal ontvangen",
        "71,4%",  # acknowledgements on time, this period
        "75,0%",  # and the previous one
        "66,7%",  # decisions on time: the letter went out in time (2 of 3)
        "50,0%",
        "22,5",  # median working days
        "-3,6 %-punt",
        "Termijnbewaking verbeteren.",
        "Pagina 1 van",
    ):
        assert expected in text, expected
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert ["Ontvangen klachten", "Totaal ontvangen", "9", "4", "+5"] in rows
    assert ["Ontvangen klachten", "Per kanaal – Telefoon", "3", "1", "+2"] in rows
    assert ["Behandelduur", "90e percentiel", "47", "15", "+32"] in rows
    assert ["Openstaande klachten", "Open aan het einde van de periode", "4", "1", "+3"] in rows
    assert ["Termijnbewaking verbeteren.", "Klachtencoördinator", "", "Open"] in rows
    assert rows == evaluation_csv.rows(result)

    everything = text + raw.decode("utf-8-sig")
    for personal in PERSONAL:
        assert personal not in everything, personal

    with ctx.db.session() as session:
        exports = session.execute(
            select(AuditEntry.object_ref, AuditEntry.detail).where(
                AuditEntry.action == "rapport_export"
            )
        ).all()
    assert sorted(exports) == [("2026H1", "csv"), ("2026H1", "pdf")]


def test_the_charts_render_as_images_for_the_window(data_set):
    result = report.evaluation(data_set.coordinator, "2026H1")
    images = report.chart_images(result, scale=0.5)
    assert [title for title, _ in images][:3] == [
        "Ontvangen klachten per categorie",
        "Ontvangen klachten per kanaal",
        "Uitspraken naar uitkomst",
    ]
    assert all(png.startswith(b"\x89PNG") for _, png in images)


def test_saving_to_a_folder_that_does_not_exist_gets_a_dutch_message(org, tmp_path):
    result = report.evaluation(org.coordinator, "2026H1")
    with pytest.raises(Exception, match="kon niet worden opgeslagen"):
        report.save_csv(org.coordinator, result, tmp_path / "bestaat-niet" / "rapport.csv")
