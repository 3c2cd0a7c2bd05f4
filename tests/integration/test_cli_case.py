"""`klachtdesk case`: a case shown as JSON, and every action of the case window, end to end.

The command runs in-process through ``klachtdesk.cli.main``; the day the CLI believes it is
comes from the test (the CLI logs in through ``setup.unlock``, which takes the clock).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from klachtdesk.cli import main
from klachtdesk.domain.errors import NotAllowed
from klachtdesk.services.admin import setup
from klachtdesk.services.cases import case_commands
from klachtdesk.storage.models import AuditEntry
from tests.conftest import PASSWORD, clock, complaint_data, on_server

BOTH_STORES = True  # the org tests run on a file and on a PostgreSQL server (issue 15)


class Cli:
    """Runs `klachtdesk` as a given user on a given day, and reads what it printed."""

    def __init__(self, path, capsys, monkeypatch):
        self.path = path
        self.capsys = capsys
        self.today = date(2026, 11, 2)
        self.opened = []
        real_unlock = setup.unlock

        def unlock(path, username, password, **_clock):
            ctx = real_unlock(path, username, password, **clock(self.today))
            self.opened.append(ctx)
            return ctx

        monkeypatch.setattr(setup, "unlock", unlock)
        monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)

    def run(self, user: str | None, command: str, *args: str) -> tuple[int, str, str]:
        login = ["--user", user] if user else []
        code = main([command, "--db", str(self.path), *login, *args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def ok(self, user: str | None, command: str, *args: str) -> str:
        code, out, err = self.run(user, command, *args)
        assert code == 0, err
        assert not err
        return out

    def act(self, user: str, ref: str, action: str, *values: str) -> str:
        return self.ok(user, "case", ref, action, *values).strip()

    def refused(self, user: str, ref: str, action: str, *values: str) -> tuple[int, str]:
        code, out, err = self.run(user, "case", ref, action, *values)
        assert code != 0 and not out
        return code, err.strip()

    def show(self, user: str, ref: str) -> dict:
        return json.loads(self.ok(user, "case", ref, "--json"))

    def import_complaint(self, tmp_path, **overrides) -> str:
        source = tmp_path / "web.json"
        source.write_text(json.dumps([complaint_data(**overrides)]), encoding="utf-8")
        out = self.ok("coordinator", "import", str(source))
        return out.split(": ")[1].split(" ")[0]

    def close(self) -> None:
        for ctx in self.opened:
            ctx.db.dispose()


@pytest.fixture
def cli(org, capsys, monkeypatch):
    runner = Cli(org.path, capsys, monkeypatch)
    yield runner
    runner.close()


@pytest.fixture
def livable_cli(livable_org, capsys, monkeypatch):
    runner = Cli(livable_org.path, capsys, monkeypatch)
    yield runner
    runner.close()


def deadlines(record: dict) -> dict[str, tuple]:
    """Active deadlines by kind: (due, state, met_on)."""
    return {
        d["kind"]: (d["due"], d["state"], d["met_on"]) for d in record["deadlines"] if d["active"]
    }


def test_a_woonpartners_case_from_complaint_to_dispute(cli, tmp_path):
    ref = cli.import_complaint(tmp_path, received="2026-11-02")
    assert ref == "KD-2026-0001"
    record = cli.show("coordinator", ref)
    assert record["ref"] == ref and record["status"] == "ontvangen"
    assert record["procedure"] == {"key": "woonpartners", "version": 1}
    assert record["received"] == "2026-11-02"
    assert record["complainant"] == {
        "name": "Fatima el Amrani",
        "street": "Lindelaan 4",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "phone": "+31 6 12345678",
        "email": "fatima@voorbeeld.nl",
    }
    assert record["handler"] == "" and record["letters"] == []
    # 5 working days for the acknowledgement, 4 weeks for the decision.
    assert deadlines(record) == {
        "ontvangstbevestiging": ("2026-11-09", "open", None),
        "uitspraak": ("2026-11-30", "open", None),
    }
    assert all(d["reason"] == "" for d in record["deadlines"])
    assert "triage_klacht" in record["actions"] and "uitspraak" not in record["actions"]

    # The acknowledgement went out on paper, made outside KlachtDesk.
    cli.today = date(2026, 11, 4)
    assert (
        cli.act("balie", ref, "brief_verzonden", "letter_type=ontvangstbevestiging", "via=post")
        == f"Zaak {ref}: De verzending van de brief is vastgelegd. Status: Ontvangen."
    )
    record = cli.show("coordinator", ref)
    assert deadlines(record)["ontvangstbevestiging"] == ("2026-11-09", "met", "2026-11-04")
    ack = next(d for d in record["deadlines"] if d["kind"] == "ontvangstbevestiging")
    assert ack["reason"] == "Ontvangstbevestiging verzonden per post"

    cli.today = date(2026, 11, 5)
    assert (
        cli.act("coordinator", ref, "triage_klacht", "handler=manager")
        == f"Zaak {ref}: De klacht is in behandeling genomen. Status: In behandeling."
    )
    record = cli.show("coordinator", ref)
    assert record["status"] == "in_behandeling" and record["handler"] == "Mark Manager"

    cli.today = date(2026, 11, 12)
    assert cli.act(
        "manager",
        ref,
        "hoorgesprek",
        "held_on=2026-11-11",
        "text=Mevrouw el Amrani vertelde dat de monteur twee keer niet kwam.",
    ) == (f"Zaak {ref}: Het verslag van het hoorgesprek is vastgelegd. Status: In behandeling.")

    cli.today = date(2026, 11, 20)
    assert cli.act(
        "manager",
        ref,
        "uitspraak",
        "outcome=deels_gegrond",
        "motivation=De aannemer heeft de lekkage niet op tijd verholpen.",
        "solution=Wij verhelpen de lekkage deze week en vergoeden € 150,00.",
    ) == (f"Zaak {ref}: De uitspraak is vastgelegd. Status: Afgehandeld.")
    record = cli.show("coordinator", ref)
    assert record["status"] == "afgehandeld"
    # Decided internally is not answered: the decision deadline is met by the sent letter.
    assert deadlines(record)["uitspraak"] == ("2026-11-30", "open", None)
    # and the case cannot be closed yet; the record says why instead of offering it
    assert "sluiten" not in record["actions"]
    assert "nog niet als verzonden vastgelegd" in record["not_yet"]["sluiten"]

    # The decision letter is made and final, but not sent yet: nothing is met.
    pdf = tmp_path / "uitspraak.pdf"
    out = cli.ok("coordinator", "letter", ref, "--type", "uitspraak", "--out", str(pdf))
    assert "nog niet als verzonden vastgelegd" in out and pdf.exists()
    record = cli.show("coordinator", ref)
    [letter] = record["letters"]
    assert letter["type"] == "uitspraak" and letter["state"] == "definitief"
    assert letter["sent_on"] is None
    assert f"brief_verzonden letter_id={letter['id']}" in out
    assert deadlines(record)["uitspraak"] == ("2026-11-30", "open", None)

    # It goes out after the due date: the deadline is missed, not met.
    cli.today = date(2026, 12, 1)
    cli.act("coordinator", ref, "brief_verzonden", f"letter_id={letter['id']}", "via=post")
    record = cli.show("coordinator", ref)
    assert deadlines(record)["uitspraak"] == ("2026-11-30", "missed", "2026-12-01")
    assert record["letters"][0]["state"] == "verzonden"
    assert record["letters"][0]["sent_on"] == "2026-12-01"

    cli.today = date(2026, 12, 2)
    code, message = cli.refused("balie", ref, "beroep", "received=2026-12-02")
    assert code == 2 and "grounds (gronden van het verzoek)" in message
    assert cli.act(
        "balie",
        ref,
        "beroep",
        "received=2026-12-02",
        "grounds=De klager vindt de vergoeding te laag.",
    ) == (f"Zaak {ref}: Het verzoek om heroverweging is vastgelegd. Status: Heroverweging.")
    # The director may see the case now that an appeal was asked: 2 weeks to answer.
    record = cli.show("directeur", ref)
    assert record["status"] == "heroverweging"
    assert deadlines(record)["heroverweging"] == ("2026-12-16", "open", None)

    cli.today = date(2026, 12, 9)
    cli.act(
        "directeur",
        ref,
        "uitspraak_directeur",
        "outcome=ongegrond",
        "motivation=De vergoeding is redelijk.",
    )
    assert cli.show("directeur", ref)["status"] == "afgehandeld_directeur"
    assert deadlines(cli.show("directeur", ref))["heroverweging"][1] == "open"

    cli.today = date(2026, 12, 10)
    pdf = tmp_path / "reactie.pdf"
    out = cli.ok(
        "directeur",
        "letter",
        ref,
        "--type",
        "reactie_directeur",
        "--out",
        str(pdf),
        "--sent-on",
        "2026-12-10",
    )
    assert "vastgelegd als verzonden per post op 10 december 2026" in out
    record = cli.show("directeur", ref)
    assert deadlines(record)["heroverweging"] == ("2026-12-16", "met", "2026-12-10")
    assert [(x["type"], x["state"]) for x in record["letters"]] == [
        ("uitspraak", "verzonden"),
        ("reactie_directeur", "verzonden"),
    ]

    cli.today = date(2026, 12, 14)
    assert (
        cli.act("coordinator", ref, "geschil", "submitted=2026-12-14")
        == f"Zaak {ref}: Vastgelegd is dat het geschil is voorgelegd. Status: Geschil."
    )
    cli.today = date(2027, 1, 15)
    assert cli.act(
        "coordinator",
        ref,
        "geschil_uitkomst",
        "text=De commissie adviseert een vergoeding van € 250,00.",
        "followed=Het advies is opgevolgd; de vergoeding is betaald.",
    ) == (f"Zaak {ref}: De uitkomst van het geschil is vastgelegd. Status: Geschil.")
    assert (
        cli.act("coordinator", ref, "sluiten")
        == f"Zaak {ref}: De zaak is gesloten. Status: Gesloten."
    )

    record = cli.show("coordinator", ref)
    assert record["status"] == "gesloten"
    assert deadlines(record) == {
        "ontvangstbevestiging": ("2026-11-09", "met", "2026-11-04"),
        "uitspraak": ("2026-11-30", "missed", "2026-12-01"),
        "heroverweging": ("2026-12-16", "met", "2026-12-10"),
    }
    assert not any(d["state"] == "open" for d in record["deadlines"])
    assert record["actions"] == ["brief_verzonden"]


def test_a_livable_case_is_closed_only_after_asking_about_satisfaction(livable_cli, tmp_path):
    cli = livable_cli
    ref = cli.import_complaint(tmp_path, received="2026-11-02")
    record = cli.show("coordinator", ref)
    assert record["procedure"]["key"] == "livable"
    # 7 working days for the acknowledgement, 6 weeks for the decision.
    assert deadlines(record) == {
        "ontvangstbevestiging": ("2026-11-11", "open", None),
        "uitspraak": ("2026-12-14", "open", None),
    }

    cli.today = date(2026, 11, 3)
    cli.act(
        "balie",
        ref,
        "brief_verzonden",
        "letter_type=ontvangstbevestiging",
        "sent_on=2026-11-03",
        "via=email",
    )
    assert deadlines(cli.show("coordinator", ref))["ontvangstbevestiging"][1] == "met"

    # Livable does not refuse a complaint for not having been discussed first.
    code, message = cli.refused("coordinator", ref, "niet_ontvankelijk", "reason=niet_besproken")
    assert code == NotAllowed.exit_code == 1
    assert message.startswith(
        "'Niet eerst besproken met de medewerker' is geen grond voor niet-ontvankelijkheid in "
        "Klachtenreglement (model Livable). Mogelijke gronden: herhaling"
    )
    assert cli.show("coordinator", ref)["status"] == "ontvangen"

    cli.today = date(2026, 11, 4)
    cli.act("coordinator", ref, "triage_klacht", "handler=coordinator")
    cli.today = date(2026, 11, 10)
    assert cli.act(
        "coordinator", ref, "bemiddeling", "text=Gesprek met klager en aannemer; afspraak gemaakt."
    ) == (f"Zaak {ref}: Het verslag van de bemiddeling is vastgelegd. Status: In behandeling.")
    cli.today = date(2026, 11, 20)
    cli.act(
        "manager",
        ref,
        "uitspraak",
        "outcome=gegrond",
        "motivation=De lekkage had eerder verholpen moeten worden.",
        "decided_on=2026-11-19",
    )
    out = cli.ok(
        "coordinator",
        "letter",
        ref,
        "--type",
        "uitspraak",
        "--out",
        str(tmp_path / "uitspraak.pdf"),
        "--sent-on",
        "2026-11-20",
    )
    assert "vastgelegd als verzonden per post op 20 november 2026" in out
    record = cli.show("coordinator", ref)
    assert deadlines(record)["uitspraak"] == ("2026-12-14", "met", "2026-11-20")
    assert "tevredenheid" in record["actions"]

    code, message = cli.refused("coordinator", ref, "sluiten")
    assert code == 1
    assert message == (
        f"Zaak {ref} kan nog niet worden gesloten: volgens de klachtenregeling wordt de klager "
        "gevraagd of de klacht naar tevredenheid is afgehandeld. Leg het antwoord vast, of leg "
        "vast dat de klager niet bereikbaar was."
    )
    assert cli.show("coordinator", ref)["status"] == "afgehandeld"

    code, message = cli.refused("coordinator", ref, "tevredenheid", "satisfied=misschien", "text=x")
    assert code == 2 and "'misschien' is geen ja of nee" in message
    assert cli.act(
        "coordinator", ref, "tevredenheid", "satisfied=ja", "text=Klager is blij met de reparatie."
    ) == (f"Zaak {ref}: De tevredenheid van de klager is vastgelegd. Status: Afgehandeld.")
    assert (
        cli.act("coordinator", ref, "sluiten")
        == f"Zaak {ref}: De zaak is gesloten. Status: Gesloten."
    )


def test_refusals_give_the_services_message_and_exit_code(cli, tmp_path):
    ref = cli.import_complaint(tmp_path, received="2026-11-02")
    cli.today = date(2026, 11, 5)
    cli.act("coordinator", ref, "triage_klacht", "handler=coordinator")
    decision = ["outcome=gegrond", "motivation=De monteur kwam niet."]

    code, message = cli.refused("balie", ref, "uitspraak", *decision)
    assert code == NotAllowed.exit_code == 1
    assert message == "'Uitspraak doen' mag alleen door: Manager / behandelaar."
    code, message = cli.refused("manager", ref, "beroep", "grounds=Te laat.")
    assert code == 1
    assert (
        message
        == "'Heroverweging aanvragen' is niet mogelijk bij een zaak met status 'In behandeling'."
    )
    code, message = cli.refused("manager", ref, "uitspraak", *decision, "decided_on=2026-12-24")
    assert code == 2 and message == "Veld 'datum uitspraak': ligt in de toekomst."
    assert cli.show("coordinator", ref)["status"] == "in_behandeling"

    # Bad input is refused before a password is asked (exit code 2).
    code, message = cli.refused("manager", ref, "beslissen", *decision)
    assert code == 2
    assert message.startswith("'beslissen' is geen handeling van KlachtDesk. Mogelijk zijn: ")
    code, message = cli.refused("manager", ref, "uitspraak", *decision, "datum=2026-11-05")
    assert code == 2
    assert message == (
        "'datum' is geen gegeven van de handeling 'uitspraak'. Deze handeling kent: outcome, "
        "motivation, solution, decided_on. Zie 'klachtdesk case KENMERK uitspraak --help'."
    )
    code, message = cli.refused("manager", ref, "uitspraak", "outcome=gegrond")
    assert code == 2 and "ontbreekt: motivation (motivering)" in message
    code, message = cli.refused("manager", ref, "uitspraak", "outcome=prima", "motivation=x")
    assert code == 2 and "kies uit: gegrond, deels_gegrond, ongegrond, geen_oordeel" in message
    code, message = cli.refused("manager", ref, "uitspraak", "gegrond")
    assert code == 2 and "'gegrond' is geen NAAM=WAARDE" in message
    code, message = cli.refused("manager", "KD-2026-0099", "uitspraak", *decision)
    assert code == 2 and message == "Zaak 'KD-2026-0099' bestaat niet."
    code, message = cli.refused("coordinator", ref, "sluiten", "note=klaar")
    assert code == 2 and "Deze handeling kent: geen gegevens" in message

    # Nothing of the above changed the case.
    record = cli.show("coordinator", ref)
    assert record["status"] == "in_behandeling"
    assert deadlines(record)["uitspraak"] == ("2026-11-30", "open", None)


def test_help_lists_the_actions_and_the_names_an_action_takes(cli):
    out = cli.ok(None, "case", "--help")
    for name in case_commands.COMMANDS:
        assert name in out
    out = cli.ok(None, "case", "KD-2026-0001", "uitspraak", "--help")
    assert "Uitspraak doen." in out
    for line in ("outcome      * Uitkomst", "motivation   * Motivering", "decided_on     Datum"):
        assert line in out
    assert "gegrond, deels_gegrond, ongegrond, geen_oordeel" in out
    out = cli.ok(None, "case", "brief_verzonden", "--help")
    for name in ("letter_id", "letter_type", "sent_on", "via"):
        assert name in out


def test_a_director_sees_only_appealed_cases(cli, tmp_path, org):
    ref = cli.import_complaint(tmp_path, received="2026-11-02")
    code, out, err = cli.run("directeur", "case", ref, "--json")
    if on_server(org):  # the server's row-level security hides the case itself
        assert (code, out, err.strip()) == (2, "", f"Zaak '{ref}' bestaat niet.")
    else:
        assert code == 1 and out == ""
        assert err.strip() == (
            "Als directeur-bestuurder ziet u alleen zaken waarvoor heroverweging is gevraagd."
        )
        code, out, err = cli.run("directeur", "case", ref)
        assert code == 1 and "alleen zaken waarvoor heroverweging" in err
    # Viewing is audited, as in the window.
    cli.show("coordinator", ref)
    with org.beheer.db.session() as session:
        viewed = session.execute(
            select(AuditEntry.username, AuditEntry.object_ref).where(
                AuditEntry.action == "zaak_bekeken"
            )
        ).all()
    assert [tuple(row) for row in viewed] == [("coordinator", ref)]


def test_the_summary_and_the_user_from_the_environment(cli, tmp_path, monkeypatch):
    ref = cli.import_complaint(tmp_path, received="2026-11-02")
    monkeypatch.setenv("KLACHTDESK_USER", "coordinator")
    cli.today = date(2026, 11, 5)
    assert cli.act(None, ref, "triage_klacht", "handler=manager").endswith(
        "Status: In behandeling."
    )
    out = cli.ok(None, "case", ref)
    assert f"Zaak {ref}: Lekkage badkamer niet verholpen" in out
    assert "Status:        In behandeling" in out
    assert "Behandelaar:   Mark Manager" in out
    assert "Ontvangstbevestiging          09-11-2026  open" in out
    assert "Mogelijke handelingen:" in out and "verlenging" in out
    monkeypatch.delenv("KLACHTDESK_USER")
    code, _out, err = cli.run(None, "case", ref)
    assert code == 1 and "Geen gebruikersnaam" in err


def test_an_extension_and_its_notice(cli, tmp_path):
    ref = cli.import_complaint(tmp_path, received="2026-11-02")
    cli.today = date(2026, 11, 5)
    cli.act("coordinator", ref, "triage_klacht")
    cli.today = date(2026, 11, 20)
    cli.act(
        "coordinator",
        ref,
        "verlenging",
        "new_due=2026-12-14",
        "reason=Wij wachten op het rapport van de aannemer.",
    )
    record = cli.show("coordinator", ref)
    assert deadlines(record)["uitspraak"] == ("2026-12-14", "open", None)
    assert deadlines(record)["verlengingsbericht"] == ("2026-11-30", "open", None)
    old = next(d for d in record["deadlines"] if not d["active"])
    assert (old["kind"], old["state"]) == ("uitspraak", "superseded")
    assert old["reason"] == "vervangen door verlenging tot 14 december 2026"
    out = cli.ok(
        "coordinator",
        "letter",
        ref,
        "--type",
        "verlenging",
        "--out",
        str(tmp_path / "verlenging.pdf"),
        "--sent-on",
        "2026-11-20",
    )
    assert "verzonden" in out
    record = cli.show("coordinator", ref)
    assert deadlines(record)["verlengingsbericht"] == ("2026-11-30", "met", "2026-11-20")
    assert deadlines(record)["uitspraak"] == ("2026-12-14", "open", None)


def test_letter_without_sent_on_is_final_but_not_sent(cli, tmp_path):
    ref = cli.import_complaint(tmp_path, received="2026-11-02")
    cli.today = date(2026, 11, 3)
    out_file = tmp_path / "ontvangst.pdf"
    args = ["letter", ref, "--type", "ontvangstbevestiging", "--out", str(out_file)]
    code, _out, err = cli.run("balie", *args, "--sent-on", "3 november")
    assert code == 2 and "'3 november' is geen geldige datum" in err
    code, _out, err = cli.run("balie", *args, "--sent-on", "2026-11-04")
    assert code == 2 and "verzenddatum': ligt in de toekomst" in err
    assert cli.show("coordinator", ref)["letters"] == []

    out = cli.ok("balie", *args)
    assert "is definitief opgeslagen in de zaak (brief 1)" in out
    assert "nog niet als verzonden vastgelegd" in out
    record = cli.show("coordinator", ref)
    assert record["letters"] == [
        {
            "id": 1,
            "type": "ontvangstbevestiging",
            "state": "definitief",
            "sent_on": None,
            "via": None,
        }
    ]
    assert deadlines(record)["ontvangstbevestiging"] == ("2026-11-09", "open", None)

    out = cli.ok("balie", *args, "--sent-on", "2026-11-03", "--via", "email")
    assert "vastgelegd als verzonden per e-mail op 3 november 2026" in out
    record = cli.show("coordinator", ref)
    assert record["letters"][1] == {
        "id": 2,
        "type": "ontvangstbevestiging",
        "state": "verzonden",
        "sent_on": "2026-11-03",
        "via": "email",
    }
    assert deadlines(record)["ontvangstbevestiging"] == ("2026-11-09", "met", "2026-11-03")
