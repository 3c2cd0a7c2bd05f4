"""Procedures are data (SPEC §3): the shipped presets, serialisation and validation."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from klachtdesk.domain.calendar import DeadlineCalendar, Term, TermUnit
from klachtdesk.domain.deadlines import initial_deadlines
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.procedures import PRESETS, Procedure, preset
from klachtdesk.domain.states import ProcedureFlags
from klachtdesk.domain.values import NotAdmissibleReason, Relation

WOONPARTNERS = PRESETS["woonpartners"]
LIVABLE = PRESETS["livable"]


def test_preset_keys():
    assert set(PRESETS) == {"woonpartners", "livable"}
    assert preset("woonpartners") is WOONPARTNERS
    assert preset("livable") is LIVABLE
    assert WOONPARTNERS.key == "woonpartners"
    assert LIVABLE.key == "livable"


def test_unknown_preset_refused():
    with pytest.raises(ValidationError) as info:
        preset("gemeente")
    assert info.value.field == "procedure"
    assert str(info.value) == (
        "Veld 'procedure': 'gemeente' is geen bekende klachtenregeling "
        "(kies uit: woonpartners, livable)."
    )


# SPEC §3, row by row: (setting, woonpartners, livable).
SPEC_TABLE = [
    ("must_discuss_with_employee_first", True, False),
    ("refuse_repeat_without_new_facts", False, True),
    # "none stated (default 5 working days)" / "7 working days"
    ("acknowledgement_term", Term(5, TermUnit.WERKDAGEN), Term(7, TermUnit.WERKDAGEN)),
    # "4 weeks after receipt" / "6 weeks after receipt"
    ("decision_term", Term(4, TermUnit.WEKEN), Term(6, TermUnit.WEKEN)),
    ("extension_allowed", True, True),
    # "yes, answer within 2 weeks" / "no"
    ("appeal", True, False),
    ("appeal_term", Term(2, TermUnit.WEKEN), None),
    ("satisfaction_check", False, True),
    ("evaluations_per_year", 2, 2),
    # Atw on by default (SPEC §4); the Huurcommissie is a housing corporation's matter.
    ("apply_atw", True, True),
    ("mention_huurcommissie", True, False),
    # Awb 9:8 one-year rule is an option, off in both seeds.
    ("refuse_older_than_one_year", False, False),
    # Awb 9:11 lid 2: an extension adds at most four weeks (longer with consent).
    ("max_extension", Term(4, TermUnit.WEKEN), Term(4, TermUnit.WEKEN)),
    # Livable §5: "Een klacht kan worden ingediend door een bewoner of pand eigenaar."
    ("entitled_relations", (), (Relation.HUURDER, Relation.BEWONER, Relation.EIGENAAR)),
    # Livable §4: the acknowledgement says "ook wie uw klacht in behandeling neemt".
    ("acknowledgement_names_handler", False, True),
]


@pytest.mark.parametrize(("setting", "woonpartners", "livable"), SPEC_TABLE)
def test_presets_follow_spec_table(setting, woonpartners, livable):
    assert getattr(WOONPARTNERS, setting) == woonpartners
    assert getattr(LIVABLE, setting) == livable


def test_spec_table_covers_every_rule():
    covered = {row[0] for row in SPEC_TABLE} | {"key", "name", "external_body"}
    assert covered == {f.name for f in dataclasses.fields(Procedure)}


def test_preset_texts():
    assert WOONPARTNERS.external_body == "de Regionale Geschillencommissie"
    assert "Geschillencommissie" in WOONPARTNERS.external_body
    assert LIVABLE.external_body == "een andere daartoe geëigende externe instantie"
    assert WOONPARTNERS.name == "Klachtenprocedure (model Woonpartners)"
    assert LIVABLE.name == "Klachtenreglement (model Livable)"


def test_preset_term_labels():
    assert WOONPARTNERS.acknowledgement_term.label() == "5 werkdagen"
    assert WOONPARTNERS.decision_term.label() == "4 weken"
    assert WOONPARTNERS.appeal_term.label() == "2 weken"
    assert LIVABLE.acknowledgement_term.label() == "7 werkdagen"
    assert LIVABLE.decision_term.label() == "6 weken"


def test_flags():
    assert WOONPARTNERS.flags == ProcedureFlags(appeal=True)
    assert LIVABLE.flags == ProcedureFlags(appeal=False)


# --------------------------------------------------------------------------------------------
# Serialisation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("procedure", [WOONPARTNERS, LIVABLE], ids=["woonpartners", "livable"])
def test_round_trip_through_json(procedure):
    data = procedure.to_dict()
    assert Procedure.from_dict(data) == procedure
    # What the database stores: plain JSON.
    assert Procedure.from_dict(json.loads(json.dumps(data))) == procedure


def test_to_dict_shape():
    data = WOONPARTNERS.to_dict()
    assert data["acknowledgement_term"] == {"amount": 5, "unit": "werkdagen"}
    assert data["decision_term"] == {"amount": 4, "unit": "weken"}
    assert data["appeal_term"] == {"amount": 2, "unit": "weken"}
    assert data["key"] == "woonpartners"
    assert LIVABLE.to_dict()["appeal_term"] is None


def test_from_dict_ignores_unknown_keys():
    data = {**LIVABLE.to_dict(), "version": 3, "edited_by": "beheer"}
    assert Procedure.from_dict(data) == LIVABLE


def test_from_dict_of_an_edited_procedure():
    data = LIVABLE.to_dict()
    data["decision_term"] = {"amount": 8, "unit": "weken"}
    data["name"] = "Klachtenreglement 2027"
    procedure = Procedure.from_dict(data)
    assert procedure.decision_term == Term(8, TermUnit.WEKEN)
    assert procedure.name == "Klachtenreglement 2027"
    assert procedure.to_dict() == data


def test_from_dict_refuses_invalid_term():
    data = WOONPARTNERS.to_dict()
    data["decision_term"] = {"amount": 0, "unit": "weken"}
    with pytest.raises(ValidationError) as info:
        Procedure.from_dict(data)
    assert info.value.field == "termijn"


def test_changed_makes_a_new_version():
    edited = WOONPARTNERS.changed(decision_term=Term(6, TermUnit.WEKEN), apply_atw=False)
    assert edited.decision_term == Term(6, TermUnit.WEKEN)
    assert edited.apply_atw is False
    # The preset itself (the version old cases keep) is unchanged.
    assert WOONPARTNERS.decision_term == Term(4, TermUnit.WEKEN)
    assert WOONPARTNERS.apply_atw is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        WOONPARTNERS.name = "iets anders"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Invalid procedures
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "naam", "de klachtenregeling heeft een naam nodig."),
        ({"name": "   "}, "naam", "de klachtenregeling heeft een naam nodig."),
        (
            {"appeal": True, "appeal_term": None},
            "termijn heroverweging",
            "geef de termijn voor heroverweging op.",
        ),
        (
            {"evaluations_per_year": 0},
            "evaluaties per jaar",
            "kies een aantal van 1 tot en met 12.",
        ),
        (
            {"evaluations_per_year": 13},
            "evaluaties per jaar",
            "kies een aantal van 1 tot en met 12.",
        ),
    ],
)
def test_invalid_procedure_refused(changes, field, message):
    with pytest.raises(ValidationError) as info:
        LIVABLE.changed(**changes)
    assert info.value.field == field
    assert info.value.message == message


def test_appeal_switched_on_with_a_term_is_valid():
    procedure = LIVABLE.changed(appeal=True, appeal_term=Term(10, TermUnit.WERKDAGEN))
    assert procedure.flags.appeal is True


@pytest.mark.parametrize("count", [1, 12])
def test_evaluation_bounds_accepted(count):
    assert LIVABLE.changed(evaluations_per_year=count).evaluations_per_year == count


@pytest.mark.parametrize("missing", ["acknowledgement_term", "decision_term"])
def test_procedure_without_term_refused(missing):
    data = WOONPARTNERS.to_dict()
    data[missing] = None
    with pytest.raises(ValidationError):
        procedure = Procedure.from_dict(data)
        # If it were accepted, it must at least work.
        initial_deadlines(date(2026, 3, 2), procedure, DeadlineCalendar())


def test_each_procedure_offers_only_its_own_refusal_grounds():
    assert [g.value for g in WOONPARTNERS.refusal_grounds] == [
        "niet_besproken",
        "anoniem",
        "andere_instantie",
        "anders",
    ]
    assert [g.value for g in LIVABLE.refusal_grounds] == [
        "herhaling",
        "niet_klachtgerechtigd",
        "anoniem",
        "anders",
    ]
    with_year = WOONPARTNERS.changed(refuse_older_than_one_year=True)
    assert NotAdmissibleReason.OLDER_THAN_YEAR in with_year.refusal_grounds


def test_a_version_stored_before_the_new_rules_reads_with_their_defaults():
    stored = LIVABLE.to_dict()
    del stored["max_extension"], stored["entitled_relations"]
    old = Procedure.from_dict(stored)
    assert old.max_extension == Term(4, TermUnit.WEKEN)
    assert old.entitled_relations == ()  # that version did not have the rule
