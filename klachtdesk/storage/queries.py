"""Read-side queries: lean rows for lists, exports and the calendar."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, collate, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause
from sqlalchemy.sql.functions import FunctionElement

from klachtdesk.storage.models import Case, Category, Complainant, Deadline, User


class likely(FunctionElement):  # noqa: N801 - named as SQLite's function
    """A condition marked as probably true for SQLite's planner (``likely(X)``). PostgreSQL
    plans from its own statistics and has no such function: there it is just X."""

    name = "likely"
    inherit_cache = True


@compiles(likely)
def _likely(element, compiler, **kw) -> str:
    return f"likely({compiler.process(element.clauses, **kw)})"


@compiles(likely, "postgresql")
def _bare_condition(element, compiler, **kw) -> str:
    # in brackets: a condition with OR stays one condition among the others
    return f"({compiler.process(element.clauses, **kw)})"


class nocase(FunctionElement):  # noqa: N801 - as SQL reads it
    """A text ordered without regard to capitals: SQLite's ``X COLLATE NOCASE`` (A to Z, what
    the index of migration 0015 holds), ``lower(X)`` on PostgreSQL (its index there)."""

    name = "nocase"
    inherit_cache = True


@compiles(nocase)
def _nocase(element, compiler, **kw) -> str:
    (text,) = element.clauses
    return compiler.process(collate(text, "NOCASE"), **kw)


@compiles(nocase, "postgresql")
def _lower(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


# The case search. SQLite: the FTS5 table ``case_search`` with the trigram tokenizer
# (migration 0002), queried with a row of quoted phrases (``case_view.search_expression``):
# a case is found when every phrase occurs somewhere in its ref, name, postcode, subject or
# description as a substring, capitals aside (FTS5 folds them, also Ö to ö), accents not
# (no remove_diacritics: "muller" does not find "Müller"). Phrases have three characters
# or more, quotes, asterisks and hyphens in them are plain characters.
#
# PostgreSQL: migration 0002's table ``case_search`` holds per case the same five texts
# lower-cased and joined by spaces (``haystack``). The same hits come from one
# ``haystack LIKE lower('%phrase%')`` per phrase, all of them true: a substring, capitals
# aside (lower() on both sides), accents not, so a partial reference ("2026-0001"), part of
# a name ("amra") and a word inside a word find what FTS5 finds. The phrases are bound
# parameters with LIKE's own characters (% _ and the escape \) escaped. pg_trgm's GIN
# index on ``haystack`` (where the server has pg_trgm) answers these LIKEs; without it the
# table is read. The Dutch tsvector ``document`` is not used: its words are stems and whole
# words ("badkamer" for "badkamers", no "amra" in "Amrani", references split at the
# hyphen), which finds other cases than FTS5's substrings.
# Where the two can differ: lower() follows the database's LC_CTYPE (a database made with
# LC_CTYPE=C lowers A to Z only, so "MÜLLER" would not find "Müller" there; C.UTF-8 or
# nl_NL.UTF-8 lower Ü as FTS5 does), and a phrase with a space (a postcode) could span the
# end of one text and the start of the next in ``haystack``, where FTS5 keeps them apart.
_FTS5_PHRASE = re.compile(r'"((?:[^"]|"")*)"')
_FTS5_PHRASES = re.compile(r'\s*(?:"(?:[^"]|"")*"\s*)+')


def fts5_phrases(expression: str) -> list[str]:
    """The phrases of an FTS5 query made of quoted phrases: '"a""b" "cd"' → ['a"b', 'cd']."""
    if not _FTS5_PHRASES.fullmatch(expression):
        raise ValueError(f"not a row of quoted FTS5 phrases: {expression!r}")
    return [phrase.replace('""', '"') for phrase in _FTS5_PHRASE.findall(expression)]


def _substring_pattern(phrase: str) -> str:
    """A LIKE pattern for ``phrase`` anywhere in the text (backslash: LIKE's escape)."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", phrase) + "%"


class search_hit(ColumnClause):  # noqa: N801 - as SQL reads it
    """The id of a case the search finds: ``rowid`` of FTS5's ``case_search`` on SQLite,
    ``case_id`` of PostgreSQL's (named rowid there too)."""

    inherit_cache = True

    def __init__(self):
        super().__init__("rowid", is_literal=True)

    @property
    def _constructor(self):
        return ColumnClause  # a subquery's column is a plain "rowid" on either store


@compiles(search_hit, "postgresql")
def _case_id(element, compiler, **kw) -> str:
    return compiler.process(literal_column("case_id").label("rowid"), **kw)


class search_match(FunctionElement):  # noqa: N801 - as SQL reads it
    """The condition on ``case_search`` for an FTS5 query of quoted phrases (see above):
    ``case_search MATCH :q`` on SQLite, one ``haystack LIKE`` per phrase on PostgreSQL.

    Both forms are parameters of the one element, each store's SQL uses its own: the
    number of phrases is part of the statement, so a cached statement is reused only for
    a query of as many phrases."""

    name = "search_match"
    inherit_cache = True

    def __init__(self, expression: str):
        phrases = fts5_phrases(expression)
        patterns = [bindparam(None, _substring_pattern(phrase)) for phrase in phrases]
        super().__init__(bindparam("q", expression), *patterns)


@compiles(search_match)
def _fts5_match(element, compiler, **kw) -> str:
    expression = element.clauses.clauses[0]
    return f"case_search MATCH {compiler.process(expression, **kw)}"


@compiles(search_match, "postgresql")
def _substrings(element, compiler, **kw) -> str:
    patterns = element.clauses.clauses[1:]
    each = [f"haystack LIKE lower({compiler.process(p, **kw)})" for p in patterns]
    return "(" + " AND ".join(each) + ")"


def not_anonymised():
    """``cases.anonymised_at IS NULL``, marked as probably true (SQLite's ``likely()``).

    Without ANALYZE statistics SQLite takes any equality on an indexed column for selective,
    and drove the work lists (status ``IN`` a few values) by the anonymisation index: every
    case read. Marked likely, the condition is checked per row and the status index leads.
    """
    return likely(Case.anonymised_at.is_(None))


@dataclass(frozen=True)
class CaseRow:
    id: int
    ref: str
    status: str
    received: date
    channel: str
    complainant: str
    subject: str
    category: str
    handler: str
    version: int
    deadlines: dict[str, date] = field(default_factory=dict)
    open_deadlines: dict[str, date] = field(default_factory=dict)


def active_deadlines(session: Session, case_ids: list[int]) -> dict[int, list[Deadline]]:
    result: dict[int, list[Deadline]] = defaultdict(list)
    for start in range(0, len(case_ids), 900):  # stay below SQLite's parameter limit
        chunk = case_ids[start : start + 900]
        rows = session.scalars(
            select(Deadline)
            .where(Deadline.active, Deadline.case_id.in_(chunk))
            .order_by(Deadline.id)  # the same order on every store (a script compares them)
        )
        for deadline in rows:
            result[deadline.case_id].append(deadline)
    return result


def case_rows(session: Session, status: str | None = None) -> list[CaseRow]:
    query = (
        select(
            Case.id,
            Case.ref,
            Case.status,
            Case.received,
            Case.channel,
            Complainant.name,
            Case.subject,
            Category.name,
            User.display_name,
            Case.version,
        )
        .join(Complainant, Complainant.id == Case.complainant_id)
        .outerjoin(Category, Category.id == Case.category_id)
        .outerjoin(User, User.id == Case.handler_id)
        .order_by(Case.year, Case.seq)
    )
    if status:
        query = query.where(Case.status == status)
    rows = session.execute(query).all()
    deadlines = active_deadlines(session, [row[0] for row in rows])
    return [
        CaseRow(
            id=row[0],
            ref=row[1],
            status=row[2],
            received=row[3],
            channel=row[4],
            complainant=row[5],
            subject=row[6],
            category=row[7] or "",
            handler=row[8] or "",
            version=row[9],
            deadlines={d.kind: d.due for d in deadlines.get(row[0], [])},
            open_deadlines={d.kind: d.due for d in deadlines.get(row[0], []) if d.state == "open"},
        )
        for row in rows
    ]
