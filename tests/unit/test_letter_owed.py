"""Migration 0013: the database marks each decided case whose decision letter is not yet
recorded as sent, and Vandaag reads only marked cases. The mark may never miss a case the
rule finds, whatever happens to the case afterwards."""

from __future__ import annotations

import importlib

from sqlalchemy import text

from klachtdesk.domain.states import Action
from klachtdesk.services.cases import agenda, case_activities, cases
from klachtdesk.services.cases.cases import OWED_LETTERS
from tests.conftest import APPEAL_GROUNDS, TODAY
from tests.unit.test_agenda import register

BOTH_STORES = True  # the org tests run on a file and on a PostgreSQL server (issue 15)


def marked(ctx) -> set[str]:
    with ctx.db.session() as session:
        return set(session.scalars(text("SELECT ref FROM cases WHERE letter_owed")))


def owed_by_rule(ctx) -> set[str]:
    with ctx.db.session() as session:
        rows = agenda._owed_without_deadline(session, ctx, marked_only=False)
    return {ref for ref, *_rest in rows}


def owed_shown(ctx) -> set[str]:
    note = "besluit genomen, brief nog niet verstuurd"
    return {x.ref for x in agenda.today_overview(ctx, shown=None).letters if x.note == note}


def letter_deadlines(ctx, marked_only: bool) -> list:
    query = agenda._section_query(ctx, agenda.LETTERS, ctx.today(), marked_only)
    with ctx.db.session() as session:
        return list(session.execute(query))


def check(org, expected: set[str]) -> None:
    ctx = org.coordinator
    assert owed_by_rule(ctx) == expected
    assert marked(ctx) == expected
    assert owed_shown(ctx) >= expected - {r for r in expected if _has_open_deadline(ctx, r)}
    # the open deadlines a letter answers: found through the mark as by the plain rule
    for who in (org.coordinator, org.directeur):
        assert letter_deadlines(who, True) == letter_deadlines(who, False)


def _has_open_deadline(ctx, ref: str) -> bool:
    """A decision letter whose deadline is still open is listed with that deadline instead."""
    return any(
        item.ref == ref for item in agenda.today_overview(ctx, shown=None).letters if item.due
    )


def test_the_mark_follows_decisions_letters_and_appeals(org):
    decided = register(org, "2026-11-16")
    refused = register(org, "2026-11-17")
    referred = register(org, "2026-11-18")
    untouched = register(org, "2026-11-19")
    check(org, set())

    cases.perform(org.coordinator, decided, Action.TRIAGE_KLACHT, handler="coordinator")
    cases.perform(org.manager, decided, Action.UITSPRAAK, outcome="gegrond", motivation="Ja.")
    cases.perform(org.coordinator, refused, Action.NIET_ONTVANKELIJK, reason="anders", note="X.")
    cases.perform(org.coordinator, referred, Action.DOORVERWIJZEN, referral_to="Onderhoud")
    check(org, {decided, refused, referred})

    # Another letter does not answer the decision; the decision letter does.
    case_activities.mark_letter_sent(org.balie, decided, "ontvangstbevestiging", TODAY, "post")
    check(org, {decided, refused, referred})
    case_activities.mark_letter_sent(org.coordinator, decided, "uitspraak", TODAY, "post")
    case_activities.mark_letter_sent(org.coordinator, refused, "niet_ontvankelijk", TODAY, "post")
    check(org, {referred})

    # An appeal, then the directeur's decision: a new letter is owed, until it is sent.
    cases.perform(
        org.coordinator, decided, Action.BEROEP, received=TODAY.isoformat(), grounds=APPEAL_GROUNDS
    )
    check(org, {referred})
    cases.perform(
        org.directeur, decided, Action.UITSPRAAK_DIRECTEUR, outcome="ongegrond",
        motivation="Na heroverweging blijft het besluit staan.",
    )  # fmt: skip
    check(org, {referred, decided})
    case_activities.mark_letter_sent(org.coordinator, decided, "reactie_directeur", TODAY, "post")
    check(org, {referred})
    assert untouched not in marked(org.coordinator)


def test_the_migration_knows_the_same_letters_as_the_services():
    migration = importlib.import_module(
        "klachtdesk.storage.migrations.versions.0013_decision_letter_owed"
    )
    assert {
        status.value: letter for status, letter in OWED_LETTERS.items()
    } == migration.OWED_LETTERS


def test_an_older_database_gets_the_mark_worked_out_when_it_is_upgraded(tmp_path):
    """schema-0006 holds decided cases whose letters went out (see
    tests/data/make_schema_0006.py): the upgrade marks none of them."""
    import shutil
    from pathlib import Path

    from klachtdesk.services.admin import setup

    data = Path(__file__).resolve().parent.parent / "data"
    path = tmp_path / "schema-0006.kdb"
    shutil.copy(data / "schema-0006.kdb", path)
    shutil.copy(data / "schema-0006.kdb.keys", Path(str(path) + ".keys"))
    ctx = setup.unlock(path, "coordinator", "fixture-wachtwoord")
    try:
        decided = marked_or_decided(ctx)
        assert len(decided) == 3  # their letters went out: none is owed, none is marked
        assert marked(ctx) == owed_by_rule(ctx) == set()
    finally:
        ctx.db.dispose()


def marked_or_decided(ctx) -> set[str]:
    statuses = ", ".join(f"'{status.value}'" for status in OWED_LETTERS)
    with ctx.db.session() as session:
        return set(session.scalars(text(f"SELECT ref FROM cases WHERE status IN ({statuses})")))


def test_the_letters_the_mark_stands_for_are_owed_letters():
    """Vandaag looks for decision and directeur letters on marked cases only: each deadline
    kind it looks for that way answers a status whose letter the mark covers."""
    for kind, status in agenda._LETTER_FOR:
        if kind.value in agenda._MARKED_KINDS:
            assert status in OWED_LETTERS
            assert OWED_LETTERS[status] == agenda._LETTER_FOR[(kind, status)]
