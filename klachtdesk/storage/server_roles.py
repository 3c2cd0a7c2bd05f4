"""What the PostgreSQL server enforces (issue 15): KlachtDesk's roles as group roles with
GRANTs, row-level security for the directeur, an audit table nobody can change, and each
KlachtDesk user as a login role.

Group roles are named after the database (``klachtdesk_balie`` for the database
``klachtdesk``), so two KlachtDesk databases on one server never share rights. Login roles
are the server's: one name per server (PostgreSQL has no per-database users).

``setup`` is run by the database's owner (``klachtdesk migrate-to`` and ``klachtdesk
server-setup``); it can be run again and gives the same rights. Everything else here is run
by a beheerder's login role, which has CREATEROLE and may hand out the group roles.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from klachtdesk.domain.errors import NotAllowed
from klachtdesk.domain.roles import Role
from klachtdesk.storage.models import Base
from klachtdesk.storage.server import quote_name

# Tables every KlachtDesk role works in while handling cases (case_search: the server's
# search index, written by the triggers as the user who changed a case).
CASE_WORK = (
    "complainants",
    "complainant_changes",
    "import_differences",
    "deadlines",
    "events",
    "attachments",
    "letters",
    "action_points",
    "evaluations",
    "ref_counters",
    "case_search",
)
# Only a beheerder changes these (the services require Role.BEHEER for each).
ADMIN = (
    "users",
    "settings",
    "categories",
    "departments",
    "employees",
    "procedures",
    "procedure_versions",
    "calendar_days",
    "letter_templates",
)
# A decision on a case: a baliemedewerker registers and reads, never decides.
DECISION_COLUMNS = (
    "outcome",
    "motivation",
    "solution",
    "decided_on",
    "director_outcome",
    "director_motivation",
    "director_decided_on",
)
# What every user may change of their own account row: the date of a password change.
OWN_ACCOUNT_COLUMNS = ("password_changed_at",)
# The directeur reads and changes appeal cases only (SPEC §1), as the services show them.
APPEAL_CONDITION = (
    "EXISTS (SELECT 1 FROM deadlines d WHERE d.case_id = cases.id AND d.kind = 'heroverweging')"
)


def group_role(database: str, role: Role | str) -> str:
    return f"{database}_{Role(role).value}"


def classified_tables() -> set[str]:
    return {*CASE_WORK, *ADMIN, "cases", "audit_log", "alembic_version"}


def setup(conn: Connection) -> None:
    """Create the group roles and give each its rights on this database (as its owner)."""
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    groups = {role: group_role(database, role) for role in Role}
    existing = set(
        conn.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)"),
            {"names": list(groups.values())},
        ).scalars()
    )
    for name in groups.values():
        if name not in existing:
            conn.exec_driver_sql(f"CREATE ROLE {quote_name(name)} NOLOGIN")
    db = quote_name(database)
    everyone = ", ".join(quote_name(name) for name in groups.values())
    unknown = _tables(conn) - classified_tables()
    if unknown:  # a new table must be placed in one of the lists above first
        raise RuntimeError(f"tables without rights: {sorted(unknown)}")
    statements = [
        f"REVOKE ALL ON DATABASE {db} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {everyone}",
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {everyone}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {everyone}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {everyone}",
        # UPDATE: an import gives ids itself and then moves the sequence on (follow_ids)
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {everyone}",
        # the audit log only grows: no role may change or remove an entry
        f"GRANT INSERT ON audit_log TO {everyone}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(CASE_WORK)} TO {everyone}",
        f"GRANT INSERT, DELETE ON cases TO {everyone}",
        f"GRANT UPDATE ({', '.join(OWN_ACCOUNT_COLUMNS)}) ON users TO {everyone}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(ADMIN)} TO {quote_name(groups[Role.BEHEER])}",
    ]
    deciding = [groups[r] for r in (Role.COORDINATOR, Role.MANAGER, Role.DIRECTEUR, Role.BEHEER)]
    statements.append(f"GRANT UPDATE ON cases TO {', '.join(map(quote_name, deciding))}")
    registering = [c.name for c in Base.metadata.tables["cases"].columns]
    registering = [c for c in registering if c not in DECISION_COLUMNS]
    statements.append(
        f"GRANT UPDATE ({', '.join(registering)}) ON cases TO {quote_name(groups[Role.BALIE])}"
    )
    # row-level security: the directeur sees and changes appeal cases only
    others = ", ".join(quote_name(groups[r]) for r in Role if r is not Role.DIRECTEUR)
    directeur = quote_name(groups[Role.DIRECTEUR])
    statements += [
        "ALTER TABLE cases ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS klachtdesk_all_cases ON cases",
        f"CREATE POLICY klachtdesk_all_cases ON cases TO {others} USING (true) WITH CHECK (true)",
        "DROP POLICY IF EXISTS klachtdesk_appeal_cases ON cases",
        f"CREATE POLICY klachtdesk_appeal_cases ON cases TO {directeur} "
        f"USING ({APPEAL_CONDITION}) WITH CHECK ({APPEAL_CONDITION})",
    ]
    if _version(conn) >= 160000:  # see _common_grantor
        beheer = quote_name(groups[Role.BEHEER])
        for role in Role:
            if role is not Role.BEHEER:
                statements.append(
                    f"GRANT {quote_name(groups[role])} TO {beheer} "
                    "WITH ADMIN OPTION, INHERIT FALSE, SET FALSE"
                )
        superuser = conn.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
        if not superuser:  # the owner hands out memberships as the beheerders do
            statements.append(f"GRANT {beheer} TO CURRENT_USER")
    for statement in statements:
        conn.exec_driver_sql(statement)


def _tables(conn: Connection) -> set[str]:
    return set(
        conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
    )


def own_roles(conn: Connection) -> frozenset[Role]:
    """The KlachtDesk roles the server gives the logged-in login role (its group roles)."""
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    names = {group_role(database, role): role for role in Role}
    held = conn.execute(
        text(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(:names) "
            "AND pg_has_role(current_user, oid, 'USAGE')"
        ),
        {"names": list(names)},
    ).scalars()
    return frozenset(names[name] for name in held)


def audit_log_writers(conn: Connection) -> list[str]:
    """The roles (other than the owner and superusers) that may change or empty the audit
    log: none, unless someone changed the rights by hand."""
    return list(
        conn.execute(
            text(
                "SELECT rolname FROM pg_roles WHERE NOT rolsuper "
                "AND rolname <> (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log' "
                "AND schemaname = 'public') AND rolname !~ '^pg_' "
                "AND has_table_privilege(oid, 'public.audit_log', 'UPDATE, DELETE, TRUNCATE') "
                "ORDER BY rolname"
            )
        ).scalars()
    )


def login_exists(conn: Connection, name: str) -> bool:
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    return found is not None


def create_login(conn: Connection, name: str, verifier: str | None) -> None:
    """A login role for a KlachtDesk user (``verifier``: see server.scram_verifier; None: no
    password yet, so nobody can log in with it until a beheerder sets one)."""
    if login_exists(conn, name):
        raise LoginExists(name)
    password = f" PASSWORD {_literal(verifier)}" if verifier else ""
    conn.exec_driver_sql(f"CREATE ROLE {quote_name(name)} LOGIN{password}")


def set_password(conn: Connection, name: str, verifier: str) -> None:
    conn.exec_driver_sql(f"ALTER ROLE {quote_name(name)} PASSWORD {_literal(verifier)}")


def set_login(conn: Connection, name: str, allowed: bool) -> None:
    """Allow or refuse new logins as ``name`` (a connection already open loses its rights
    with its group roles: see ``set_roles``)."""
    conn.exec_driver_sql(f"ALTER ROLE {quote_name(name)} {'LOGIN' if allowed else 'NOLOGIN'}")


def set_roles(conn: Connection, name: str, roles: frozenset[Role]) -> None:
    """Make ``name`` a member of exactly the group roles of ``roles``. A beheerder also gets
    CREATEROLE and may hand out every group role (to add and change colleagues). Rights
    are checked at every statement: a connection that is open keeps only what is left
    (none, for a deactivated user)."""
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    login = quote_name(name)
    by = _common_grantor(conn, database)
    for role in Role:
        group = quote_name(group_role(database, role))
        if role in roles:
            admin = " WITH ADMIN OPTION" if Role.BEHEER in roles else ""
            grantor = by if role is not Role.BEHEER else ""
            conn.exec_driver_sql(f"GRANT {group} TO {login}{admin}{grantor}")
        else:
            _revoke(conn, group_role(database, role), name)
    conn.exec_driver_sql(f"ALTER ROLE {login} {'' if Role.BEHEER in roles else 'NO'}CREATEROLE")
    if Role.BEHEER in roles:
        # a beheerder who is not also another role still hands that role out
        for role in Role:
            group = quote_name(group_role(database, role))
            grantor = by if role is not Role.BEHEER else ""
            conn.exec_driver_sql(f"GRANT {group} TO {login} WITH ADMIN OPTION{grantor}")
            if role not in roles:
                _without_rights(conn, group, login, grantor)
    if _version(conn) >= 160000:
        _managed_by_beheerders(conn, database, name, roles)


def _common_grantor(conn: Connection, database: str) -> str:
    """PostgreSQL 16 and later record who granted a membership, and only that grantor can
    take it back. Memberships are therefore granted by the beheer group role (which holds
    the ADMIN option on the other group roles, see ``setup``), so that every beheerder can
    take them back. Empty: before 16, or when the acting role is not a beheerder."""
    if _version(conn) < 160000:
        return ""
    group = group_role(database, Role.BEHEER)
    held = conn.execute(
        text("SELECT pg_has_role(current_user, :g, 'USAGE')"), {"g": group}
    ).scalar_one()
    return f" GRANTED BY {quote_name(group)}" if held else ""


def _revoke(conn: Connection, group: str, name: str) -> None:
    """End ``name``'s membership of ``group``, every grant of it that the acting role may
    take back (PostgreSQL 16 and later keep one per grantor); refuse in Dutch when one
    remains that only someone else can take back."""
    if _version(conn) < 160000:
        conn.exec_driver_sql(f"REVOKE {quote_name(group)} FROM {quote_name(name)}")
        return
    grants = conn.execute(
        text(
            "SELECT grantor.rolname, pg_has_role(current_user, grantor.oid, 'USAGE') "
            "OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
            "FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
            "JOIN pg_roles m ON m.oid = a.member JOIN pg_roles grantor ON grantor.oid = a.grantor "
            "WHERE g.rolname = :g AND m.rolname = :n"
        ),
        {"g": group, "n": name},
    ).all()
    for grantor, may in grants:
        if not may:
            raise NotAllowed(
                f"Op deze PostgreSQL-server kan alleen {grantor} (of de IT-beheerder) de rol "
                f"van {name} wijzigen: die gaf de rol. Er is niets gewijzigd."
            )
        conn.exec_driver_sql(
            f"REVOKE {quote_name(group)} FROM {quote_name(name)} GRANTED BY {quote_name(grantor)}"
        )


def _managed_by_beheerders(conn: Connection, database: str, name: str, roles) -> None:
    """PostgreSQL 16 and later: changing a login role (its password, its groups) needs the
    ADMIN option on it. Every beheerder gets it on every KlachtDesk user, without its
    rights (INHERIT FALSE, SET FALSE). Who acts already has it where it matters (and may
    not grant it to itself)."""
    login = quote_name(name)
    me = conn.execute(text("SELECT current_user")).scalar_one()
    beheerders = conn.execute(
        text(
            "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
            "JOIN pg_roles m ON m.oid = a.member "
            "WHERE g.rolname = :g AND a.inherit_option AND m.rolname <> :n "
            "AND m.rolname IN (SELECT username FROM users)"
        ),
        {"g": group_role(database, Role.BEHEER), "n": name},
    ).scalars()
    others = [other for other in beheerders if other != me]
    if Role.BEHEER in roles and name != me:
        others = []
        users = conn.execute(
            text(
                "SELECT rolname FROM pg_roles WHERE rolname IN (SELECT username FROM users) "
                "AND rolname <> :n"
            ),
            {"n": name},
        ).scalars()
        for other in list(users):  # this beheerder manages every other user
            conn.exec_driver_sql(
                f"GRANT {quote_name(other)} TO {login} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE"
            )
    for other in others:  # every beheerder manages this user
        conn.exec_driver_sql(
            f"GRANT {login} TO {quote_name(other)} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE"
        )


def _without_rights(conn: Connection, group: str, login: str, grantor: str) -> None:
    """Keep the ADMIN OPTION on ``group`` but not its rights (PostgreSQL 16 and later can
    say so; on 15 ADMIN OPTION comes with membership and CREATEROLE suffices, so the
    grant is taken back)."""
    if _version(conn) >= 160000:
        conn.exec_driver_sql(f"GRANT {group} TO {login} WITH INHERIT FALSE, SET FALSE{grantor}")
    else:
        conn.exec_driver_sql(f"REVOKE {group} FROM {login}")


def _version(conn: Connection) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar_one())


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class LoginExists(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name
