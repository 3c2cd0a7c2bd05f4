"""The intake flow without a window: pages, validation, admissibility, registering."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.procedures import preset
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import attachments, case_view, cases
from klachtdesk.services.intake.intake import IntakeFlow, Page
from klachtdesk.services.intake.intake_admissibility import (
    CONSEQUENCE_NOT_DISCUSSED,
    CONSEQUENCE_OLDER,
    CONSEQUENCE_REPEAT,
)
from klachtdesk.services.intake.intake_summary import summary
from klachtdesk.storage.models import Case, Complainant, Event
from tests.conftest import TODAY, complaint_data

BOTH_STORES = True  # the org tests run on a file and on a PostgreSQL server (issue 15)

CLERK_ANSWERS = {
    Page.KLAGER: {
        "salutation": "mevrouw",
        "name": "Ans de Wit",
        "street": "Beukstraat 12",
        "postcode": "3512cd",
        "city": "Utrecht",
        "phone": "06 87654321",
        "email": "ans@voorbeeld.nl",
        "member_number": "H-1001",
    },
    Page.KLACHT: {
        "subject": "Onvriendelijk te woord gestaan",
        "description": "De medewerker aan de telefoon was kortaf en hing op.",
        "category": "Bejegening medewerker",
        "department": "Klantenservice",
        "employee": "Sandra Willems",
        "expectation": "Excuses.",
    },
    Page.ONTVANKELIJKHEID: {"discussed": "ja"},
}


def filled(ctx, procedure=None, **pages) -> IntakeFlow:
    flow = IntakeFlow(ctx, procedure)
    for page, values in {**CLERK_ANSWERS, **pages}.items():
        flow.set_answers(page, **values)
    return flow


def stored(ctx, ref: str) -> Case:
    with ctx.db.session() as session:
        case = session.scalar(select(Case).where(Case.ref == ref))
        case.complainant, case.category, case.department  # noqa: B018 - load now
        return case


def test_pages_in_order_with_phone_and_today_as_defaults(org):
    flow = IntakeFlow(org.balie)
    assert [p.title for p in flow.pages] == [
        "Kanaal en datum van ontvangst",
        "Klager",
        "De klacht",
        "Ontvankelijkheid",
        "Bijlagen",
        "Samenvatting",
    ]
    assert flow.next_page(Page.KANAAL) is Page.KLAGER
    assert flow.next_page(Page.SAMENVATTING) is None
    assert flow.answer(Page.KANAAL, "channel") == "telefoon"
    assert flow.answer(Page.KANAAL, "received") == TODAY
    assert flow.validate(Page.KANAAL) == {}
    assert "Onderhoud en reparaties" in flow.choices.categories


def test_receipt_in_the_future_is_refused_in_dutch(org):
    flow = IntakeFlow(org.balie)
    flow.set_answers(Page.KANAAL, received=TODAY + timedelta(days=1))
    assert flow.validate(Page.KANAAL) == {
        "received": "De datum van ontvangst (26 november 2026) ligt in de toekomst; "
        "kies vandaag of een eerdere dag."
    }
    flow.set_answers(Page.KANAAL, received=None, channel="fax")
    errors = flow.validate(Page.KANAAL)
    assert errors["received"] == "Vul de datum van ontvangst in."
    assert errors["channel"] == "Kies het kanaal waarlangs de klacht binnenkwam."


def test_complainant_page_names_every_bad_field_at_once(org):
    flow = filled(org.balie)
    assert flow.validate(Page.KLAGER) == {}
    flow.set_answers(Page.KLAGER, postcode="0123 AB", phone="12", name="  ")
    errors = flow.validate(Page.KLAGER)
    assert errors == {
        "name": "Naam is verplicht.",
        "postcode": "'0123 AB' is geen geldige Nederlandse postcode (bijvoorbeeld 1234 AB).",
        "phone": "'12' is geen geldig telefoonnummer (bijvoorbeeld 06 12345678).",
    }


def test_complainant_needs_an_address_or_email_and_email_for_letters_by_email(org):
    flow = IntakeFlow(org.balie)
    flow.set_answers(Page.KLAGER, name="Jan Jansen", prefers_email=True)
    assert flow.validate(Page.KLAGER) == {
        "email": "Vul een e-mailadres in als de klager brieven per e-mail wil ontvangen."
    }
    flow.set_answers(Page.KLAGER, prefers_email=False)
    assert flow.validate(Page.KLAGER) == {
        "street": "Vul een postadres of een e-mailadres in, zodat wij de klager kunnen antwoorden."
    }
    flow.set_answers(Page.KLAGER, street="Dorpsstraat 1", postcode="1234 AB")
    assert flow.validate(Page.KLAGER) == {"city": "Plaats is nodig voor een volledig postadres."}


def test_complaint_page_needs_subject_description_and_a_known_category(org):
    flow = IntakeFlow(org.balie)
    errors = flow.validate(Page.KLACHT)
    assert errors == {
        "subject": "Onderwerp is verplicht.",
        "description": "Omschrijving is verplicht.",
        "category": "Kies een categorie.",
    }
    flow.set_answers(Page.KLACHT, subject="x", description="y", category="Parkeren")
    flow.set_answers(Page.KLACHT, department="Tuinen")
    assert flow.validate(Page.KLACHT) == {
        "category": "'Parkeren' is geen bekende categorie; kies uit de lijst.",
        "department": "'Tuinen' is geen bekende afdeling.",
    }


def test_woonpartners_asks_whether_discussed_and_explains_the_refusal(org):
    flow = filled(org.balie, **{Page.ONTVANKELIJKHEID: {}})
    questions = flow.questions()
    assert [q.key for q in questions] == ["discussed"]
    assert questions[0].text == (
        "Heeft de klager dit eerst besproken met de medewerker (Sandra Willems)?"
    )
    assert flow.validate(Page.ONTVANKELIJKHEID) == {"discussed": "Kies een antwoord."}
    flow.set_answers(Page.ONTVANKELIJKHEID, discussed="nee")
    assert flow.validate(Page.ONTVANKELIJKHEID) == {}
    assert flow.consequences() == {"discussed": CONSEQUENCE_NOT_DISCUSSED}
    assert CONSEQUENCE_NOT_DISCUSSED.startswith(
        "Volgens de klachtenregeling wordt een klacht die niet eerst met de medewerker is "
        "besproken niet in behandeling genomen"
    )
    assert flow.complaint().discussed_with_employee is False
    flow.set_answers(Page.ONTVANKELIJKHEID, discussed="onbekend")
    assert flow.consequences() == {}
    assert flow.complaint().discussed_with_employee is None


def test_livable_asks_about_a_repeat_and_new_facts(livable_org):
    flow = filled(livable_org.balie, **{Page.ONTVANKELIJKHEID: {}})
    assert [q.key for q in flow.questions()] == ["discussed", "relation", "repeat"]
    assert not flow.questions()[0].required  # Livable does not demand it
    assert flow.validate(Page.ONTVANKELIJKHEID) == {
        "relation": "Kies een antwoord.",
        "repeat": "Kies een antwoord.",
    }
    flow.set_answers(Page.ONTVANKELIJKHEID, relation="huurder", repeat="ja")
    assert [q.key for q in flow.questions()] == [
        "discussed",
        "relation",
        "repeat",
        "earlier_ref",
        "new_facts",
    ]
    flow.set_answers(Page.ONTVANKELIJKHEID, new_facts="nee")
    assert flow.consequences() == {"new_facts": CONSEQUENCE_REPEAT}
    flow.set_answers(Page.ONTVANKELIJKHEID, new_facts="ja")
    assert flow.consequences() == {}
    assert flow.validate(Page.ONTVANKELIJKHEID) == {
        "new_facts_text": "Beschrijf de nieuwe feiten of omstandigheden."
    }
    flow.set_answers(Page.ONTVANKELIJKHEID, new_facts_text="x" * 20_001)
    assert flow.validate(Page.ONTVANKELIJKHEID)["new_facts_text"].startswith(
        "De beschrijving van de nieuwe feiten is te lang"
    )
    flow.set_answers(Page.ONTVANKELIJKHEID, new_facts_text="Er is opnieuw water binnengekomen.")
    assert flow.validate(Page.ONTVANKELIJKHEID) == {}


def test_older_than_a_year_when_the_procedure_has_that_rule(org):
    procedure = preset("woonpartners").changed(refuse_older_than_one_year=True)
    flow = filled(org.balie, procedure)
    assert "older_than_year" in [q.key for q in flow.questions()]
    assert flow.validate(Page.ONTVANKELIJKHEID) == {"older_than_year": "Kies een antwoord."}
    flow.set_answers(Page.ONTVANKELIJKHEID, older_than_year="ja")
    assert flow.consequences() == {"older_than_year": CONSEQUENCE_OLDER}


def test_register_stores_the_case_normalised(org):
    flow = filled(org.balie, **{Page.KANAAL: {"channel": "balie", "received": date(2026, 11, 23)}})
    assert flow.validate(Page.SAMENVATTING) == {}
    ref = flow.register()
    assert ref == "KD-2026-0001"
    case = stored(org.balie, ref)
    assert case.channel == "balie"
    assert case.received == date(2026, 11, 23)
    assert case.complainant.postcode == "3512 CD"
    assert case.complainant.phone == "+31 6 87654321"
    assert case.complainant.member_number == "H-1001"
    assert case.complainant.salutation == "mevrouw"
    assert case.category.name == "Bejegening medewerker"
    assert case.department.name == "Klantenservice"
    assert case.employee_name == "Sandra Willems"
    assert case.discussed_with_employee is True
    # Monday 23 November + 5 working days.
    assert flow.acknowledgement_due() == date(2026, 11, 30)


def test_summary_is_readable_and_shows_the_deadlines(org):
    flow = filled(org.balie, **{Page.ONTVANKELIJKHEID: {"discussed": "nee"}})
    sections = {s.title: dict(s.rows) for s in summary(flow)}
    assert sections["Kanaal en datum van ontvangst"] == {
        "Kanaal": "Telefoon",
        "Ontvangen op": "25 november 2026",
    }
    klager = sections["Klager"]
    assert klager["Naam"] == "Mevrouw Ans de Wit"
    assert klager["Adres"] == "Beukstraat 12, 3512 CD Utrecht"
    assert klager["Bekend"] == "Nieuwe klager"
    assert klager["Brieven"] == "per post"
    assert sections["De klacht"]["Categorie"] == "Bejegening medewerker"
    assert sections["Ontvankelijkheid"]["Let op"] == CONSEQUENCE_NOT_DISCUSSED
    assert sections["Bijlagen"] == {"Bijlagen": "geen"}
    assert sections["Termijnen"]["Ontvangstbevestiging uiterlijk"] == "2 december 2026"
    assert sections["Termijnen"]["Uitspraak uiterlijk"] == "23 december 2026"
    assert [s.title for s in summary(flow)][:2] == ["Kanaal en datum van ontvangst", "Termijnen"]
    flow.set_answers(Page.KLAGER, street="", postcode="", city="")
    assert dict(summary(flow)[2].rows)["Brieven"] == "per e-mail (geen postadres)"


def test_a_returning_complainant_is_found_reused_and_their_cases_shown(org):
    first = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    flow = filled(org.balie)
    matches = flow.search("Fatma el Amrani")  # a typo still finds her
    assert [(m.name, m.case_count) for m in matches] == [("Fatima el Amrani", 1)]
    flow.use_complainant(matches[0])
    assert [c.ref for c in flow.known_cases] == [first]
    assert flow.answer(Page.KLAGER, "postcode") == "3511 AB"
    assert flow.is_known_complainant()
    klager = {s.title: dict(s.rows) for s in summary(flow)}["Klager"]
    assert klager["Bekend"] == "Bekende klager (1 eerdere zaak)"
    flow.set_answers(Page.KLAGER, phone="06 11112222")  # a new phone number is fine
    second = flow.register()
    with org.balie.db.session() as session:
        assert session.scalar(select(func.count(Complainant.id))) == 1
    assert case_view.find_complainants(org.balie, "Fatima")[0].case_count == 2
    assert stored(org.balie, second).complainant.phone == "+31 6 11112222"


def test_a_complainant_typed_in_again_is_recognised(org):
    first = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    flow = filled(org.balie)
    flow.set_answers(Page.KLAGER, name="fatima el amrani", postcode="3511AB", email="")
    flow.recognise_complainant()
    assert flow.is_known_complainant()
    assert [c.ref for c in flow.known_cases] == [first]
    flow.set_answers(Page.KLAGER, postcode="9999 ZZ")  # another address: someone else
    flow.recognise_complainant()
    assert flow.known is None and flow.known_cases == []


def test_attachments_are_checked_held_and_stored(org):
    flow = filled(org.balie)
    too_big = attachments.MAX_ATTACHMENT_BYTES + 1
    message = flow.file_problem("scan.pdf", too_big)
    assert message == (
        "'scan.pdf' is 20,0 MB; een bijlage mag ten hoogste 20 MB zijn. Scan het document met "
        "een lagere resolutie of als PDF."
    )
    assert flow.add_file("leeg.txt", b"") == "'leeg.txt' is leeg en kan niet worden toegevoegd."
    assert flow.add_file("brief.pdf", b"%PDF-1.4 brief") is None
    assert flow.add_file("brief.pdf", b"%PDF-1.4 brief") == "'brief.pdf' is al toegevoegd."
    assert flow.add_file("foto.jpg", b"\xff\xd8 foto") is None
    flow.remove_file(1)
    ref = flow.register()
    stored_files = attachments.list_attachments(org.balie, ref)
    assert [(a.filename, a.size) for a in stored_files] == [("brief.pdf", 14)]


def test_registering_again_after_a_failure_does_not_duplicate(org, monkeypatch):
    flow = filled(org.balie)
    flow.add_file("brief.pdf", b"%PDF-1.4 brief")
    real = attachments.add_attachment
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise OSError("netwerkmap tijdelijk weg")
        return real(*args, **kwargs)

    monkeypatch.setattr(attachments, "add_attachment", failing_once)
    with pytest.raises(OSError):
        flow.register()
    ref = flow.register()
    assert ref == "KD-2026-0001"
    assert len(cases.list_cases(org.balie)) == 1
    assert len(attachments.list_attachments(org.balie, ref)) == 1


def test_admissibility_answers_go_on_the_timeline_for_the_coordinator(livable_org):
    ctx = livable_org.balie
    first = cases.register(ctx, ComplaintInput.validated(complaint_data(), TODAY))
    flow = filled(ctx)
    flow.use_complainant(flow.search("Fatima el Amrani")[0])
    flow.set_answers(
        Page.ONTVANKELIJKHEID, discussed="ja", repeat="ja", earlier_ref=first, new_facts="nee"
    )
    ref = flow.register()
    with ctx.db.session() as session:
        kinds_and_data = session.execute(
            select(Event.kind, Event.data).join(Case).where(Case.ref == ref).order_by(Event.id)
        ).all()
    assert [k for k, _ in kinds_and_data] == ["geregistreerd", "notitie"]
    note = kinds_and_data[1][1]
    assert f"eerder behandeld ({first})" in note
    assert "geen nieuwe feiten of omstandigheden" in note


def test_nothing_to_note_when_there_is_no_doubt(org):
    ref = filled(org.balie).register()
    with org.balie.db.session() as session:
        kinds = session.scalars(
            select(Event.kind).join(Case).where(Case.ref == ref).order_by(Event.id)
        ).all()
    assert kinds == ["geregistreerd"]


def test_only_registering_roles_may_start_an_intake(org):
    with pytest.raises(NotAllowed, match="een klacht registreren"):
        IntakeFlow(org.manager)
    assert IntakeFlow(org.coordinator).choices.departments


def test_deadline_preview_matches_what_registering_stores(org):
    flow = filled(org.balie)
    preview = {d.kind: d.due for d in flow.deadlines()}
    ref = flow.register()
    assert flow.acknowledgement_due() == preview[DeadlineKind.ONTVANGSTBEVESTIGING]
    with org.balie.db.session() as session:
        assert session.scalar(select(Case.next_due).where(Case.ref == ref)) == min(preview.values())
