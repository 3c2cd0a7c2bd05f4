"""Letter texts without a database: placeholders, salutations and the sentences per procedure."""

from __future__ import annotations

from datetime import date

import pytest

from klachtdesk.domain.calendar import Term, TermUnit
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.procedures import PRESETS
from klachtdesk.letters.names import address_name, display_phone, salutation_line, surname
from klachtdesk.letters.templates import (
    DEFAULT_TEMPLATES,
    LETTER_TYPES,
    PLACEHOLDERS,
    LetterFacts,
    as_sentence,
    check_template,
    fill,
    letter_type,
    placeholder_values,
    placeholders_in,
    render_text,
    split_paragraphs,
    term_words,
)


def facts(procedure: str = "woonpartners", **overrides) -> LetterFacts:
    p = PRESETS[procedure]
    values = dict(
        reference="KD-2026-0042",
        today=date(2026, 11, 25),
        received=date(2026, 11, 2),
        complainant_name="Jan de Vries",
        case_subject="Lekkage badkamer niet verholpen",
        organisation="Woonstichting De Linde",
        org_street="Lindeplein 1",
        org_postcode="3511 AB",
        org_city="Utrecht",
        org_phone="+31 30 123 4567",
        org_email="klachten@delinde.example",
        decision_due=date(2026, 11, 30),
        decision_term=p.decision_term,
        appeal=p.appeal,
        appeal_term=p.appeal_term,
        external_body=p.external_body,
        mention_huurcommissie=p.mention_huurcommissie,
    )
    values.update(overrides)
    return LetterFacts(**values)


# -- the placeholder engine ---------------------------------------------------------------------
def test_every_default_template_uses_only_known_placeholders():
    assert set(DEFAULT_TEMPLATES) == set(LETTER_TYPES)
    for subject, body in DEFAULT_TEMPLATES.values():
        check_template(subject)
        check_template(body)


def test_every_documented_placeholder_gets_a_value():
    assert set(placeholder_values(facts())) == set(PLACEHOLDERS)


@pytest.mark.parametrize(
    "text, named",
    [
        ("Beste {klant_naam},", ["{klant_naam}"]),
        ("{zaak} en {foo} en {bar} en {foo}", ["{foo}", "{bar}"]),
        ("{zaak.__class__}", ["{zaak.__class__}"]),
        ("{zaak!r}", ["{zaak!r}"]),
        ("{0}", ["{0}"]),
        ("{ zaak }", ["{ zaak }"]),
        ("{ZAAK}", ["{ZAAK}"]),
        ("{}", ["{}"]),
    ],
)
def test_unknown_placeholders_are_refused_with_their_names(text, named):
    with pytest.raises(ValidationError) as refused:
        check_template(text)
    message = str(refused.value)
    assert "nbekend" in message
    for name in named:
        assert name in message


def test_a_stray_brace_is_refused_and_doubled_braces_are_text():
    with pytest.raises(ValidationError, match="losse accolade"):
        check_template("Uw kenmerk { zaak")
    with pytest.raises(ValidationError, match="losse accolade"):
        check_template("klaar }")
    check_template("Een {{accolade}} en {zaak}")
    assert fill("Een {{accolade}} en {zaak}", {"zaak": "KD-1"}) == "Een {accolade} en KD-1"


def test_values_are_inserted_as_plain_text_never_interpreted():
    values = {"klager_naam": "{zaak} {{x}} {0.__class__}", "zaak": "KD-2026-0001"}
    assert fill("{klager_naam}/{zaak}", values) == "{zaak} {{x}} {0.__class__}/KD-2026-0001"


def test_placeholders_in_lists_each_name_once_in_order():
    assert placeholders_in("{zaak} {datum} {zaak} {{niet}}") == ["zaak", "datum"]


def test_paragraphs_split_at_empty_lines_and_empty_ones_disappear():
    subject, paragraphs = render_text(
        "Over {zaak}",
        "Eerste  alinea .\n\n{advies}\n\n \n\nLaatste {contact}.",
        {"zaak": "X"} | {"advies": "", "contact": ""},
    )
    assert subject == "Over X"
    assert paragraphs == ["Eerste alinea.", "Laatste."]
    assert split_paragraphs("a\r\n\r\nb\nc") == ["a", "b\nc"]


def test_unknown_letter_type_is_refused_in_dutch():
    with pytest.raises(ValidationError, match="geen soort brief"):
        letter_type("brief_aan_de_koning")


# -- names and salutations ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, salutation, expected",
    [
        ("Jan Bosschaert", "heer", "Geachte heer Bosschaert,"),
        ("Jan de Vries", "heer", "Geachte heer De Vries,"),
        ("Fatima el Amrani", "mevrouw", "Geachte mevrouw El Amrani,"),
        ("Fatima el Amrani", "onbekend", "Geachte Fatima el Amrani,"),
        ("Pieter van den Berg", "heer", "Geachte heer Van den Berg,"),
        ("Anna Maria Bakker", "mevrouw", "Geachte mevrouw Bakker,"),
        ("Jan Bakker-de Vries", "heer", "Geachte heer Bakker-de Vries,"),
        ("J.P. van der Linden", "heer", "Geachte heer Van der Linden,"),
        ("Ingrid ter Horst", "mevrouw", "Geachte mevrouw Ter Horst,"),
        ("Ayşe Yılmaz", "mevrouw", "Geachte mevrouw Yılmaz,"),
        ("Henk 't Hart", "heer", "Geachte heer 'T Hart,"),
        ("Cher", "mevrouw", "Geachte mevrouw Cher,"),
        ("  Jan   de  Vries ", "heer", "Geachte heer De Vries,"),
        ("", "heer", "Geachte heer, mevrouw,"),
    ],
)
def test_salutation(name, salutation, expected):
    assert salutation_line(name, salutation) == expected


def test_surname_keeps_the_rest_of_a_prefixed_name():
    assert surname("Mohammed El Amrani") == "El Amrani"
    assert surname("Jan van der Berg-de Wit") == "Van der Berg-de Wit"


def test_address_name():
    assert address_name("Jan de Vries", "heer") == "De heer Jan de Vries"
    assert address_name("Fatima el Amrani", "mevrouw") == "Mevrouw Fatima el Amrani"
    assert address_name("Fatima el Amrani", "onbekend") == "Fatima el Amrani"


def test_phone_numbers_are_written_the_dutch_way():
    assert display_phone("+31 30 123 4567") == "030 123 4567"
    assert display_phone("+32 2 555 12 12") == "+32 2 555 12 12"
    assert display_phone("") == ""


# -- the sentences ------------------------------------------------------------------------------
def test_term_words_and_sentences():
    assert term_words(Term(4, TermUnit.WEKEN)) == "vier weken"
    assert term_words(Term(1, TermUnit.WEKEN)) == "één week"
    assert term_words(Term(7, TermUnit.WERKDAGEN)) == "zeven werkdagen"
    assert term_words(Term(30, TermUnit.DAGEN)) == "30 dagen"
    assert term_words(None) == ""
    assert as_sentence("wij wachten op de aannemer") == "Wij wachten op de aannemer."
    assert as_sentence("Klaar?") == "Klaar?"
    assert as_sentence("  ") == ""


def test_not_discussed_advises_to_talk_to_the_employee_first():
    values = placeholder_values(
        facts(not_admissible_reason="niet_besproken", employee="Sandra Willems", department="Wonen")
    )
    assert "nog niet heeft gedaan" in values["reden_niet_ontvankelijk"]
    assert "eerst te bespreken met Sandra Willems van de afdeling Wonen" in values["advies"]
    anonymous = placeholder_values(facts(not_admissible_reason="niet_besproken"))
    assert "de medewerker die uw vraag of melding heeft behandeld" in anonymous["advies"]


def test_other_reasons_for_not_admitting():
    repeat = placeholder_values(facts(not_admissible_reason="herhaling"))
    assert "geen nieuwe feiten of omstandigheden" in repeat["reden_niet_ontvankelijk"]
    old = placeholder_values(facts(not_admissible_reason="ouder_dan_jaar"))
    assert "langer dan een jaar" in old["reden_niet_ontvankelijk"]
    other = placeholder_values(
        facts(not_admissible_reason="anders", not_admissible_note="dit is geen klacht")
    )
    assert other["reden_niet_ontvankelijk"] == "Dit is geen klacht."
    assert other["advies"] == ""


def test_next_steps_follow_the_procedure():
    woonpartners = placeholder_values(facts("woonpartners"))
    assert "directeur-bestuurder" in woonpartners["vervolg"]
    assert "binnen twee weken" in woonpartners["vervolg"]
    assert "Regionale Geschillencommissie" in woonpartners["vervolg"]
    assert "Huurcommissie" in woonpartners["huurcommissie"]
    livable = placeholder_values(facts("livable"))
    assert "directeur" not in livable["vervolg"]
    assert "een andere daartoe geëigende externe instantie" in livable["vervolg"]
    assert "eigen rekening" in livable["vervolg"]
    assert livable["huurcommissie"] == ""


def test_director_route_to_the_geschillencommissie():
    values = placeholder_values(facts(director_outcome="ongegrond"))
    assert values["oordeel_directeur"] == "Ook na heroverweging vind ik uw klacht ongegrond."
    assert "geschil" in values["vervolg_directeur"]
    assert "Regionale Geschillencommissie" in values["vervolg_directeur"]
    assert "onafhankelijke commissie" in values["vervolg_directeur"]


@pytest.mark.parametrize(
    "outcome, sentence, word",
    [
        ("gegrond", "Wij vinden uw klacht gegrond.", "gegrond"),
        ("deels_gegrond", "Wij vinden uw klacht gedeeltelijk gegrond.", "deels gegrond"),
        ("ongegrond", "Wij vinden uw klacht ongegrond.", "ongegrond"),
        ("geen_oordeel", "Wij kunnen over uw klacht geen oordeel geven.", "geen oordeel"),
    ],
)
def test_outcome_sentences(outcome, sentence, word):
    values = placeholder_values(facts(outcome=outcome))
    assert values["oordeel"] == sentence
    assert values["uitkomst"] == word


def test_contact_line_uses_what_is_known():
    assert placeholder_values(facts())["contact"] == "via 030 123 4567 of klachten@delinde.example"
    none = placeholder_values(facts(org_phone="", org_email=""))
    _, paragraphs = render_text("x", "Neem contact met ons op {contact}.", none)
    assert paragraphs == ["Neem contact met ons op."]


def test_handler_falls_back_to_the_coordinator_and_paragraphs_start_with_a_capital():
    values = placeholder_values(facts())
    _, paragraphs = render_text(*DEFAULT_TEMPLATES["uitnodiging_hoorgesprek"], values)
    assert paragraphs[1].startswith("Onze klachtencoördinator neemt binnenkort contact")
