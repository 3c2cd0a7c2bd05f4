"""A database of the first released schema counts with the decree days shipped since."""

import shutil
from datetime import date
from pathlib import Path

from klachtdesk.domain.calendar import ATW_DECREE_DAYS
from klachtdesk.domain.deadlines import DeadlineKind
from klachtdesk.services.admin import admin_calendar, setup

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "schema-0001.kdb"


def test_an_old_database_gets_the_2023_2025_decree_without_a_migration(tmp_path):
    path = tmp_path / FIXTURE.name
    shutil.copy(FIXTURE, path)
    shutil.copy(Path(str(FIXTURE) + ".keys"), Path(str(path) + ".keys"))
    ctx = setup.unlock(path, "coordinator", "fixture-wachtwoord")
    try:
        # It holds copies of the 2026-2028 days only; each shipped day is listed once.
        listed = admin_calendar.list_atw_days(ctx)
        assert [d.day for d in listed] == sorted(ATW_DECREE_DAYS)
        assert all(d.shipped for d in listed)
        # Woonpartners, received Thu 1 May 2025: 4 weeks = Thu 29 May (Hemelvaartsdag), Fri 30
        # May (decree day), weekend -> Mon 2 June 2025.
        preview = admin_calendar.preview_deadlines(ctx, date(2025, 5, 1))
        assert preview[DeadlineKind.UITSPRAAK].due == date(2025, 6, 2)
    finally:
        ctx.db.dispose()
