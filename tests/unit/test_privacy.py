"""Privacy (AVG): cases past the retention period, anonymising them, and the inzageverzoek."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

import pypdfium2 as pdfium
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from klachtdesk.domain.errors import KlachtDeskError, NotAllowed
from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services import report
from klachtdesk.services.admin import admin_lists, settings
from klachtdesk.services.cases import attachments, case_activities, case_view, cases
from klachtdesk.services.cases.cases import CaseNotFound
from klachtdesk.services.letters import letters
from klachtdesk.services.safety import privacy
from klachtdesk.storage.models import AuditEntry, Complainant
from tests.conftest import TODAY, complaint_data

NAME = "Fatima el Amrani"
STREET = "Lindelaan 4"
EMAIL = "fatima@voorbeeld.nl"
PHONE = "06 12345678"
DESCRIPTION = "Sinds drie weken lekt er water door het plafond van de badkamer."
HEARING = "Mevrouw Amrani vertelt dat haar zoontje astma heeft door het vocht."
EMPLOYEE = "Jan Pietersen"
PERSONAL = [NAME, "Amrani", STREET, EMAIL, PHONE, DESCRIPTION, HEARING]
KEES = {
    "name": "Kees Smit",
    "street": "Dorpsstraat 1",
    "postcode": "1234 AB",
    "city": "Zeist",
    "email": "kees@voorbeeld.nl",
}


def at(ctx, day: date, hour: int = 10):
    """The same user on another day (the services read the clock from the context)."""
    return replace(ctx, today=lambda: day, now=lambda: datetime(day.year, day.month, day.day, hour))


def closed_case(
    org,
    received: date,
    closed: date | None = None,
    *,
    complainant: dict | None = None,
    withdraw: bool = False,
    full: bool = False,
    **overrides,
) -> str:
    """A complaint received on ``received`` and closed (or withdrawn) on ``closed``, moved
    through the services with the clock of that day. ``full`` adds a letter, an attachment,
    a hearing report, a note, an extension and a decision with free text."""
    data = complaint_data(received=received.isoformat(), **overrides)
    if complainant is not None:
        data["complainant"] = complainant
    who = data["complainant"]["name"]
    balie = at(org.balie, received)
    ref = cases.register(balie, ComplaintInput.validated(data, TODAY))
    if full:
        letter = letters.draft(balie, ref, "ontvangstbevestiging")
        letters.finalise(balie, ref, letter, "post")
        attachments.add_attachment(
            balie, ref, f"brief {NAME}.txt", f"{NAME}, {STREET}, {PHONE}".encode()
        )
    if closed is None:
        return ref
    coordinator = at(org.coordinator, received + timedelta(days=1))
    if withdraw:
        cases.perform(at(org.balie, closed), ref, Action.INTREKKEN, note=f"{who} trekt in.")
        return ref
    cases.perform(coordinator, ref, Action.TRIAGE_KLACHT, handler="manager", note="Klacht.")
    if full:
        case_activities.record(
            coordinator, ref, Activity.HOORGESPREK, HEARING, held_on=coordinator.today()
        )
        case_activities.record(coordinator, ref, Activity.NOTITIE, f"Gebeld met {PHONE}.")
        case_activities.extend_decision(
            coordinator,
            ref,
            received + timedelta(days=42),
            f"Wachten op het rapport over de woning van {NAME}.",
        )
    cases.perform(
        at(org.manager, received + timedelta(days=14)),
        ref,
        Action.UITSPRAAK,
        outcome="gegrond",
        motivation=f"{who} heeft gelijk.",
        solution="Wij herstellen het plafond.",
    )
    decided = received + timedelta(days=14)
    case_activities.mark_letter_sent(at(org.manager, decided), ref, "uitspraak", decided, "post")
    cases.perform(at(org.coordinator, closed), ref, Action.SLUITEN)
    return ref


def table_text(ctx) -> str:
    """Every value of every table, FTS5 shadow tables included, as one text."""
    conn = ctx.db.raw_connection()
    try:
        names = [
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if row[0] != "case_search"  # the virtual table itself; its shadow tables are read
        ]
        parts = []
        for name in names:
            for row in conn.execute(f'SELECT * FROM "{name}"'):
                for value in row:
                    if isinstance(value, bytes):
                        parts.append(value.decode("utf-8", "replace"))
                    elif value is not None:
                        parts.append(str(value))
        return "\n".join(parts)
    finally:
        conn.close()


def decrypted_file(ctx) -> bytes:
    """The database file decrypted page by page (SQLCipher 4: AES-256-CBC, 4096-byte pages,
    a 16-byte salt on page 1 and 80 reserved bytes per page: IV then HMAC), free space and
    free pages included: what someone with the key could read from the disk."""
    data = ctx.db.path.read_bytes()
    page_size, reserve = 4096, 80
    pages = []
    for number in range(len(data) // page_size):
        page = data[number * page_size : (number + 1) * page_size]
        iv = page[page_size - reserve : page_size - reserve + 16]
        decryptor = Cipher(algorithms.AES(ctx.db.key), modes.CBC(iv)).decryptor()
        pages.append(decryptor.update(page[16 if number == 0 else 0 : page_size - reserve]))
    plain = b"".join(pages)
    assert plain[:2] == b"\x10\x00"  # page 1 decrypted: the header's page size, 4096
    return plain


def search_terms(ctx) -> set[str]:
    conn = ctx.db.raw_connection()
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, case_search, row)"
        )
        return {row[0] for row in conn.execute("SELECT term FROM temp.terms")}
    finally:
        conn.close()


def figures(org, *periods: str):
    return [report.evaluation(org.coordinator, period) for period in periods]


# -- who may ------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["balie", "coordinator", "manager", "directeur"])
def test_only_beheer_sees_retention_anonymises_and_exports(org, role):
    ref = closed_case(org, date(2023, 3, 1), date(2023, 6, 1))
    ctx = getattr(org, role)
    with pytest.raises(NotAllowed, match="Beheerder"):
        privacy.retention_due(ctx)
    with pytest.raises(NotAllowed, match="Beheerder"):
        privacy.anonymise(ctx, [ref])
    with pytest.raises(NotAllowed, match="Beheerder"):
        privacy.find_complainants(ctx, NAME)
    with pytest.raises(NotAllowed, match="Beheerder"):
        privacy.inzage_export(ctx, 1)
    assert [row.ref for row in privacy.retention_due(org.beheer)] == [ref]  # nothing changed


# -- retention ----------------------------------------------------------------------------------
def test_retention_lists_closed_and_withdrawn_cases_past_the_period(org):
    old = closed_case(org, date(2023, 3, 1), date(2023, 6, 1), category="Communicatie")
    withdrawn = closed_case(org, date(2023, 9, 4), date(2023, 9, 20), withdraw=True)
    just_due = closed_case(org, date(2024, 10, 1), date(2024, 11, 22))
    ends_today = closed_case(org, date(2024, 10, 1), date(2024, 11, 25))
    recent = closed_case(org, date(2026, 1, 5), date(2026, 3, 2))
    still_open = closed_case(org, date(2022, 5, 2))  # received long ago, never closed

    rows = privacy.retention_due(org.beheer)
    assert privacy.retention_years(org.beheer) == 2
    assert [r.ref for r in rows] == [old, withdrawn, just_due]
    first = rows[0]
    assert (first.closed_on, first.retention_ended, first.years_since_closing) == (
        date(2023, 6, 1),
        date(2025, 6, 1),
        3,
    )
    assert (first.category, first.status, first.received) == (
        "Communicatie",
        "gesloten",
        date(2023, 3, 1),
    )
    # A withdrawn case has no closing date: the day of the withdrawal counts.
    assert (rows[1].status, rows[1].closed_on) == ("ingetrokken", date(2023, 9, 20))
    assert rows[2].retention_ended == date(2026, 11, 22)

    settings.update_settings(org.beheer, {"retention.years_after_closing": 1})
    assert [r.ref for r in privacy.retention_due(org.beheer)] == [
        old,
        withdrawn,
        just_due,
        ends_today,
    ]
    assert recent not in {r.ref for r in privacy.retention_due(org.beheer)}
    assert still_open not in {r.ref for r in privacy.retention_due(org.beheer)}


def test_anonymise_refuses_cases_not_past_retention_and_changes_nothing(org):
    due = closed_case(org, date(2023, 3, 1), date(2023, 6, 1))
    recent = closed_case(org, date(2025, 3, 3), date(2025, 6, 2))
    still_open = closed_case(org, date(2023, 3, 6))
    with pytest.raises(NotAllowed) as refused:
        privacy.anonymise(org.beheer, [due, recent])
    assert "loopt nog tot en met 2 juni 2027" in str(refused.value)
    assert "Er is niets gewijzigd" in str(refused.value)
    with pytest.raises(NotAllowed, match="nog niet gesloten"):
        privacy.anonymise(org.beheer, [still_open])
    with pytest.raises(CaseNotFound):
        privacy.anonymise(org.beheer, ["KD-2019-0001"])
    assert privacy.retention_due(org.beheer)[0].ref == due
    assert case_view.case_detail(org.coordinator, due).complainant_name == NAME

    assert privacy.anonymise(org.beheer, [due.lower()]) == 1
    with pytest.raises(NotAllowed, match="al geanonimiseerd"):
        privacy.anonymise(org.beheer, [due])
    assert privacy.anonymise(org.beheer, []) == 0


# -- anonymising --------------------------------------------------------------------------------
@pytest.fixture
def employee(org):
    wonen = next(d.id for d in admin_lists.list_departments(org.beheer) if d.name == "Wonen")
    admin_lists.add_employee(org.beheer, EMPLOYEE, "Opzichter", wonen)
    return EMPLOYEE


def test_anonymising_removes_the_person_everywhere_and_keeps_the_figures(org, employee):
    ref = closed_case(
        org,
        date(2023, 3, 6),
        date(2023, 6, 1),
        employee=employee,
        category="Communicatie",
        full=True,
    )
    other = closed_case(
        org,
        date(2023, 4, 3),
        date(2023, 5, 1),
        complainant=KEES,
        subject="Bel kapot",
        description="De bel doet het niet.",
        expectation="",
    )
    periods = ("2023H1", "2023H2", "2026H2")
    before = figures(org, *periods)
    plain_before = decrypted_file(org.beheer)
    dumped_before = table_text(org.beheer)
    for value in PERSONAL:
        assert value in dumped_before
    for value in (NAME, STREET, EMAIL, DESCRIPTION):
        assert value.encode() in plain_before  # the file check can see the person
    assert {"amr", "mra"} <= search_terms(org.beheer)  # trigrams of 'Amrani'

    assert privacy.anonymise(org.beheer, [ref]) == 1

    dumped = table_text(org.beheer)
    for value in PERSONAL:
        assert value not in dumped, value
    plain = decrypted_file(org.beheer)
    for value in PERSONAL:
        assert value.encode() not in plain, value
    assert not {"amr", "mra", "pla", "laf"} & search_terms(org.beheer)  # 'Amrani', 'plafond'
    assert figures(org, *periods) == before

    # The case stays in the list and its window opens, without the person.
    ids = case_view.case_ids(org.coordinator)
    rows = {row.ref: row for row in case_view.list_rows(org.coordinator, ids)}
    assert (rows[ref].complainant, rows[ref].subject, rows[ref].status) == (
        privacy.ANONYMISED,
        privacy.ANONYMISED,
        "gesloten",
    )
    assert rows[other].complainant == "Kees Smit"
    assert case_view.case_ids(org.coordinator, case_view.CaseFilter(search="Amrani")) == []
    detail = case_view.case_detail(org.coordinator, ref)
    assert detail.actions == [] and detail.activities == []  # nothing can be added any more
    assert (detail.complainant_name, detail.street, detail.email, detail.phone) == (
        privacy.ANONYMISED,
        "",
        "",
        "",
    )
    assert (detail.category, detail.department, detail.outcome) == (
        "Communicatie",
        "Wonen",
        "gegrond",
    )
    assert (detail.employee, detail.motivation, detail.expectation) == ("", "", "")
    # The employee stays on the staff list, no longer linked to the complaint about them.
    assert [e.cases for e in admin_lists.list_employees(org.beheer) if e.name == EMPLOYEE] == [0]
    assert detail.attachments == [] and detail.letters == []
    assert [e.kind for e in detail.events][:3] == ["geregistreerd", "brief", "bijlage"]
    hearing = next(e for e in detail.events if e.kind == Activity.HOORGESPREK.value)
    assert "tekst" not in hearing.data and hearing.data["datum"] == "2023-03-07"
    assert [d.kind for d in detail.deadlines] == [
        "ontvangstbevestiging",
        "uitspraak",
        "uitspraak",
        "verlengingsbericht",
    ]
    assert all(d.extension_reason == "" for d in detail.deadlines)

    with org.beheer.db.session() as session:
        assert session.scalar(select(Complainant).where(Complainant.name == NAME)) is None
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "zaak_geanonimiseerd")
        ).one()
    assert (entry.object_ref, entry.username, entry.detail) == (
        ref,
        "beheer",
        "bewaartermijn 2 jaar",
    )
    assert privacy.retention_due(org.beheer)[0].ref == other
    with pytest.raises(NotAllowed, match="geanonimiseerd"):
        letters.draft(org.coordinator, ref, "ontvangstbevestiging")


def test_a_complainant_with_another_current_case_keeps_that_case(org):
    old = closed_case(org, date(2023, 3, 6), date(2023, 6, 1))
    current = closed_case(org, date(2026, 11, 20), description="Nieuwe klacht over de tuin.")
    another_old = closed_case(org, date(2023, 9, 4), date(2023, 10, 2))
    detail = case_view.case_detail(org.coordinator, current)
    assert detail.complainant_id == case_view.case_detail(org.coordinator, old).complainant_id

    assert privacy.anonymise(org.beheer, [old, another_old]) == 2

    detail = case_view.case_detail(org.coordinator, current)
    assert (detail.complainant_name, detail.email, detail.description) == (
        NAME,
        EMAIL,
        "Nieuwe klacht over de tuin.",
    )
    [match] = privacy.find_complainants(org.beheer, NAME)
    assert match.case_count == 1  # only the link of the anonymised cases went
    for ref in (old, another_old):
        assert case_view.case_detail(org.coordinator, ref).complainant_name == privacy.ANONYMISED
    assert DESCRIPTION not in table_text(org.beheer)


def test_a_letter_is_deleted_only_with_the_anonymisation_of_its_case(org):
    ref = closed_case(org, date(2023, 3, 6), date(2023, 6, 1), full=True)
    refused = pytest.raises(DBAPIError, match="alleen verwijderd bij het anonimiseren")
    with refused, org.beheer.db.session(write=True) as session:
        session.execute(text("DELETE FROM letters"))
    assert len(case_view.case_detail(org.coordinator, ref).letters) == 1
    privacy.anonymise(org.beheer, [ref])
    assert case_view.case_detail(org.coordinator, ref).letters == []


# -- inzageverzoek ------------------------------------------------------------------------------
def pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


def test_inzage_export_holds_everything_about_the_person_and_no_staff_names_in_the_log(org):
    ref = closed_case(org, date(2025, 9, 1), date(2025, 11, 3), full=True)
    case_view.case_detail(org.coordinator, ref)  # a viewing, audited
    current = closed_case(org, date(2026, 11, 20), subject="Tuinhek kapot")
    closed_case(org, date(2026, 11, 2), complainant=KEES)

    [match] = privacy.find_complainants(org.beheer, "3511AB")
    assert (match.name, match.case_count) == (NAME, 2)
    assert [m.id for m in privacy.find_complainants(org.beheer, "fatima@voorbeeld")] == [match.id]
    result = privacy.inzage_export(org.beheer, match.id)

    data = json.loads(result.json_bytes.decode("utf-8"))
    assert data["titel"] == "Overzicht van uw gegevens"
    assert data["organisatie"] == "Woonstichting De Linde"
    assert data["persoonsgegevens"]["naam"] == NAME
    assert data["persoonsgegevens"]["e_mail"] == EMAIL
    assert data["persoonsgegevens"]["straat_en_huisnummer"] == STREET
    assert [c["kenmerk"] for c in data["zaken"]] == [ref, current]
    case = data["zaken"][0]
    assert case["omschrijving"] == DESCRIPTION
    assert case["uitspraak"] == "Gegrond" and case["status"] == "Gesloten"
    hearing = next(e for e in case["tijdlijn"] if e["gebeurtenis"] == "Hoorgesprek")
    assert hearing["details"]["Tekst"] == HEARING  # confidential entries are included
    assert [b["soort"] for b in case["brieven"]] == ["Ontvangstbevestiging"]
    assert case["brieven"][0]["verzonden_via"] == "Post"
    assert case["bijlagen"][0]["bestandsnaam"] == f"brief {NAME}.txt"
    actions = [a["handeling"] for a in case["inzage_en_wijzigingen"]]
    assert actions[0] == "Klacht geregistreerd" and "Zaak ingezien" in actions
    log = json.dumps(case["inzage_en_wijzigingen"], ensure_ascii=False)
    assert "coordinator" not in log and "Carla" not in log
    assert "Kees Smit" not in result.json_bytes.decode("utf-8")

    text_of_pdf = pdf_text(result.pdf_bytes)
    for expected in ("Overzicht van uw gegevens", "Woonstichting De Linde", NAME, ref, current):
        assert expected in text_of_pdf
    assert "25 november 2026" in text_of_pdf and "Pagina 1 van" in text_of_pdf
    assert NAME not in result.filename_stem and "klager" in result.filename_stem

    with org.beheer.db.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "inzage_geexporteerd")
        ).one()
    assert entry.object_ref == f"klager {match.id}"
    assert NAME not in entry.detail and "Amrani" not in entry.object_ref


def test_inzage_export_of_an_unknown_or_anonymised_complainant_is_refused(org):
    ref = closed_case(org, date(2023, 3, 6), date(2023, 6, 1))
    person = case_view.case_detail(org.coordinator, ref).complainant_id
    privacy.anonymise(org.beheer, [ref])
    assert privacy.find_complainants(org.beheer, NAME) == []
    with pytest.raises(KlachtDeskError, match="bestaat niet"):
        privacy.inzage_export(org.beheer, person)
    placeholder = case_view.case_detail(org.coordinator, ref).complainant_id
    with pytest.raises(KlachtDeskError, match="bestaat niet"):
        privacy.inzage_export(org.beheer, placeholder)


def test_inzage_pdf_copes_with_very_long_texts(org):
    long_text = ("Een lange zin over de lekkage en wat er allemaal misging. " * 340)[:20_000]
    ref = closed_case(org, date(2026, 11, 2), description=long_text)
    case_activities.record(at(org.coordinator, TODAY), ref, Activity.NOTITIE, long_text)
    person = case_view.case_detail(org.coordinator, ref).complainant_id
    result = privacy.inzage_export(org.beheer, person)
    assert len(pdfium.PdfDocument(result.pdf_bytes)) > 5


def search_index_bytes(ctx) -> bytes:
    conn = ctx.db.raw_connection()
    try:
        return b"".join(row[0] for row in conn.execute("SELECT block FROM case_search_data"))
    finally:
        conn.close()


def test_the_search_index_keeps_no_trace_of_the_name(org):
    # The index holds trigrams, stored with the prefix they share with the term before them
    # left out; no other text starts a trigram with 'x' or 'q', so these two are stored whole.
    person = {**KEES, "name": "Xaviera Quispel"}
    ref = closed_case(org, date(2023, 3, 6), date(2023, 6, 1), complainant=person)
    for day in range(1, 6):  # later cases: more segments in the index
        closed_case(org, date(2026, 11, day + 15), complainant=KEES, subject=f"Klacht {day}")
    assert b"xav" in search_index_bytes(org.beheer) and b"qui" in search_index_bytes(org.beheer)
    privacy.anonymise(org.beheer, [ref])
    index = search_index_bytes(org.beheer)
    assert b"xav" not in index and b"qui" not in index
    assert b"xav" not in decrypted_file(org.beheer)


def test_an_anonymised_withdrawn_case_takes_no_new_notes_or_files(org):
    # A withdrawn case is finished but not closed: notes and attachments were still possible.
    ref = closed_case(org, date(2023, 3, 6), date(2023, 6, 1), withdraw=True)
    privacy.anonymise(org.beheer, [ref])
    with pytest.raises(NotAllowed, match="geanonimiseerd en kan niet meer worden gewijzigd"):
        case_activities.record(org.coordinator, ref, Activity.NOTITIE, f"Gebeld met {NAME}.")
    with pytest.raises(NotAllowed, match="geanonimiseerd"):
        attachments.add_attachment(org.balie, ref, "scan.pdf", NAME.encode())
    assert NAME not in table_text(org.beheer)


def test_anonymising_changes_the_stamp_other_pcs_poll(org):
    from klachtdesk.services.cases import case_view

    ref = closed_case(org, date(2023, 3, 6), date(2023, 6, 1))
    before = case_view.data_stamp(org.coordinator)
    privacy.anonymise(org.beheer, [ref])
    assert case_view.data_stamp(org.coordinator) != before
