"""The life of a case (SPEC §2): transitions, roles, and the difference appeal / no appeal."""

from __future__ import annotations

from collections import deque

import pytest

from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.procedures import PRESETS
from klachtdesk.domain.roles import ROLE_LABELS, Role, parse_roles
from klachtdesk.domain.states import (
    ACTION_LABELS,
    ACTIVITY_LABELS,
    ACTIVITY_ROLES,
    ACTIVITY_STATES,
    IMPORT_ROLES,
    OPEN_STATES,
    REGISTER_ROLES,
    STATUS_LABELS,
    Action,
    Activity,
    ProcedureFlags,
    Status,
    available_actions,
    check_action,
    check_activity,
    event_label,
    transition_for,
)

WITH_APPEAL = ProcedureFlags(appeal=True)  # Woonpartners
WITHOUT_APPEAL = ProcedureFlags(appeal=False)  # Livable
BOTH = [WITH_APPEAL, WITHOUT_APPEAL]

BALIE = frozenset({Role.BALIE})
COORDINATOR = frozenset({Role.COORDINATOR})
MANAGER = frozenset({Role.MANAGER})
DIRECTEUR = frozenset({Role.DIRECTEUR})
BEHEER = frozenset({Role.BEHEER})
ROLE_SETS = {"balie": BALIE, "coordinator": COORDINATOR, "manager": MANAGER}
ROLE_SETS |= {"directeur": DIRECTEUR, "beheer": BEHEER}

S = Status
A = Action


def test_presets_have_the_right_flags():
    assert PRESETS["woonpartners"].flags == WITH_APPEAL
    assert PRESETS["livable"].flags == WITHOUT_APPEAL


# --------------------------------------------------------------------------------------------
# Every transition of SPEC §2 with the right role
# --------------------------------------------------------------------------------------------

ALLOWED = [
    # (action, from, role, flags, to)
    (A.TRIAGE_KLACHT, S.ONTVANGEN, COORDINATOR, BOTH, S.IN_BEHANDELING),
    (A.NIET_ONTVANKELIJK, S.ONTVANGEN, COORDINATOR, BOTH, S.NIET_ONTVANKELIJK),
    (A.DOORVERWIJZEN, S.ONTVANGEN, COORDINATOR, BOTH, S.DOORVERWEZEN),
    (A.UITSPRAAK, S.IN_BEHANDELING, MANAGER, BOTH, S.AFGEHANDELD),
    (A.BEROEP, S.AFGEHANDELD, COORDINATOR, [WITH_APPEAL], S.HEROVERWEGING),
    (A.BEROEP, S.AFGEHANDELD, BALIE, [WITH_APPEAL], S.HEROVERWEGING),
    (A.UITSPRAAK_DIRECTEUR, S.HEROVERWEGING, DIRECTEUR, [WITH_APPEAL], S.AFGEHANDELD_DIRECTEUR),
    (A.GESCHIL, S.AFGEHANDELD_DIRECTEUR, DIRECTEUR, [WITH_APPEAL], S.GESCHIL),
    (A.GESCHIL, S.AFGEHANDELD_DIRECTEUR, COORDINATOR, [WITH_APPEAL], S.GESCHIL),
    # Without an appeal stage afgehandeld leads straight to geschil.
    (A.GESCHIL, S.AFGEHANDELD, COORDINATOR, [WITHOUT_APPEAL], S.GESCHIL),
    (A.GESCHIL, S.AFGEHANDELD, DIRECTEUR, [WITHOUT_APPEAL], S.GESCHIL),
    (A.SLUITEN, S.AFGEHANDELD, COORDINATOR, BOTH, S.GESLOTEN),
    (A.SLUITEN, S.AFGEHANDELD_DIRECTEUR, COORDINATOR, [WITH_APPEAL], S.GESLOTEN),
    (A.SLUITEN, S.GESCHIL, COORDINATOR, BOTH, S.GESLOTEN),
    (A.SLUITEN, S.NIET_ONTVANKELIJK, COORDINATOR, BOTH, S.GESLOTEN),
    (A.SLUITEN, S.DOORVERWEZEN, COORDINATOR, BOTH, S.GESLOTEN),
    (A.SLUITEN, S.INGETROKKEN, COORDINATOR, BOTH, S.GESLOTEN),
]


@pytest.mark.parametrize(
    ("action", "source", "roles", "flags", "target"),
    [
        pytest.param(
            action,
            source,
            roles,
            flags,
            target,
            id=f"{action}-{source}-{min(roles)}-{'appeal' if flags.appeal else 'no-appeal'}",
        )
        for action, source, roles, flag_list, target in ALLOWED
        for flags in flag_list
    ],
)
def test_allowed_transition(action, source, roles, flags, target):
    assert check_action(action, source, roles, flags) is target
    assert transition_for(action, source, flags).target is target
    assert action in available_actions(source, roles, flags)


@pytest.mark.parametrize("flags", BOTH)
@pytest.mark.parametrize("source", sorted(OPEN_STATES))
@pytest.mark.parametrize("roles", [BALIE, COORDINATOR])
def test_withdraw_from_every_open_state(source, roles, flags):
    assert check_action(A.INTREKKEN, source, roles, flags) is S.INGETROKKEN


def test_open_states():
    assert {S.ONTVANGEN, S.IN_BEHANDELING, S.HEROVERWEGING, S.GESCHIL} == OPEN_STATES


@pytest.mark.parametrize(
    "source",
    [S.AFGEHANDELD, S.AFGEHANDELD_DIRECTEUR, S.NIET_ONTVANKELIJK, S.DOORVERWEZEN, S.GESLOTEN],
)
def test_no_withdrawal_from_a_finished_case(source):
    with pytest.raises(NotAllowed) as info:
        check_action(A.INTREKKEN, source, COORDINATOR, WITH_APPEAL)
    assert str(info.value) == (
        f"'Intrekken' is niet mogelijk bij een zaak met status '{source.label}'."
    )


def test_ingetrokken_only_to_gesloten():
    assert available_actions(S.INGETROKKEN, COORDINATOR, WITH_APPEAL) == [A.SLUITEN]


# --------------------------------------------------------------------------------------------
# Wrong role, wrong state
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "source", "roles", "flags", "message"),
    [
        (
            A.TRIAGE_KLACHT,
            S.ONTVANGEN,
            BALIE,
            WITH_APPEAL,
            "'In behandeling nemen' mag alleen door: Klachtencoördinator.",
        ),
        (
            A.NIET_ONTVANKELIJK,
            S.ONTVANGEN,
            MANAGER,
            WITH_APPEAL,
            "'Niet ontvankelijk verklaren' mag alleen door: Klachtencoördinator.",
        ),
        (
            A.DOORVERWIJZEN,
            S.ONTVANGEN,
            BALIE,
            WITHOUT_APPEAL,
            "'Doorverwijzen (melding)' mag alleen door: Klachtencoördinator.",
        ),
        (
            A.UITSPRAAK,
            S.IN_BEHANDELING,
            COORDINATOR,
            WITH_APPEAL,
            "'Uitspraak doen' mag alleen door: Manager / behandelaar.",
        ),
        (
            A.UITSPRAAK,
            S.IN_BEHANDELING,
            DIRECTEUR,
            WITHOUT_APPEAL,
            "'Uitspraak doen' mag alleen door: Manager / behandelaar.",
        ),
        (
            A.BEROEP,
            S.AFGEHANDELD,
            MANAGER,
            WITH_APPEAL,
            "'Heroverweging aanvragen' mag alleen door: Baliemedewerker of Klachtencoördinator.",
        ),
        (
            A.UITSPRAAK_DIRECTEUR,
            S.HEROVERWEGING,
            MANAGER,
            WITH_APPEAL,
            "'Uitspraak directeur-bestuurder' mag alleen door: Directeur-bestuurder.",
        ),
        (
            A.UITSPRAAK_DIRECTEUR,
            S.HEROVERWEGING,
            COORDINATOR,
            WITH_APPEAL,
            "'Uitspraak directeur-bestuurder' mag alleen door: Directeur-bestuurder.",
        ),
        (
            A.GESCHIL,
            S.AFGEHANDELD_DIRECTEUR,
            BALIE,
            WITH_APPEAL,
            "'Geschil voorleggen' mag alleen door: Directeur-bestuurder of Klachtencoördinator.",
        ),
        (
            A.GESCHIL,
            S.AFGEHANDELD,
            MANAGER,
            WITHOUT_APPEAL,
            "'Geschil voorleggen' mag alleen door: Directeur-bestuurder of Klachtencoördinator.",
        ),
        (
            A.INTREKKEN,
            S.IN_BEHANDELING,
            DIRECTEUR,
            WITH_APPEAL,
            "'Intrekken' mag alleen door: Baliemedewerker of Klachtencoördinator.",
        ),
        (
            A.SLUITEN,
            S.AFGEHANDELD,
            BALIE,
            WITH_APPEAL,
            "'Sluiten' mag alleen door: Klachtencoördinator.",
        ),
        (
            A.SLUITEN,
            S.INGETROKKEN,
            BEHEER,
            WITHOUT_APPEAL,
            "'Sluiten' mag alleen door: Klachtencoördinator.",
        ),
    ],
)
def test_wrong_role_is_refused_in_dutch(action, source, roles, flags, message):
    with pytest.raises(NotAllowed) as info:
        check_action(action, source, roles, flags)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("action", "source", "message"),
    [
        (A.UITSPRAAK, S.ONTVANGEN, "'Uitspraak doen' is niet mogelijk bij een zaak met status "),
        (
            A.TRIAGE_KLACHT,
            S.IN_BEHANDELING,
            "'In behandeling nemen' is niet mogelijk bij een zaak met status ",
        ),
        (A.SLUITEN, S.IN_BEHANDELING, "'Sluiten' is niet mogelijk bij een zaak met status "),
        (A.SLUITEN, S.GESLOTEN, "'Sluiten' is niet mogelijk bij een zaak met status "),
        (
            A.UITSPRAAK_DIRECTEUR,
            S.AFGEHANDELD,
            "'Uitspraak directeur-bestuurder' is niet mogelijk bij een zaak met status ",
        ),
        (
            A.DOORVERWIJZEN,
            S.IN_BEHANDELING,
            "'Doorverwijzen (melding)' is niet mogelijk bij een zaak met status ",
        ),
    ],
)
def test_wrong_state_is_refused_in_dutch(action, source, message):
    # Even with every role the state decides.
    with pytest.raises(NotAllowed) as info:
        check_action(action, source, frozenset(Role), WITH_APPEAL)
    assert str(info.value) == f"{message}'{source.label}'."


def test_beroep_refused_without_appeal_stage():
    for source in Status:
        with pytest.raises(NotAllowed) as info:
            check_action(A.BEROEP, source, frozenset(Role), WITHOUT_APPEAL)
        assert str(info.value) == (
            "Deze klachtenregeling kent geen heroverweging door de directeur-bestuurder; "
            "de klager kan zich wenden tot de externe instantie (geschil)."
        )


def test_geschil_after_afgehandeld_refused_with_appeal_stage():
    # With an appeal stage (Woonpartners) the director answers first.
    with pytest.raises(NotAllowed) as info:
        check_action(A.GESCHIL, S.AFGEHANDELD, COORDINATOR, WITH_APPEAL)
    assert str(info.value) == (
        "'Geschil voorleggen' is niet mogelijk bij een zaak met status 'Afgehandeld'."
    )
    with pytest.raises(NotAllowed):
        transition_for(A.GESCHIL, S.AFGEHANDELD, WITH_APPEAL)


def test_beheer_can_change_no_case_state():
    for flags in BOTH:
        for status in Status:
            assert available_actions(status, BEHEER, flags) == []


def test_no_roles_no_actions():
    assert available_actions(S.ONTVANGEN, frozenset(), WITH_APPEAL) == []


# --------------------------------------------------------------------------------------------
# available_actions: what the GUI offers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "roles", "flags", "actions"),
    [
        (
            S.ONTVANGEN,
            COORDINATOR,
            WITH_APPEAL,
            [A.TRIAGE_KLACHT, A.NIET_ONTVANKELIJK, A.DOORVERWIJZEN, A.INTREKKEN],
        ),
        (S.ONTVANGEN, BALIE, WITH_APPEAL, [A.INTREKKEN]),
        (S.ONTVANGEN, MANAGER, WITH_APPEAL, []),
        (S.IN_BEHANDELING, MANAGER, WITH_APPEAL, [A.UITSPRAAK]),
        (S.IN_BEHANDELING, COORDINATOR, WITH_APPEAL, [A.INTREKKEN]),
        (S.IN_BEHANDELING, COORDINATOR | MANAGER, WITH_APPEAL, [A.UITSPRAAK, A.INTREKKEN]),
        (S.AFGEHANDELD, COORDINATOR, WITH_APPEAL, [A.BEROEP, A.SLUITEN]),
        (S.AFGEHANDELD, COORDINATOR, WITHOUT_APPEAL, [A.GESCHIL, A.SLUITEN]),
        (S.AFGEHANDELD, BALIE, WITH_APPEAL, [A.BEROEP]),
        (S.AFGEHANDELD, BALIE, WITHOUT_APPEAL, []),
        (S.AFGEHANDELD, DIRECTEUR, WITH_APPEAL, []),
        (S.AFGEHANDELD, DIRECTEUR, WITHOUT_APPEAL, [A.GESCHIL]),
        (S.HEROVERWEGING, DIRECTEUR, WITH_APPEAL, [A.UITSPRAAK_DIRECTEUR]),
        (S.HEROVERWEGING, COORDINATOR, WITH_APPEAL, [A.INTREKKEN]),
        (S.AFGEHANDELD_DIRECTEUR, DIRECTEUR, WITH_APPEAL, [A.GESCHIL]),
        (S.AFGEHANDELD_DIRECTEUR, COORDINATOR, WITH_APPEAL, [A.GESCHIL, A.SLUITEN]),
        (S.GESCHIL, COORDINATOR, WITHOUT_APPEAL, [A.INTREKKEN, A.SLUITEN]),
        (S.GESCHIL, DIRECTEUR, WITH_APPEAL, []),
        (S.NIET_ONTVANKELIJK, COORDINATOR, WITH_APPEAL, [A.SLUITEN]),
        (S.DOORVERWEZEN, COORDINATOR, WITHOUT_APPEAL, [A.SLUITEN]),
        # A small association: the coordinator is also beheer.
        (
            S.ONTVANGEN,
            COORDINATOR | BEHEER,
            WITHOUT_APPEAL,
            [A.TRIAGE_KLACHT, A.NIET_ONTVANKELIJK, A.DOORVERWIJZEN, A.INTREKKEN],
        ),
    ],
)
def test_available_actions(status, roles, flags, actions):
    assert available_actions(status, roles, flags) == actions


@pytest.mark.parametrize("flags", BOTH)
def test_nothing_leaves_gesloten(flags):
    assert available_actions(S.GESLOTEN, frozenset(Role), flags) == []


@pytest.mark.parametrize("flags", BOTH)
def test_available_actions_agree_with_check_action(flags):
    # Exhaustive over every state and single role: offered <=> check_action succeeds.
    for status in Status:
        for roles in ROLE_SETS.values():
            offered = available_actions(status, roles, flags)
            for action in Action:
                try:
                    target = check_action(action, status, roles, flags)
                except NotAllowed as error:
                    assert action not in offered
                    assert str(error)  # a Dutch sentence, never empty
                else:
                    assert action in offered
                    assert isinstance(target, Status)


def _reachable(flags: ProcedureFlags) -> set[Status]:
    everyone = frozenset(Role)
    seen = {S.ONTVANGEN}
    queue = deque(seen)
    while queue:
        status = queue.popleft()
        for action in available_actions(status, everyone, flags):
            target = check_action(action, status, everyone, flags)
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_reachable_states_with_appeal():
    assert _reachable(WITH_APPEAL) == set(Status)


def test_reachable_states_without_appeal():
    assert _reachable(WITHOUT_APPEAL) == set(Status) - {S.HEROVERWEGING, S.AFGEHANDELD_DIRECTEUR}


def test_full_life_woonpartners():
    steps = [
        (A.TRIAGE_KLACHT, COORDINATOR, S.IN_BEHANDELING),
        (A.UITSPRAAK, MANAGER, S.AFGEHANDELD),
        (A.BEROEP, BALIE, S.HEROVERWEGING),
        (A.UITSPRAAK_DIRECTEUR, DIRECTEUR, S.AFGEHANDELD_DIRECTEUR),
        (A.GESCHIL, DIRECTEUR, S.GESCHIL),
        (A.SLUITEN, COORDINATOR, S.GESLOTEN),
    ]
    status = S.ONTVANGEN
    for action, roles, expected in steps:
        status = check_action(action, status, roles, WITH_APPEAL)
        assert status is expected


def test_full_life_livable():
    steps = [
        (A.TRIAGE_KLACHT, COORDINATOR, S.IN_BEHANDELING),
        (A.UITSPRAAK, MANAGER, S.AFGEHANDELD),
        (A.GESCHIL, COORDINATOR, S.GESCHIL),
        (A.SLUITEN, COORDINATOR, S.GESLOTEN),
    ]
    status = S.ONTVANGEN
    for action, roles, expected in steps:
        status = check_action(action, status, roles, WITHOUT_APPEAL)
        assert status is expected


# --------------------------------------------------------------------------------------------
# Activities (no state change)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activity", "status", "roles"),
    [
        (Activity.BEHANDELAAR_TOEWIJZEN, S.ONTVANGEN, COORDINATOR),
        (Activity.VERWACHTING, S.ONTVANGEN, BALIE),
        (Activity.HOORGESPREK, S.IN_BEHANDELING, MANAGER),
        (Activity.HOORGESPREK, S.HEROVERWEGING, COORDINATOR),
        (Activity.BEMIDDELING, S.IN_BEHANDELING, COORDINATOR),
        (Activity.VERLENGING, S.IN_BEHANDELING, MANAGER),
        (Activity.TEVREDENHEID, S.AFGEHANDELD, COORDINATOR),
        (Activity.GESCHIL_UITKOMST, S.GESCHIL, DIRECTEUR),
        (Activity.NOTITIE, S.AFGEHANDELD_DIRECTEUR, DIRECTEUR),
        (Activity.BRIEF, S.GESLOTEN, BALIE),
    ],
)
def test_activity_allowed(activity, status, roles):
    assert check_activity(activity, status, roles) is None


def test_activity_wrong_role():
    with pytest.raises(NotAllowed) as info:
        check_activity(Activity.BEHANDELAAR_TOEWIJZEN, S.ONTVANGEN, BALIE)
    assert str(info.value) == "U heeft niet de rol die nodig is voor deze handeling."


@pytest.mark.parametrize(
    ("activity", "status"),
    [
        (Activity.VERLENGING, S.AFGEHANDELD),
        (Activity.BEMIDDELING, S.HEROVERWEGING),
        (Activity.TEVREDENHEID, S.IN_BEHANDELING),
        (Activity.NOTITIE, S.GESLOTEN),
        (Activity.GEGEVENS_WIJZIGEN, S.GESLOTEN),
    ],
)
def test_activity_wrong_state(activity, status):
    with pytest.raises(NotAllowed) as info:
        check_activity(activity, status, COORDINATOR)
    assert str(info.value) == f"Dit is niet mogelijk bij een zaak met status '{status.label}'."


def test_activity_tables_are_complete():
    assert set(ACTIVITY_ROLES) == set(Activity)
    assert set(ACTIVITY_STATES) == set(Activity)


# --------------------------------------------------------------------------------------------
# Labels and roles
# --------------------------------------------------------------------------------------------


def test_labels_are_complete_and_dutch():
    assert set(STATUS_LABELS) == set(Status)
    assert set(ACTION_LABELS) == set(Action)
    assert S.AFGEHANDELD_DIRECTEUR.label == "Afgehandeld door directeur"
    assert S.NIET_ONTVANKELIJK.label == "Niet ontvankelijk"
    assert set(ROLE_LABELS) == set(Role)
    assert Role.COORDINATOR.label == "Klachtencoördinator"
    assert Role.DIRECTEUR.label == "Directeur-bestuurder"


def test_activity_labels_and_event_label():
    assert set(ACTIVITY_LABELS) == set(Activity)
    assert event_label("geregistreerd") == "Klacht geregistreerd"
    assert event_label("uitspraak") == "Uitspraak gedaan"
    assert event_label("beroep") == "Heroverweging aangevraagd"
    assert event_label("verlenging") == "Termijn verlengd"
    assert event_label("hoorgesprek") == "Hoorgesprek"
    # An unknown kind (e.g. from a newer version) still reads as text.
    assert event_label("brief_verzonden") == "Brief verzonden"


def test_who_may_register_and_import():
    assert {Role.BALIE, Role.COORDINATOR} == REGISTER_ROLES
    assert {Role.BALIE, Role.COORDINATOR, Role.BEHEER} == IMPORT_ROLES


def test_parse_roles():
    assert parse_roles("coordinator,beheer") == {Role.COORDINATOR, Role.BEHEER}
    assert parse_roles(" Balie , ,MANAGER ") == {Role.BALIE, Role.MANAGER}
    with pytest.raises(ValidationError) as info:
        parse_roles("coordinator,baas")
    assert str(info.value) == (
        "Veld 'rol': 'baas' is geen bekende rol "
        "(kies uit: balie, coordinator, manager, directeur, beheer)."
    )
    with pytest.raises(ValidationError) as info:
        parse_roles(" , ")
    assert info.value.message == "geef ten minste één rol op."
