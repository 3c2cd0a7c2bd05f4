"""Databases of every released schema open in this version, with their data intact."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from klachtdesk.services.admin import setup
from klachtdesk.services.cases import agenda, case_view, cases
from klachtdesk.storage import migrate

DATA = Path(__file__).resolve().parent.parent / "data"
FIXTURES = sorted(DATA.glob("schema-*.kdb"))
CASES_OF = {  # what each fixture holds, as the case list shows it after the upgrade
    "schema-0001": [
        ("KD-2026-0001", "ontvangen", "Anna Jansen"),
        ("KD-2026-0002", "in_behandeling", "Kees Smit"),
    ],
    "schema-0006": [
        ("KD-2026-0001", "afgehandeld", "Anna Jansen"),
        ("KD-2026-0002", "gesloten", "Bert de Boer"),
        ("KD-2026-0003", "ingetrokken", "Cor Visser"),
        ("KD-2026-0004", "niet_ontvankelijk", "Dina Smit"),
        ("KD-2026-0005", "afgehandeld", "Eva Mulder"),
        ("KD-2026-0006", "ontvangen", "Frits Kok"),
    ],
}


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
        assert [(r.ref, r.status, r.complainant) for r in rows] == CASES_OF[fixture.stem]
        assert rows[0].deadlines["uitspraak"].isoformat() == "2026-03-30"
    finally:
        ctx.db.dispose()


def test_schema_0006_deadlines_are_worked_out_again_from_the_letters_sent(tmp_path):
    """Migration 0007: a deadline that promises an answer was met when the letter went out,
    not when the decision was taken; deadlines of finished cases are settled (see
    tests/data/make_schema_0006.py for the cases)."""
    path = tmp_path / "schema-0006.kdb"
    shutil.copy(DATA / "schema-0006.kdb", path)
    shutil.copy(DATA / "schema-0006.kdb.keys", Path(str(path) + ".keys"))
    ctx = setup.unlock(path, "coordinator", "fixture-wachtwoord")
    try:
        assert migrate.current_revision(ctx.db) == migrate.head_revision()

        def states(ref: str) -> list[tuple]:
            detail = case_view.case_detail(ctx, ref)
            return [
                (d.kind, d.due.isoformat(), d.deadline_state.value, d.met_on, d.settled_by)
                for d in detail.deadlines
            ]

        day = date.fromisoformat
        # decided 23 March, on time, but the letter went out on 6 April: missed
        assert states("KD-2026-0001") == [
            ("ontvangstbevestiging", "2026-03-09", "met", day("2026-03-03"),
             "Ontvangstbevestiging verzonden"),
            ("uitspraak", "2026-03-30", "missed", day("2026-04-06"),
             "Brief met de uitspraak verzonden"),
        ]  # fmt: skip
        # never acknowledged, letter never sent, closed: both missed, never "overdue" again
        assert states("KD-2026-0002") == [
            ("ontvangstbevestiging", "2026-03-09", "missed", None,
             "niet op tijd beantwoord; uitspraak gedaan zonder ontvangstbevestiging"),
            ("uitspraak", "2026-03-30", "missed", None,
             "niet op tijd beantwoord; zaak gesloten"),
        ]  # fmt: skip
        # withdrawn before anything was due: both lapsed
        assert [s[2] for s in states("KD-2026-0003")] == ["lapsed", "lapsed"]
        # refused: the decision deadline lapsed; the refusal letter answered the acknowledgement
        assert states("KD-2026-0004") == [
            ("ontvangstbevestiging", "2026-03-09", "met", day("2026-03-04"),
             "Niet-ontvankelijkverklaring verzonden"),
            ("uitspraak", "2026-03-30", "lapsed", None, "niet ontvankelijk verklaard"),
        ]  # fmt: skip
        # extended: the old decision deadline was superseded, the new one met
        assert [s[:3] for s in states("KD-2026-0005")] == [
            ("ontvangstbevestiging", "2026-03-09", "met"),
            ("uitspraak", "2026-03-30", "superseded"),
            ("uitspraak", "2026-04-15", "met"),
        ]
        assert [s[2] for s in states("KD-2026-0006")] == ["open", "open"]
        # what Vandaag shows: only the open case, nothing of the finished ones
        overview = agenda.today_overview(ctx)
        assert {i.ref for i in overview.overdue + overview.this_week} <= {"KD-2026-0006"}
        rows = {r.ref: r.open_deadlines for r in cases.list_cases(ctx)}
        assert rows["KD-2026-0002"] == {} and rows["KD-2026-0001"] == {}
    finally:
        ctx.db.dispose()


def test_every_module_the_migrations_import_is_in_the_installed_program():
    """Alembic loads the revisions from disk, so PyInstaller never sees what they import:
    each of our modules they import must be a hidden import of installer/klachtdesk.spec, or
    the installed program cannot upgrade a database (the build test finds that only in the
    slow run that builds the program)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    spec = (root / "installer" / "klachtdesk.spec").read_text(encoding="utf-8")
    imported = set()
    migrations = root / "klachtdesk" / "storage" / "migrations"
    for script in [migrations / "env.py", *(migrations / "versions").glob("*.py")]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("klachtdesk"):
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names if a.name.startswith("klachtdesk")}
    assert imported  # the models at least
    assert sorted(name for name in imported if f'"{name}"' not in spec) == []
