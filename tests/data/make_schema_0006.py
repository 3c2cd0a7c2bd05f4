"""The database of released schema 0006 (KlachtDesk as landed at commit 12a551d), with cases in
the situations migration 0007 must work out again. Run with THAT release's code, never with
the current one:

    git worktree add /tmp/old0006 12a551d
    PYTHONPATH=/tmp/old0006 python tests/data/make_schema_0006.py

Writes tests/data/schema-0006.kdb and .kdb.keys: user 'beheer' and 'coordinator', password
'fixture-wachtwoord'. Commit the files; never regenerate them. What each case is, and what
the upgrade must make of its deadlines, is listed in tests/integration/test_migrations.py.
"""

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services import case_activities, cases, setup

PASSWORD = "fixture-wachtwoord"
ACK = DeadlineKind.ONTVANGSTBEVESTIGING
DECISION = DeadlineKind.UITSPRAAK


def on(ctx, day: date):
    return replace(ctx, today=lambda: day, now=lambda: datetime(day.year, day.month, day.day, 10))


def main() -> None:
    path = Path(__file__).parent / "schema-0006.kdb"
    setup.create_database(path, "Fixture", "woonpartners", "beheer", PASSWORD)
    admin = setup.unlock(path, "beheer", PASSWORD)
    setup.add_user(admin, "coordinator", "Carla", "coordinator,balie", PASSWORD)
    setup.add_user(admin, "manager", "Mark", "manager", PASSWORD)
    setup.add_user(admin, "directeur", "Dirk", "directeur", PASSWORD)
    coord, manager = (setup.unlock(path, u, PASSWORD) for u in ("coordinator", "manager"))

    def register(received: date, name: str) -> str:
        complaint = ComplaintInput.validated(
            {
                "received": received.isoformat(),
                "channel": "brief",
                "complainant": {"name": name, "email": "klager@voorbeeld.nl"},
                "subject": "Fixture-klacht",
                "description": "Een klacht om de upgrade van het schema mee te testen.",
                "category": "Dienstverlening",
                "discussed_with_employee": True,
            },
            date(2026, 11, 25),
        )
        return cases.register(on(coord, received), complaint)

    def sent(ref: str, letter: str, day: date, answers) -> None:
        case_activities.mark_letter_sent(on(coord, day), ref, letter, day, "post", answers)

    def decide(ref: str, day: date) -> None:
        cases.perform(on(coord, day), ref, Action.TRIAGE_KLACHT, handler="manager")
        cases.perform(on(manager, day), ref, Action.UITSPRAAK, outcome="gegrond", motivation="x")

    # 1 (KD-2026-0001): acknowledged on time, decided 23 March (due 30 March), decision
    #   letter sent 6 April: the decision deadline was met late.
    a = register(date(2026, 3, 2), "Anna Jansen")
    sent(a, "ontvangstbevestiging", date(2026, 3, 3), ACK)
    decide(a, date(2026, 3, 23))
    sent(a, "uitspraak", date(2026, 4, 6), DECISION)
    # 2: never acknowledged, decided 23 March, letter never sent, closed 1 June.
    b = register(date(2026, 3, 2), "Bert de Boer")
    decide(b, date(2026, 3, 23))
    cases.perform(on(coord, date(2026, 6, 1)), b, Action.SLUITEN)
    # 3: withdrawn on 4 March, before its acknowledgement was due (9 March).
    c = register(date(2026, 3, 2), "Cor Visser")
    cases.perform(on(coord, date(2026, 3, 4)), c, Action.INTREKKEN)
    # 4: refused on 3 March, the refusal letter sent on 4 March.
    d = register(date(2026, 3, 2), "Dina Smit")
    cases.perform(on(coord, date(2026, 3, 3)), d, Action.NIET_ONTVANKELIJK, reason="anders",
                  note="Geen klacht over de dienstverlening.")  # fmt: skip
    sent(d, "niet_ontvankelijk", date(2026, 3, 4), DECISION)
    # 5: acknowledged, extended on 20 March to 15 April, decided and letter sent 14 April.
    e = register(date(2026, 3, 2), "Eva Mulder")
    sent(e, "ontvangstbevestiging", date(2026, 3, 3), ACK)
    cases.perform(on(coord, date(2026, 3, 3)), e, Action.TRIAGE_KLACHT, handler="manager")
    case_activities.extend_decision(on(coord, date(2026, 3, 20)), e, "2026-04-15", "Rapport.")
    cases.perform(on(manager, date(2026, 4, 14)), e, Action.UITSPRAAK, outcome="ongegrond",
                  motivation="x")  # fmt: skip
    sent(e, "uitspraak", date(2026, 4, 14), DECISION)
    # 6: still open, received 20 November, acknowledgement due 27 November.
    register(date(2026, 11, 20), "Frits Kok")
    print(path)


if __name__ == "__main__":
    main()
