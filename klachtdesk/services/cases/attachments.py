"""Attachments (scanned letters, photos) stored as BLOBs inside the encrypted database."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from sqlalchemy import select

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.states import Activity, Status, check_activity
from klachtdesk.services.cases.cases import CaseNotFound, editing, finish_change
from klachtdesk.services.context import Context
from klachtdesk.storage.models import Attachment, Case

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    filename: str
    mime_type: str
    size: int
    sha256: str
    added_at: datetime


def add_attachment(
    ctx: Context, ref: str, filename: str, data: bytes, expected_version: int | None = None
) -> int:
    """Store a file with the case; returns the attachment's id."""
    name = PurePath(filename.replace("\\", "/")).name.strip()
    if not name:
        raise ValidationError("bestandsnaam", "is verplicht.")
    if len(name) > 255:
        raise ValidationError("bestandsnaam", "is te lang (ten hoogste 255 tekens).")
    if not data:
        raise ValidationError("bijlage", f"'{name}' is leeg.")
    if len(data) > MAX_ATTACHMENT_BYTES:
        size_mb = len(data) / 1024 / 1024
        raise ValidationError(
            "bijlage",
            f"'{name}' is {size_mb:.1f} MB; een bijlage mag ten hoogste 20 MB zijn. Scan het "
            "document met een lagere resolutie of als PDF.",
        )
    with editing(ctx, ref, expected_version) as (session, case):
        check_activity(Activity.BIJLAGE, Status(case.status), ctx.actor.roles)
        attachment = Attachment(
            case_id=case.id,
            filename=name,
            mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            added_at=ctx.now(),
            added_by_id=ctx.actor.user_id,
        )
        session.add(attachment)
        session.flush()
        # The file name can hold a person's name: it goes on the timeline, not the audit log.
        finish_change(session, ctx, case, Activity.BIJLAGE.value, bestand=name, grootte=len(data))
        return attachment.id


def list_attachments(ctx: Context, ref: str) -> list[AttachmentInfo]:
    with ctx.db.session() as session:
        case_id = session.scalar(select(Case.id).where(Case.ref == ref))
        if case_id is None:
            raise CaseNotFound(ref)
        rows = session.execute(
            select(
                Attachment.id,
                Attachment.filename,
                Attachment.mime_type,
                Attachment.size,
                Attachment.sha256,
                Attachment.added_at,
            )
            .where(Attachment.case_id == case_id)
            .order_by(Attachment.id)
        )
        return [AttachmentInfo(*row) for row in rows]


def attachment_data(ctx: Context, attachment_id: int) -> tuple[str, bytes]:
    with ctx.db.session() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise ValidationError("bijlage", "bestaat niet (meer).")
        return attachment.filename, attachment.data
