"""SQLAlchemy ORM models: the write side of the store."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """Organisation settings as JSON values, declared once in services.settings."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200))  # comma-separated Role values
    function_title: Mapped[str] = mapped_column(String(200), default="")
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Employee(Base):
    __tablename__ = "employees"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    function_title: Mapped[str] = mapped_column(String(200), default="")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    department: Mapped[Department | None] = relationship()


class Procedure(Base):
    __tablename__ = "procedures"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure_versions.id", use_alter=True, name="fk_procedure_current_version")
    )


class ProcedureVersion(Base):
    """An immutable version of a procedure; cases point at the version they were received under."""

    __tablename__ = "procedure_versions"
    __table_args__ = (UniqueConstraint("procedure_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    version: Mapped[int] = mapped_column(Integer)
    config: Mapped[str] = mapped_column(Text)  # JSON of domain.procedures.Procedure
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class CalendarDay(Base):
    """Organisation closing days and Atw days made equal by Royal decree."""

    __tablename__ = "calendar_days"
    __table_args__ = (UniqueConstraint("day", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))  # 'sluitingsdag' | 'atw'
    label: Mapped[str] = mapped_column(String(200), default="")


class RefCounter(Base):
    __tablename__ = "ref_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Complainant(Base):
    __tablename__ = "complainants"
    __table_args__ = (Index("ix_complainants_name", text("name COLLATE NOCASE")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    salutation: Mapped[str] = mapped_column(String(20), default="onbekend")
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="", index=True)
    city: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    member_number: Mapped[str] = mapped_column(String(40), default="")
    prefers_email: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)
    # One person, several cases, several PCs: a change based on an older view of the person
    # is refused (services.cases.complainants), as a stale change of a case is.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class ComplainantChange(Base):
    """Who changed a complainant's data, when, through which case, and which fields (Dutch
    labels, never the values): a refused stale change names these."""

    __tablename__ = "complainant_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    complainant_id: Mapped[int] = mapped_column(ForeignKey("complainants.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the complainant's version after it
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    fields: Mapped[str] = mapped_column(Text)


class ImportDifference(Base):
    """Contact data an import brought for a known complainant that differs from what is
    stored, per field (domain.contact). It never overwrites the stored data: it waits with
    the new case until the coordinator takes it over, or gives the case a complainant of its
    own. ``imported`` holds the field's imported values, ``record`` the whole imported
    complainant (both JSON); ``resolution`` is '' while open."""

    __tablename__ = "import_differences"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    complainant_id: Mapped[int] = mapped_column(ForeignKey("complainants.id"), index=True)
    field: Mapped[str] = mapped_column(String(30))
    imported: Mapped[str] = mapped_column(Text)
    record: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str] = mapped_column(String(20), default="", server_default="")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        Index("ix_cases_status_received", "status", "received"),
        Index("ix_cases_procedure_status", "procedure_version_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(30))
    procedure_version_id: Mapped[int] = mapped_column(ForeignKey("procedure_versions.id"))
    channel: Mapped[str] = mapped_column(String(20))
    received: Mapped[date] = mapped_column(Date, index=True)
    complainant_id: Mapped[int] = mapped_column(ForeignKey("complainants.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    employee_name: Mapped[str] = mapped_column(String(200), default="")
    discussed_with_employee: Mapped[bool | None] = mapped_column(Boolean)
    expectation: Mapped[str] = mapped_column(Text, default="")
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    not_admissible_reason: Mapped[str | None] = mapped_column(String(30))
    referral_to: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str | None] = mapped_column(String(20))
    motivation: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    director_outcome: Mapped[str | None] = mapped_column(String(20))
    director_motivation: Mapped[str] = mapped_column(Text, default="")
    director_decided_on: Mapped[date | None] = mapped_column(Date)
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    satisfaction_unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept by database triggers (migration 0013), never written by the services: the case is
    # decided and its decision letter is not recorded as sent since the decision.
    letter_owed: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("0"), index=True
    )
    complainant_relation: Mapped[str] = mapped_column(String(20), default="")
    repeat_claimed: Mapped[bool | None] = mapped_column(Boolean)
    earlier_ref: Mapped[str] = mapped_column(String(200), default="")
    new_facts: Mapped[str] = mapped_column(Text, default="")
    appeal_grounds: Mapped[str] = mapped_column(Text, default="")
    # why the coordinator accepted a handler or decision-maker whose name matches the
    # employee the complaint is about (SPEC §2 independence), '' when none was needed
    independence_note: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    # The earliest open deadline, kept by the service layer for sorting the case list.
    next_due: Mapped[date | None] = mapped_column(Date, index=True)
    next_due_kind: Mapped[str | None] = mapped_column(String(30))

    complainant: Mapped[Complainant] = relationship()
    procedure_version: Mapped[ProcedureVersion] = relationship()
    category: Mapped[Category | None] = relationship()
    department: Mapped[Department | None] = relationship()
    employee: Mapped[Employee | None] = relationship()
    handler: Mapped[User | None] = relationship()
    deadlines: Mapped[list[Deadline]] = relationship(
        back_populates="case", order_by="Deadline.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="case", order_by="Event.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class Deadline(Base):
    """A deadline of a case. An extension supersedes the active row; history stays.

    ``state`` is the deadline's life (domain.deadlines.DeadlineState): open until the answer
    is sent (``met_on``) or the case no longer asks for it; ``settled_on``/``settled_by`` say
    when and what settled it.
    """

    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_open", "active", "met_on", "due"),
        Index("ix_deadlines_due", "due"),
        Index("ix_deadlines_state_due_active", "state", "due", "active"),
        Index("ix_deadlines_state_kind", "state", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    start: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    unadjusted: Mapped[date] = mapped_column(Date)
    explanation: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    met_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="open")
    settled_on: Mapped[date | None] = mapped_column(Date)
    settled_by: Mapped[str] = mapped_column(Text, default="")
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case: Mapped[Case] = relationship(back_populates="deadlines")


class Event(Base):
    """One line on a case's timeline."""

    __tablename__ = "events"
    __table_args__ = (
        # a case's decisions (the newest event into its status) and its letters, from the index
        Index("ix_events_case_status", "case_id", "to_status"),
        Index("ix_events_case_kind", "case_id", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    data: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    case: Mapped[Case] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    added_at: Mapped[datetime] = mapped_column(DateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Letter(Base):
    """A final letter: the PDF never changes after it is stored."""

    __tablename__ = "letters"
    __table_args__ = (
        # Vandaag's "not yet sent": the few unsent letters without reading past the PDFs
        Index(
            "ix_letters_unsent",
            "case_id",
            "type",
            "created_at",
            sqlite_where=text("sent_on IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_via: Mapped[str | None] = mapped_column(String(20))
    deadline_kind: Mapped[str | None] = mapped_column(String(30))


class LetterTemplate(Base):
    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("type", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ActionPoint(Base):
    """An action point from the evaluation (SPEC §6)."""

    __tablename__ = "action_points"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class EvaluationRecord(Base):
    """An evaluation as held (SPEC §6, Livable §7), with the report it was held on."""

    __tablename__ = "evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(40), unique=True)  # Period.key, e.g. '2026H2'
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[str] = mapped_column(Text)
    report_pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    report_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AuditEntry(Base):
    """Append-only audit log; each entry carries the hash of the one before it."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at", "id"),
        # the few entries that change users or roles, read at every login
        Index("ix_audit_log_grants", "id", sqlite_where=text("grants != ''")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    object_ref: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # the public signing key (base64) of who wrote the entry, and the Ed25519 signature (hex)
    # of ``hash``; empty for entries from before signing (migration 0011)
    signer: Mapped[str] = mapped_column(String(64), default="", server_default="")
    signature: Mapped[str] = mapped_column(String(128), default="", server_default="")
    # a change of users or roles: JSON list of grants (see domain/grants.py), else ""
    grants: Mapped[str] = mapped_column(Text, default="", server_default="")
