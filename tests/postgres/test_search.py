"""Issue 15, item 2: the case search on both stores. SQLite answers it with FTS5's trigram
index, PostgreSQL with LIKE on the lower-cased ``haystack`` of its ``case_search`` table
(pg_trgm's index where the server has it); the search service is the same and so are the
cases found: every query below finds the same cases on both stores, and the ones it should.
SQLite's statements compile byte for byte as before the PostgreSQL form existed.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlcipher3
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from klachtdesk.domain.roles import Role
from klachtdesk.services.cases import case_view
from klachtdesk.services.cases.case_view import CaseFilter
from klachtdesk.services.context import Actor, Context
from klachtdesk.storage import queries
from klachtdesk.storage.models import Case, Complainant
from tests.postgres.test_schema import add_case, migrated, store  # noqa: F401 - the fixture

TODAY = date(2026, 12, 4)

# name, postcode, subject, description; the references are KD-2026-00001 to -00011
CASES = (
    ("Fatima el Amrani", "3511 AB", "Lekkage in de badkamer", "Het plafond lekt al weken."),
    ("Jan de Vries", "3431 CD", "Schimmel in de slaapkamer", "Na de renovatie kwam schimmel."),
    ("Ömer Yilmaz", "1012 AB", "Geluidsoverlast van de buren", "De buren draaien muziek."),
    (
        "Zoë Müller-Lüdenscheidt",
        "3511 AB",
        "Servicekosten te hoog",
        'De "servicekosten" van 2025 zijn 50% hoger*.',
    ),
    ("Kees de Jong", "2511 CV", "Lift defect", "De lift staat al twee weken stil."),
    ("Bram Janssen", "3511 AC", "Monteur kwam niet", "Ruim 50 bewoners wachten op de monteur."),
    ("anna Bakker", "6811 KL", "Tuinonderhoud", "Het gras wordt niet gemaaid."),
    ("Sven Dijkstra", "9711 LM", "Parkeerplaats", "Geen plek voor de scootmobiel."),
    ("Lotte Smit", "5611 NP", "Trappenhuis vies", "Sinds de zomer niet schoongemaakt."),
    ("Mohamed Bouzid", "7511 PR", "Huurverhoging", "De verhoging is te hoog."),
    ("Els Visser", "8011 RS", "Intercom kapot", "De bel doet het niet."),
)
ALL = list(range(1, len(CASES) + 1))

# what the user types → the cases found (by their number in CASES, 1 = KD-2026-00001)
QUERIES = {
    # references, whole and in part, in any capitals
    "KD-2026-00002": [2],
    "kd-2026-00011": [11],
    "2026-0001": [10, 11],
    "2026-0000": list(range(1, 10)),
    "00011": [11],
    "-2026-": ALL,
    # part of a name, a word from the subject or the description, inside a word
    "amra": [1],
    "Jans": [6],
    "dijk": [8],
    "schimmel": [2],
    "plafond": [1],
    "onderhoud": [7],
    "verhoging": [10],
    # accents count, capitals do not
    "Müller": [4],
    "MÜLLER": [4],
    "muller": [],
    "Ömer": [3],
    "ömer": [3],
    "Lüdenscheidt": [4],
    "Zoë": [4],
    "zoe": [],
    # two words: both somewhere in the case, in any of its texts
    "kees jong": [5],
    "lift weken": [5],
    "weken": [1, 5],
    "de buren": [3],  # "de" is too short: only "buren" counts
    "jong vries": [],
    # postcodes, with or without the space
    "3511ab": [1, 4],
    "3511 AB": [1, 4],
    "3511 ac": [6],
    "3511": [1, 4, 6],
    # characters FTS5 or LIKE would read as operators are plain characters
    '"servicekosten"': [4],
    '"servicekosten': [4],
    "hoger*": [4],
    "hoger**": [],
    "50%": [4],
    "l_ft": [],
    "Müller-Lüdenscheidt": [4],
    "a\\b": [],
    "lift OR schimmel": [],
    "NEAR(lift": [],
    "lift NOT": [],
    "^lift": [],
    '"; DROP TABLE cases; --': [],
    # nothing to search for: no filter
    "": ALL,
    "   ": ALL,
    "zz": ALL,
    "de 12": ALL,
    # nothing found
    "xyzzy": [],
}

COORDINATOR = Actor(0, "t", "T", frozenset({Role.COORDINATOR}))


def sql(statement, dialect) -> str:
    return str(statement.compile(dialect=dialect.dialect()))


class _Store:
    """What the read side asks of a Database: sessions (here on a test engine)."""

    def __init__(self, engine):
        self.engine = engine

    def session(self) -> Session:
        return Session(self.engine)


def the_cases(engine) -> dict[str, int]:
    """The cases of CASES; their ids by reference."""
    with Session(engine) as session, session.begin():
        for name, postcode, subject, description in CASES:
            case = add_case(session, "in_behandeling", name)
            session.flush()
            # changed after the insert: the index follows the triggers for updates too
            session.execute(
                update(Complainant)
                .where(Complainant.id == case.complainant_id)
                .values(postcode=postcode)
            )
            session.execute(
                update(Case)
                .where(Case.id == case.id)
                .values(subject=subject, description=description)
            )
    with engine.connect() as conn:
        return {ref: case_id for ref, case_id in conn.execute(select(Case.ref, Case.id))}


def refs(numbers: list[int]) -> list[str]:
    return [f"KD-2026-{number:05d}" for number in numbers]


def found(engine, ids: dict[str, int], search: str, sort="ref", descending=False) -> list[str]:
    """The references the case list shows for ``search``, in reference order."""
    ctx = Context(_Store(engine), COORDINATOR, today=lambda: TODAY)
    by_id = {case_id: ref for ref, case_id in ids.items()}
    with engine.connect() as conn:
        query = case_view._ordered_ids(ctx, CaseFilter(search=search), sort, descending)
        return sorted(by_id[case_id] for case_id in conn.scalars(query))


def test_the_test_queries_find_the_same_cases_on_either_store(store):  # noqa: F811
    ids = the_cases(store)
    for search, expected in QUERIES.items():
        assert found(store, ids, search) == refs(expected), search
        # "received" walks the list's index (+cases.id), "subject" fetches the hits
        assert found(store, ids, search, "received", True) == refs(expected), search
        assert found(store, ids, search, "subject") == refs(expected), search
        ctx = Context(_Store(store), COORDINATOR, today=lambda: TODAY)
        assert case_view.case_count(ctx, CaseFilter(search=search)) == len(expected), search
        listed = case_view.case_ids(ctx, CaseFilter(search=search), "ref", False)
        assert listed == [ids[ref] for ref in refs(expected)], search


def test_both_stores_agree_on_every_piece_of_the_stored_texts(tmp_path, pg_url):
    """Beyond the list above: every run of three, four or six characters of every stored
    text, some in capitals, and pairs of them, find the same cases on both stores."""
    path = tmp_path / "search.db"
    file = create_engine("sqlite+pysqlcipher://", creator=lambda: sqlcipher3.connect(path))
    file, server = migrated(file), migrated(create_engine(pg_url))
    try:
        file_ids, server_ids = the_cases(file), the_cases(server)
        pieces = sorted(
            {
                value[start : start + length]
                for row in CASES
                for value in row
                for length in (3, 4, 6)
                for start in range(len(value) - length + 1)
            }
        )
        searches = pieces + [piece.upper() for piece in pieces[::7]]
        searches += [f"{a} {b}" for a, b in zip(pieces[::11], pieces[5::13], strict=False)]
        assert len(searches) > 500
        differ = [
            search
            for search in searches
            if found(file, file_ids, search) != found(server, server_ids, search)
        ]
        assert differ == []
    finally:
        file.dispose()
        server.dispose()


def test_sqlite_compiles_the_search_as_before():
    """The statements SQLite ran before PostgreSQL had a search, byte for byte."""
    ctx = Context(None, COORDINATOR, today=lambda: TODAY)
    hits = case_view._search_hits(case_view.search_expression('kees "jong*'))
    compiled = hits.compile(dialect=sqlite.dialect())
    assert str(compiled) == "SELECT rowid \nFROM case_search \nWHERE case_search MATCH ?"
    assert compiled.params == {"q": '"kees" """jong*"'}
    walked = case_view._ordered_ids(ctx, CaseFilter(search="3511ab"), "received", True)
    compiled = walked.compile(dialect=sqlite.dialect())
    assert str(compiled) == (
        "SELECT cases.id \nFROM cases \nWHERE +cases.id IN (SELECT rowid \nFROM case_search "
        "\nWHERE case_search MATCH ?) ORDER BY cases.received DESC, cases.id DESC"
    )
    assert compiled.params == {"q": '"3511 AB"'}
    fetched = case_view._ordered_ids(ctx, CaseFilter(search="amrani", status="ontvangen"),
                                     "subject", False)  # fmt: skip
    assert sql(fetched, sqlite) == (
        "SELECT cases.id \nFROM cases \nWHERE cases.id IN (SELECT rowid \nFROM case_search "
        "\nWHERE case_search MATCH ?) AND cases.status = ? ORDER BY cases.subject, cases.id"
    )
    counted = select(func.count()).select_from(hits.subquery())
    assert sql(counted, sqlite) == (
        "SELECT count(*) AS count_1 \nFROM (SELECT rowid \nFROM case_search "
        "\nWHERE case_search MATCH ?) AS anon_1"
    )


def test_postgresql_gets_one_bound_like_per_word():
    ctx = Context(None, COORDINATOR, today=lambda: TODAY)
    query = case_view._ordered_ids(ctx, CaseFilter(search='kees 50%_\\"'), "ref", False)
    compiled = query.compile(dialect=postgresql.dialect())
    assert str(compiled).replace("::VARCHAR", "") == (
        "SELECT cases.id \nFROM cases \nWHERE +cases.id IN (SELECT case_id AS rowid "
        "\nFROM case_search \nWHERE (haystack LIKE lower(%(param_1)s) "
        "AND haystack LIKE lower(%(param_2)s))) ORDER BY cases.year, cases.seq"
    )
    # what the user typed is a parameter, LIKE's own characters escaped
    assert compiled.params == {"param_1": "%kees%", "param_2": '%50\\%\\_\\\\"%'}


def test_the_fts5_phrases_are_read_back_as_typed():
    for typed in ("kees jong", 'a"b* "c', "3511ab", "KD-2026-00012", 'x""y'):
        expression = case_view.search_expression(typed)
        words = [w for w in typed.split() if len(w) >= 3]
        expected = ["3511 AB"] if typed == "3511ab" else words
        assert queries.fts5_phrases(expression) == expected
    with pytest.raises(ValueError):
        queries.fts5_phrases("kees OR jong")


def test_a_cached_statement_gets_the_words_of_its_own_search(store):  # noqa: F811
    """Searches of as many words share a compiled statement: each binds its own words."""
    ids = the_cases(store)
    for _ in range(2):  # the second round runs from SQLAlchemy's statement cache
        assert found(store, ids, "kees jong") == refs([5])
        assert found(store, ids, "lift weken") == refs([5])
        assert found(store, ids, "plafond weken") == refs([1])
        assert found(store, ids, "amra") == refs([1])
        assert found(store, ids, "Jans") == refs([6])


def test_postgresql_searches_along_the_trigram_index(pg_url):
    engine = migrated(create_engine(pg_url))
    try:
        with engine.connect() as conn:
            available = "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
            if conn.execute(text(available)).first() is None:
                pytest.skip("this server has no pg_trgm: the search reads the table")
        ids = the_cases(engine)
        assert found(engine, ids, "2026-0001") == refs([10, 11])
        ctx = Context(None, COORDINATOR, today=lambda: TODAY)
        query = case_view._ordered_ids(ctx, CaseFilter(search="amra 3511"), "subject", False)
        compiled = query.compile(dialect=engine.dialect)
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # eleven cases: else a scan
            plan = "\n".join(
                conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).scalars()
            )
        assert "ix_case_search_haystack" in plan, plan
    finally:
        engine.dispose()
