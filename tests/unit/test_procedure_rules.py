"""Every rule of both procedures, enforced as written (issue: procedure fidelity).

Each test tries to break one promise the way a busy desk would: a refusal ground of the other
procedure, a decision whose letter goes out late, a finished case that still looks overdue,
a colleague named by initials, a repeat taken on without new facts, a Livable case closed
without asking the complainant, an extension without limit, an evaluation forgotten, a
letter saying more than is true, an appeal without grounds.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.reports.periods import parse_period
from klachtdesk.services import evaluation_cycle, report
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import agenda, case_activities, case_view, cases, independence
from klachtdesk.services.intake.intake import IntakeFlow, Page
from klachtdesk.services.letters import letters
from tests.conftest import APPEAL_GROUNDS, PASSWORD, TODAY, complaint_data, make_org


@pytest.fixture
def livable(tmp_path):
    """A second organisation on the Livable procedure, beside ``org`` (Woonpartners)."""
    folder = tmp_path / "livable"
    folder.mkdir()
    result = make_org(folder, "livable")
    yield result
    for ctx in (result.beheer, result.balie, result.coordinator, result.manager, result.directeur):
        ctx.db.dispose()


def at(ctx, day: date):
    return replace(ctx, today=lambda: day, now=lambda: datetime(day.year, day.month, day.day, 10))


def register(ctx, **overrides) -> str:
    data = complaint_data(**overrides)
    return cases.register(ctx, ComplaintInput.validated(data, TODAY))


def state(ctx, ref: str, kind: str) -> tuple[str, date | None, str]:
    deadline = [d for d in case_view.case_detail(ctx, ref).deadlines if d.kind == kind][-1]
    return deadline.deadline_state.value, deadline.met_on, deadline.settled_by


def decide(org, ref: str, day: date, **details) -> None:
    cases.perform(at(org.coordinator, day), ref, Action.TRIAGE_KLACHT, handler="manager")
    cases.perform(
        at(org.manager, day),
        ref,
        Action.UITSPRAAK,
        outcome=details.pop("outcome", "gegrond"),
        motivation="Het onderhoud is te laat uitgevoerd.",
        **details,
    )


# -- 2. refusal grounds are those of the case's procedure -------------------------------------
def test_a_ground_of_the_other_procedure_is_refused_and_the_letter_cites_only_its_own(org, livable):
    livable_org = livable
    livable = register(livable_org.balie, discussed_with_employee=False)
    with pytest.raises(NotAllowed, match="geen grond voor niet-ontvankelijkheid"):
        cases.perform(
            livable_org.coordinator, livable, Action.NIET_ONTVANKELIJK, reason="niet_besproken"
        )
    woonpartners = register(org.balie)
    with pytest.raises(NotAllowed, match="Eerder behandeld"):
        cases.perform(org.coordinator, woonpartners, Action.NIET_ONTVANKELIJK, reason="herhaling")
    # Livable: not a tenant, resident or owner; the letter says who may complain
    cases.perform(
        livable_org.coordinator, livable, Action.NIET_ONTVANKELIJK, reason="niet_klachtgerechtigd"
    )
    draft = letters.draft(livable_org.coordinator, livable, "niet_ontvankelijk")
    text = draft.body_text
    assert "kan een klacht worden ingediend door een huurder, bewoner of eigenaar" in text
    assert "medewerker" not in text  # nothing of the other procedure's ground


def test_the_intake_asks_a_livable_complainant_how_they_relate_to_the_home(livable_org):
    ref = register(livable_org.balie, relation="anders")
    with pytest.raises(NotAllowed, match="alleen een huurder, bewoner of eigenaar"):
        cases.perform(livable_org.coordinator, ref, Action.TRIAGE_KLACHT)
    cases.perform(
        livable_org.coordinator,
        ref,
        Action.TRIAGE_KLACHT,
        note="De klager is de dochter en gemachtigde van de huurder.",
    )
    assert case_view.case_detail(livable_org.coordinator, ref).complainant_relation == "anders"


# -- 3. met when the answer is sent --------------------------------------------------------
def test_deciding_on_the_due_date_and_sending_two_weeks_later_misses_the_deadline(org):
    ref = register(at(org.balie, date(2026, 3, 2)), received="2026-03-02")  # due 30 March
    decide(org, ref, date(2026, 3, 30))
    # decided on the last day: nothing in the complainant's hands yet
    assert state(org.coordinator, ref, "uitspraak")[0] == "open"
    waiting = agenda.today_overview(at(org.coordinator, date(2026, 3, 30)))
    item = next(i for i in waiting.this_week if i.ref == ref and i.kind == "uitspraak")
    assert item.note == "besluit genomen, brief nog niet verstuurd"
    assert item.working_days_left == 0
    case_activities.mark_letter_sent(
        at(org.manager, date(2026, 4, 13)), ref, "uitspraak", "2026-04-13", "post"
    )
    assert state(org.coordinator, ref, "uitspraak") == (
        "missed",
        date(2026, 4, 13),
        "Uitspraak verzonden per post",
    )
    figures = report.evaluation(org.coordinator, "2026H1").current.decisions_on_time
    assert (figures.on_time, figures.late) == (0, 1)


def test_the_directors_two_weeks_are_met_by_the_letter_not_the_decision(org):
    ref = register(org.balie, received="2026-11-02")
    decide(org, ref, date(2026, 11, 9))
    case_activities.mark_letter_sent(
        at(org.manager, date(2026, 11, 9)), ref, "uitspraak", "2026-11-09", "post"
    )
    cases.perform(
        at(org.balie, date(2026, 11, 10)),
        ref,
        Action.BEROEP,
        received="2026-11-10",
        grounds=APPEAL_GROUNDS,
    )  # due 24 November
    cases.perform(
        at(org.directeur, date(2026, 11, 20)),
        ref,
        Action.UITSPRAAK_DIRECTEUR,
        outcome="ongegrond",
        motivation="Ook na heroverweging.",
    )
    assert state(org.coordinator, ref, "heroverweging")[0] == "open"
    letters.finalise(
        at(org.directeur, date(2026, 11, 25)),
        ref,
        letters.draft(at(org.directeur, date(2026, 11, 25)), ref, "reactie_directeur"),
        "post",
    )
    assert state(org.coordinator, ref, "heroverweging")[:2] == ("missed", date(2026, 11, 25))


# -- 4. deadline life cycle --------------------------------------------------------------------
def test_finished_cases_settle_every_deadline_and_never_look_overdue(org):
    withdrawn = register(at(org.balie, date(2026, 11, 2)), received="2026-11-02")
    cases.perform(at(org.balie, date(2026, 11, 4)), withdrawn, Action.INTREKKEN)
    assert state(org.coordinator, withdrawn, "ontvangstbevestiging") == (
        "lapsed",
        None,
        "ingetrokken door de klager",
    )
    # never acknowledged, decided a month later: the acknowledgement is missed, in history
    old = register(at(org.balie, date(2026, 1, 5)), received="2026-01-05")
    decide(org, old, date(2026, 2, 2))
    assert state(org.coordinator, old, "ontvangstbevestiging")[0] == "missed"
    case_activities.mark_letter_sent(
        at(org.manager, date(2026, 2, 2)), old, "uitspraak", "2026-02-02", "post"
    )
    cases.perform(at(org.coordinator, date(2026, 3, 1)), old, Action.SLUITEN)
    overview = agenda.today_overview(org.coordinator)
    assert {i.ref for i in overview.overdue} & {withdrawn, old} == set()
    assert all(
        d.deadline_state.value != "open"
        for d in case_view.case_detail(org.coordinator, old).deadlines
    )


def test_a_decided_case_cannot_be_closed_before_its_letter_went_out(org):
    ref = register(org.balie)
    decide(org, ref, TODAY)
    with pytest.raises(NotAllowed, match="brief met de uitspraak is nog niet als verzonden"):
        cases.perform(org.coordinator, ref, Action.SLUITEN)
    case_activities.mark_letter_sent(org.manager, ref, "uitspraak", TODAY, "email")
    cases.perform(org.coordinator, ref, Action.SLUITEN)


# -- 5. independence by name ----------------------------------------------------------------
def test_a_colleague_named_by_initials_may_not_handle_or_decide_without_a_recorded_reason(org):
    setup.add_user(org.beheer, "erik", "Erik Hoekstra", "manager", PASSWORD)
    erik = setup.unlock(org.path, "erik", PASSWORD)
    flow = IntakeFlow(org.balie)
    assert "lijkt Erik Hoekstra te zijn" in flow.employee_warning("E. Hoekstra")
    assert flow.employee_warning("J. Pietersen") == ""
    ref = register(org.balie, employee="E. Hoekstra")
    with pytest.raises(NotAllowed, match="dat lijkt Erik Hoekstra te zijn"):
        cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="erik")
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="manager")
    with pytest.raises(NotAllowed, match="niet mag beslissen"):
        cases.perform(erik, ref, Action.UITSPRAAK, outcome="ongegrond", motivation="x")
    # the name is not on the list of employees: the coordinator sees it on Vandaag
    unlinked = agenda.today_overview(org.coordinator).unlinked
    assert [(u.ref, u.typed, u.likely) for u in unlinked] == [
        (ref, "E. Hoekstra", ("Erik Hoekstra",))
    ]
    assert agenda.today_overview(org.balie).unlinked == []  # the coordinator's task
    case_activities.record(
        org.coordinator,
        ref,
        Activity.ONAFHANKELIJKHEID,
        "De klacht gaat over Eva Hoekstra van de schoonmaak, niet over Erik.",
    )
    cases.perform(erik, ref, Action.UITSPRAAK, outcome="ongegrond", motivation="x")
    erik.db.dispose()


def test_only_the_coordinator_records_why_a_named_colleague_may_handle(org):
    ref = register(org.balie, employee="Mark Manager")
    with pytest.raises(NotAllowed):
        case_activities.record(org.balie, ref, Activity.ONAFHANKELIJKHEID, "Is iemand anders.")
    assert independence.unlinked_names(org.manager) == []


# -- 6. repeat without new facts (Livable) --------------------------------------------------
def test_a_likely_repeat_is_taken_on_only_with_the_new_facts_named(livable_org):
    ref = register(livable_org.balie, relation="huurder", repeat=True, earlier_ref="KD-2025-0004")
    with pytest.raises(NotAllowed, match=r"eerder behandeld \(KD-2025-0004\)"):
        cases.perform(livable_org.coordinator, ref, Action.TRIAGE_KLACHT)
    cases.perform(
        livable_org.coordinator,
        ref,
        Action.TRIAGE_KLACHT,
        note="Nieuw: de lekkage is na de reparatie teruggekomen (foto's van 3 november).",
    )


# -- 7. satisfaction check (Livable) ------------------------------------------------------
def test_a_livable_case_closes_only_after_the_satisfaction_question(livable, org):
    lorg = livable
    ref = register(lorg.balie, relation="huurder")
    cases.perform(lorg.coordinator, ref, Action.TRIAGE_KLACHT, handler="manager")
    cases.perform(lorg.manager, ref, Action.UITSPRAAK, outcome="gegrond", motivation="Terecht.")
    case_activities.mark_letter_sent(lorg.manager, ref, "uitspraak", TODAY, "post")
    tasks = agenda.today_overview(lorg.coordinator).letters
    assert [(t.ref, t.type) for t in tasks] == [(ref, "tevredenheidsvraag")]
    with pytest.raises(NotAllowed, match="naar tevredenheid"):
        cases.perform(lorg.coordinator, ref, Action.SLUITEN)
    case_activities.record(
        lorg.coordinator, ref, Activity.TEVREDENHEID, "Drie keer gebeld.", unreachable=True
    )
    assert agenda.today_overview(lorg.coordinator).letters == []
    cases.perform(lorg.coordinator, ref, Action.SLUITEN)
    # Woonpartners has no satisfaction check: not offered, and the service refuses it
    other = register(org.balie)
    decide(org, other, TODAY)
    with pytest.raises(NotAllowed, match="geen vraag naar de tevredenheid"):
        case_activities.record(
            org.coordinator, other, Activity.TEVREDENHEID, "Tevreden.", satisfied=True
        )
    detail = case_view.case_detail(org.coordinator, other)
    assert Activity.TEVREDENHEID not in detail.activities


# -- 8. extension --------------------------------------------------------------------------
def test_an_extension_stays_within_four_weeks_unless_the_complainant_agreed(org):
    ref = register(at(org.balie, date(2026, 11, 2)), received="2026-11-02")  # due 30 November
    coordinator = at(org.coordinator, date(2026, 11, 20))
    with pytest.raises(ValidationError, match="tot uiterlijk 28 december 2026"):
        case_activities.extend_decision(coordinator, ref, "2027-01-08", "Rapport aannemer.")
    case_activities.extend_decision(
        coordinator,
        ref,
        "2027-01-08",
        "Rapport aannemer.",
        consent="De klager stemde op 19 november telefonisch in.",
    )
    # the notice is due on the old date and waits on Vandaag until it is sent
    assert state(org.coordinator, ref, "verlengingsbericht")[0] == "open"
    letters_due = agenda.today_overview(coordinator).letters
    assert (ref, "verlenging", date(2026, 11, 30)) in [(x.ref, x.type, x.due) for x in letters_due]
    case_activities.mark_letter_sent(coordinator, ref, "verlenging", "2026-11-20", "post")
    assert state(org.coordinator, ref, "verlengingsbericht")[0] == "met"
    events = case_view.case_detail(org.coordinator, ref).events
    assert events[-2].data["instemming_klager"].startswith("De klager stemde")


# -- 9. the evaluation cycle --------------------------------------------------------------
def test_the_half_yearly_evaluation_is_a_task_until_it_is_recorded_as_held(livable_org):
    lorg = livable_org
    register(at(lorg.balie, date(2026, 3, 2)), received="2026-03-02", relation="huurder")
    due = agenda.today_overview(lorg.coordinator).evaluations
    assert [(e.label, e.due) for e in due] == [("Evaluatie 2026-1", date(2026, 7, 31))]
    calendar = agenda.deadlines_between(lorg.coordinator, date(2027, 1, 1), date(2027, 1, 31))
    assert [(i.label, i.due) for i in calendar if i.kind == "evaluatie"] == [
        ("Evaluatie 2026-2", date(2027, 1, 31))
    ]
    with pytest.raises(NotAllowed):
        evaluation_cycle.record_evaluation(lorg.balie, "2026H1", TODAY, "x")
    evaluation_cycle.record_evaluation(
        lorg.coordinator, "2026H1", "2026-09-15", "Klachtencoördinator, manager Wonen"
    )
    assert agenda.today_overview(lorg.coordinator).evaluations == []
    held_on, who, pdf = evaluation_cycle.held_evaluation(lorg.coordinator, parse_period("2026H1"))
    assert (held_on, who) == (date(2026, 9, 15), "Klachtencoördinator, manager Wonen")
    assert pdf.startswith(b"%PDF")
    with pytest.raises(NotAllowed, match="al vastgelegd"):
        evaluation_cycle.record_evaluation(lorg.coordinator, "2026H1", TODAY, "Nogmaals")


# -- 10. letters say only what is true --------------------------------------------------------
def test_the_decision_letter_mentions_employees_only_when_a_statement_was_recorded(org):
    ref = register(org.balie)
    decide(org, ref, TODAY)
    text = letters.draft(org.manager, ref, "uitspraak").body_text
    assert "de informatie die u ons heeft gegeven" in text and "medewerkers" not in text
    other = register(org.balie)
    cases.perform(org.coordinator, other, Action.TRIAGE_KLACHT, handler="manager")
    case_activities.record(
        org.coordinator, other, Activity.VERKLARING_MEDEWERKER, "De monteur kwam niet."
    )
    cases.perform(org.manager, other, Action.UITSPRAAK, outcome="gegrond", motivation="Ja.")
    text = letters.draft(org.manager, other, "uitspraak").body_text
    assert "de informatie van u en van de betrokken medewerkers" in text


def test_the_acknowledgement_quotes_a_phone_complaint_and_livable_names_the_handler(org, livable):
    livable_org = livable
    ref = register(org.balie, channel="telefoon")
    text = letters.draft(org.balie, ref, "ontvangstbevestiging").body_text
    assert "U heeft uw klacht telefonisch aan ons doorgegeven" in text
    assert "Sinds drie weken lekt er water door het plafond" in text
    written = register(org.balie, channel="brief")
    assert "telefonisch" not in letters.draft(org.balie, written, "ontvangstbevestiging").body_text
    livable = register(livable_org.balie, relation="huurder")
    with pytest.raises(NotAllowed, match="wijst eerst een behandelaar toe"):
        letters.draft(livable_org.balie, livable, "ontvangstbevestiging")
    case_activities.assign_handler(livable_org.coordinator, livable, "manager")
    text = letters.draft(livable_org.balie, livable, "ontvangstbevestiging").body_text
    assert "Mark Manager" in text


# -- 11. appeal ------------------------------------------------------------------------------
def test_an_appeal_records_its_grounds_and_the_director_chooses_and_dates_the_outcome(org):
    ref = register(org.balie, received="2026-11-02")
    decide(org, ref, date(2026, 11, 9))
    balie = at(org.balie, date(2026, 11, 12))
    with pytest.raises(ValidationError, match="gronden van het heroverzoek"):
        cases.perform(balie, ref, Action.BEROEP, received="2026-11-12")
    cases.perform(balie, ref, Action.BEROEP, received="2026-11-12", grounds=APPEAL_GROUNDS)
    assert case_view.case_detail(org.coordinator, ref).appeal_grounds == APPEAL_GROUNDS
    director = at(org.directeur, date(2026, 11, 20))
    with pytest.raises(ValidationError, match="uitkomst"):
        cases.perform(director, ref, Action.UITSPRAAK_DIRECTEUR, outcome="", motivation="x")
    with pytest.raises(ValidationError, match="ligt vóór 12 november 2026"):
        cases.perform(
            director, ref, Action.UITSPRAAK_DIRECTEUR, outcome="ongegrond", motivation="x",
            decided_on="2026-11-11",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="toekomst"):
        cases.perform(
            director, ref, Action.UITSPRAAK_DIRECTEUR, outcome="ongegrond", motivation="x",
            decided_on="2026-11-21",
        )  # fmt: skip
    cases.perform(
        director,
        ref,
        Action.UITSPRAAK_DIRECTEUR,
        outcome="ongegrond",
        motivation="x",
        decided_on="2026-11-18",
    )
    assert case_view.case_detail(org.coordinator, ref).director_decided_on == date(2026, 11, 18)


def test_a_final_letter_sent_later_meets_its_deadline_from_that_day_and_only_once(org):
    ref = register(org.balie)
    letter_id = letters.finalise(
        org.balie, ref, letters.draft(org.balie, ref, "ontvangstbevestiging"), "post", sent=False
    )
    assert state(org.coordinator, ref, "ontvangstbevestiging")[0] == "open"
    with pytest.raises(ValidationError, match="vóór de dag"):
        letters.record_sent(org.balie, ref, letter_id, "post", "2026-11-24")
    letters.record_sent(org.balie, ref, letter_id, "email", TODAY)
    assert state(org.coordinator, ref, "ontvangstbevestiging")[:2] == ("met", TODAY)
    with pytest.raises(NotAllowed, match="al als verzonden vastgelegd"):
        letters.record_sent(org.balie, ref, letter_id, "post", TODAY)
    with pytest.raises(ValidationError, match="vandaag gemaakt"):
        letters.finalise(
            org.balie,
            ref,
            letters.draft(org.balie, ref, "ontvangstbevestiging"),
            "post",
            sent_on="2026-11-20",
        )


def test_the_intake_keeps_the_answers_the_rules_need(livable_org):
    flow = IntakeFlow(livable_org.balie)
    flow.set_answers(Page.ONTVANKELIJKHEID, relation="eigenaar", repeat="ja", new_facts="ja")
    flow.set_answers(Page.ONTVANKELIJKHEID, new_facts_text="De schimmel is terug.")
    fields = {
        k: v
        for k, v in flow.complaint_data().items()
        if k in ("relation", "repeat", "earlier_ref", "new_facts")
    }
    assert fields == {
        "relation": "eigenaar",
        "repeat": True,
        "earlier_ref": "",
        "new_facts": "De schimmel is terug.",
    }


def test_every_action_and_activity_confirms_with_a_written_sentence():
    """The case window and `klachtdesk case` say what happened in a sentence ('De klacht is
    in behandeling genomen.'), not with the button's label ('Vastgelegd: In behandeling
    nemen.')."""
    from klachtdesk.domain.states import ACTION_LABELS, ACTIVITY_LABELS, DONE_SENTENCES

    assert set(DONE_SENTENCES) == set(Action) | set(Activity)
    labels = set(ACTION_LABELS.values()) | set(ACTIVITY_LABELS.values())
    for sentence in DONE_SENTENCES.values():
        assert sentence[0].isupper() and sentence.endswith(".")
        assert " is " in sentence or " zijn " in sentence
        assert not sentence.startswith("Vastgelegd:")
        assert sentence.rstrip(".") not in labels
