"""Procedures (reglementen) as versioned data: beheer edits, cases keep their version."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.procedures import Procedure
from klachtdesk.domain.roles import Role
from klachtdesk.services.admin.settings import write
from klachtdesk.services.cases.cases import current_procedure_version, procedure_of
from klachtdesk.services.context import Context, audit
from klachtdesk.storage.models import Procedure as ProcedureRow
from klachtdesk.storage.models import ProcedureVersion


@dataclass(frozen=True)
class VersionInfo:
    key: str
    version: int
    procedure: Procedure
    current: bool


def current_procedure(ctx: Context) -> VersionInfo:
    with ctx.db.session() as session:
        version = current_procedure_version(session)
        row = session.get(ProcedureRow, version.procedure_id)
        return VersionInfo(row.key, version.version, procedure_of(version), True)


def save_procedure(ctx: Context, procedure: Procedure, note: str = "") -> int:
    """Store a changed procedure as a new version; returns its version number.

    Cases already received keep the version they were received under.
    """
    ctx.actor.require(Role.BEHEER, what="de klachtenregeling wijzigen")
    with ctx.db.session(write=True) as session:
        row = session.scalar(select(ProcedureRow).where(ProcedureRow.key == procedure.key))
        if row is None:
            raise ValidationError("procedure", f"'{procedure.key}' is geen bekende regeling.")
        latest = session.get(ProcedureVersion, row.current_version_id)
        if procedure_of(latest) == procedure:
            return latest.version  # nothing changed: no new version
        number = 1 + session.scalar(
            select(func.max(ProcedureVersion.version)).where(
                ProcedureVersion.procedure_id == row.id
            )
        )
        version = ProcedureVersion(
            procedure_id=row.id,
            version=number,
            config=json.dumps(procedure.to_dict()),
            created_at=ctx.now(),
            created_by_id=ctx.actor.user_id,
            note=note.strip(),
        )
        session.add(version)
        session.flush()
        row.current_version_id = version.id
        row.name = procedure.name
        audit(session, ctx, "regeling_gewijzigd", f"{procedure.key} v{number}", note.strip())
        return number


def choose_procedure(ctx: Context, key: str) -> None:
    """Switch the organisation to another procedure for cases received from now on."""
    ctx.actor.require(Role.BEHEER, what="de klachtenregeling kiezen")
    with ctx.db.session(write=True) as session:
        if session.scalar(select(ProcedureRow.id).where(ProcedureRow.key == key)) is None:
            raise ValidationError("procedure", f"'{key}' is geen bekende regeling.")
        write(session, "procedure.current", key)
        audit(session, ctx, "regeling_gekozen", key)
