"""The read side of the windows: search, filters, sorting, role-aware detail."""

from __future__ import annotations

from datetime import date

import pytest

from klachtdesk.domain.deadlines import Urgency
from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import case_activities, case_view, cases
from klachtdesk.services.cases.case_view import CaseFilter
from tests.conftest import APPEAL_GROUNDS, TODAY, complaint_data


def register(ctx, name="Fatima el Amrani", postcode="3511 AB", **overrides) -> str:
    data = complaint_data(**overrides)
    data["complainant"] = {
        **data["complainant"],
        "name": name,
        "postcode": postcode,
        "email": f"{name.split()[0].lower()}@voorbeeld.nl",
    }
    return cases.register(ctx, ComplaintInput.validated(data, TODAY))


def refs(ctx, **kwargs) -> list[str]:
    sort = kwargs.pop("sort", "ref")
    descending = kwargs.pop("descending", False)
    ids = case_view.case_ids(ctx, CaseFilter(**kwargs), sort, descending)
    return [row.ref for row in case_view.list_rows(ctx, ids)]


@pytest.fixture
def three(org):
    a = register(
        org.balie, "Fatima el Amrani", "3511 AB", subject="Lekkage badkamer", received="2026-11-02"
    )
    b = register(
        org.balie,
        "Kees de Jong",
        "3431 CD",
        subject="Geen antwoord op e-mails",
        description="Drie e-mails over servicekosten",
        category="Communicatie",
        received="2026-11-20",
    )
    c = register(
        org.balie, "Anna Jansen", "3701 EF", subject="Monteur niet gekomen", received="2026-11-24"
    )
    return a, b, c


def test_search_finds_ref_name_postcode_subject_and_description(org, three):
    a, b, c = three
    assert refs(org.coordinator, search="amrani") == [a]
    assert refs(org.coordinator, search="3431cd") == [b]
    assert refs(org.coordinator, search="3431 CD") == [b]
    assert refs(org.coordinator, search="monteur") == [c]
    assert refs(org.coordinator, search="servicekosten") == [b]
    assert refs(org.coordinator, search=c) == [c]
    assert refs(org.coordinator, search="kees jong") == [b]
    assert refs(org.coordinator, search="zz") == [a, b, c]  # too short: no filter
    assert refs(org.coordinator, search='"; DROP TABLE cases; --') == []


def test_search_follows_a_changed_name(org, three):
    from klachtdesk.storage.models import Complainant

    with org.beheer.db.session(write=True) as session:
        session.query(Complainant).filter_by(name="Anna Jansen").one().name = "Anna Vermeulen"
    assert refs(org.coordinator, search="vermeulen") == [three[2]]
    assert refs(org.coordinator, search="jansen") == []


def test_filters_and_sorting(org, three):
    a, b, c = three
    cases.perform(org.coordinator, a, Action.TRIAGE_KLACHT, handler="coordinator")
    assert refs(org.coordinator, status="in_behandeling") == [a]
    assert refs(org.coordinator, mine=True) == [a]
    assert refs(org.manager, mine=True) == []
    # On 25 November the acknowledgement of a (due 9 November) is overdue.
    assert refs(org.coordinator, overdue=True) == [a]
    communicatie = dict((n, i) for i, n in case_view.category_choices(org.balie))["Communicatie"]
    assert refs(org.coordinator, category_id=communicatie) == [b]
    assert refs(org.coordinator, sort="received", descending=True) == [c, b, a]
    assert refs(org.coordinator, sort="complainant") == [c, a, b]
    assert refs(org.coordinator, sort="next_due") == [a, b, c]


def test_list_rows_carry_the_next_deadline_and_its_state(org, three):
    a, b, c = three
    rows = {r.ref: r for r in case_view.list_rows(org.balie, case_view.case_ids(org.balie))}
    assert (rows[a].next_due, rows[a].next_due_kind, rows[a].deadline_state) == (
        date(2026, 11, 9),
        "ontvangstbevestiging",
        Urgency.OVERDUE,
    )
    # b: received 20 Nov, acknowledgement due 27 Nov: 2 working days from 25 Nov → soon.
    assert (rows[b].next_due, rows[b].deadline_state) == (
        date(2026, 11, 27),
        Urgency.DUE_SOON,
    )
    case_activities.mark_letter_sent(
        org.balie,
        b,
        "ontvangstbevestiging",
        "2026-11-25",
        "post",
    )
    row = case_view.list_rows(org.balie, case_view.case_ids(org.balie, CaseFilter(search=b)))[0]
    assert (row.next_due, row.next_due_kind) == (date(2026, 12, 18), "uitspraak")


def test_director_sees_only_appeals(org, three):
    a, b, c = three
    cases.perform(org.coordinator, a, Action.TRIAGE_KLACHT)
    cases.perform(org.manager, a, Action.UITSPRAAK, outcome="ongegrond", motivation="Zie brief.")
    cases.perform(org.coordinator, a, Action.BEROEP, grounds=APPEAL_GROUNDS)
    assert refs(org.directeur) == [a]
    assert case_view.case_detail(org.directeur, a).actions == [Action.UITSPRAAK_DIRECTEUR]
    with pytest.raises(NotAllowed, match="alleen zaken waarvoor heroverweging"):
        case_view.case_detail(org.directeur, b)


def test_the_clerk_does_not_read_mediation_reports(org, three):
    a = three[0]
    cases.perform(org.coordinator, a, Action.TRIAGE_KLACHT)
    case_activities.record(
        org.coordinator, a, Activity.BEMIDDELING, "Verslag: klager boos op Erik."
    )
    clerk_view = case_view.case_detail(org.balie, a).events[-1]
    coordinator_view = case_view.case_detail(org.coordinator, a).events[-1]
    assert clerk_view.confidential and clerk_view.data == {}
    assert coordinator_view.data["tekst"] == "Verslag: klager boos op Erik."


def test_case_detail_offers_what_role_and_state_allow_and_is_audited(org, three):
    from sqlalchemy import select

    from klachtdesk.storage.models import AuditEntry

    a = three[0]
    detail = case_view.case_detail(org.coordinator, a)
    assert detail.complainant_name == "Fatima el Amrani" and detail.postcode == "3511 AB"
    assert Action.TRIAGE_KLACHT in detail.actions and Action.UITSPRAAK not in detail.actions
    assert Activity.VERLENGING in detail.activities
    assert [d.kind for d in detail.deadlines] == ["ontvangstbevestiging", "uitspraak"]
    assert case_view.case_detail(org.manager, a).actions == []
    with org.beheer.db.session() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.object_ref, last.username) == ("zaak_bekeken", a, "manager")


def test_find_complainants_tolerates_typos_and_shows_case_counts(org, three):
    register(org.balie, "Fatima el Amrani", "3511 AB", received="2026-11-23")
    [match] = case_view.find_complainants(org.balie, "Fatma el Amrani")
    assert (match.name, match.case_count) == ("Fatima el Amrani", 2)
    assert [m.name for m in case_view.find_complainants(org.balie, "3431CD")] == ["Kees de Jong"]
    assert case_view.find_complainants(org.balie, "x") == []
    earlier = case_view.earlier_cases(org.balie, match.id)
    assert [r.received for r in earlier] == [date(2026, 11, 23), date(2026, 11, 2)]


def test_data_stamp_changes_when_anyone_changes_a_case(org, three):
    before = case_view.data_stamp(org.coordinator)
    assert case_view.data_stamp(org.coordinator) == before
    case_activities.record(org.balie, three[1], Activity.NOTITIE, "Klager belde.")
    assert case_view.data_stamp(org.coordinator) != before


def test_the_scripted_case_list_is_audited_and_a_director_gets_the_appeals_only(org):
    from sqlalchemy import select

    from klachtdesk.storage.models import AuditEntry

    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    assert [row.ref for row in case_view.export_case_list(org.coordinator)] == [ref]
    assert case_view.export_case_list(org.directeur) == []  # no appeal in this case
    with org.beheer.db.session() as session:
        entries = session.execute(
            select(AuditEntry.username, AuditEntry.detail).where(
                AuditEntry.action == "zakenlijst_geexporteerd"
            )
        ).all()
    assert entries == [("coordinator", "1 zaak"), ("directeur", "0 zaken")]


def test_sorting_by_complainant_ignores_capitals_and_keeps_namesakes_apart(org):
    names = ["Bram Zwart", "Bram el Amrani", "bram de Jong", "Bram Dekker", "Bram Dekker"]
    made = {register(org.balie, name): name for name in names}
    shown = [made[ref] for ref in refs(org.coordinator, sort="complainant")]
    # "el Amrani" among the A's of "Bram", not after Zwart as a strict byte order puts it
    assert shown == ["bram de Jong", "Bram Dekker", "Bram Dekker", "Bram el Amrani", "Bram Zwart"]
    assert [made[r] for r in refs(org.coordinator, sort="complainant", descending=True)] == [
        "Bram Zwart", "Bram el Amrani", "Bram Dekker", "Bram Dekker", "bram de Jong",
    ]  # fmt: skip
