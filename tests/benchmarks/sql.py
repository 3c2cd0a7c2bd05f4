"""Hand-written SQL for the baselines: the case list, the search and the half-year figures.

These queries answer the same questions as the services, on a DB-API connection, without
SQLAlchemy or Python post-processing; the encrypted-versus-plain figure runs them on both
files. ``half_year`` computes every aggregate of ``services.report._figures`` in one
statement that returns one row of JSON columns.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from klachtdesk.domain.states import OPEN_STATES, Action

PAGE = 200  # the case list fetches rows in pages of 200
SEARCH_WORD = "lekkage"

IDS = "SELECT id FROM cases ORDER BY received DESC, id DESC"
SEARCH_IDS = (  # "+id": walk the received index, not fetch each hit's row (case_view)
    "SELECT id FROM cases WHERE +id IN "
    "(SELECT rowid FROM case_search WHERE case_search MATCH ?) "
    "ORDER BY received DESC, id DESC"
)
ROWS = (
    "SELECT cases.id, cases.ref, cases.received, complainants.name, cases.subject, "
    "categories.name, cases.status, cases.next_due, cases.next_due_kind, "
    "users.display_name, cases.version FROM cases "
    "JOIN complainants ON complainants.id = cases.complainant_id "
    "LEFT JOIN categories ON categories.id = cases.category_id "
    "LEFT JOIN users ON users.id = cases.handler_id "
    "WHERE cases.id IN ({})"
)
SORT_BY_COMPLAINANT = (
    "SELECT cases.id FROM cases JOIN complainants ON complainants.id = cases.complainant_id "
    "ORDER BY complainants.name COLLATE NOCASE, complainants.id, cases.id LIMIT 200"
)


def _in(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


_ASSESSED = _in(
    action.value
    for action in (
        Action.TRIAGE_KLACHT,
        Action.NIET_ONTVANKELIJK,
        Action.DOORVERWIJZEN,
        Action.INTREKKEN,
    )
)
HALF_YEAR = f"""
WITH received AS (
    SELECT id, channel, category_id, department_id, not_admissible_reason FROM cases
    WHERE received BETWEEN :start AND :end
), assessed AS (
    SELECT received.not_admissible_reason AS reason,
        max(events.kind = '{Action.TRIAGE_KLACHT.value}') AS admitted,
        max(events.kind = '{Action.NIET_ONTVANKELIJK.value}') AS refused,
        max(events.kind = '{Action.DOORVERWIJZEN.value}') AS referred,
        max(events.kind = '{Action.INTREKKEN.value}') AS withdrawn
    FROM received LEFT JOIN events ON events.case_id = received.id
        AND events.kind IN ({_ASSESSED}) AND events.at < :after
    GROUP BY received.id
), withdrawn AS (
    SELECT case_id, min(date(at)) AS day FROM events
    WHERE kind = '{Action.INTREKKEN.value}' GROUP BY case_id
)
SELECT
 (SELECT json_group_array(json_array(channel, category, department, n)) FROM (
    SELECT received.channel, categories.name AS category, departments.name AS department,
        count(*) AS n
    FROM received
    LEFT JOIN categories ON categories.id = received.category_id
    LEFT JOIN departments ON departments.id = received.department_id
    GROUP BY 1, 2, 3)) AS received_by,
 (SELECT json_group_array(name) FROM categories WHERE active) AS category_order,
 (SELECT json_group_array(name) FROM departments WHERE active) AS department_order,
 (SELECT json_group_array(json_array(reason, admitted, refused, referred, withdrawn, n)) FROM (
    SELECT reason, admitted, refused, referred, withdrawn, count(*) AS n FROM assessed
    GROUP BY 1, 2, 3, 4, 5)) AS assessment,
 (SELECT json_group_object(outcome, n) FROM (
    SELECT outcome, count(*) AS n FROM cases
    WHERE decided_on BETWEEN :start AND :end AND outcome IS NOT NULL GROUP BY outcome)
 ) AS outcomes,
 (SELECT json_group_object(kind, n) FROM (
    SELECT kind, count(*) AS n FROM events
    WHERE kind IN ('{Action.BEROEP.value}', '{Action.GESCHIL.value}')
        AND at >= :begin AND at < :after
    GROUP BY kind)) AS appeals_and_disputes,
 (SELECT count(*) FROM cases WHERE director_decided_on BETWEEN :start AND :end) AS director,
 (SELECT json_group_array(json_array(received, decided_on, n)) FROM (
    SELECT received, decided_on, count(*) AS n FROM cases
    WHERE decided_on BETWEEN :start AND :end GROUP BY 1, 2)) AS handling_pairs,
 (SELECT json_group_array(json_array(kind, on_time, late, pending)) FROM (
    SELECT deadlines.kind,
        sum(met_on IS NOT NULL AND met_on <= due) AS on_time,
        sum(met_on > due OR (met_on IS NULL AND due < :today
            AND (withdrawn.day IS NULL OR withdrawn.day > date(due)))) AS late,
        sum(met_on IS NULL AND due >= :today) AS pending
    FROM deadlines LEFT JOIN withdrawn ON withdrawn.case_id = deadlines.case_id
    WHERE deadlines.active AND due BETWEEN :start AND :end
        AND deadlines.kind IN ('ontvangstbevestiging', 'uitspraak')
    GROUP BY deadlines.kind)) AS deadlines,
 (SELECT count(*) FROM cases
    WHERE received <= :end AND (closed_on IS NULL OR closed_on > :end)
    AND coalesce((SELECT to_status FROM events
                  WHERE events.case_id = cases.id AND to_status IS NOT NULL AND at < :after
                  ORDER BY events.id DESC LIMIT 1), 'ontvangen')
        IN ({_in(s.value for s in OPEN_STATES)})) AS open_at_end
"""


def half_year_parameters(start: date, end: date, today: date) -> dict[str, str]:
    def moment(day: date) -> str:
        return datetime.combine(day, time()).strftime("%Y-%m-%d %H:%M:%S.%f")

    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "begin": moment(start),
        "after": moment(end + timedelta(days=1)),
        "today": today.isoformat(),
    }


COUNT = "SELECT count(*) FROM cases"
SEARCH_COUNT = (
    "SELECT count(*) FROM cases WHERE id IN "
    "(SELECT rowid FROM case_search WHERE case_search MATCH ?)"
)


def _rows(conn, ids: list[int]) -> list[tuple]:
    return conn.execute(ROWS.format(", ".join("?" * len(ids))), ids).fetchall()


def case_list(conn) -> list[tuple]:
    """The first page of the list, newest first: what opening the list shows."""
    return _rows(conn, [row[0] for row in conn.execute(f"{IDS} LIMIT {PAGE}")])


def search(conn, word: str = SEARCH_WORD) -> list[tuple]:
    """A search keystroke: the first page of the matching cases, newest first."""
    query = f"{SEARCH_IDS} LIMIT {PAGE}"
    return _rows(conn, [row[0] for row in conn.execute(query, (f'"{word}"',))])


def sorted_by_complainant(conn) -> list[tuple]:
    """The first page sorted by complainant: the ids in order, then their rows."""
    return _rows(conn, [row[0] for row in conn.execute(SORT_BY_COMPLAINANT)])


def search_count(conn, word: str = SEARCH_WORD) -> int:
    return conn.execute(SEARCH_COUNT, (f'"{word}"',)).fetchone()[0]


def half_year(conn, periods, today: date) -> list[tuple]:
    """The figures of each period (the report shows a period and the one before it)."""
    return [
        conn.execute(HALF_YEAR, half_year_parameters(p.start, p.end, today)).fetchone()
        for p in periods
    ]


def workload(conn, periods, today: date) -> None:
    """The read workload of the encrypted-versus-plain figure: list, search, report."""
    case_list(conn)
    conn.execute(COUNT).fetchone()
    search(conn)
    search_count(conn)
    half_year(conn, periods, today)
