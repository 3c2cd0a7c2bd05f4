"""Issue 15, the schema: every migration runs on a real PostgreSQL server as on a SQLite file,
and what the file's triggers guarantee, the server's guarantee too: a final letter never
changes, a letter leaves only with its anonymised case, the search index and the mark of an
owed decision letter follow every change. Each guarantee is tried on both stores.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import sqlcipher3
from sqlalchemy import create_engine, inspect, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from klachtdesk.domain.procedures import PRESETS
from klachtdesk.storage import migrate
from klachtdesk.storage.models import (
    Base,
    Case,
    Category,
    Complainant,
    Event,
    Letter,
    Procedure,
    ProcedureVersion,
)

NOW = datetime(2026, 12, 5, 10, 0)


def migrated(engine, target: str = "head", down: bool = False):
    with engine.begin() as conn:
        if down:
            from alembic import command

            config = migrate.alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, target)
        else:
            migrate.upgrade_on(conn, target)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """A migrated empty database on each store: a plain SQLite file (the schema is the
    encrypted file's) or a new database on the test server."""
    if request.param == "sqlite":
        path = tmp_path / "schema.db"
        engine = create_engine("sqlite+pysqlcipher://", creator=lambda: sqlcipher3.connect(path))
    else:
        engine = create_engine(request.getfixturevalue("pg_url"))
    yield migrated(engine)
    engine.dispose()


def revision(engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_every_migration_runs_on_postgresql_and_back(pg_url):
    engine = create_engine(pg_url)
    assert revision(migrated(engine)) == migrate.HEAD
    migrated(engine, "base", down=True)
    assert revision(engine) is None
    assert revision(migrated(engine)) == migrate.HEAD
    engine.dispose()


def test_the_tables_and_columns_are_the_models_on_both_stores(store):
    found = inspect(store)
    tables = set(found.get_table_names()) - {"alembic_version"}
    assert tables - {"case_search"} >= set(Base.metadata.tables)
    for name, table in Base.metadata.tables.items():
        columns = {column["name"] for column in found.get_columns(name)}
        assert columns == {column.name for column in table.columns}, name


def add_case(session: Session, status: str = "afgehandeld", name: str = "Fatima el Amrani"):
    if session.scalar(select(ProcedureVersion)) is None:
        key, preset = next(iter(PRESETS.items()))
        procedure = Procedure(key=key, name=preset.name)
        session.add(procedure)
        session.flush()
        session.add(
            ProcedureVersion(
                procedure_id=procedure.id, version=1, config=json.dumps(preset.to_dict()),
                created_at=NOW, note="test",
            )
        )  # fmt: skip
        session.add(Category(name="Onderhoud"))
        session.flush()
    complainant = Complainant(name=name, postcode="3511 AB", created_at=NOW)
    session.add(complainant)
    session.flush()
    seq = (session.scalar(select(Case.seq).order_by(Case.seq.desc()).limit(1)) or 0) + 1
    case = Case(
        ref=f"KD-2026-{seq:05d}", year=2026, seq=seq, status=status,
        procedure_version_id=session.scalar(select(ProcedureVersion.id)), channel="telefoon",
        received=date(2026, 11, 20), complainant_id=complainant.id,
        category_id=session.scalar(select(Category.id)), subject="Lekkages in de badkamer",
        description="Het plafond lekt al weken.", created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    session.add(case)
    session.flush()
    return case


def add_letter(session: Session, case: Case) -> Letter:
    letter = Letter(case_id=case.id, type="uitspraak", pdf=b"%PDF-1.4", sha256="0" * 64,
                    created_at=NOW)  # fmt: skip
    session.add(letter)
    session.flush()
    return letter


def refused(engine, statement, message: str) -> None:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(statement)
    assert message in str(caught.value.orig)


def test_a_final_letter_never_changes_on_either_store(store):
    with Session(store) as session, session.begin():
        letter_id = add_letter(session, add_case(session)).id
    message = "Een definitieve brief wordt nooit gewijzigd."
    for change in ({"pdf": b"%PDF-1.4 vervalst"}, {"sha256": "1" * 64}, {"type": "reactie"}):
        refused(store, update(Letter).where(Letter.id == letter_id).values(**change), message)
    with store.begin() as conn:  # recording that it was sent stays possible
        conn.execute(update(Letter).where(Letter.id == letter_id).values(sent_on=date(2026, 12, 5)))
    with Session(store) as session:
        assert session.get(Letter, letter_id).pdf == b"%PDF-1.4"


def test_a_letter_leaves_only_with_its_anonymised_case_on_either_store(store):
    with Session(store) as session, session.begin():
        case = add_case(session)
        case_id, letter_id = case.id, add_letter(session, case).id
    message = "alleen verwijderd bij het anonimiseren"
    refused(store, Letter.__table__.delete().where(Letter.id == letter_id), message)
    with store.begin() as conn:
        conn.execute(update(Case).where(Case.id == case_id).values(anonymised_at=NOW))
        conn.execute(Letter.__table__.delete().where(Letter.id == letter_id))
    with Session(store) as session:
        assert session.get(Letter, letter_id) is None


def searched(engine, word: str) -> list[str]:
    """The references whose searched text holds ``word`` (as the case list searches)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            query = (
                "SELECT cases.ref FROM case_search JOIN cases ON cases.id = case_search.case_id "
                "WHERE case_search.haystack LIKE '%' || lower(:word) || '%' ORDER BY cases.ref"
            )
        else:
            query = (
                "SELECT cases.ref FROM case_search JOIN cases ON cases.id = case_search.rowid "
                "WHERE case_search MATCH '\"' || :word || '\"' ORDER BY cases.ref"
            )
        return list(conn.execute(text(query), {"word": word}).scalars())


def test_the_search_index_follows_cases_and_complainants_on_either_store(store):
    with Session(store) as session, session.begin():
        first = add_case(session, "in_behandeling", "Fatima el Amrani")
        second = add_case(session, "ontvangen", "Jan de Vries")
        refs = first.ref, second.ref
    assert searched(store, "Amrani") == [refs[0]]
    assert searched(store, "3511") == sorted(refs)
    assert searched(store, "plafond") == sorted(refs)
    with store.begin() as conn:  # a new name, a changed subject
        conn.execute(
            update(Complainant)
            .where(Complainant.id == select(Case.complainant_id).where(Case.ref == refs[0])
                   .scalar_subquery())
            .values(name="Fatima Bakker")
        )  # fmt: skip
        conn.execute(update(Case).where(Case.ref == refs[1]).values(subject="Schimmel"))
    assert searched(store, "Amrani") == []
    assert searched(store, "Bakker") == [refs[0]]
    assert searched(store, "Lekkages") == [refs[0]]
    assert searched(store, "Schimmel") == [refs[1]]


def test_dutch_words_are_found_in_another_form_on_postgresql(pg_url):
    engine = migrated(create_engine(pg_url))
    with Session(engine) as session, session.begin():
        ref = add_case(session).ref
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT cases.ref FROM case_search JOIN cases ON cases.id = case_search.case_id "
                "WHERE case_search.document @@ plainto_tsquery('dutch', :words)"
            ),
            {"words": "badkamers weken"},  # the text says "badkamer" and "weken"
        ).scalars()
        assert list(found) == [ref]
    engine.dispose()


def test_substrings_have_a_trigram_index_where_the_server_has_pg_trgm(pg_url):
    engine = migrated(create_engine(pg_url))
    with engine.connect() as conn:
        available = "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
        has_trigrams = conn.execute(text(available)).first() is not None
    indexes = {index["name"] for index in inspect(engine).get_indexes("case_search")}
    assert ("ix_case_search_haystack" in indexes) == has_trigrams
    assert "ix_case_search_document" in indexes
    engine.dispose()


def owed(engine) -> dict[str, bool]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Case.ref, Case.letter_owed)).all())


def test_the_owed_letter_mark_follows_decisions_and_letters_on_either_store(store):
    with Session(store) as session, session.begin():
        case = add_case(session, "in_behandeling")
        ref, case_id = case.ref, case.id
    assert owed(store) == {ref: False}

    def event(**values) -> None:
        with store.begin() as conn:
            conn.execute(Event.__table__.insert().values(case_id=case_id, at=NOW, **values))

    with store.begin() as conn:  # the decision: the decision letter is owed
        conn.execute(update(Case).where(Case.id == case_id).values(status="afgehandeld"))
    event(kind="status", from_status="in_behandeling", to_status="afgehandeld")
    assert owed(store) == {ref: True}
    event(
        kind="brief", data=json.dumps({"brief": "ontvangstbevestiging", "verzonden": "2026-12-05"})
    )
    assert owed(store) == {ref: True}  # another letter does not answer the decision
    event(kind="brief", data=json.dumps({"brief": "uitspraak", "verzonden": None}))
    assert owed(store) == {ref: True}  # made, not yet sent
    event(kind="brief", data=json.dumps({"brief": "uitspraak", "verzonden": "2026-12-05"}))
    assert owed(store) == {ref: False}
    with store.begin() as conn:  # the letter's event removed again: owed again
        conn.execute(
            Event.__table__.delete().where(Event.case_id == case_id, Event.kind == "brief")
        )
    assert owed(store) == {ref: True}
