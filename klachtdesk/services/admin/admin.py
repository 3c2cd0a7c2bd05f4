"""Administration by ``beheer``: organisation settings, the logo and the procedures to choose."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.procedures import Procedure
from klachtdesk.domain.roles import Role
from klachtdesk.services.admin import settings as settings_service
from klachtdesk.services.admin.admin_access import admin_session
from klachtdesk.services.cases.cases import procedure_of
from klachtdesk.services.context import Context, audit
from klachtdesk.storage.models import Procedure as ProcedureRow
from klachtdesk.storage.models import ProcedureVersion, User

LOGO_KEY = "org.logo"
MAX_LOGO_BYTES = 512 * 1024
# Keys that have their own service: the logo is checked here, the procedure is chosen in
# services.procedures, and the key file's identity never changes.
_NOT_HERE = {
    LOGO_KEY: "wijzig het logo met 'Logo kiezen'.",
    "procedure.current": "kies de klachtenregeling op de pagina Klachtenregeling.",
    "database.file_id": "kan niet worden gewijzigd.",
}


# -- organisation settings and logo ------------------------------------------------------------
KEEP: Any = object()  # save_settings: leave the logo as it is


def decode_logo(text: str) -> bytes | None:
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def encode_logo(data: bytes) -> str:
    """Check a PNG or JPEG image and return it as base64 text for the setting."""
    if not data:
        raise ValidationError("logo", "het bestand is leeg.")
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            "logo",
            f"het bestand is {len(data) // 1024} kB; kies een afbeelding van ten hoogste "
            f"{MAX_LOGO_BYTES // 1024} kB.",
        )
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise ValidationError("logo", "kies een afbeelding in PNG- of JPEG-formaat.")
    return base64.b64encode(data).decode("ascii")


def logo_bytes(ctx: Context) -> bytes | None:
    """The organisation's logo (PNG or JPEG), or None."""
    return decode_logo(settings_service.get_settings(ctx).get(LOGO_KEY, ""))


def _checked(key: str, value: Any) -> Any:
    """The declaration checks (postcode, phone, e-mail, KvK, website); the name is required."""
    value = settings_service.coerce(key, value)
    if key == "org.name" and not value:
        label = settings_service.BY_KEY[key].label
        raise ValidationError(label, "is verplicht; de naam staat boven elke brief.")
    return value


def save_settings(ctx: Context, changes: dict[str, Any], logo: bytes | None = KEEP) -> list[str]:
    """Save organisation settings and, if given, the logo (None removes it) in one go.

    Returns the keys that really changed; each gets an audit entry.
    """
    ctx.actor.require(Role.BEHEER, what="het wijzigen van instellingen")
    clean = {}
    for key, value in changes.items():
        if key in _NOT_HERE:
            label = settings_service.BY_KEY[key].label
            raise ValidationError(label, _NOT_HERE[key])
        clean[key] = _checked(key, value)
    if logo is not KEEP:
        clean[LOGO_KEY] = encode_logo(logo) if logo is not None else ""
    with admin_session(ctx, "het wijzigen van instellingen") as session:
        current = settings_service.read_all(session)
        changed = [key for key, value in clean.items() if current.get(key) != value]
        for key in changed:
            settings_service.write(session, key, clean[key])
            audit(session, ctx, "instelling_gewijzigd", key)
        return changed


# -- procedures ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ProcedureInfo:
    key: str
    name: str
    version: int
    procedure: Procedure
    created_at: datetime
    created_by: str
    note: str
    current: bool  # the organisation's procedure for new cases


def list_procedures(ctx: Context) -> list[ProcedureInfo]:
    """The latest version of each procedure; ``current`` marks the one new cases get."""
    with ctx.db.session() as session:
        chosen = settings_service.read_all(session)["procedure.current"]
        result = []
        for row in session.scalars(select(ProcedureRow).order_by(ProcedureRow.id)):
            version = session.get(ProcedureVersion, row.current_version_id)
            author = session.get(User, version.created_by_id) if version.created_by_id else None
            result.append(
                ProcedureInfo(
                    row.key,
                    row.name,
                    version.version,
                    procedure_of(version),
                    version.created_at,
                    author.display_name if author else "",
                    version.note,
                    row.key == chosen,
                )
            )
        return result
