"""Reading the audit log (beheer only): filter, page, export, and verify its hash chain.

Nothing here changes or removes an entry: the log is append-only, and reading or exporting
it is itself recorded.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import KlachtDeskError, ValidationError, os_reason
from klachtdesk.domain.roles import Role
from klachtdesk.domain.states import event_label
from klachtdesk.domain.validation import search_text
from klachtdesk.reports.csv_cells import text_cell
from klachtdesk.services.context import GENESIS_HASH, Context, audit, audit_hash, viewing
from klachtdesk.services.safety import signatures
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from klachtdesk.storage.models import AuditEntry, User

WHAT = "het auditlog inzien"
MAX_PAGE = 1000

# Dutch labels of the actions the application records. An action missing here is shown
# tidied up ('categorie_hernoemd' → 'Categorie hernoemd'), which reads well for most.
ACTION_LABELS = {
    "aangemeld": "Aangemeld",
    "dossier_geexporteerd": "Zaakdossier gemaakt (PDF)",
    "evaluatie_vastgelegd": "Evaluatie gehouden vastgelegd",
    "aanmelden_mislukt": "Aanmelden mislukt",
    "ondertekening_ingevoerd": "Ondertekening ingevoerd",
    "sleutel_vastgelegd": "Ondertekeningssleutel vastgelegd",
    "actiepunt_afgerond": "Actiepunt afgerond",
    "actiepunt_toegevoegd": "Actiepunt toegevoegd",
    "atw_dag_toegevoegd": "Gelijkgestelde dag (Atw) toegevoegd",
    "atw_dagen_verwijderd": "Gelijkgestelde dagen (Atw) verwijderd",
    "auditlog_bekeken": "Auditlog bekeken",
    "auditlog_geexporteerd": "Auditlog geëxporteerd",
    "backup_gemaakt": "Back-up gemaakt",
    "backup_teruggezet": "Back-up teruggezet",
    "bijlage_opgeslagen": "Bijlage opgeslagen als bestand",
    "brief_geopend": "Brief geopend",
    "brief_geprint": "Brief geprint",
    "brief_opgeslagen": "Brief opgeslagen als bestand",
    "briefsjabloon_opgeslagen": "Briefsjabloon opgeslagen",
    "categorie_verwijderd": "Categorie verwijderd",
    "conceptbrief_opgeslagen": "Conceptbrief opgeslagen",
    "controle": "Database gecontroleerd",
    "database_aangemaakt": "Database aangemaakt",
    "export_ics": "Termijnen geëxporteerd (agenda)",
    "gebruiker_gedeactiveerd": "Gebruiker gedeactiveerd",
    "gebruiker_geactiveerd": "Gebruiker weer actief gemaakt",
    "gebruiker_gewijzigd": "Gebruiker gewijzigd",
    "gebruiker_rollen_gewijzigd": "Rollen van gebruiker gewijzigd",
    "gebruiker_toegevoegd": "Gebruiker toegevoegd",
    "herstelcode_gebruikt": "Herstelcode gebruikt",
    "herstelcode_vervangen": "Nieuwe herstelcode gemaakt",
    "import": "Klachten geïmporteerd",
    "inzage_geexporteerd": "Inzageverzoek geëxporteerd",
    "zakenlijst_geexporteerd": "Zakenlijst opgevraagd (opdrachtregel)",
    "instelling_gewijzigd": "Instelling gewijzigd",
    "medewerker_geactiveerd": "Medewerker weer actief gemaakt",
    "medewerker_gedeactiveerd": "Medewerker gedeactiveerd",
    "medewerker_gewijzigd": "Medewerker gewijzigd",
    "medewerker_toegevoegd": "Medewerker toegevoegd",
    "rapport": "Evaluatierapport bekeken",
    "rapport_export": "Evaluatierapport opgeslagen",
    "regeling_gekozen": "Klachtenregeling gekozen",
    "regeling_gewijzigd": "Klachtenregeling gewijzigd",
    "sluitingsdagen_toegevoegd": "Sluitingsdagen toegevoegd",
    "sluitingsdagen_verwijderd": "Sluitingsdagen verwijderd",
    "wachtwoord_gewijzigd": "Wachtwoord gewijzigd",
    "wachtwoord_opnieuw_ingesteld": "Wachtwoord opnieuw ingesteld door beheerder",
    "zaak_bekeken": "Zaak bekeken",
    "zaak_geanonimiseerd": "Zaak geanonimiseerd",
    "zaak_geregistreerd": "Klacht geregistreerd",
}


def action_label(action: str) -> str:
    """The Dutch label of an audit action ('zaak_uitspraak' → 'Zaak: Uitspraak gedaan')."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    if action.startswith("zaak_"):
        return f"Zaak: {event_label(action.removeprefix('zaak_'))}"
    return action.replace("_", " ").capitalize() if action else action


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    action: str | None = None
    text: str | None = None
    start: date | None = None
    end: date | None = None
    # Paging over a log that grows meanwhile: pass AuditPage.last_id to keep pages stable.
    up_to_id: int | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    user_label: str  # "Bert Beheer (beheer)", or the stored name for an unknown one
    action: str
    action_label: str
    object_ref: str
    detail: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int  # entries matching the filter, not only this page
    last_id: int = 0  # the newest entry when read; use as AuditFilter.up_to_id for more pages


@dataclass(frozen=True)
class ChainStatus:
    ok: bool
    count: int
    broken_id: int | None = None
    broken_at: datetime | None = None
    # signatures, grants and witnesses (services/safety/signatures.py), the chain being whole
    problems: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        if self.ok:
            return f"Keten van het auditlog: in orde ({self.count} regels gecontroleerd)."
        if self.broken_id is None:
            return "Keten van het auditlog: " + " ".join(self.problems)
        return (
            f"Het auditlog is onderbroken bij regel {self.broken_id} "
            f"({self.broken_at:%d-%m-%Y %H:%M}): een regel is gewijzigd of verwijderd buiten "
            "KlachtDesk om."
        )


@dataclass(frozen=True)
class ActionChoice:
    action: str
    label: str


@dataclass(frozen=True)
class UserChoice:
    username: str
    label: str


@dataclass
class _Users:
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, username: str) -> str:
        name = self.labels.get(username)
        return f"{name} ({username})" if name and name != username else username


def _require(ctx: Context) -> None:
    ctx.actor.require(Role.BEHEER, what=WHAT)


def _users(session: Session) -> _Users:
    return _Users(dict(session.execute(select(User.username, User.display_name)).all()))


def _filtered(query: Select, flt: AuditFilter) -> Select:
    if flt.start and flt.end and flt.start > flt.end:
        raise ValidationError("periode", "de datum 'van' ligt na de datum 'tot en met'.")
    if flt.username:
        query = query.where(AuditEntry.username == flt.username)
    if flt.action:
        query = query.where(AuditEntry.action == flt.action)
    if flt.start:
        query = query.where(AuditEntry.at >= datetime.combine(flt.start, time.min))
    if flt.end:
        query = query.where(AuditEntry.at < datetime.combine(flt.end + timedelta(days=1), time.min))
    if flt.up_to_id is not None:
        query = query.where(AuditEntry.id <= flt.up_to_id)
    text = search_text(flt.text or "")
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                *(
                    column.like(pattern, escape="\\")
                    for column in (
                        AuditEntry.object_ref,
                        AuditEntry.detail,
                        AuditEntry.username,
                        AuditEntry.action,
                    )
                )
            )
        )
    return query


def _row(entry, users: _Users) -> AuditRow:
    return AuditRow(
        id=entry.id,
        at=entry.at,
        username=entry.username,
        user_label=users.label(entry.username),
        action=entry.action,
        action_label=action_label(entry.action),
        object_ref=entry.object_ref or "",
        detail=entry.detail or "",
    )


def _newest_first(query: Select) -> Select:
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def query_audit(
    ctx: Context, flt: AuditFilter | None = None, offset: int = 0, limit: int = 200
) -> AuditPage:
    """One page of the log, newest first, and how many entries match the filter."""
    _require(ctx)
    flt = flt or AuditFilter()
    limit = max(1, min(int(limit), MAX_PAGE))
    with ctx.db.session() as session:
        last_id = session.scalar(select(func.max(AuditEntry.id))) or 0
        if flt.up_to_id is None:
            flt = AuditFilter(flt.username, flt.action, flt.text, flt.start, flt.end, last_id)
        total = session.scalar(_filtered(select(func.count(AuditEntry.id)), flt)) or 0
        users = _users(session)
        entries = session.scalars(
            _newest_first(_filtered(select(AuditEntry), flt)).offset(max(0, offset)).limit(limit)
        ).all()
        return AuditPage([_row(e, users) for e in entries], total, flt.up_to_id)


def audit_log_opened(ctx: Context) -> None:
    """Record that the log was read: once per opened window, not per page."""
    _require(ctx)
    with viewing(ctx) as session:
        audit(session, ctx, "auditlog_bekeken")


def audit_users(ctx: Context) -> list[UserChoice]:
    """Every name that occurs in the log, with the user's full name where known."""
    _require(ctx)
    with ctx.db.session() as session:
        users = _users(session)
        names = session.scalars(select(AuditEntry.username).distinct()).all()
        return sorted(
            (UserChoice(n, users.label(n)) for n in names), key=lambda c: c.label.casefold()
        )


def audit_actions(ctx: Context) -> list[ActionChoice]:
    """Every action that occurs in the log, with its Dutch label, sorted by label."""
    _require(ctx)
    with ctx.db.session() as session:
        actions = session.scalars(select(AuditEntry.action).distinct()).all()
        return sorted(
            (ActionChoice(a, action_label(a)) for a in actions), key=lambda c: c.label.casefold()
        )


# -- the hash chain ---------------------------------------------------------------------------
def chain_status(session: Session) -> ChainStatus:
    """Walk the chain in order; the first entry whose hashes do not match is the break."""
    previous = GENESIS_HASH
    count = 0
    rows = session.execute(
        select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.username,
            AuditEntry.action,
            AuditEntry.object_ref,
            AuditEntry.detail,
            AuditEntry.prev_hash,
            AuditEntry.hash,
            AuditEntry.grants,
        ).order_by(AuditEntry.id)
    )
    for entry in rows:
        count += 1
        if entry.prev_hash != previous or audit_hash(entry) != entry.hash:
            return ChainStatus(False, count, entry.id, entry.at)
        previous = entry.hash
    return ChainStatus(True, count)


def verify_chain(ctx: Context) -> ChainStatus:
    """Is the log intact (the chain, the signatures, the grants, this PC's witness), and if
    not, at which entry does the chain break or what else is wrong?"""
    _require(ctx)
    if ctx.db.is_server:  # no signatures there: the server's grants keep the log append-only
        with ctx.db.session() as session:
            return chain_status(session)
    keyfile = KeyFile.load(key_file_path(ctx.db.path))
    with ctx.db.session() as session:
        status = chain_status(session)
        if not status.ok:
            return status
        found, _ = signatures.login_problems(session, keyfile)
        found += signatures.signature_problems(session, keyfile).problems
    return replace(status, ok=False, problems=tuple(found)) if found else status


# -- export -----------------------------------------------------------------------------------
CSV_HEADERS = (
    "Regel",
    "Tijdstip",
    "Gebruiker",
    "Handeling",
    "Zaak/object",
    "Toelichting",
    "Code handeling",
    "Controlewaarde (SHA-256)",
)


def export_audit(ctx: Context, flt: AuditFilter | None, path: Path | str, kind: str = "csv") -> int:
    """Write the entries matching the filter (newest first) as CSV for Dutch Excel.

    Semicolons, UTF-8 with BOM. Returns the number of entries written; the export is audited.
    """
    ctx.actor.require(Role.BEHEER, what="het auditlog exporteren")
    if kind != "csv":
        raise ValidationError("bestandssoort", f"'{kind}' wordt niet ondersteund; kies csv.")
    flt = flt or AuditFilter()
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".auditlog-", suffix=".csv", dir=path.parent)
    except OSError as error:
        raise _not_saved(path, error) from None
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
            writer.writerow(CSV_HEADERS)
            with ctx.db.session() as session:
                users = _users(session)
                query = _newest_first(_filtered(select(AuditEntry), flt))
                for entry in session.scalars(query.execution_options(yield_per=1000)):
                    row = _row(entry, users)
                    writer.writerow(
                        [
                            str(row.id),
                            f"{row.at:%d-%m-%Y %H:%M:%S}",
                            text_cell(row.user_label),
                            text_cell(row.action_label),
                            text_cell(row.object_ref),
                            text_cell(row.detail),
                            row.action,
                            entry.hash,
                        ]
                    )
                    count += 1
        os.replace(tmp, path)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise _not_saved(path, error) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    with viewing(ctx) as session:
        audit(session, ctx, "auditlog_geexporteerd", "auditlog", _describe(flt, count))
    return count


def _not_saved(path: Path, error: OSError) -> KlachtDeskError:
    return KlachtDeskError(
        f"Het bestand {path} kon niet worden opgeslagen ({os_reason(error)}). "
        "Kies een andere map of naam."
    )


def _describe(flt: AuditFilter, count: int) -> str:
    """What was exported, without the search text (it may hold a name)."""
    parts = [f"csv, {count} regels"]
    if flt.username:
        parts.append(f"gebruiker {flt.username}")
    if flt.action:
        parts.append(f"handeling {flt.action}")
    if flt.start or flt.end:
        start = f"{flt.start:%d-%m-%Y}" if flt.start else "begin"
        end = f"{flt.end:%d-%m-%Y}" if flt.end else "nu"
        parts.append(f"periode {start} t/m {end}")
    if search_text(flt.text or ""):
        parts.append("met zoektekst")
    return "; ".join(parts)
