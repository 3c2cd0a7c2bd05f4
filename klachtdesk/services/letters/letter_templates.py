"""The letter templates (SPEC §5): stored in the database, versioned, edited by beheer.

Each save adds a new version; the built-in Dutch text (``klachtdesk.letters.templates``)
counts as version 0 until a template is saved. Unknown placeholders are refused on saving.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.roles import Role
from klachtdesk.domain.validation import MAX_SUBJECT, MAX_TEXT, required_text
from klachtdesk.letters.templates import (
    DEFAULT_TEMPLATES,
    LETTER_TYPES,
    check_template,
    letter_type,
)
from klachtdesk.services.context import Context, audit
from klachtdesk.storage.models import LetterTemplate, User


@dataclass(frozen=True)
class TemplateView:
    type: str
    label: str
    purpose: str
    subject: str
    body: str
    version: int  # 0: the built-in default, never saved
    updated_at: datetime | None
    updated_by: str


def _newest(session: Session, kind: str) -> LetterTemplate | None:
    return session.scalar(
        select(LetterTemplate)
        .where(LetterTemplate.type == kind)
        .order_by(LetterTemplate.version.desc())
        .limit(1)
    )


def current_template(session: Session, kind: str) -> tuple[str, str, int]:
    """(subject, body, version) of a letter type's template; version 0 is the built-in text."""
    row = _newest(session, kind)
    if row is None:
        subject, body = DEFAULT_TEMPLATES[kind]
        return subject, body, 0
    return row.subject, row.body, row.version


def templates(ctx: Context) -> list[TemplateView]:
    """The current template of every letter type (the built-in text if never changed)."""
    with ctx.db.session() as session:
        users = dict(session.execute(select(User.id, User.display_name)).all())
        result = []
        for kind, info in LETTER_TYPES.items():
            row = _newest(session, kind)
            subject, body = (row.subject, row.body) if row else DEFAULT_TEMPLATES[kind]
            result.append(
                TemplateView(
                    type=kind,
                    label=info.label,
                    purpose=info.purpose,
                    subject=subject,
                    body=body,
                    version=row.version if row else 0,
                    updated_at=row.updated_at if row else None,
                    updated_by=users.get(row.updated_by_id, "") if row else "",
                )
            )
        return result


def save_template(
    ctx: Context, kind: str, subject: str, body: str, expected_version: int | None = None
) -> int:
    """Save a new version of a letter type's template (beheer only); returns its version.

    Unknown placeholders are refused with a message that names them.
    """
    ctx.actor.require(Role.BEHEER, what="briefsjablonen wijzigen")
    letter_type(kind)
    subject = required_text(subject, "onderwerp", max_length=MAX_SUBJECT)
    body = required_text(body, "tekst", max_length=MAX_TEXT, multiline=True)
    check_template(subject, "onderwerp")
    check_template(body, "tekst")
    with ctx.db.session(write=True) as session:
        current = _newest(session, kind)
        version = current.version if current else 0
        if expected_version is not None and expected_version != version:
            raise KlachtDeskError(
                f"Het sjabloon '{LETTER_TYPES[kind].label}' is intussen door iemand anders "
                "gewijzigd. Uw wijziging is niet opgeslagen; open het sjabloon opnieuw."
            )
        session.add(
            LetterTemplate(
                type=kind,
                version=version + 1,
                subject=subject,
                body=body,
                updated_at=ctx.now(),
                updated_by_id=ctx.actor.user_id,
            )
        )
        audit(session, ctx, "briefsjabloon_opgeslagen", kind, f"versie {version + 1}")
        return version + 1


def restore_default_template(ctx: Context, kind: str) -> int:
    """Save the built-in text as the newest version (the old versions stay)."""
    letter_type(kind)
    subject, body = DEFAULT_TEMPLATES[kind]
    return save_template(ctx, kind, subject, body)
