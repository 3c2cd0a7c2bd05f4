"""Make the database of one released schema for the upgrade test (run once per release).

    python tests/data/make_schema_fixture.py 0001

Writes tests/data/schema-<rev>.kdb and .kdb.keys: user 'beheer', password 'fixture-wachtwoord',
two cases. Commit the files; never regenerate an old one.
"""

import sys
from datetime import date
from pathlib import Path

from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import cases

PASSWORD = "fixture-wachtwoord"


def main(revision: str) -> None:
    path = Path(__file__).parent / f"schema-{revision}.kdb"
    setup.create_database(path, "Fixture", "woonpartners", "beheer", PASSWORD)
    admin = setup.unlock(path, "beheer", PASSWORD)
    setup.add_user(admin, "coordinator", "Carla", "coordinator,balie", PASSWORD)
    ctx = setup.unlock(path, "coordinator", PASSWORD)
    for received, name in ((date(2026, 3, 2), "Anna Jansen"), (date(2026, 11, 20), "Kees Smit")):
        complaint = ComplaintInput.validated(
            {
                "received": received.isoformat(),
                "channel": "brief",
                "complainant": {"name": name, "email": "klager@voorbeeld.nl"},
                "subject": "Fixture-klacht",
                "description": "Een klacht om de upgrade van het schema mee te testen.",
                "category": "Dienstverlening",
            },
            date(2026, 11, 25),
        )
        ref = cases.register(ctx, complaint)
    cases.perform(ctx, ref, Action.TRIAGE_KLACHT)
    print(path)


if __name__ == "__main__":
    main(sys.argv[1])
