"""Issue 15, moving up: ``klachtdesk migrate-to`` copies a database file into an empty
PostgreSQL database in one transaction, checks it row for row, and leaves the file as it was
(only the login is recorded in it, as for every command)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.exc import DBAPIError

from klachtdesk.cli import main
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.services.admin import move_up, setup
from klachtdesk.services.cases import attachments, case_view
from klachtdesk.services.demo import create_demo_database
from klachtdesk.services.letters import letters
from klachtdesk.storage.models import AuditEntry, Base, Case, Letter
from klachtdesk.storage.server import server_url

PASSWORD = "verhuis-wachtwoord-1"
PDF = b"%PDF-1.4 een bijlage\n" * 40


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("verhuizen") / "klachten.kdb"
    create_demo_database(path, "beheer", PASSWORD, cases=40)
    ctx = setup.unlock(path, "coordinator", PASSWORD)
    rows = case_view.case_page(ctx, limit=100)
    attachments.add_attachment(ctx, rows[0].ref, "foto.pdf", PDF)
    made = 0
    for row in rows:  # final letters: the demo records letters as sent without their PDFs
        try:
            draft = letters.draft(ctx, row.ref, "ontvangstbevestiging")
        except KlachtDeskError:
            continue
        letters.finalise(ctx, row.ref, draft, "post")
        made += 1
        if made == 2:
            break
    assert made == 2
    ctx.db.dispose()
    return path


def counts(conn) -> dict[str, int]:
    """Rows per table, through a connection to either store."""
    return {
        table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in Base.metadata.sorted_tables
    }


def file_counts(path) -> dict[str, int]:
    ctx = setup.unlock(path, "beheer", PASSWORD)
    with ctx.db.session() as session:
        found = counts(session.connection())
    ctx.db.dispose()
    return found


def but_the_audit_log(found: dict[str, int]) -> dict[str, int]:
    return {table: rows for table, rows in found.items() if table != "audit_log"}


def run(monkeypatch, *args: str, user: str = "beheer") -> int:
    monkeypatch.setenv("KLACHTDESK_USER", user)
    monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
    return main(list(args))


def test_a_file_moves_into_an_empty_server_database_row_for_row(demo, pg_url, monkeypatch, capsys):
    assert run(monkeypatch, "migrate-to", "--db", str(demo), "--to", pg_url) == 0
    out = capsys.readouterr().out
    assert "Verhuisd:" in out and "Het bestand is alleen gelezen" in out
    assert "2 brieven en 1 bijlagen gecontroleerd" in out

    server = create_engine(pg_url)
    ctx = setup.unlock(demo, "beheer", PASSWORD)
    with ctx.db.session() as session:
        in_file = counts(session.connection())
        refs = list(session.scalars(select(Case.ref).order_by(Case.id)))
        owed = dict(session.execute(select(Case.ref, Case.letter_owed)).all())
        file_audit = list(session.execute(select(AuditEntry.id, AuditEntry.hash)))
    # the second login above is in the file's audit log, not on the server
    with server.connect() as conn:
        assert but_the_audit_log(counts(conn)) == but_the_audit_log(in_file)
        assert list(conn.scalars(select(Case.ref).order_by(Case.id))) == refs
        # the server's triggers worked the owed-letter mark out again: the same
        assert dict(conn.execute(select(Case.ref, Case.letter_owed)).all()) == owed
        on_server = list(conn.execute(select(AuditEntry.id, AuditEntry.hash)))
        assert on_server == file_audit[: len(on_server)] and len(on_server) == len(file_audit) - 1
        for pdf, sha256 in conn.execute(select(Letter.pdf, Letter.sha256)):
            assert hashlib.sha256(pdf).hexdigest() == sha256
        # the search index was filled for every case
        searched = conn.execute(text("SELECT count(*) FROM case_search")).scalar_one()
        assert searched == len(refs)
        # and new rows continue after the copied ids
        next_id = conn.execute(text("SELECT nextval(pg_get_serial_sequence('cases', 'id'))"))
        assert next_id.scalar_one() == len(refs) + 1
    # a final letter on the server cannot be changed either
    with pytest.raises(DBAPIError, match="nooit gewijzigd"), server.begin() as conn:
        conn.execute(update(Letter).values(pdf=b"vervalst"))
    server.dispose()
    ctx.db.dispose()


def test_the_file_keeps_everything_and_a_second_move_is_refused(demo, pg_url, monkeypatch, capsys):
    before = file_counts(demo)
    assert run(monkeypatch, "migrate-to", "--db", str(demo), "--to", pg_url) == 0
    capsys.readouterr()
    server = create_engine(pg_url)
    with server.connect() as conn:
        moved = counts(conn)
    # the target is no longer empty: refused, and nothing changes on either side
    assert run(monkeypatch, "migrate-to", "--db", str(demo), "--to", pg_url) == 1
    assert "niet leeg" in capsys.readouterr().err
    with server.connect() as conn:
        assert counts(conn) == moved
    server.dispose()
    after = file_counts(demo)
    # every table as before, except the audit log: the three logins (and no more)
    assert but_the_audit_log(after) == but_the_audit_log(before)
    assert after["audit_log"] == before["audit_log"] + 3


def test_only_a_beheerder_moves_the_database(demo, pg_url, monkeypatch, capsys):
    assert (
        run(monkeypatch, "migrate-to", "--db", str(demo), "--to", pg_url, user="coordinator") == 1
    )
    assert "is de rol Beheerder nodig" in capsys.readouterr().err
    assert server_tables(pg_url) == 0  # nothing was made on the server


def server_tables(url: str) -> int:
    server = create_engine(url)
    with server.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        ).scalar_one()
    server.dispose()
    return found


def test_a_copy_that_differs_from_the_file_is_not_kept(demo, pg_url, monkeypatch, capsys):
    """One transaction: when the check finds a difference (here one event lost on the way),
    the server's database stays empty."""
    copy = move_up._copy

    def lossy(source, server, table):
        copied = copy(source, server, table)
        if table.name == "events":
            newest = select(func.max(table.c.id)).scalar_subquery()
            server.execute(table.delete().where(table.c.id == newest))
        return copied

    monkeypatch.setattr(move_up, "_copy", lossy)
    assert run(monkeypatch, "migrate-to", "--db", str(demo), "--to", pg_url) == 1
    assert "events is op de server anders dan in het bestand" in capsys.readouterr().err
    assert server_tables(pg_url) == 0


@pytest.mark.parametrize(
    "url, refusal",
    [
        ("sqlite:///klachten.db", "PostgreSQL-adres"),
        ("postgresql://beheer:geheim@localhost/klachtdesk", "wachtwoord niet in het adres"),
        ("postgresql://beheer@db.voorbeeld.nl/klachtdesk", "sslmode=verify-full"),
        ("postgresql://beheer@db.voorbeeld.nl/klachtdesk?sslmode=require", "sslmode=verify-full"),
        ("postgresql://beheer@/klachtdesk?host=db.voorbeeld.nl", "sslmode=verify-full"),
        ("postgresql://beheer@localhost", "noem de database"),
    ],
)
def test_an_unsafe_or_wrong_address_is_refused_before_anything_is_copied(url, refusal):
    with pytest.raises(Exception, match=refusal):
        server_url(url)


def test_a_remote_server_with_a_verified_certificate_and_a_local_one_are_accepted():
    remote = "postgresql://beheer@db.voorbeeld.nl/klachtdesk?sslmode=verify-full"
    assert server_url(remote).render_as_string() == (
        "postgresql+psycopg://beheer@db.voorbeeld.nl/klachtdesk?sslmode=verify-full"
    )
    assert server_url("postgres://beheer@127.0.0.1:5432/klachtdesk").database == "klachtdesk"
    assert server_url("postgresql://beheer@/klachtdesk?host=/var/run/postgresql")


def test_a_server_that_cannot_be_reached_is_said_in_dutch(demo, monkeypatch, capsys, tmp_path):
    url = f"postgresql://beheer@/klachtdesk?host={tmp_path}&port=1"
    assert run(monkeypatch, "migrate-to", "--db", str(demo), "--to", url) == 1
    assert "weigerde of was niet bereikbaar" in capsys.readouterr().err


def test_without_the_postgresql_driver_the_move_says_what_to_install(demo, monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_psycopg(name, *args, **kwargs):
        if name == "psycopg":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    url = "postgresql://beheer@localhost/klachtdesk"
    assert run(monkeypatch, "migrate-to", "--db", str(demo), "--to", url) == 1
    assert "pip install 'psycopg[binary]'" in capsys.readouterr().err
