"""The life of a case (SPEC §2): states, actions, and which role may take which action."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.roles import Role


class Status(StrEnum):
    ONTVANGEN = "ontvangen"
    IN_BEHANDELING = "in_behandeling"
    AFGEHANDELD = "afgehandeld"
    HEROVERWEGING = "heroverweging"
    AFGEHANDELD_DIRECTEUR = "afgehandeld_directeur"
    GESCHIL = "geschil"
    NIET_ONTVANKELIJK = "niet_ontvankelijk"
    DOORVERWEZEN = "doorverwezen"
    INGETROKKEN = "ingetrokken"
    GESLOTEN = "gesloten"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.ONTVANGEN: "Ontvangen",
    Status.IN_BEHANDELING: "In behandeling",
    Status.AFGEHANDELD: "Afgehandeld",
    Status.HEROVERWEGING: "Heroverweging",
    Status.AFGEHANDELD_DIRECTEUR: "Afgehandeld door directeur",
    Status.GESCHIL: "Geschil",
    Status.NIET_ONTVANKELIJK: "Niet ontvankelijk",
    Status.DOORVERWEZEN: "Doorverwezen",
    Status.INGETROKKEN: "Ingetrokken",
    Status.GESLOTEN: "Gesloten",
}

# States in which the complaint is still being worked on (withdrawal is possible).
OPEN_STATES = frozenset(
    {Status.ONTVANGEN, Status.IN_BEHANDELING, Status.HEROVERWEGING, Status.GESCHIL}
)

# States in which no deadline is watched any more.
FINISHED_STATES = frozenset({Status.GESLOTEN, Status.INGETROKKEN})


class Action(StrEnum):
    """Things that change a case's state."""

    TRIAGE_KLACHT = "triage_klacht"  # it is a complaint and admissible
    NIET_ONTVANKELIJK = "niet_ontvankelijk"
    DOORVERWIJZEN = "doorverwijzen"  # it is a melding for another process
    UITSPRAAK = "uitspraak"
    BEROEP = "beroep"  # appeal to the directeur-bestuurder
    UITSPRAAK_DIRECTEUR = "uitspraak_directeur"
    GESCHIL = "geschil"  # taken to the external body
    INTREKKEN = "intrekken"
    SLUITEN = "sluiten"


class Activity(StrEnum):
    """Things recorded on a case that do not change its state."""

    BEHANDELAAR_TOEWIJZEN = "behandelaar_toewijzen"
    VERWACHTING = "verwachting"
    HOORGESPREK = "hoorgesprek"
    BEMIDDELING = "bemiddeling"
    VERKLARING_MEDEWERKER = "verklaring_medewerker"
    VERLENGING = "verlenging"
    TEVREDENHEID = "tevredenheid"
    GESCHIL_UITKOMST = "geschil_uitkomst"
    NOTITIE = "notitie"
    BIJLAGE = "bijlage"
    BRIEF = "brief"
    GEGEVENS_WIJZIGEN = "gegevens_wijzigen"
    ONAFHANKELIJKHEID = "onafhankelijkheid"  # why a name-alike colleague may still handle it


ACTION_LABELS = {
    Action.TRIAGE_KLACHT: "In behandeling nemen",
    Action.NIET_ONTVANKELIJK: "Niet ontvankelijk verklaren",
    Action.DOORVERWIJZEN: "Doorverwijzen (melding)",
    Action.UITSPRAAK: "Uitspraak doen",
    Action.BEROEP: "Heroverweging aanvragen",
    Action.UITSPRAAK_DIRECTEUR: "Uitspraak directeur-bestuurder",
    Action.GESCHIL: "Geschil voorleggen",
    Action.INTREKKEN: "Intrekken",
    Action.SLUITEN: "Sluiten",
}

ACTIVITY_LABELS = {
    Activity.BEHANDELAAR_TOEWIJZEN: "Behandelaar toegewezen",
    Activity.VERWACHTING: "Verwachting klager vastgelegd",
    Activity.HOORGESPREK: "Hoorgesprek",
    Activity.BEMIDDELING: "Verslag bemiddeling",
    Activity.VERKLARING_MEDEWERKER: "Verklaring medewerker",
    Activity.VERLENGING: "Termijn verlengd",
    Activity.TEVREDENHEID: "Tevredenheid gevraagd",
    Activity.GESCHIL_UITKOMST: "Uitkomst geschil",
    Activity.NOTITIE: "Notitie",
    Activity.BIJLAGE: "Bijlage toegevoegd",
    Activity.BRIEF: "Brief",
    Activity.GEGEVENS_WIJZIGEN: "Gegevens gewijzigd",
    Activity.ONAFHANKELIJKHEID: "Onafhankelijkheid toegelicht",
}


# What was just done, as a sentence: the case window's message line and the `case` command.
DONE_SENTENCES: dict[Action | Activity, str] = {
    Action.TRIAGE_KLACHT: "De klacht is in behandeling genomen.",
    Action.NIET_ONTVANKELIJK: "De klacht is niet ontvankelijk verklaard.",
    Action.DOORVERWIJZEN: "De melding is doorverwezen.",
    Action.UITSPRAAK: "De uitspraak is vastgelegd.",
    Action.BEROEP: "Het verzoek om heroverweging is vastgelegd.",
    Action.UITSPRAAK_DIRECTEUR: "De uitspraak van de directeur-bestuurder is vastgelegd.",
    Action.GESCHIL: "Vastgelegd is dat het geschil is voorgelegd.",
    Action.INTREKKEN: "De intrekking van de klacht is vastgelegd.",
    Action.SLUITEN: "De zaak is gesloten.",
    Activity.BEHANDELAAR_TOEWIJZEN: "De behandelaar is toegewezen.",
    Activity.VERWACHTING: "De verwachting van de klager is vastgelegd.",
    Activity.HOORGESPREK: "Het verslag van het hoorgesprek is vastgelegd.",
    Activity.BEMIDDELING: "Het verslag van de bemiddeling is vastgelegd.",
    Activity.VERKLARING_MEDEWERKER: "De verklaring van de medewerker is vastgelegd.",
    Activity.VERLENGING: "De termijn voor de uitspraak is verlengd.",
    Activity.TEVREDENHEID: "De tevredenheid van de klager is vastgelegd.",
    Activity.GESCHIL_UITKOMST: "De uitkomst van het geschil is vastgelegd.",
    Activity.NOTITIE: "De notitie is toegevoegd.",
    Activity.BIJLAGE: "De bijlage is toegevoegd.",
    Activity.BRIEF: "De verzending van de brief is vastgelegd.",
    Activity.GEGEVENS_WIJZIGEN: "De gegevens zijn opgeslagen.",
    Activity.ONAFHANKELIJKHEID: "De toelichting op de onafhankelijkheid is vastgelegd.",
}


# What happened, for the timeline (ACTION_LABELS say what to do, for buttons).
ACTION_EVENT_LABELS = {
    Action.TRIAGE_KLACHT: "In behandeling genomen",
    Action.NIET_ONTVANKELIJK: "Niet ontvankelijk verklaard",
    Action.DOORVERWIJZEN: "Doorverwezen (melding)",
    Action.UITSPRAAK: "Uitspraak gedaan",
    Action.BEROEP: "Heroverweging aangevraagd",
    Action.UITSPRAAK_DIRECTEUR: "Uitspraak directeur-bestuurder",
    Action.GESCHIL: "Geschil voorgelegd",
    Action.INTREKKEN: "Ingetrokken",
    Action.SLUITEN: "Gesloten",
}


# Timeline events that are neither an action nor an activity the case window lists.
OTHER_EVENT_LABELS = {
    "geregistreerd": "Klacht geregistreerd",
    "importgegevens_overgenomen": "Gegevens uit de import overgenomen",
    "nieuwe_klager": "Nieuwe klager voor deze zaak (andere persoon dan bij de import herkend)",
}


def event_label(kind: str) -> str:
    """The Dutch label of a timeline event kind."""
    if kind in OTHER_EVENT_LABELS:
        return OTHER_EVENT_LABELS[kind]
    for labels, enum in ((ACTION_EVENT_LABELS, Action), (ACTIVITY_LABELS, Activity)):
        try:
            return labels[enum(kind)]
        except ValueError:
            continue
    return kind.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Transition:
    action: Action
    source: frozenset[Status]
    target: Status
    roles: frozenset[Role]


def _t(action: Action, source: set[Status], target: Status, *roles: Role) -> Transition:
    return Transition(action, frozenset(source), target, frozenset(roles))


_CLOSABLE = {
    Status.AFGEHANDELD,
    Status.AFGEHANDELD_DIRECTEUR,
    Status.GESCHIL,
    Status.NIET_ONTVANKELIJK,
    Status.DOORVERWEZEN,
    Status.INGETROKKEN,
}

TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.TRIAGE_KLACHT, {Status.ONTVANGEN}, Status.IN_BEHANDELING, Role.COORDINATOR),
    _t(Action.NIET_ONTVANKELIJK, {Status.ONTVANGEN}, Status.NIET_ONTVANKELIJK, Role.COORDINATOR),
    _t(Action.DOORVERWIJZEN, {Status.ONTVANGEN}, Status.DOORVERWEZEN, Role.COORDINATOR),
    _t(Action.UITSPRAAK, {Status.IN_BEHANDELING}, Status.AFGEHANDELD, Role.MANAGER),
    _t(Action.BEROEP, {Status.AFGEHANDELD}, Status.HEROVERWEGING, Role.COORDINATOR, Role.BALIE),
    _t(
        Action.UITSPRAAK_DIRECTEUR,
        {Status.HEROVERWEGING},
        Status.AFGEHANDELD_DIRECTEUR,
        Role.DIRECTEUR,
    ),
    _t(
        Action.GESCHIL,
        {Status.AFGEHANDELD, Status.AFGEHANDELD_DIRECTEUR},
        Status.GESCHIL,
        Role.COORDINATOR,
        Role.DIRECTEUR,
    ),
    _t(Action.INTREKKEN, set(OPEN_STATES), Status.INGETROKKEN, Role.COORDINATOR, Role.BALIE),
    _t(Action.SLUITEN, _CLOSABLE, Status.GESLOTEN, Role.COORDINATOR),
)

ACTIVITY_ROLES: dict[Activity, frozenset[Role]] = {
    Activity.BEHANDELAAR_TOEWIJZEN: frozenset({Role.COORDINATOR}),
    Activity.VERWACHTING: frozenset({Role.COORDINATOR, Role.BALIE}),
    Activity.HOORGESPREK: frozenset({Role.COORDINATOR, Role.MANAGER}),
    Activity.BEMIDDELING: frozenset({Role.COORDINATOR, Role.MANAGER}),
    Activity.VERKLARING_MEDEWERKER: frozenset({Role.COORDINATOR, Role.MANAGER}),
    Activity.VERLENGING: frozenset({Role.COORDINATOR, Role.MANAGER}),
    Activity.TEVREDENHEID: frozenset({Role.COORDINATOR}),
    Activity.GESCHIL_UITKOMST: frozenset({Role.COORDINATOR, Role.DIRECTEUR}),
    Activity.NOTITIE: frozenset({Role.COORDINATOR, Role.MANAGER, Role.DIRECTEUR, Role.BALIE}),
    Activity.BIJLAGE: frozenset({Role.COORDINATOR, Role.MANAGER, Role.BALIE}),
    Activity.BRIEF: frozenset({Role.COORDINATOR, Role.MANAGER, Role.DIRECTEUR, Role.BALIE}),
    Activity.GEGEVENS_WIJZIGEN: frozenset({Role.COORDINATOR, Role.BALIE}),
    Activity.ONAFHANKELIJKHEID: frozenset({Role.COORDINATOR}),
}

# Registering a new complaint; importing a web-form export is also an administrator's job.
REGISTER_ROLES = frozenset({Role.BALIE, Role.COORDINATOR})
IMPORT_ROLES = REGISTER_ROLES | {Role.BEHEER}

# States in which an activity makes sense.
ACTIVITY_STATES: dict[Activity, frozenset[Status]] = {
    Activity.BEHANDELAAR_TOEWIJZEN: frozenset({Status.ONTVANGEN, Status.IN_BEHANDELING}),
    Activity.VERWACHTING: frozenset({Status.ONTVANGEN, Status.IN_BEHANDELING}),
    Activity.HOORGESPREK: frozenset({Status.IN_BEHANDELING, Status.HEROVERWEGING}),
    Activity.BEMIDDELING: frozenset({Status.IN_BEHANDELING}),
    Activity.VERKLARING_MEDEWERKER: frozenset({Status.IN_BEHANDELING, Status.HEROVERWEGING}),
    Activity.VERLENGING: frozenset({Status.ONTVANGEN, Status.IN_BEHANDELING}),
    Activity.TEVREDENHEID: frozenset({Status.AFGEHANDELD, Status.AFGEHANDELD_DIRECTEUR}),
    Activity.GESCHIL_UITKOMST: frozenset({Status.GESCHIL}),
    Activity.NOTITIE: frozenset(Status) - {Status.GESLOTEN},
    Activity.BIJLAGE: frozenset(Status) - {Status.GESLOTEN},
    Activity.BRIEF: frozenset(Status),
    Activity.GEGEVENS_WIJZIGEN: frozenset(Status) - {Status.GESLOTEN},
    Activity.ONAFHANKELIJKHEID: frozenset(
        {Status.ONTVANGEN, Status.IN_BEHANDELING, Status.HEROVERWEGING}
    ),
}


@dataclass(frozen=True)
class ProcedureFlags:
    """The parts of a procedure that decide which transitions exist."""

    appeal: bool


def transition_for(action: Action, status: Status, flags: ProcedureFlags) -> Transition:
    """The transition ``action`` makes from ``status``; NotAllowed if there is none."""
    if action is Action.BEROEP and not flags.appeal:
        raise NotAllowed(
            "Deze klachtenregeling kent geen heroverweging door de directeur-bestuurder; "
            "de klager kan zich wenden tot de externe instantie (geschil)."
        )
    for transition in TRANSITIONS:
        if transition.action is action and status in transition.source:
            if action is Action.GESCHIL and flags.appeal and status is Status.AFGEHANDELD:
                break  # with an appeal stage, the director answers first
            return transition
    raise NotAllowed(
        f"'{ACTION_LABELS[action]}' is niet mogelijk bij een zaak met status '{status.label}'."
    )


def check_action(
    action: Action, status: Status, roles: frozenset[Role], flags: ProcedureFlags
) -> Status:
    """The new status after ``action``; raises NotAllowed for a wrong state or role."""
    transition = transition_for(action, status, flags)
    if not roles & transition.roles:
        allowed = " of ".join(sorted(r.label for r in transition.roles))
        raise NotAllowed(f"'{ACTION_LABELS[action]}' mag alleen door: {allowed}.")
    return transition.target


def check_activity(activity: Activity, status: Status, roles: frozenset[Role]) -> None:
    if not roles & ACTIVITY_ROLES[activity]:
        raise NotAllowed("U heeft niet de rol die nodig is voor deze handeling.")
    if status not in ACTIVITY_STATES[activity]:
        raise NotAllowed(f"Dit is niet mogelijk bij een zaak met status '{status.label}'.")


def available_actions(
    status: Status, roles: frozenset[Role], flags: ProcedureFlags
) -> list[Action]:
    """Actions the user may take now: what the GUI offers."""
    result = []
    for action in Action:
        try:
            check_action(action, status, roles, flags)
        except NotAllowed:
            continue
        result.append(action)
    return result


def needed_roles(
    status: Status, roles: frozenset[Role], flags: ProcedureFlags
) -> list[tuple[Action | Activity, frozenset[Role]]]:
    """What can be done on a case in ``status`` but not with ``roles``, and who may: the
    windows show these disabled, naming the role (nothing is hidden without a reason)."""
    result: list[tuple[Action | Activity, frozenset[Role]]] = []
    for action in Action:
        try:
            transition = transition_for(action, status, flags)
        except NotAllowed:
            continue
        if not roles & transition.roles:
            result.append((action, transition.roles))
    for activity, states in ACTIVITY_STATES.items():
        if status in states and not roles & ACTIVITY_ROLES[activity]:
            result.append((activity, ACTIVITY_ROLES[activity]))
    return result
