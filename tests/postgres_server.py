"""A private PostgreSQL server for the tests: real, started in a temporary folder, stopped at
the end of the run.

It uses the machine's PostgreSQL (``initdb`` and ``pg_ctl`` on PATH, or Debian's
/usr/lib/postgresql/<version>/bin; .ci/run installs the ``postgresql`` package when neither
is there), else the ``pgserver`` package (PostgreSQL binaries from PyPI, a test dependency
on Python 3.11 and 3.12). PostgreSQL refuses to run as root: as root the machine's server
runs as ``nobody`` and the tests connect through its socket. Only a local socket, no TCP
port; every login is trusted (the server lives as long as the test run and only this
machine's users reach the socket).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import uuid
from pathlib import Path

UNPRIVILEGED = "nobody"


def _binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(versions[-1]).parent if versions else None


def _version(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in Path(path).parts[-3].split(".") if part.isdigit())


class PostgresServer:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.port = 54000 + os.getpid() % 1000
        self.bin = _binaries()
        self._as_root = os.geteuid() == 0
        self._pgserver = None  # the pgserver package's server, when the machine has none

    def _run(self, *command: str) -> None:
        argv = [str(self.bin / command[0]), *command[1:]]
        if self._as_root:
            argv = ["runuser", "-u", UNPRIVILEGED, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> PostgresServer:
        if self.bin is None:
            return self._start_pgserver()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        if self._as_root:
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, UNPRIVILEGED)
            shutil.chown(self.sockets, UNPRIVILEGED)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync")  # fmt: skip
        options = (
            f"-k {self.sockets} -p {self.port} -c listen_addresses='' -c fsync=off "
            "-c full_page_writes=off -c max_connections=60"
        )
        self._require_passwords()
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "server.log"), "-w", "start")  # fmt: skip
        return self

    def _require_passwords(self) -> None:
        """The test superuser gets in without a password; every other role (KlachtDesk's
        users) only with its SCRAM password, as on a real server."""
        hba = self.data / "pg_hba.conf"
        hba.write_text(
            "local all postgres trust\n"
            "local all all scram-sha-256\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )
        folder = self.data.stat()
        if self._as_root:  # the server runs as the data folder's owner (nobody, pgserver's)
            os.chown(hba, folder.st_uid, folder.st_gid)
        hba.chmod(0o600)

    def _start_pgserver(self) -> PostgresServer:
        try:
            import pgserver
        except ImportError:
            raise RuntimeError(
                "PostgreSQL ontbreekt: installeer het pakket 'postgresql' (.ci/run doet dat) "
                "of, met Python 3.11 of 3.12, het Python-pakket 'pgserver'."
            ) from None
        self.folder.mkdir(parents=True, exist_ok=True)
        self._pgserver = pgserver.get_server(self.data, cleanup_mode="stop")
        # postgresql://postgres:@/postgres?host=<socket folder>
        self.sockets = Path(self._pgserver.get_uri().split("host=")[1].split("&")[0])
        self.port = 5432
        self._require_passwords()
        self._execute("SELECT pg_reload_conf()")
        return self

    def _execute(self, *statements: str, database: str = "postgres") -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url(database), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for statement in statements:
                    conn.execute(text(statement))
        finally:
            engine.dispose()

    def stop(self) -> None:
        if self._pgserver is not None:
            self._pgserver.cleanup()
        elif self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        if self._pgserver is not None:
            return f"postgresql+psycopg://{user}@/{database}?host={self.sockets}"
        return f"postgresql+psycopg://{user}@/{database}?host={self.sockets}&port={self.port}"

    def new_database(self) -> str:
        """A new empty database; its URL."""

        name = f"klachtdesk_{uuid.uuid4().hex[:12]}"
        self._execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a test's database and every role but the superuser: login roles are the
        server's, not the database's, and the next test starts without them."""
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                roles = (
                    conn.execute(
                        text(
                            "SELECT rolname FROM pg_roles WHERE NOT rolsuper AND rolname !~ '^pg_'"
                        )
                    )
                    .scalars()
                    .all()
                )
                if roles:  # PostgreSQL 16: memberships a role granted go with DROP OWNED
                    conn.execute(text("DROP OWNED BY " + ", ".join(f'"{r}"' for r in roles)))
                for role in roles:
                    conn.execute(text(f'DROP ROLE "{role}"'))
        finally:
            engine.dispose()
