"""The letter types, what their placeholders say about a case, and their default Dutch texts.

The texts follow the two seed procedures (Woonpartners, Livable): the parts that differ per
procedure (next steps, Huurcommissie, terms) come from placeholders, so one text serves both.
The placeholder engine itself is in ``klachtdesk.letters.placeholders``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from klachtdesk.domain.calendar import Term, TermUnit, long_date
from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.values import NotAdmissibleReason, Outcome
from klachtdesk.letters.names import display_phone
from klachtdesk.letters.placeholders import (
    PLACEHOLDERS,
    capitalise,
    check_template,
    fill,
    placeholders_in,
    render_text,
    split_paragraphs,
)

__all__ = [
    "DEFAULT_TEMPLATES",
    "LETTER_TYPES",
    "PLACEHOLDERS",
    "LetterFacts",
    "LetterType",
    "as_sentence",
    "check_template",
    "fill",
    "letter_type",
    "placeholder_values",
    "placeholders_in",
    "render_text",
    "split_paragraphs",
    "term_words",
]


@dataclass(frozen=True)
class LetterType:
    key: str
    label: str
    # the deadlines a sent letter of this type answers, when they are still open: a decision
    # letter also answers an acknowledgement and an extension notice still owed
    answers: tuple[DeadlineKind, ...]
    purpose: str  # what the letter is for, shown to whoever edits the template

    def sent_by(self, via: str) -> str:
        """What met a deadline: 'Ontvangstbevestiging verzonden per post'."""
        return f"{self.label} verzonden {'per e-mail' if via == 'email' else 'per post'}"


LETTER_TYPES: dict[str, LetterType] = {
    t.key: t
    for t in (
        LetterType(
            "ontvangstbevestiging",
            "Ontvangstbevestiging",
            (DeadlineKind.ONTVANGSTBEVESTIGING,),
            "Bevestigt de ontvangst: wie de klacht behandelt en wanneer uiterlijk de reactie komt.",
        ),
        LetterType(
            "niet_ontvankelijk",
            "Niet-ontvankelijkverklaring",
            (DeadlineKind.ONTVANGSTBEVESTIGING,),
            "Legt uit waarom de klacht niet in behandeling wordt genomen.",
        ),
        LetterType(
            "doorverwijzing",
            "Doorverwijzing",
            (DeadlineKind.ONTVANGSTBEVESTIGING,),
            "Het is een melding, geen klacht: naar welk formulier of welke afdeling.",
        ),
        LetterType(
            "uitnodiging_hoorgesprek",
            "Uitnodiging hoorgesprek",
            (),
            "Nodigt de klager uit voor een gesprek over de klacht.",
        ),
        LetterType(
            "verlenging",
            "Verlenging van de termijn",
            (DeadlineKind.VERLENGINGSBERICHT,),
            "Meldt vóór het einde van de termijn de nieuwe datum en de reden.",
        ),
        LetterType(
            "uitspraak",
            "Uitspraak",
            (
                DeadlineKind.UITSPRAAK,
                DeadlineKind.ONTVANGSTBEVESTIGING,
                DeadlineKind.VERLENGINGSBERICHT,
            ),
            "Het oordeel, de motivering, de oplossing en wat de klager daarna kan doen.",
        ),
        LetterType(
            "tevredenheidsvraag",
            "Tevredenheidsvraag",
            (),
            "Vraagt of de klacht naar tevredenheid is afgehandeld.",
        ),
        LetterType(
            "reactie_directeur",
            "Reactie directeur-bestuurder",
            (DeadlineKind.HEROVERWEGING,),
            "De reactie op het verzoek om heroverweging, met de weg naar de geschillencommissie.",
        ),
    )
}


def letter_type(key: str) -> LetterType:
    try:
        return LETTER_TYPES[key]
    except KeyError:
        known = ", ".join(LETTER_TYPES)
        raise ValidationError(
            "soort brief", f"'{key}' is geen soort brief (kies uit: {known})."
        ) from None


# -- what a letter can say about a case -------------------------------------------------------
@dataclass(frozen=True)
class LetterFacts:
    """Everything the placeholders are filled from; plain values, no database."""

    reference: str
    today: date
    received: date
    complainant_name: str
    case_subject: str
    organisation: str = ""
    org_street: str = ""
    org_postcode: str = ""
    org_city: str = ""
    org_phone: str = ""
    org_email: str = ""
    org_website: str = ""
    handler: str = ""
    handler_function: str = ""
    employee: str = ""
    department: str = ""
    decision_due: date | None = None
    previous_decision_due: date | None = None
    extension_reason: str = ""
    not_admissible_reason: str | None = None
    not_admissible_note: str = ""
    referral_to: str = ""
    outcome: str | None = None
    motivation: str = ""
    solution: str = ""
    decided_on: date | None = None
    appeal_due: date | None = None
    director_outcome: str | None = None
    director_motivation: str = ""
    decision_term: Term | None = None
    appeal: bool = False
    appeal_term: Term | None = None
    external_body: str = ""
    mention_huurcommissie: bool = False
    employee_statement: bool = False  # a statement of an employee concerned is recorded
    channel: str = ""  # how the complaint came in (telefoon, balie, brief, email, web)
    complaint_text: str = ""  # the complaint as it was recorded
    entitled: str = ""  # who may complain under the procedure ("huurder, bewoner of eigenaar")


_NUMBERS = (
    *("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien"),
    *("elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien"),
    *("negentien", "twintig"),
)
_UNITS = {
    TermUnit.WERKDAGEN: ("werkdag", "werkdagen"),
    TermUnit.DAGEN: ("dag", "dagen"),
    TermUnit.WEKEN: ("week", "weken"),
}


def term_words(term: Term | None) -> str:
    """'vier weken', 'zeven werkdagen', 'één week'; numbers above twenty in digits."""
    if term is None:
        return ""
    amount = _NUMBERS[term.amount] if term.amount < len(_NUMBERS) else str(term.amount)
    singular, plural = _UNITS[TermUnit(term.unit)]
    return f"{amount} {singular if term.amount == 1 else plural}"


def as_sentence(text: str) -> str:
    """User text as a sentence: a capital at the start and a full stop at the end."""
    text = text.strip()
    if not text:
        return ""
    if text[-1] not in ".!?…)\"'":
        text += "."
    return capitalise(text)


def _long(day: date | None) -> str:
    return long_date(day) if day else ""


def _contact(facts: LetterFacts) -> str:
    ways = [w for w in (display_phone(facts.org_phone), facts.org_email) if w]
    return "via " + " of ".join(ways) if ways else ""


_OUTCOME_WORDS = {
    Outcome.GEGROND: "gegrond",
    Outcome.DEELS_GEGROND: "deels gegrond",
    Outcome.ONGEGROND: "ongegrond",
    Outcome.GEEN_OORDEEL: "geen oordeel",
}
_VERDICT = {
    Outcome.GEGROND: "Wij vinden uw klacht gegrond.",
    Outcome.DEELS_GEGROND: "Wij vinden uw klacht gedeeltelijk gegrond.",
    Outcome.ONGEGROND: "Wij vinden uw klacht ongegrond.",
    Outcome.GEEN_OORDEEL: "Wij kunnen over uw klacht geen oordeel geven.",
}
_DIRECTOR_VERDICT = {
    Outcome.GEGROND: "Na heroverweging vind ik uw klacht gegrond.",
    Outcome.DEELS_GEGROND: "Na heroverweging vind ik uw klacht gedeeltelijk gegrond.",
    Outcome.ONGEGROND: "Ook na heroverweging vind ik uw klacht ongegrond.",
    Outcome.GEEN_OORDEEL: "Ook na heroverweging kan ik over uw klacht geen oordeel geven.",
}


def _outcome(value: str | None, table: Mapping[Outcome, str]) -> str:
    try:
        return table[Outcome(value)] if value else ""
    except ValueError:
        return ""


def _not_admissible(facts: LetterFacts) -> tuple[str, str]:
    """(reason, advice) for a complaint that is not taken into consideration."""
    try:
        reason = NotAdmissibleReason(facts.not_admissible_reason or "")
    except ValueError:
        return as_sentence(facts.not_admissible_note), ""
    if reason is NotAdmissibleReason.NOT_DISCUSSED:
        if facts.employee:
            whom = f"{facts.employee}"
            if facts.department:
                whom += f" van de afdeling {facts.department}"
        else:
            whom = "de medewerker die uw vraag of melding heeft behandeld"
        return (
            "Wij vinden het belangrijk dat onze medewerkers de kans krijgen om uw "
            "ontevredenheid samen met u op te lossen. Daarom vraagt onze klachtenprocedure u "
            "om een klacht eerst te bespreken met de medewerker om wie het gaat. Uit uw klacht "
            "blijkt dat u dat nog niet heeft gedaan.",
            f"Wij raden u aan uw klacht eerst te bespreken met {whom}. Zo kan hij of zij direct "
            "reageren en samen met u naar een oplossing zoeken. Lukt het niet om samen tot een "
            "passende oplossing te komen? Dan kunt u daarna alsnog een klacht bij ons indienen.",
        )
    if reason is NotAdmissibleReason.REPEAT:
        return (
            "Uw klacht is al eerder in onze klachtenprocedure behandeld. U heeft geen nieuwe "
            "feiten of omstandigheden aangedragen die een nieuwe behandeling van uw klacht "
            "rechtvaardigen.",
            "Heeft u wel nieuwe feiten of omstandigheden? Laat het ons dan weten; dan bekijken "
            "wij of wij uw klacht opnieuw kunnen behandelen.",
        )
    if reason is NotAdmissibleReason.OLDER_THAN_YEAR:
        return (
            "Uw klacht gaat over iets dat langer dan een jaar voor het indienen van uw klacht "
            "is gebeurd. Volgens onze klachtenregeling nemen wij zo'n klacht niet in "
            "behandeling.",
            "",
        )
    if reason is NotAdmissibleReason.NOT_ENTITLED:
        who = facts.entitled or "een bewoner of eigenaar"
        return (
            f"Volgens onze klachtenregeling kan een klacht worden ingediend door een {who}. "
            "Uit uw klacht blijkt dat u dat niet bent. Daarom kunnen wij uw klacht niet in "
            "behandeling nemen.",
            "Gaat het om de woning van iemand anders? Dan kan die persoon de klacht zelf bij "
            "ons indienen; u mag daarbij helpen.",
        )
    if reason is NotAdmissibleReason.ANONYMOUS:
        return (
            "Wij hebben uw klacht ontvangen zonder uw naam en adres. Een klacht behandelen wij "
            "alleen als wij weten van wie zij komt, zodat wij met u in gesprek kunnen gaan en "
            "u onze reactie kunnen sturen.",
            "Wilt u uw klacht alsnog door ons laten behandelen? Dien haar dan opnieuw in met "
            "uw naam en adres.",
        )
    if reason is NotAdmissibleReason.OTHER_BODY:
        return (
            "Uw klacht gaat over een zaak waarover de Huurcommissie of de rechter beslist, "
            "bijvoorbeeld de hoogte van de huur of de servicekosten. Zo'n zaak behandelen wij "
            "niet in onze klachtenprocedure.",
            "U kunt zich wenden tot de Huurcommissie (www.huurcommissie.nl) of, als het om een "
            "geschil gaat waarover de rechter beslist, tot de rechter.",
        )
    return as_sentence(facts.not_admissible_note), ""


ORAL_CHANNELS = frozenset({"telefoon", "balie"})


def _recorded_complaint(facts: LetterFacts) -> str:
    """A complaint made by phone or at the desk, as we recorded it, for the complainant to
    check: the procedure asks for a written complaint, so they can correct our wording."""
    if facts.channel not in ORAL_CHANNELS or not facts.complaint_text.strip():
        return ""
    how = "telefonisch" if facts.channel == "telefoon" else "aan onze balie"
    text = " ".join(facts.complaint_text.split())
    return (
        f"U heeft uw klacht {how} aan ons doorgegeven. Wij hebben uw klacht als volgt "
        f"vastgelegd: \u201c{text}\u201d Klopt dit niet, of wilt u iets aanvullen? Laat het "
        "ons dan zo snel mogelijk weten."
    )


def _next_steps(facts: LetterFacts) -> str:
    body = facts.external_body or "een onafhankelijke externe instantie"
    if facts.appeal:
        within = term_words(facts.appeal_term)
        answer = f" U krijgt binnen {within} een schriftelijke reactie." if within else ""
        return (
            "Bent u niet tevreden met deze uitspraak of met de geboden oplossing? Dan kunt u "
            "zich richten tot onze directeur-bestuurder. Deze neemt uw klacht nogmaals in "
            f"overweging.{answer} Bent u het daarna nog steeds niet eens met ons? Dan kunt u het "
            f"geschil voorleggen aan {body}."
        )
    return (
        f"Bent u het niet eens met deze uitspraak? Dan kunt u zich wenden tot {body}. "
        "Eventuele kosten daarvan zijn voor uw eigen rekening."
    )


def _director_next_steps(facts: LetterFacts) -> str:
    body = facts.external_body or "een onafhankelijke externe instantie"
    text = (
        "Bent u het alsnog niet eens met mijn reactie? Dan is uw klacht een geschil "
        f"geworden. Een geschil kunt u ter beoordeling voorleggen aan {body}."
    )
    if "commissie" in body.lower():
        text += (
            " Deze onafhankelijke commissie is er voor alle klanten die de interne "
            "klachtenprocedure hebben doorlopen, maar er samen met ons niet uitkomen."
        )
    return text


HUURCOMMISSIE = (
    "Gaat uw klacht over de hoogte van uw huur, de servicekosten of onderhoudsgebreken aan uw "
    "woning? Dan kunt u zich ook wenden tot de Huurcommissie. Meer informatie vindt u op "
    "www.huurcommissie.nl."
)


def placeholder_values(facts: LetterFacts) -> dict[str, str]:
    """The text of every placeholder in ``PLACEHOLDERS`` for one case."""
    reason, advice = _not_admissible(facts)
    address = ", ".join(
        p for p in (facts.org_street, f"{facts.org_postcode} {facts.org_city}".strip()) if p
    )
    try:
        outcome_word = _OUTCOME_WORDS[Outcome(facts.outcome)] if facts.outcome else ""
    except ValueError:
        outcome_word = ""
    return {
        "klager_naam": facts.complainant_name,
        "zaak": facts.reference,
        "onderwerp_klacht": facts.case_subject,
        "ontvangen": _long(facts.received),
        "datum": _long(facts.today),
        "organisatie": facts.organisation,
        "organisatie_adres": address,
        "organisatie_telefoon": display_phone(facts.org_phone),
        "organisatie_email": facts.org_email,
        "organisatie_website": facts.org_website,
        "contact": _contact(facts),
        "behandelaar": facts.handler or "onze klachtencoördinator",
        "behandelaar_functie": facts.handler_function,
        "medewerker": facts.employee or "de medewerker om wie het gaat",
        "afdeling": facts.department,
        "termijn_uitspraak": _long(facts.decision_due),
        "termijn_uitspraak_duur": term_words(facts.decision_term),
        "termijn_oud": _long(facts.previous_decision_due),
        "reden_verlenging": as_sentence(facts.extension_reason),
        "reden_niet_ontvankelijk": reason,
        "advies": advice,
        "doorverwezen_naar": facts.referral_to,
        "uitkomst": outcome_word,
        "oordeel": _outcome(facts.outcome, _VERDICT),
        "motivering": as_sentence(facts.motivation),
        "oplossing": as_sentence(facts.solution),
        "datum_uitspraak": _long(facts.decided_on),
        "vervolg": _next_steps(facts),
        "huurcommissie": HUURCOMMISSIE if facts.mention_huurcommissie else "",
        "termijn_heroverweging": _long(facts.appeal_due),
        "oordeel_directeur": _outcome(facts.director_outcome, _DIRECTOR_VERDICT),
        "motivering_directeur": as_sentence(facts.director_motivation),
        "vervolg_directeur": _director_next_steps(facts),
        "externe_instantie": facts.external_body,
        "informatie_bronnen": "de informatie van u en van de betrokken medewerkers"
        if facts.employee_statement
        else "de informatie die u ons heeft gegeven",
        "klacht_zoals_vastgelegd": _recorded_complaint(facts),
    }


# -- the default texts --------------------------------------------------------------------------
def _body(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


_QUESTIONS = (
    "Heeft u vragen over deze brief? Neem dan contact met ons op {contact}. Vermeld daarbij "
    "altijd ons kenmerk {zaak}."
)

DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    "ontvangstbevestiging": (
        "Ontvangstbevestiging van uw klacht",
        _body(
            "Op {ontvangen} hebben wij uw klacht ontvangen over: {onderwerp_klacht}. Met deze "
            "brief bevestigen wij dat wij uw klacht in behandeling nemen. Wij vinden het "
            "vervelend dat u niet tevreden bent en zoeken graag samen met u naar een passende "
            "oplossing.",
            "{klacht_zoals_vastgelegd}",
            "Uw klacht wordt behandeld door {behandelaar}. Iemand die zelf niet bij uw klacht "
            "betrokken is, beoordeelt uw klacht. U ontvangt uiterlijk op {termijn_uitspraak} "
            "een schriftelijke reactie van ons. Hebben wij meer tijd nodig, dan laten wij u dat "
            "vóór die datum weten.",
            "Iedereen die bij de behandeling van uw klacht betrokken is, gaat vertrouwelijk om "
            "met uw gegevens.",
            "Wilt u iets aanvullen of heeft u nog vragen? Neem dan contact met ons op "
            "{contact}. Vermeld daarbij altijd ons kenmerk {zaak}.",
        ),
    ),
    "niet_ontvankelijk": (
        "Wij nemen uw klacht niet in behandeling",
        _body(
            "Op {ontvangen} hebben wij uw klacht ontvangen over: {onderwerp_klacht}. Wij "
            "hebben uw klacht zorgvuldig bekeken. Helaas kunnen wij uw klacht niet in "
            "behandeling nemen. Hieronder leest u waarom.",
            "{reden_niet_ontvankelijk}",
            "{advies}",
            _QUESTIONS,
        ),
    ),
    "doorverwijzing": (
        "Uw melding: wij verwijzen u door",
        _body(
            "Op {ontvangen} hebben wij uw bericht ontvangen over: {onderwerp_klacht}. Wij "
            "kijken altijd eerst of het gaat om een klacht over onze dienstverlening of over "
            "het handelen van een van onze medewerkers.",
            "Uw bericht is geen klacht in de zin van onze klachtenprocedure, maar een melding. "
            "Voor meldingen, zoals een reparatieverzoek of burenoverlast, hebben wij een andere "
            "werkwijze. Zo wordt uw melding sneller en door de juiste mensen opgepakt.",
            "Voor uw melding verwijzen wij u naar {doorverwezen_naar}.",
            "Bent u daarna niet tevreden over de manier waarop wij uw melding afhandelen? Dan "
            "kunt u alsnog een klacht bij ons indienen.",
            _QUESTIONS,
        ),
    ),
    "uitnodiging_hoorgesprek": (
        "Uitnodiging voor een gesprek over uw klacht",
        _body(
            "Wij zijn bezig met de behandeling van uw klacht over: {onderwerp_klacht}. Om uw "
            "klacht goed te kunnen beoordelen, willen wij graag met u in gesprek. In dit gesprek "
            "kunt u uw klacht toelichten en vertellen wat u van ons verwacht. Wij nodigen u "
            "daarom uit voor een hoorgesprek.",
            "{behandelaar} neemt binnenkort contact met u op om een datum en tijd af te "
            "spreken. Het gesprek vindt plaats op ons kantoor, {organisatie_adres}. Als u dat "
            "prettiger vindt, kan het gesprek ook telefonisch plaatsvinden. U mag iemand "
            "meenemen, bijvoorbeeld een familielid of een bekende.",
            "Wilt u zelf een afspraak maken? Neem dan contact met ons op {contact}. Vermeld "
            "daarbij ons kenmerk {zaak}.",
        ),
    ),
    "verlenging": (
        "Meer tijd nodig voor de behandeling van uw klacht",
        _body(
            "Op {ontvangen} hebben wij uw klacht ontvangen over: {onderwerp_klacht}. Wij hebben "
            "u laten weten dat u uiterlijk op {termijn_oud} een reactie van ons zou krijgen. "
            "Helaas hebben wij meer tijd nodig om uw klacht zorgvuldig te behandelen.",
            "{reden_verlenging}",
            "U ontvangt nu uiterlijk op {termijn_uitspraak} een schriftelijke reactie van ons. "
            "Wij vinden het vervelend dat het langer duurt en danken u voor uw begrip.",
            _QUESTIONS,
        ),
    ),
    "uitspraak": (
        "Uitspraak op uw klacht",
        _body(
            "Op {ontvangen} heeft u een klacht bij ons ingediend over: {onderwerp_klacht}. Wij "
            "hebben uw klacht onderzocht. Daarbij hebben wij {informatie_bronnen} gebruikt. In "
            "deze brief leest u ons oordeel over uw klacht.",
            "{oordeel}",
            "{motivering}",
            "{oplossing}",
            "{vervolg}",
            "{huurcommissie}",
            _QUESTIONS,
        ),
    ),
    "tevredenheidsvraag": (
        "Bent u tevreden over de afhandeling van uw klacht?",
        _body(
            "Onlangs heeft u van ons een reactie gekregen op uw klacht over: "
            "{onderwerp_klacht}. Wij vinden het belangrijk dat uw klacht naar tevredenheid is "
            "opgelost en dat de verhouding tussen u en ons weer goed is. Daarom horen wij graag "
            "van u of u tevreden bent over de afhandeling van uw klacht.",
            "Wilt u ons dat laten weten {contact}? Vermeld daarbij ons kenmerk {zaak}. Ook als "
            "u niet tevreden bent, horen wij dat graag: daarmee kunnen wij onze dienstverlening "
            "verbeteren.",
            "Hartelijk dank voor uw reactie.",
        ),
    ),
    "reactie_directeur": (
        "Reactie op uw verzoek om heroverweging",
        _body(
            "U was het niet eens met onze uitspraak van {datum_uitspraak} op uw klacht over: "
            "{onderwerp_klacht}. U heeft mij daarom gevraagd uw klacht nogmaals in overweging "
            "te nemen. Dat heb ik gedaan. In deze brief leest u mijn reactie.",
            "{oordeel_directeur}",
            "{motivering_directeur}",
            "{vervolg_directeur}",
            "{huurcommissie}",
            _QUESTIONS,
        ),
    ),
}
