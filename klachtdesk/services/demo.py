"""A demo database full of realistic Dutch complaints in every state, for trying things out."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from klachtdesk.domain.calendar import DeadlineCalendar
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.states import Action, Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services import evaluation_cycle
from klachtdesk.services.admin import setup
from klachtdesk.services.admin.settings import write
from klachtdesk.services.cases import case_activities, cases
from klachtdesk.services.context import Context
from klachtdesk.storage.keyslots import key_file_path
from klachtdesk.storage.models import Department, Employee, User

# First names with the salutation that goes with them, so letters say "heer" to Jan.
FIRST = [
    ("Fatima", "mevrouw"),
    ("Jan", "heer"),
    ("Anna", "mevrouw"),
    ("Mohammed", "heer"),
    ("Sanne", "mevrouw"),
    ("Pieter", "heer"),
    ("Ayşe", "mevrouw"),
    ("Kees", "heer"),
    ("Emma", "mevrouw"),
    ("Johan", "heer"),
    ("Lotte", "mevrouw"),
    ("Ahmed", "heer"),
    ("Priya", "mevrouw"),
    ("Willem", "heer"),
    ("Marieke", "mevrouw"),
    ("Youssef", "heer"),
    ("Ingrid", "mevrouw"),
    ("Henk", "heer"),
    ("Noor", "onbekend"),
    ("Sven", "heer"),
    ("Gerda", "mevrouw"),
    ("Bram", "heer"),
    ("Esther", "mevrouw"),
    ("Dirk", "heer"),
    ("Mila", "mevrouw"),
    ("Rachid", "heer"),
    ("Yvonne", "mevrouw"),
    ("Thijs", "heer"),
]
LAST = [
    "de Vries",
    "Jansen",
    "el Amrani",
    "Bosschaert",
    "van Dijk",
    "Bakker",
    "Yılmaz",
    "de Jong",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Bouzid",
    "van den Berg",
    "Hendriks",
    "Dekker",
    "Kramer",
    "van Leeuwen",
    "Kaya",
    "Brouwer",
    "Postma",
    "Vermeulen",
    "Koster",
    "Schouten",
    "Ramdin",
    "Verhoeven",
    "Kuipers",
]
STREETS = [
    "Lindelaan",
    "Kastanjestraat",
    "Dorpsstraat",
    "Molenweg",
    "Julianastraat",
    "Beatrixlaan",
    "Kerkplein",
    "Vondelstraat",
    "Spoorlaan",
    "Merelhof",
    "Zonnebloemstraat",
    "Eikenlaan",
    "Havenkade",
    "Schoolstraat",
]
PLACES = (
    ("3511", "Utrecht"),
    ("3431", "Nieuwegein"),
    ("3701", "Zeist"),
    ("3811", "Amersfoort"),
    ("3401", "IJsselstein"),
    ("3991", "Houten"),
    ("3441", "Woerden"),
)
SUBJECTS = {
    "Onderhoud en reparaties": [
        (
            "Lekkage badkamer niet verholpen",
            "Sinds {w} weken lekt er water door het plafond "
            "van de badkamer. Ik heb dit twee keer gemeld, maar er is nog niemand geweest.",
        ),
        (
            "Monteur niet op afspraak verschenen",
            "Ik had een dag vrij genomen voor de "
            "afspraak met de monteur voor de cv-ketel, maar er kwam niemand en niemand belde af.",
        ),
        (
            "Schimmel in slaapkamer",
            "Er zit schimmel op de muren van de slaapkamer van mijn "
            "kinderen. De reparatie van {w} weken geleden heeft niet geholpen.",
        ),
    ],
    "Bejegening medewerker": [
        (
            "Onvriendelijk behandeld aan de balie",
            "De medewerker aan de balie was kortaf en "
            "liet mij niet uitpraten toen ik vroeg naar mijn reparatieverzoek.",
        ),
        (
            "Opzichter kwam zonder afspraak binnen",
            "De opzichter stond onaangekondigd in mijn "
            "tuin en keek door de ramen naar binnen. Ik voelde mij niet gerespecteerd.",
        ),
    ],
    "Communicatie": [
        (
            "Geen antwoord op mijn e-mails",
            "Ik heb drie e-mails gestuurd over de "
            "servicekosten en op geen enkele een antwoord gekregen.",
        ),
        (
            "Brief over renovatie onduidelijk",
            "De brief over de renovatie van ons complex is "
            "onduidelijk: wanneer beginnen de werkzaamheden en moet ik de woning uit?",
        ),
    ],
    "Dienstverlening": [
        (
            "Telefonisch slecht bereikbaar",
            "Ik heb {w} dagen achter elkaar gebeld en kwam "
            "steeds na een half uur wachten niet verder dan het keuzemenu.",
        ),
        (
            "Afspraak voor oplevering verzet",
            "De afspraak voor de oplevering van mijn oude "
            "woning is drie keer verzet, waardoor ik dubbele huur betaal.",
        ),
    ],
    "Overlast-afhandeling": [
        (
            "Melding burenoverlast niet opgepakt",
            "Ik heb {w} weken geleden overlast van de "
            "bovenburen gemeld (harde muziek 's nachts). Er is niets mee gedaan.",
        ),
        (
            "Geen terugkoppeling na buurtbemiddeling",
            "Na het gesprek met buurtbemiddeling hoor ik niets meer, terwijl de overlast doorgaat.",
        ),
    ],
    "Huur en betalingen": [
        (
            "Servicekosten te hoog berekend",
            "In de afrekening servicekosten worden kosten "
            "voor de lift berekend, maar ons complex heeft geen lift.",
        ),
        (
            "Aanmaning ondanks betalingsregeling",
            "Ik heb een aanmaning gekregen terwijl ik "
            "mij precies aan de afgesproken betalingsregeling houd.",
        ),
    ],
}
EXPECTATIONS = (
    "Ik wil dat de reparatie binnen twee weken wordt uitgevoerd.",
    "Ik verwacht excuses en een duidelijke afspraak.",
    "Ik wil dat het te veel betaalde bedrag wordt teruggestort.",
    "Ik wil graag een gesprek met de leidinggevende.",
    "",
)
EMPLOYEES = (
    ("Sandra Willems", "Klantenservice"),
    ("Erik Hoekstra", "Vastgoed en onderhoud"),
    ("Mustafa Demir", "Vastgoed en onderhoud"),
    ("Linda Groen", "Wonen"),
    ("Peter van Rijn", "Financiën"),
)
_CALENDAR = DeadlineCalendar()  # the demo database keeps the default calendar settings
DEMO_USERS = (
    ("balie", "Baliemedewerker Bea Smits", "balie", "Baliemedewerker"),
    ("coordinator", "Carla Mertens", "coordinator,balie", "Klachtencoördinator"),
    ("manager", "Mark Verbeek", "manager", "Manager Wonen"),
    ("directeur", "Dirk Hofman", "directeur", "Directeur-bestuurder"),
)


@dataclass(frozen=True)
class DemoResult:
    path: Path
    recovery_code: str
    case_count: int
    users: list[tuple[str, str]]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)))


def _as(ctx: Context, day: date, rng: random.Random) -> Context:
    """The same user, with the clock set to ``day`` (events get realistic dates)."""
    moment = _at(day, rng)
    return replace(ctx, today=lambda: day, now=lambda: moment)


def _complaint(rng: random.Random, received: date, discussed: bool) -> ComplaintInput:
    category = rng.choice(list(SUBJECTS))
    subject, text = rng.choice(SUBJECTS[category])
    prefix, city = rng.choice(PLACES)
    first, salutation = rng.choice(FIRST)
    name = f"{first} {rng.choice(LAST)}"
    employee = rng.choice(EMPLOYEES)[0] if rng.random() < 0.6 else ""
    data = {
        "received": received.isoformat(),
        "channel": rng.choice(["telefoon", "telefoon", "brief", "balie", "email", "web"]),
        "complainant": {
            "name": name,
            "street": f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
            "postcode": f"{prefix} {rng.choice('ABCEGHJKLMNPRTVXZ')}{rng.choice('BDGHKLNPRTVZ')}",
            "city": city,
            "phone": f"06 {rng.randint(10000000, 59999999)}",
            "email": f"{name.split()[0].lower()}.{rng.randint(10, 99)}@voorbeeld.nl",
            "salutation": salutation,
        },
        "subject": subject,
        "description": text.format(w=rng.randint(2, 6)),
        "category": category,
        "employee": employee,
        "discussed_with_employee": discussed if employee else None,
        "expectation": rng.choice(EXPECTATIONS),
    }
    return ComplaintInput.validated(data, received)


def create_demo_database(
    path: Path, admin: str, password: str, cases: int = 300, seed: int = 2026, today=None
) -> DemoResult:
    if not 1 <= cases <= 5000:
        raise KlachtDeskError("Kies een aantal demozaken van 1 tot en met 5000.")
    today = today or date.today()
    created = setup.create_database(
        path, "Woonstichting De Linde (demo)", "woonpartners", admin, password, "Beheerder"
    )
    try:
        return _fill(Path(path), created.recovery_code, admin, password, cases, seed, today)
    except BaseException:
        # A half-filled demo is of no use to anyone: remove it, the user can simply retry.
        for leftover in (Path(path), key_file_path(Path(path))):
            leftover.unlink(missing_ok=True)
        raise


def _fill(
    path: Path, recovery_code: str, admin: str, password: str, cases: int, seed: int, today: date
) -> DemoResult:
    root = setup.unlock(path, admin, password)
    with root.db.session(write=True) as session:
        for key, value in {
            "org.street": "Lindeplein 1",
            "org.postcode": "3511 AB",
            "org.city": "Utrecht",
            "org.phone": "030 123 45 67",
            "org.email": "klachten@delinde.example",
            "org.website": "www.delinde.example",
            "org.kvk": "12345678",
            "letters.signature_name": "Carla Mertens",
            "letters.signature_function": "Klachtencoördinator",
        }.items():
            write(session, key, value)
        departments = {d.name: d for d in session.scalars(select(Department))}
        for name, department in EMPLOYEES:
            session.add(Employee(name=name, department=departments[department]))
    users = []
    for username, display, roles, function in DEMO_USERS:
        setup.add_user(root, username, display, roles, password, function)
        users.append((username, roles))
    with root.db.session(write=True) as session:
        # The manager is also an employee in the list: independence rules become visible.
        manager = session.scalar(select(User).where(User.username == "manager"))
        session.add(Employee(name=manager.display_name, department=departments["Wonen"]))
        session.flush()
        manager.employee_id = session.scalar(
            select(Employee.id).where(Employee.name == manager.display_name)
        )
    actors = {name: setup.unlock(path, name, password) for name, *_ in DEMO_USERS}
    rng = random.Random(seed)
    for number in range(cases):
        _demo_case(rng, actors, today, number, cases)
    _held_evaluations(actors["coordinator"], today)
    for ctx in [root, *actors.values()]:
        ctx.db.dispose()
    users.insert(0, (admin, "beheer"))
    return DemoResult(path, recovery_code, cases, users)


def _held_evaluations(coord: Context, today: date) -> None:
    """The evaluations that were due more than a month ago were held (the newest may still
    be waiting, as in a real office)."""
    for item in evaluation_cycle.evaluations(coord, today - timedelta(days=400), today):
        held = item.due - timedelta(days=10)
        if item.due < today - timedelta(days=30):
            evaluation_cycle.record_evaluation(
                _as(coord, held, random.Random(0)),
                item.period,
                held,
                "Klachtencoördinator, manager Wonen, directeur-bestuurder",
            )


def _send(rng: random.Random, actor: Context, ref: str, letter: str, day: date, today: date):
    """Letters go out within a few days of what they announce, now and then a little late;
    in the last month one in ten is still waiting. Returns whether it went out."""
    sent = day + timedelta(days=rng.choice([0, 1, 1, 2, 3, 6]))
    if sent > today or (today - day < timedelta(days=30) and rng.random() < 0.1):
        return False
    case_activities.mark_letter_sent(
        _as(actor, sent, rng), ref, letter, sent, rng.choice(["post", "post", "email"])
    )
    return True


def _demo_case(rng: random.Random, actors: dict[str, Context], today: date, n: int, total: int):
    # Spread receipt over the last 14 months, newest cases still open.
    age = int((total - n) / total * 420) + rng.randint(0, 6)
    received = today - timedelta(days=age)
    while received.weekday() >= 5:
        received -= timedelta(days=1)
    discussed = rng.random() > 0.12
    clerk, coord = actors["balie"], actors["coordinator"]
    manager, director = actors["manager"], actors["directeur"]
    ref = cases.register(_as(clerk, received, rng), _complaint(rng, received, discussed))
    if n >= total * 0.96:
        return  # the newest complaints wait for triage
    _send(rng, clerk, ref, "ontvangstbevestiging", received + timedelta(days=1), today)

    def step(days: int) -> date | None:
        day = received + timedelta(days=days)
        return day if day <= today else None

    day = step(rng.randint(1, 4))
    if day is None:
        return
    roll = rng.random()
    if roll < 0.07:
        cases.perform(
            _as(coord, day, rng),
            ref,
            Action.DOORVERWIJZEN,
            referral_to="het reparatieformulier op de website (afdeling Onderhoud)",
        )
        sent = _send(rng, coord, ref, "doorverwijzing", day, today)
        return _maybe_close(rng, coord, ref, day, today, sent)
    if not discussed or roll < 0.12:
        cases.perform(
            _as(coord, day, rng),
            ref,
            Action.NIET_ONTVANKELIJK,
            reason="niet_besproken" if not discussed else "anders",
            note="De klacht is eerder behandeld; er zijn geen nieuwe feiten.",
        )
        sent = _send(rng, coord, ref, "niet_ontvankelijk", day, today)
        return _maybe_close(rng, coord, ref, day, today, sent)
    if roll < 0.15:
        cases.perform(
            _as(clerk, day, rng),
            ref,
            Action.INTREKKEN,
            note="De klager belde dat het probleem inmiddels is opgelost.",
        )
        return _maybe_close(rng, coord, ref, day, today, True)
    cases.perform(_as(coord, day, rng), ref, Action.TRIAGE_KLACHT, handler="coordinator")
    day = step(rng.randint(6, 14))
    if day is None:
        return
    case_activities.record(
        _as(coord, day, rng),
        ref,
        Activity.HOORGESPREK,
        "Telefonisch gesproken met de klager; de klacht is toegelicht.",
        held_on=day,
    )
    if rng.random() < 0.5:
        case_activities.record(
            _as(coord, day, rng),
            ref,
            Activity.VERKLARING_MEDEWERKER,
            "De medewerker heeft de gang van zaken schriftelijk toegelicht.",
        )
    if rng.random() < 0.2:
        extension_day = received + timedelta(days=20)
        if extension_day <= today:
            case_activities.extend_decision(
                _as(coord, extension_day, rng),
                ref,
                _CALENDAR.add_working_days(received + timedelta(days=40), 1),
                "Wij wachten op het rapport van de aannemer.",
            )
            _send(rng, coord, ref, "verlenging", extension_day, today)
    day = step(rng.randint(15, 45))
    if day is None:
        return
    outcome = rng.choice(["gegrond", "deels_gegrond", "ongegrond", "gegrond"])
    cases.perform(
        _as(manager, day, rng),
        ref,
        Action.UITSPRAAK,
        outcome=outcome,
        motivation="Na het gesprek met de klager en de betrokken medewerker zijn wij "
        "tot dit oordeel gekomen.",
        solution="Wij voeren de reparatie binnen twee weken uit." if outcome != "ongegrond" else "",
        decided_on=day,
    )
    sent = _send(rng, manager, ref, "uitspraak", day, today)
    if sent and rng.random() < 0.15:
        day = step((day - received).days + rng.randint(3, 10))
        if day is None:
            return
        cases.perform(
            _as(coord, day, rng),
            ref,
            Action.BEROEP,
            received=day,
            grounds="De klager vindt de geboden oplossing onvoldoende en vraagt om "
            "heroverweging door de directeur-bestuurder.",
        )
        day = step((day - received).days + rng.randint(5, 13))
        if day is None:
            return
        cases.perform(
            _as(director, day, rng),
            ref,
            Action.UITSPRAAK_DIRECTEUR,
            outcome=rng.choice(["ongegrond", "deels_gegrond"]),
            motivation="Ik heb de klacht opnieuw bekeken en kom tot dit oordeel.",
            decided_on=day,
        )
        sent = _send(rng, director, ref, "reactie_directeur", day, today)
        if sent and rng.random() < 0.3:
            day = step((day - received).days + rng.randint(10, 30))
            if day is None:
                return
            cases.perform(_as(coord, day, rng), ref, Action.GESCHIL, submitted=day)
            return
    _maybe_close(rng, coord, ref, day, today, sent)


def _maybe_close(rng, coord, ref, day, today, letter_sent: bool):
    close = day + timedelta(days=rng.randint(5, 30))
    if letter_sent and close <= today - timedelta(days=30) and rng.random() < 0.75:
        cases.perform(_as(coord, close, rng), ref, Action.SLUITEN)
