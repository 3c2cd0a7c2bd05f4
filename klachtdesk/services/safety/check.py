"""Integrity check of a database: SQLCipher's page MACs, SQLite's structure, the audit chain."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlcipher3
from sqlalchemy.orm import Session

from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.domain.roles import Role
from klachtdesk.services.context import Context, audit
from klachtdesk.services.safety import signatures
from klachtdesk.services.safety.audit_log import chain_status
from klachtdesk.storage import migrate, server_roles
from klachtdesk.storage.keyslots import KeyFile, key_file_path


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(ctx: Context) -> CheckReport:
    ctx.actor.require(Role.BEHEER, Role.COORDINATOR, what="de database controleren")
    report = CheckReport()
    try:
        if ctx.db.is_server:
            _check_on_server(ctx, report)
        else:
            _check_pages(ctx, report)
            _check_audit_chain(ctx, report)
    except KlachtDeskError as error:
        report.problems.append(str(error))
        return report  # a damaged file is not written to
    except sqlcipher3.DatabaseError:
        report.problems.append(
            "De database kon niet volledig worden gelezen: een deel van het bestand is beschadigd."
        )
        return report
    with ctx.db.session(write=True) as session:
        audit(session, ctx, "controle", detail="in orde" if report.ok else "problemen gevonden")
    return report


def _check_pages(ctx: Context, report: CheckReport) -> None:
    conn = ctx.db.raw_connection()
    try:
        problems, pages = page_problems(conn)
    finally:
        conn.close()
    report.problems.extend(problems)
    if pages is None:
        return
    report.facts.append(f"{pages} pagina's gecontroleerd")
    report.facts.append(f"schemaversie {migrate.current_revision(ctx.db)}")


def page_problems(conn: sqlcipher3.Connection) -> tuple[list[str], int | None]:
    """SQLCipher's page MACs, SQLite's structure and foreign keys, on a raw connection.

    Returns the Dutch problems found and the number of pages (None when the pages could not
    be decrypted, so nothing further was checked). Shared with the back-up verification.
    """
    cipher = [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
    if cipher:
        return [
            f"{len(cipher)} pagina's zijn beschadigd of aangepast (versleuteling klopt niet)."
        ], None
    problems = []
    structure = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if structure != ["ok"]:
        problems.append(f"De databasestructuur is beschadigd ({len(structure)} fouten).")
    foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    if foreign:
        problems.append(f"{len(foreign)} verwijzingen tussen tabellen kloppen niet.")
    return problems, conn.execute("PRAGMA page_count").fetchone()[0]


def _check_audit_chain(ctx: Context, report: CheckReport) -> None:
    from klachtdesk.services.safety.backup import backup_witnesses  # backup imports check

    keyfile = KeyFile.load(key_file_path(ctx.db.path))
    backups = backup_witnesses(ctx)
    with ctx.db.session() as session:
        count, problem = audit_chain_problem(session)
        found, _ = signatures.login_problems(session, keyfile)
        found += signatures.witness_problems(session, keyfile, backups)
        signed = signatures.signature_problems(session, keyfile)
    if problem:
        report.problems.append(problem)
    else:
        report.facts.append(f"{count} regels in het auditlog")
    report.problems.extend(found + signed.problems)
    if signed.checked and not signed.problems:
        report.facts.append(f"{signed.checked} ondertekende regels gecontroleerd")


def _check_on_server(ctx: Context, report: CheckReport) -> None:
    """On a PostgreSQL server: the server keeps its own pages and foreign keys; KlachtDesk
    checks the audit chain and that no KlachtDesk role may change or empty the log."""
    with ctx.db.session() as session:
        conn = session.connection()
        version = conn.exec_driver_sql("SHOW server_version").scalar_one()
        count, problem = audit_chain_problem(session)
        loosened = server_roles.audit_log_writers(conn)
    report.facts.append(f"PostgreSQL {version.split()[0]}")
    report.facts.append(f"schemaversie {migrate.current_revision(ctx.db)}")
    if problem:
        report.problems.append(problem)
    else:
        report.facts.append(f"{count} regels in het auditlog")
    if loosened:
        report.problems.append(
            "Op de server mogen deze rollen regels in het auditlog wijzigen of verwijderen: "
            f"{', '.join(loosened)}. Laat de IT-beheerder 'klachtdesk server-setup' uitvoeren."
        )


def audit_chain_problem(session: Session) -> tuple[int, str | None]:
    """Walk the audit log; return the entries checked and a Dutch problem, or None.

    Shared with the back-up verification; the walk itself is the audit log's own.
    """
    status = chain_status(session)
    return status.count, None if status.ok else status.message
