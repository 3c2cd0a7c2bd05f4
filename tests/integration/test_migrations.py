"""Databases of every released schema open in this version, with their data intact."""

import shutil
from pathlib import Path

import pytest

from klachtdesk.services.admin import setup
from klachtdesk.services.cases import cases
from klachtdesk.storage import migrate

DATA = Path(__file__).resolve().parent.parent / "data"
FIXTURES = sorted(DATA.glob("schema-*.kdb"))


def test_there_is_a_fixture_for_the_first_schema():
    assert [f.name for f in FIXTURES][0] == "schema-0001.kdb"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_released_schema_upgrades_to_head_and_keeps_its_cases(fixture, tmp_path):
    path = tmp_path / fixture.name
    shutil.copy(fixture, path)
    shutil.copy(Path(str(fixture) + ".keys"), Path(str(path) + ".keys"))
    ctx = setup.unlock(path, "coordinator", "fixture-wachtwoord")
    try:
        assert migrate.current_revision(ctx.db) == migrate.head_revision()
        rows = cases.list_cases(ctx)
        assert [(r.ref, r.status, r.complainant) for r in rows] == [
            ("KD-2026-0001", "ontvangen", "Anna Jansen"),
            ("KD-2026-0002", "in_behandeling", "Kees Smit"),
        ]
        assert rows[0].deadlines["uitspraak"].isoformat() == "2026-03-30"
    finally:
        ctx.db.dispose()
