"""The read side the windows use: the case list (ids, then rows in pages) and one case."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from rapidfuzz import fuzz, process
from sqlalchemy import Select, exists, func, literal_column, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, aliased

from klachtdesk.domain.deadlines import (
    DeadlineKind,
    DeadlineState,
    Urgency,
    deadline_status,
    extension_limit,
    waiting_for,
)
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import (
    ACTIVITY_ROLES,
    ACTIVITY_STATES,
    Action,
    Activity,
    Status,
    available_actions,
    event_label,
    needed_roles,
)
from klachtdesk.domain.validation import search_text
from klachtdesk.services.admin.settings import load_calendar
from klachtdesk.services.cases import import_review, independence
from klachtdesk.services.cases.cases import (
    CaseNotFound,
    check_may_see,
    director_only,
    not_closable_because,
    procedure_of,
    reads_cases,
)
from klachtdesk.services.context import Context, audit, viewing
from klachtdesk.storage import queries
from klachtdesk.storage.models import (
    Attachment,
    Case,
    Category,
    Complainant,
    Deadline,
    Event,
    Letter,
    User,
)

SOON_WORKING_DAYS = 3
_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s*([a-zA-Z]{2})$")

# Timeline entries a front-desk clerk may not read (SPEC §2 confidentiality, issue: access).
CONFIDENTIAL_EVENTS = frozenset(
    {Activity.BEMIDDELING.value, Activity.VERKLARING_MEDEWERKER.value, Activity.HOORGESPREK.value}
)

WALK_FROM_HITS = 2_000  # counting more search hits walks an index instead of fetching rows
SORT_KEYS = (
    "ref",
    "received",
    "complainant",
    "subject",
    "category",
    "status",
    "next_due",
    "handler",
)


@dataclass(frozen=True)
class CaseFilter:
    """What the case list shows; every part is answered by the database."""

    search: str = ""
    status: str | None = None
    mine: bool = False
    overdue: bool = False
    category_id: int | None = None
    appeals_only: bool = False


@dataclass(frozen=True)
class ListRow:
    id: int
    ref: str
    received: date
    complainant: str
    subject: str
    category: str
    status: str
    next_due: date | None
    next_due_kind: str | None
    handler: str
    deadline_state: Urgency | None
    version: int


def search_expression(text: str) -> str | None:
    """An FTS5 query for what the user typed, or None when there is nothing to search.

    Every word of three or more characters must occur (trigram index); a postcode typed
    without its space is searched in its stored form ('3511ab' → '3511 AB').
    """
    text = search_text(text)
    match = _POSTCODE.match(text)
    if match:
        return f'"{match.group(1)} {match.group(2).upper()}"'
    words = [w for w in re.split(r"\s+", text) if len(w) >= 3]
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def export_case_list(ctx: Context, status: str | None = None) -> list[queries.CaseRow]:
    """The case list for a script (``klachtdesk cases``): it holds names, so it is audited;
    a directeur gets the appeals only, as in the windows."""
    with viewing(ctx) as session:
        rows = queries.case_rows(session, status=status)
        if director_only(ctx):
            rows = [row for row in rows if DeadlineKind.HEROVERWEGING.value in row.deadlines]
        count = len(rows)
        audit(
            session,
            ctx,
            "zakenlijst_geexporteerd",
            detail=f"{count} zaak" if count == 1 else f"{count} zaken",
        )
    return rows


def appeal_clause():
    return exists().where(
        Deadline.case_id == Case.id, Deadline.kind == DeadlineKind.HEROVERWEGING.value
    )


def _search_hits(expression: str) -> Select:
    """The ids of the cases ``expression`` finds: FTS5 on SQLite, the same substrings in
    PostgreSQL's ``case_search`` (see ``queries.search_match``)."""
    return (
        select(queries.search_hit())
        .select_from(sql_text("case_search"))
        .where(queries.search_match(expression))
    )


def _filtered(
    ctx: Context, query: Select, flt: CaseFilter, today: date, walk: bool = False
) -> Select:
    """``query`` narrowed to what ``flt`` shows. With ``walk`` the search hits are looked up
    while SQLite walks an index of the cases (in the list's order, or the smallest one to
    count) instead of fetching each hit's row from the table: a common word matches tens of
    thousands of cases in a big archive, and fetching their rows one by one reads most of
    the file ("+" keeps SQLite from using the id to fetch them)."""
    if flt.search:
        expression = search_expression(flt.search)
        if expression is not None:
            case_id = literal_column("+cases.id") if walk else Case.id
            query = query.where(case_id.in_(_search_hits(expression)))
    if flt.status:
        query = query.where(Case.status == flt.status)
    if flt.mine:
        query = query.where(Case.handler_id == ctx.actor.user_id)
    if flt.overdue:
        query = query.where(Case.next_due < today)
    if flt.category_id is not None:
        query = query.where(Case.category_id == flt.category_id)
    if flt.appeals_only or director_only(ctx):
        query = query.where(appeal_clause())
    return query


def category_choices(ctx: Context) -> list[tuple[int, str]]:
    """Active categories for filters and forms, alphabetically."""
    with ctx.db.session() as session:
        return [
            (row.id, row.name)
            for row in session.execute(
                select(Category.id, Category.name).where(Category.active).order_by(Category.name)
            )
        ]


def data_stamp(ctx: Context) -> tuple:
    """Changes whenever anyone (also another PC) registers, changes or anonymises a case: the
    list compares stamps to know when to refresh. Three index look-ups, cheap to poll."""
    with ctx.db.session() as session:
        return (
            session.scalar(select(func.max(Event.id))) or 0,
            session.scalar(select(func.max(Case.id))) or 0,
            session.scalar(select(func.max(Case.anonymised_at))),
        )


def _ordered_ids(ctx: Context, flt: CaseFilter, sort: str, descending: bool) -> Select:
    """The ids of the cases ``flt`` shows, ordered by ``sort`` (ties by id)."""
    if sort not in SORT_KEYS:
        raise ValueError(sort)
    handler = aliased(User)
    query = select(Case.id)
    if sort == "complainant":
        query = query.join(Complainant, Complainant.id == Case.complainant_id)
    if sort == "category":
        query = query.outerjoin(Category, Category.id == Case.category_id)
    if sort == "handler":
        query = query.outerjoin(handler, handler.id == Case.handler_id)
    keys = {
        "ref": [Case.year, Case.seq],
        "received": [Case.received, Case.id],
        # by name whatever the capitals ("el Amrani" among the A's), two people of one name
        # apart, then the case: SQLite reads this along the indexes (migration 0015)
        "complainant": [queries.nocase(Complainant.name), Complainant.id, Case.id],
        "subject": [Case.subject, Case.id],
        "category": [Category.name, Case.id],
        "status": [Case.status, Case.id],
        "next_due": [Case.next_due.is_(None), Case.next_due, Case.id],
        "handler": [handler.display_name, Case.id],
    }[sort]
    if descending:
        keys = [k.desc() if i or sort != "next_due" else k for i, k in enumerate(keys)]
    # Received and case number have an index in the list's order: the first screenful of
    # a search is found by walking it, however many cases match.
    walk = sort in ("received", "ref")
    return _filtered(ctx, query.order_by(*keys), flt, ctx.today(), walk)


def case_ids(
    ctx: Context, flt: CaseFilter = CaseFilter(), sort: str = "received", descending=True
) -> list[int]:
    """The ids of all cases to show, in order (scripts and checks; the list reads pages)."""
    query = _ordered_ids(ctx, flt, sort, descending)
    if not reads_cases(ctx):  # beheer alone keeps the PC running, reads no complaints
        return []
    with ctx.db.session() as session:
        return list(session.connection().execute(query).scalars())  # Core rows: no ORM cost


def case_page(
    ctx: Context,
    flt: CaseFilter = CaseFilter(),
    sort: str = "received",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[ListRow]:
    """One screenful of the list: rows ``offset`` to ``offset + limit`` in this order. Its
    cost does not grow with the number of cases (indexes, FTS5, LIMIT/OFFSET)."""
    query = _ordered_ids(ctx, flt, sort, descending).limit(limit).offset(offset)
    if not reads_cases(ctx):
        return []
    with ctx.db.session() as session:
        ids = list(session.connection().execute(query).scalars())
    return list_rows(ctx, ids)


def case_count(ctx: Context, flt: CaseFilter = CaseFilter()) -> int:
    """How many cases ``flt`` shows (the list shows its first page before it knows)."""
    if not reads_cases(ctx):
        return 0
    expression = search_expression(flt.search) if flt.search else None
    with ctx.db.session() as session:
        walk = False
        if expression is not None:  # few hits: fetch them; many: walk an index
            hits = select(func.count()).select_from(_search_hits(expression).subquery())
            walk = session.connection().execute(hits).scalar_one() > WALK_FROM_HITS
        query = _filtered(ctx, select(func.count()).select_from(Case), flt, ctx.today(), walk)
        return session.connection().execute(query).scalar_one()


def list_rows(ctx: Context, ids: list[int]) -> list[ListRow]:
    """Row data for a page of ids (the list fetches what is visible, in pages)."""
    if not reads_cases(ctx):
        return []
    if not ids:
        return []
    handler = aliased(User)
    today = ctx.today()
    with ctx.db.session() as session:
        calendar = load_calendar(session)
        rows = session.execute(
            select(
                Case.id,
                Case.ref,
                Case.received,
                Complainant.name,
                Case.subject,
                Category.name,
                Case.status,
                Case.next_due,
                Case.next_due_kind,
                handler.display_name,
                Case.version,
            )
            .join(Complainant, Complainant.id == Case.complainant_id)
            .outerjoin(Category, Category.id == Case.category_id)
            .outerjoin(handler, handler.id == Case.handler_id)
            .where(Case.id.in_(ids))
        ).all()
    urgency: dict[date, Urgency] = {}  # a page has few distinct due dates: count each once
    by_id = {}
    for row in rows:
        due = row[7]
        if due is not None and due not in urgency:
            urgency[due] = deadline_status(
                due, DeadlineState.OPEN, today, calendar, SOON_WORKING_DAYS
            ).state
        state = urgency.get(due) if due is not None else None
        by_id[row[0]] = ListRow(
            id=row[0],
            ref=row[1],
            received=row[2],
            complainant=row[3],
            subject=row[4],
            category=row[5] or "",
            status=row[6],
            next_due=row[7],
            next_due_kind=row[8],
            handler=row[9] or "",
            deadline_state=state,
            version=row[10],
        )
    return [by_id[i] for i in ids if i in by_id]


# -- one case -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeadlineView:
    kind: str
    label: str
    due: date
    unadjusted: date
    explanation: str
    active: bool
    met_on: date | None
    state: Urgency
    working_days_left: int
    extension_reason: str
    deadline_state: DeadlineState = DeadlineState.OPEN
    settled_on: date | None = None
    settled_by: str = ""
    start: date | None = None  # what the term runs from (receipt, the appeal's receipt)
    note: str = ""  # what an open deadline still waits for ("brief nog niet verstuurd")


@dataclass(frozen=True)
class EventView:
    at: datetime
    kind: str
    label: str
    user: str
    from_status: str | None
    to_status: str | None
    data: dict
    confidential: bool = False


@dataclass(frozen=True)
class FileView:
    id: int
    name: str
    size: int
    at: datetime


@dataclass(frozen=True)
class CaseDetail:
    id: int
    ref: str
    version: int
    status: str
    procedure_name: str
    procedure_key: str
    procedure_version: int
    has_appeal: bool
    external_body: str
    channel: str
    received: date
    complainant_id: int
    complainant_name: str
    salutation: str
    street: str
    postcode: str
    city: str
    phone: str
    email: str
    member_number: str
    prefers_email: bool
    subject: str
    description: str
    category: str
    department: str
    employee: str
    discussed_with_employee: bool | None
    expectation: str
    handler: str
    handler_username: str
    not_admissible_reason: str | None
    referral_to: str
    outcome: str | None
    motivation: str
    solution: str
    decided_on: date | None
    director_outcome: str | None
    director_motivation: str
    satisfied: bool | None
    satisfaction_check: bool = False
    satisfaction_unreachable: bool = False
    refusal_grounds: tuple[str, ...] = ()
    complainant_relation: str = ""
    entitled_relations: tuple[str, ...] = ()
    repeat_claimed: bool | None = None
    earlier_ref: str = ""
    new_facts: str = ""
    appeal_grounds: str = ""
    director_decided_on: date | None = None
    independence_note: str = ""
    employee_warning: str = ""  # the named employee is probably a colleague (SPEC §2)
    max_extension_to: date | None = None
    deadlines: list[DeadlineView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)
    attachments: list[FileView] = field(default_factory=list)
    letters: list[FileView] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    # what this user's roles do not allow here: (action or activity, the roles that may)
    needs_role: list[tuple[Action | Activity, frozenset[Role]]] = field(default_factory=list)
    # actions the user's roles allow but the procedure refuses for now, with why (the window
    # shows them disabled with that reason; the service refuses them with the same words)
    not_yet: dict[Action, str] = field(default_factory=dict)
    # the complainant's own version: the person is shared by all their cases, and a change
    # of the person passes the version the window showed (services.cases.complainants)
    complainant_version: int = 1
    # what an import brought that differs from the stored person (waits for the coordinator)
    import_differences: list[import_review.DifferenceView] = field(default_factory=list)


def _load_detail(session: Session, ctx: Context, ref: str) -> CaseDetail:
    case = session.scalar(select(Case).where(Case.ref == ref.strip().upper()))
    if case is None:
        raise CaseNotFound(ref)
    check_may_see(ctx, case)
    calendar = load_calendar(session)
    today = ctx.today()
    procedure = procedure_of(case.procedure_version)
    status = Status(case.status)
    deadlines = []
    for d in case.deadlines:
        st = deadline_status(d.due, d.state, today, calendar, SOON_WORKING_DAYS)
        deadlines.append(
            DeadlineView(
                kind=d.kind,
                label=DeadlineKind(d.kind).label,
                due=d.due,
                unadjusted=d.unadjusted,
                explanation=d.explanation,
                active=d.active,
                met_on=d.met_on,
                state=st.state,
                working_days_left=st.working_days_left,
                extension_reason=d.extension_reason,
                deadline_state=DeadlineState(d.state),
                settled_on=d.settled_on,
                settled_by=d.settled_by,
                start=d.start,
                note=waiting_for(d.kind, case.status) if d.state == DeadlineState.OPEN else "",
            )
        )
    users = dict(session.execute(select(User.id, User.display_name)).all())
    hide = Role.BALIE in ctx.actor.roles and not ctx.actor.roles - {Role.BALIE}
    events = []
    # in date order: an event recorded on a PC whose clock is behind still sits where its
    # time puts it; equal times keep the order of recording
    timeline = select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id)
    for e in session.scalars(timeline):
        secret = hide and e.kind in CONFIDENTIAL_EVENTS
        events.append(
            EventView(
                at=e.at,
                kind=e.kind,
                label=event_label(e.kind),
                user=users.get(e.user_id, ""),
                from_status=e.from_status,
                to_status=e.to_status,
                data={} if secret else json.loads(e.data or "{}"),
                confidential=secret,
            )
        )
    attachments = [
        FileView(*row)
        for row in session.execute(
            select(Attachment.id, Attachment.filename, Attachment.size, Attachment.added_at)
            .where(Attachment.case_id == case.id)
            .order_by(Attachment.id)
        )
    ]
    letters = [
        FileView(*row)
        for row in session.execute(
            select(Letter.id, Letter.type, func.length(Letter.pdf), Letter.created_at)
            .where(Letter.case_id == case.id)
            .order_by(Letter.id)
        )
    ]
    c = case.complainant
    employee_warning = (
        ""
        if case.employee_id is not None
        else independence.warning(
            case.employee_name, independence.colleagues_named(session, case.employee_name)
        )
    )
    switched_off = {
        a
        for off, a in (
            (not procedure.extension_allowed, Activity.VERLENGING),
            (not procedure.satisfaction_check, Activity.TEVREDENHEID),
            # only when the named employee may be a colleague is there something to explain
            (not employee_warning and not case.independence_note, Activity.ONAFHANKELIJKHEID),
        )
        if off
    }
    activities = [
        a
        for a, roles in ACTIVITY_ROLES.items()
        if ctx.actor.roles & roles and status in ACTIVITY_STATES[a] and a not in switched_off
    ]
    needs_role = [
        (kind, roles)
        for kind, roles in needed_roles(status, ctx.actor.roles, procedure.flags)
        if kind not in switched_off
    ]
    anonymised = case.anonymised_at is not None  # nothing may be added to it any more
    actions = [] if anonymised else available_actions(status, ctx.actor.roles, procedure.flags)
    not_yet = {}
    if Action.SLUITEN in actions:
        reason = not_closable_because(session, case, procedure)
        if reason:
            not_yet[Action.SLUITEN] = reason
    return CaseDetail(
        id=case.id,
        ref=case.ref,
        version=case.version,
        status=case.status,
        procedure_name=procedure.name,
        procedure_key=procedure.key,
        procedure_version=case.procedure_version.version,
        has_appeal=procedure.appeal,
        external_body=procedure.external_body,
        channel=case.channel,
        received=case.received,
        complainant_id=c.id,
        complainant_name=c.name,
        salutation=c.salutation,
        street=c.street,
        postcode=c.postcode,
        city=c.city,
        phone=c.phone,
        email=c.email,
        member_number=c.member_number,
        prefers_email=c.prefers_email,
        subject=case.subject,
        description=case.description,
        category=case.category.name if case.category else "",
        department=case.department.name if case.department else "",
        employee=case.employee_name,
        discussed_with_employee=case.discussed_with_employee,
        expectation=case.expectation,
        handler=case.handler.display_name if case.handler else "",
        handler_username=case.handler.username if case.handler else "",
        not_admissible_reason=case.not_admissible_reason,
        referral_to=case.referral_to,
        outcome=case.outcome,
        motivation=case.motivation,
        solution=case.solution,
        decided_on=case.decided_on,
        director_outcome=case.director_outcome,
        director_motivation=case.director_motivation,
        satisfied=case.satisfied,
        satisfaction_check=procedure.satisfaction_check,
        satisfaction_unreachable=case.satisfaction_unreachable,
        refusal_grounds=tuple(g.value for g in procedure.refusal_grounds),
        complainant_relation=case.complainant_relation,
        entitled_relations=tuple(r.value for r in procedure.entitled_relations),
        repeat_claimed=case.repeat_claimed,
        earlier_ref=case.earlier_ref,
        new_facts=case.new_facts,
        appeal_grounds=case.appeal_grounds,
        director_decided_on=case.director_decided_on,
        independence_note=case.independence_note,
        employee_warning=employee_warning,
        max_extension_to=_extension_limit(case, procedure),
        deadlines=deadlines,
        events=events,
        attachments=attachments,
        letters=letters,
        actions=actions,
        activities=[] if anonymised else activities,
        needs_role=[] if anonymised else needs_role,
        not_yet=not_yet,
        complainant_version=c.version,
        import_differences=import_review.difference_views(session, case),
    )


def _extension_limit(case: Case, procedure) -> date | None:
    """The latest decision date an extension may set without the complainant's consent."""
    firsts = [d for d in case.deadlines if d.kind == DeadlineKind.UITSPRAAK.value]
    if not firsts or not procedure.extension_allowed:
        return None
    return extension_limit(min(firsts, key=lambda d: d.id).due, procedure)


def case_detail(ctx: Context, ref: str) -> CaseDetail:
    """Everything about one case the acting user may see; the viewing is audited."""
    with viewing(ctx) as session:
        detail = _load_detail(session, ctx, ref)
        audit(session, ctx, "zaak_bekeken", detail.ref)
        return detail


def earlier_cases(ctx: Context, complainant_id: int) -> list[ListRow]:
    """All cases of one complainant, newest first: a repeat is visible at intake."""
    with ctx.db.session() as session:
        ids = list(
            session.scalars(
                select(Case.id)
                .where(Case.complainant_id == complainant_id)
                .order_by(Case.received.desc())
            )
        )
    return list_rows(ctx, ids)


@dataclass(frozen=True)
class ComplainantMatch:
    id: int
    name: str
    street: str
    postcode: str
    city: str
    phone: str
    email: str
    salutation: str
    member_number: str
    prefers_email: bool
    case_count: int


def find_complainants(ctx: Context, text: str, limit: int = 20) -> list[ComplainantMatch]:
    """Known complainants like ``text``: a similar name (typos allowed), or the same
    postcode, e-mail address or phone number. Best matches first."""
    text = search_text(text)
    if len(text) < 2:
        return []
    needle = f"%{text.lower()}%"
    with ctx.db.session() as session:
        people = session.execute(
            select(Complainant.id, Complainant.name).where(Complainant.anonymised_at.is_(None))
        ).all()
        names = {pid: name for pid, name in people}
        scores = {
            names_key: score
            for _, score, names_key in process.extract(
                text,
                names,
                scorer=fuzz.WRatio,
                processor=str.lower,
                limit=limit,
                score_cutoff=80,
            )
        }
        compact = text.replace(" ", "").upper()
        contact = session.scalars(
            select(Complainant.id)
            .where(Complainant.anonymised_at.is_(None))
            .where(
                or_(
                    func.replace(Complainant.postcode, " ", "") == compact,
                    func.lower(Complainant.email).like(needle),
                    func.replace(Complainant.phone, " ", "").like(f"%{compact[-8:]}%")
                    if compact.isdigit() and len(compact) >= 6
                    else False,
                )
            )
            .limit(limit)
        )
        for pid in contact:
            scores[pid] = max(scores.get(pid, 0), 100)
        chosen = sorted(scores, key=lambda pid: (-scores[pid], names[pid]))[:limit]
        counts = dict(
            session.execute(
                select(Case.complainant_id, func.count(Case.id))
                .where(Case.complainant_id.in_(chosen))
                .group_by(Case.complainant_id)
            ).all()
        )
        details = {
            row[0]: row
            for row in session.execute(
                select(
                    Complainant.id,
                    Complainant.name,
                    Complainant.street,
                    Complainant.postcode,
                    Complainant.city,
                    Complainant.phone,
                    Complainant.email,
                    Complainant.salutation,
                    Complainant.member_number,
                    Complainant.prefers_email,
                ).where(Complainant.id.in_(chosen))
            )
        }
    return [ComplainantMatch(*details[pid], case_count=counts.get(pid, 0)) for pid in chosen]
