"""The `klachtdesk` command: what an administrator scripts, and the way into the GUI."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from klachtdesk import __version__
from klachtdesk.domain.errors import KlachtDeskError, ValidationError
from klachtdesk.paths import default_database
from klachtdesk.storage.address import database_address

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2
PASSWORD_ENV = "KLACHTDESK_PASSWORD"
USER_ENV = "KLACHTDESK_USER"
RECOVERY_ENV = "KLACHTDESK_RECOVERY_CODE"


# What argparse itself writes in its help, in Dutch (argparse has no Dutch catalogue).
_HELP_WORDS = (
    ("usage: ", "gebruik: "),
    ("positional arguments:", "gegevens:"),
    ("optional arguments:", "opties:"),  # Python < 3.10 wording, harmless elsewhere
    ("options:", "opties:"),
    ("show this help message and exit", "toon deze hulp en stop"),
    ("show program's version number and exit", "toon het versienummer en stop"),
)


def _dutch_help(text: str) -> str:
    for english, dutch in _HELP_WORDS:
        text = text.replace(english, dutch)
    return text


class DutchArgumentParser(argparse.ArgumentParser):
    """argparse with Dutch help, Dutch error messages and exit code 2 for bad input."""

    def format_help(self) -> str:
        return _dutch_help(super().format_help())

    def format_usage(self) -> str:
        return _dutch_help(super().format_usage())

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(
            f"Fout in de opdracht: {_dutch_argparse(message)}\n"
            f"Zie '{self.prog} --help' voor de mogelijkheden.\n"
        )
        sys.exit(EXIT_BAD_INPUT)


def _dutch_argparse(message: str) -> str:
    replacements = {
        "the following arguments are required": "deze gegevens ontbreken",
        "unrecognized arguments": "onbekende gegevens",
        "invalid choice": "ongeldige keuze",
        "choose from": "kies uit",
        "expected one argument": "verwacht een waarde",
        "argument ": "bij ",
    }
    for english, dutch in replacements.items():
        message = message.replace(english, dutch)
    return message


def _password(prompt: str = "Wachtwoord: ", confirm: bool = False) -> str:
    """From KLACHTDESK_PASSWORD or a prompt; never from a command-line argument."""
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise KlachtDeskError(
            f"Geen wachtwoord: zet de omgevingsvariabele {PASSWORD_ENV} of start de opdracht "
            "in een venster waarin u het wachtwoord kunt typen."
        )
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Herhaal het wachtwoord: ") != value:
        raise KlachtDeskError("De wachtwoorden zijn niet gelijk. Er is niets aangemaakt.")
    return value


def _user(args) -> str:
    user = args.user or os.environ.get(USER_ENV)
    if not user:
        raise KlachtDeskError(
            f"Geen gebruikersnaam: geef --user NAAM op of zet de omgevingsvariabele {USER_ENV}."
        )
    return user


# Who logged in during this command: an audit entry that waited for the write lock (the
# login while another PC was writing) is written before the command ends.
_logged_in: list = []


def _login(args, password: str | None = None):
    from klachtdesk.services.admin import setup

    ctx = setup.unlock(database_address(args.db), _user(args), password or _password())
    if ctx.db.read_only:
        print(
            f"Let op: alleen lezen ({ctx.db.read_only}). Wijzigingen worden geweigerd.",
            file=sys.stderr,
        )
    _logged_in.append(ctx)
    return ctx


def _settle_logins(code: int) -> int:
    from klachtdesk.services.context import settle_deferred

    while _logged_in:
        ctx = _logged_in.pop()
        try:
            settle_deferred(ctx)
        except KlachtDeskError as error:
            print(f"De aanmelding staat niet in het auditlog: {error}", file=sys.stderr)
            code = code or error.exit_code
    return code


# -- commands ---------------------------------------------------------------------------------
def cmd_init(args) -> int:
    from klachtdesk.services.admin import setup

    password = _password(f"Nieuw wachtwoord voor {args.admin}: ", confirm=True)
    created = setup.create_database(
        Path(args.db), args.org, args.procedure, args.admin, password, args.admin_name or ""
    )
    _print_recovery(created.path, created.recovery_code)
    return EXIT_OK


def _print_recovery(path: Path, code: str) -> None:
    print(f"De database is aangemaakt: {path}")
    print(f"Het sleutelbestand staat ernaast: {path}.keys (bewaar beide bestanden samen).")
    print()
    print("HERSTELCODE (wordt maar één keer getoond):")
    print()
    print(f"    {code}")
    print()
    print(
        "Print of noteer deze code en bewaar haar op een veilige plek (bijvoorbeeld in de kluis).\n"
        "Met de herstelcode kan de beheerder weer bij de gegevens als alle wachtwoorden\n"
        "vergeten zijn. Wie de code heeft, kan de database openen: deel haar met niemand."
    )


def cmd_demo(args) -> int:
    from klachtdesk.services import demo

    username = args.user or os.environ.get(USER_ENV) or "beheer"
    password = _password("Wachtwoord voor de demogebruikers: ", confirm=True)
    result = demo.create_demo_database(Path(args.db), username, password, cases=args.cases)
    _print_recovery(result.path, result.recovery_code)
    print()
    print(f"{result.case_count} demozaken aangemaakt. Gebruikers (allemaal met uw wachtwoord):")
    for name, roles in result.users:
        print(f"    {name:<12} {roles}")
    return EXIT_OK


def cmd_import(args) -> int:
    from klachtdesk.services.cases import import_review, independence
    from klachtdesk.services.intake import importer

    ctx = _login(args)
    refs = importer.import_file(ctx, Path(args.file))
    print(f"{len(refs)} klachten geïmporteerd: {refs[0]} tot en met {refs[-1]}.")
    differing = import_review.waiting(ctx, refs)
    if differing:
        count = len(differing)
        print(
            f"Bij {count} {'klacht' if count == 1 else 'klachten'} kwamen andere "
            "contactgegevens binnen dan KlachtDesk van de klager kent. Er is niets "
            "overschreven: de klachtencoördinator beoordeelt de verschillen in de zaak "
            "(tabblad 'Klager en klacht') of met 'klachtdesk case KENMERK "
            "importgegevens_overnemen field=…':"
        )
        for ref, labels in differing:
            print(f"    {ref}: {', '.join(labels)}")
    unknown = independence.imported_unlinked(ctx, refs)
    if unknown:
        print(
            "Deze klachten noemen een medewerker die niet in de lijst van medewerkers staat; "
            "de klachtencoördinator koppelt de juiste medewerker bij 'Gegevens wijzigen':"
        )
        for item in unknown:
            likely = f" (lijkt op {' of '.join(item.likely)})" if item.likely else ""
            print(f"    {item.ref}: '{item.typed}'{likely}")
    return EXIT_OK


def cmd_cases(args) -> int:
    from klachtdesk.domain.states import Status
    from klachtdesk.services.cases import case_view

    ctx = _login(args)
    status = Status(args.status).value if args.status else None
    rows = case_view.export_case_list(ctx, status)
    if args.json:
        data = [
            {
                "ref": row.ref,
                "status": row.status,
                "received": row.received.isoformat(),
                "channel": row.channel,
                "complainant": row.complainant,
                "subject": row.subject,
                "category": row.category,
                "handler": row.handler,
                "deadlines": {kind: due.isoformat() for kind, due in row.deadlines.items()},
                "open_deadlines": {
                    kind: due.isoformat() for kind, due in row.open_deadlines.items()
                },
            }
            for row in rows
        ]
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    for row in rows:
        next_due = min(row.open_deadlines.values(), default=None)
        due = next_due.strftime("%d-%m-%Y") if next_due else "-"
        print(
            f"{row.ref:<13} {row.received:%d-%m-%Y}  {Status(row.status).label:<26} "
            f"{due:<10}  {row.complainant[:28]:<28}  {row.subject[:50]}"
        )
    print(f"{len(rows)} zaken.")
    return EXIT_OK


def cmd_check(args) -> int:
    from klachtdesk.services.safety import check

    ctx = _login(args)
    report = check.check_database(ctx)
    for fact in report.facts:
        print(f"  {fact}")
    if report.ok:
        print("De database is in orde.")
        return EXIT_OK
    for problem in report.problems:
        print(f"PROBLEEM: {problem}", file=sys.stderr)
    print("Zet de nieuwste back-up terug of neem contact op met uw beheerder.", file=sys.stderr)
    return EXIT_ERROR


def _new_password(username: str) -> str:
    value = os.environ.get("KLACHTDESK_NEW_PASSWORD")
    if value:
        return value
    if not sys.stdin.isatty():
        raise KlachtDeskError(
            "Geen wachtwoord voor de gebruiker: zet KLACHTDESK_NEW_PASSWORD of typ het in een "
            "venster."
        )
    value = getpass.getpass(f"Nieuw wachtwoord voor {username}: ")
    if getpass.getpass("Herhaal het wachtwoord: ") != value:
        raise KlachtDeskError("De twee wachtwoorden zijn niet gelijk. Er is niets gewijzigd.")
    return value


def cmd_user(args) -> int:
    """add, deactivate, password (a new one set by beheer) and list."""
    from klachtdesk.services.admin import admin_users, setup

    if args.action != "list" and not args.username:
        raise ValidationError(
            "gebruikersnaam", f"geef de gebruikersnaam op: 'user {args.action} NAAM'."
        )
    if args.action == "add" and not (args.name and args.roles):
        raise ValidationError("--name en --roles", "zijn verplicht bij 'user add'.")
    ctx = _login(args)
    if args.action == "list":
        users = admin_users.list_users(ctx)
        if args.json:
            rows = [
                {
                    "username": u.username,
                    "name": u.display_name,
                    "roles": sorted(r.value for r in u.roles),
                    "active": u.active,
                }
                for u in users
            ]
            print(json.dumps(rows, ensure_ascii=False, indent=1))
            return EXIT_OK
        for u in users:
            state = "actief" if u.active else "gedeactiveerd"
            roles = ", ".join(sorted(r.value for r in u.roles))
            print(f"{u.username:<20} {u.display_name:<30} {roles:<40} {state}")
        return EXIT_OK
    name = args.username.strip().lower()
    if args.action == "add":
        setup.add_user(ctx, name, args.name, args.roles, _new_password(name), args.function or "")
        print(f"Gebruiker '{name}' is toegevoegd.")
        return EXIT_OK
    found = next((u for u in admin_users.list_users(ctx) if u.username == name), None)
    if found is None:
        raise ValidationError("gebruikersnaam", f"er is geen gebruiker '{name}'.")
    if args.action == "deactivate":
        result = admin_users.deactivate_user(ctx, found.id)
        print(f"Gebruiker '{name}' is gedeactiveerd.")
    else:
        result = admin_users.reset_password(ctx, found.id, _new_password(name))
        print(f"Gebruiker '{name}' heeft een nieuw wachtwoord.")
    if ctx.db.is_server:
        print("De PostgreSQL-server weigert het oude wachtwoord vanaf nu.")
    else:
        _print_revocation(ctx.db.path, result)
    return EXIT_OK


def _print_revocation(path: Path, result) -> None:
    print(
        "De database is opnieuw versleuteld: het oude wachtwoord opent nu niets meer, ook niet "
        "met een oude kopie van het sleutelbestand. Back-ups van eerder openen met de "
        "wachtwoorden van toen."
    )
    if result.need_new_password:
        print(
            "Geef ook deze collega's een nieuw wachtwoord ('klachtdesk user password NAAM'); zij "
            "hadden zich sinds de update nog niet aangemeld: " + ", ".join(result.need_new_password)
        )
    if result.new_recovery_code:
        print()
        print("De herstelcode was van een eerdere versie en is vervangen. De nieuwe herstelcode:")
        print()
        print(f"    {result.new_recovery_code}")
        print()
        print(
            "Print of noteer deze code nu; hij wordt niet nog eens getoond. De oude werkt "
            "niet meer."
        )


def cmd_letter(args) -> int:
    from klachtdesk.domain.calendar import long_date
    from klachtdesk.domain.errors import ValidationError
    from klachtdesk.domain.validation import parse_date
    from klachtdesk.services.letters import letters

    out = Path(args.out)
    if not out.parent.is_dir():
        raise ValidationError("--out", f"de map '{out.parent}' bestaat niet; er is niets gemaakt.")
    sent_on = parse_date(args.sent_on, "--sent-on") if args.sent_on is not None else None
    ctx = _login(args)
    draft = letters.draft(ctx, args.ref, args.type)
    via = args.via or draft.default_via
    letter_id = letters.finalise(
        ctx, args.ref, draft, via, sent=sent_on is not None, sent_on=sent_on
    )
    letters.save_letter_as(ctx, letter_id, out)
    channel = "per e-mail" if via == "email" else "per post"
    print(
        f"De brief '{draft.label}' voor zaak {draft.ref} is definitief opgeslagen in de zaak "
        f"(brief {letter_id}) en geschreven naar {out}."
    )
    if sent_on is not None:
        print(f"De brief is vastgelegd als verzonden {channel} op {long_date(sent_on)}.")
    else:
        print(
            "De brief is nog niet als verzonden vastgelegd; pas als dat is gebeurd, telt hij "
            "voor de termijn die hij beantwoordt. Leg de verzending vast als de brief weg is:\n"
            f"    klachtdesk case {draft.ref} brief_verzonden letter_id={letter_id} via={via} "
            "sent_on=JJJJ-MM-DD"
        )
    return EXIT_OK


def cmd_dossier(args) -> int:
    from klachtdesk.domain.errors import ValidationError
    from klachtdesk.services.cases import dossier

    out = Path(args.out)
    if out.is_dir():
        raise ValidationError("--out", f"'{out}' is een map; geef de naam van het PDF-bestand op.")
    if not out.parent.is_dir():
        raise ValidationError("--out", f"de map '{out.parent}' bestaat niet; er is niets gemaakt.")
    ctx = _login(args)
    made = dossier.save_case_dossier(ctx, args.ref, out)
    print(f"{dossier.dossier_summary(made)} is geschreven naar {out}.")
    print("Het bestand bevat persoonsgegevens: bewaar en verstuur het vertrouwelijk.")
    return EXIT_OK


def _pairs(items: list[str]) -> dict[str, str]:
    """NAAM=WAARDE arguments as a dict; bad input (exit code 2) when one has no '='."""
    from klachtdesk.services.cases.case_commands import CommandError

    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            raise CommandError(
                f"'{item}' is geen NAAM=WAARDE. Schrijf bijvoorbeeld "
                'motivation="De monteur kwam te laat." (met aanhalingstekens om een waarde '
                "met spaties)."
            )
        if name in values:
            raise CommandError(f"'{name}' staat meer dan één keer in de opdracht.")
        values[name] = value
    return values


def _command_help(name: str) -> str:
    from klachtdesk.services.cases import case_commands

    found = case_commands.command(name)
    lines = [
        f"klachtdesk case KENMERK {found.name} [NAAM=WAARDE …]",
        "",
        f"{found.label}.",
        "",
    ]
    if not found.details:
        lines.append("Deze handeling neemt geen gegevens.")
    else:
        lines.append("Gegevens (* verplicht):")
        for detail in found.details:
            mark = "*" if detail.required else " "
            lines.append(f"  {detail.name:<13}{mark} {detail.label} ({detail.kind})")
            if detail.choices:
                lines.append(f"{'':17}kies uit: {', '.join(detail.choices)}")
            if detail.description:
                lines.append(f"{'':17}{detail.description}")
    lines += [
        "",
        "Datums als JJJJ-MM-DD; ja/nee als ja of nee (of true/false). Zet een waarde met",
        "spaties tussen aanhalingstekens. Of de handeling mag, hangt af van uw rol, de",
        "status van de zaak en de klachtenregeling; anders zegt KlachtDesk waarom niet.",
    ]
    return "\n".join(lines)


def _commands_overview() -> str:
    from klachtdesk.services.cases import case_commands

    lines = ["handelingen (ACTIE):"]
    for found in case_commands.COMMANDS.values():
        lines.append(f"  {found.name:<23} {found.label}")
    lines += [
        "",
        "Zie 'klachtdesk case KENMERK ACTIE --help' voor de gegevens (NAAM=WAARDE) van een",
        "handeling. Voorbeeld:",
        "  klachtdesk case KD-2026-0001 uitspraak outcome=gegrond \\",
        '      motivation="De monteur kwam twee keer niet." solution="Wij vergoeden € 50."',
    ]
    return "\n".join(lines)


def cmd_case(args) -> int:
    from klachtdesk.services.cases import case_commands

    if args.help:
        if args.action:
            print(_command_help(args.action))
        elif args.ref and args.ref.strip().lower() in case_commands.COMMANDS:
            print(_command_help(args.ref))
        else:
            args.case_parser.print_help()
        return EXIT_OK
    if not args.ref:
        raise case_commands.CommandError(
            "Geef het kenmerk van de zaak op, bijvoorbeeld: klachtdesk case KD-2026-0001 --json"
        )
    if args.action is None:
        if args.values:
            raise case_commands.CommandError(
                "Geef eerst de handeling (ACTIE) op en daarna de gegevens (NAAM=WAARDE)."
            )
        ctx = _login(args)
        record = case_commands.case_record(ctx, args.ref)
        if args.json:
            json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            _print_case(record)
        return EXIT_OK
    if args.json:
        raise case_commands.CommandError(
            "--json hoort bij het tonen van een zaak, niet bij een handeling. Toon de zaak "
            "daarna met: klachtdesk case KENMERK --json"
        )
    values = _pairs(args.values)
    case_commands.prepared(args.action, values)  # bad input is refused before the password
    ctx = _login(args)
    case_commands.run(ctx, args.ref, args.action, values)
    print(case_commands.done_line(ctx, args.ref, args.action))
    return EXIT_OK


def _print_case(record: dict) -> None:
    from datetime import date

    from klachtdesk.domain.deadlines import DeadlineKind, DeadlineState
    from klachtdesk.domain.states import Status
    from klachtdesk.letters.templates import LETTER_TYPES

    def day(text: str | None) -> str:
        return date.fromisoformat(text).strftime("%d-%m-%Y") if text else "-"

    person = record["complainant"]
    address = ", ".join(
        part
        for part in (person["street"], f"{person['postcode']} {person['city']}".strip())
        if part
    )
    print(f"Zaak {record['ref']}: {record['subject']}")
    print(f"  Status:        {Status(record['status']).label}")
    print(f"  Ontvangen:     {day(record['received'])}")
    print(f"  Klager:        {person['name']}" + (f", {address}" if address else ""))
    print(f"  Behandelaar:   {record['handler'] or '(nog niet gekozen)'}")
    print("  Termijnen:")
    for d in record["deadlines"]:
        state = DeadlineState(d["state"])
        stand = state.label
        if state is not DeadlineState.OPEN:
            stand += f" op {day(d['settled_on'])}" + (f": {d['reason']}" if d["reason"] else "")
        print(f"    {DeadlineKind(d['kind']).label:<29} {day(d['due'])}  {stand}")
    if record["letters"]:
        print("  Brieven:")
        for letter in record["letters"]:
            kind = LETTER_TYPES[letter["type"]].label if letter["type"] in LETTER_TYPES else ""
            if letter["state"] == "verzonden":
                stand = f"verzonden op {day(letter['sent_on'])}"
            else:
                stand = letter["state"] or ""
            print(f"    {letter['id']:>4}  {kind or letter['type']:<29} {stand}")
    if record["import_differences"]:
        print("  Andere gegevens uit de import (nog niet overgenomen):")
        for item in record["import_differences"]:
            print(f"    {item['field']}: {item['imported']} (nu: {item['current']})")
    if record["actions"]:
        print(f"  Mogelijke handelingen: {', '.join(record['actions'])}")
    for action, why in record["not_yet"].items():
        print(f"  Nog niet mogelijk: {action}. {why}")


def cmd_report(args) -> int:
    from klachtdesk.domain.errors import ValidationError
    from klachtdesk.services import report

    for option, value in (("--out", args.out), ("--csv", args.csv)):
        if value and not Path(value).parent.is_dir():
            raise ValidationError(option, f"de map '{Path(value).parent}' bestaat niet.")
    ctx = _login(args)
    result = report.export(ctx, args.period, args.out, args.csv)
    written = " en ".join(str(p) for p in (args.out, args.csv) if p)
    print(f"Evaluatierapport {result.period.label} geschreven naar {written}.")
    return EXIT_OK


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")
    return f"{max(size // 1024, 1)} kB"


def cmd_backup(args) -> int:
    from klachtdesk.services.safety import backup, server_backup

    folder = Path(args.to) if args.to else None
    if folder is not None and not folder.is_dir():
        raise backup.BackupFolderMissing(folder)
    ctx = _login(args)
    info = backup.make_backup(ctx, folder)
    print(f"Back-up gemaakt: {info.path} ({_size(info.size)}), gecontroleerd.")
    if ctx.db.is_server:
        print(server_backup.NOTE_AFTER_BACKUP)
    clock_warning = backup.backup_status(ctx).clock_warning
    if clock_warning:
        print(f"Waarschuwing: {clock_warning}", file=sys.stderr)
    return EXIT_OK


def _recovery_code() -> str:
    """From KLACHTDESK_RECOVERY_CODE or a prompt; never from a command-line argument."""
    value = os.environ.get(RECOVERY_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise KlachtDeskError(
            f"Geen herstelcode: zet de omgevingsvariabele {RECOVERY_ENV} of start de opdracht "
            "in een venster waarin u de code kunt typen."
        )
    return getpass.getpass("Herstelcode: ")


def cmd_restore(args) -> int:
    from klachtdesk.services.safety import restore

    source = Path(args.source)
    # before asking a password
    target = restore.check_target(database_address(args.db), args.overwrite)
    if not source.is_file():
        raise restore.BackupMissing(source)
    if args.overwrite and restore.target_exists(target):
        restore.check_backup_fits(source, target, args.other_database)
    if args.recovery_code:
        credentials = {"recovery_code": _recovery_code()}
    else:
        credentials = {"username": _user(args), "password": _password()}
    result = restore.restore_backup(
        source,
        target,
        overwrite=args.overwrite,
        foreign_ok=args.other_database,
        **credentials,
    )
    made = result.backup.created_at
    print(f"De back-up {result.backup.name} is gecontroleerd (gemaakt op {made:%d-%m-%Y %H:%M}).")
    print(f"Teruggezet naar {result.database} met het sleutelbestand {result.key_file}.")
    if result.moved_aside:
        print("De vorige bestanden zijn niet verwijderd maar opzij gezet:")
        for path in result.moved_aside:
            print(f"    {path}")
    print("U kunt inloggen met de wachtwoorden die golden toen de back-up werd gemaakt.")
    return EXIT_OK


def cmd_migrate_to(args) -> int:
    from klachtdesk.services.admin import move_up

    password = _password()
    ctx = _login(args, password)
    moved = move_up.migrate_to(ctx, args.to, password)
    for table, rows in moved.rows.items():
        print(f"  {table}: {rows:,} regels".replace(",", "."))
    print(
        f"Verhuisd: {moved.total:,} regels in {len(moved.rows)} tabellen, ".replace(",", ".")
        + f"{moved.letters} brieven en {moved.attachments} bijlagen gecontroleerd. "
        "Het bestand is alleen gelezen; uw aanmelding staat, zoals altijd, in het auditlog."
    )
    print(
        f"Op de server kunt u zich aanmelden als {ctx.actor.username} met uw huidige "
        "wachtwoord. Geef uw collega's een wachtwoord via Beheer > Instellingen > Gebruikers > "
        "'Wachtwoord instellen' (of 'klachtdesk user password NAAM'); tot dan kunnen zij zich "
        "op de server niet aanmelden."
    )
    return EXIT_OK


def cmd_server_setup(args) -> int:
    from klachtdesk.services.admin import move_up

    revision = move_up.setup_server(args.db)
    print(
        f"De database op de server is bijgewerkt (schema {revision}) en de rollen hebben hun "
        "rechten opnieuw gekregen."
    )
    return EXIT_OK


def cmd_gui(args) -> int:
    from klachtdesk import app

    return app.run(database_address(args.db) if args.db else None)


def cmd_self_test(args) -> int:
    """Headless: the whole chain on a temporary database, then a window drawn offscreen."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import
    for stream in (sys.stdout, sys.stderr):  # a console without UTF-8 must not end the test
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    from klachtdesk.services import selftest

    print(f"Zelftest van KlachtDesk {__version__}", flush=True)
    try:
        selftest.run(
            say=lambda line: print(line, flush=True), extra=[("venster (Qt)", _qt_self_test)]
        )
    except selftest.SelfTestFailed as error:
        print(f"  MISLUKT  {error.step}: {error.reason}")
        print(
            f"De zelftest is mislukt bij de stap '{error.step}'. KlachtDesk werkt zo niet op "
            "deze computer; installeer het programma opnieuw of neem contact op met uw beheerder.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print("Zelftest geslaagd: KlachtDesk werkt op deze computer.")
    return EXIT_OK


def _qt_self_test(ctx) -> str:
    """The Qt part of the self-test: plugins, translations, the icon and the main window."""
    from PySide6.QtCore import QLibraryInfo, QThreadPool, QTranslator, qVersion
    from PySide6.QtGui import QFontDatabase, QIcon
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    from klachtdesk.paths import resource_path
    from klachtdesk.ui.common import install_dutch
    from klachtdesk.ui.main_window import MainWindow
    from klachtdesk.ui.start.login import LoginDialog

    app = QApplication.instance() or QApplication(["klachtdesk"])
    install_dutch(app)
    translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not QTranslator().load("qtbase_nl", translations):
        raise KlachtDeskError("de Nederlandse vertaling van Qt (qtbase_nl) ontbreekt.")
    if not QFontDatabase.families():
        raise KlachtDeskError("Qt vindt geen enkel lettertype op deze computer.")
    if QIcon(str(resource_path("icons", "klachtdesk.svg"))).pixmap(64, 64).isNull():
        raise KlachtDeskError("het programmapictogram (SVG) kan niet worden getekend.")
    QPrinter()  # the print support library loads
    login = LoginDialog(ctx.db.path)
    window = MainWindow(ctx)
    try:
        for widget in (login, window):
            image = widget.grab()
            if image.isNull() or image.width() < 100:
                raise KlachtDeskError(f"het venster '{widget.windowTitle()}' bleef leeg.")
        size = f"{image.width()}×{image.height()}"
    finally:
        QThreadPool.globalInstance().waitForDone(30_000)
        app.processEvents()
        for widget in (login, window):
            widget.deleteLater()
        app.processEvents()
    return (
        f"Qt {qVersion()} ({app.platformName()}): aanmeldvenster en hoofdvenster ({size}) getekend"
    )


# -- parser -----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = DutchArgumentParser(
        prog="klachtdesk",
        description="KlachtDesk: klachtenregistratie. Zonder opdracht start het programma.",
        epilog=(
            f"Het wachtwoord komt uit {PASSWORD_ENV} of wordt gevraagd; de gebruikersnaam uit "
            f"--user of {USER_ENV}. Afsluitcodes: 0 gelukt, 1 fout, 2 onjuiste invoer."
        ),
    )
    parser.add_argument("--version", action="version", version=f"KlachtDesk {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="controleer zonder venster of KlachtDesk op deze computer werkt (met een "
        "tijdelijke database die daarna wordt verwijderd); afsluitcode 0 als alles werkt",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="opdracht", parser_class=DutchArgumentParser
    )

    def add(name: str, func: Callable, help_text: str, login: bool = True, **options):
        p = sub.add_parser(name, help=help_text, description=help_text, **options)
        p.add_argument(
            "--db",
            default=str(default_database()),
            help="het databasebestand of een PostgreSQL-adres zoals "
            "postgresql://server/klachtdesk?sslmode=verify-full (standaard: %(default)s)",
        )
        if login:
            p.add_argument("--user", help=f"gebruikersnaam (of {USER_ENV})")
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, "maak een nieuwe, versleutelde database", login=False)
    p.add_argument("--org", required=True, help="naam van de organisatie")
    p.add_argument(
        "--procedure",
        required=True,
        choices=["woonpartners", "livable"],
        help="klachtenregeling om mee te beginnen",
    )
    p.add_argument("--admin", required=True, help="gebruikersnaam van de eerste beheerder")
    p.add_argument("--admin-name", help="volledige naam van de beheerder")

    p = add("demo", cmd_demo, "maak een demodatabase met realistische zaken", login=False)
    p.add_argument("--user", help="gebruikersnaam van de beheerder (standaard: beheer)")
    p.add_argument("--cases", type=int, default=300, help="aantal zaken (standaard: 300)")

    p = add("import", cmd_import, "importeer klachten uit een JSON- of CSV-bestand")
    p.add_argument("file", help="het bestand met klachten (.json of .csv)")

    p = add("cases", cmd_cases, "toon de zaken")
    p.add_argument("--json", action="store_true", help="als JSON (voor scripts)")
    p.add_argument("--status", help="alleen zaken met deze status")

    p = add(
        "case",
        cmd_case,
        "toon een zaak, of voer een handeling uit zoals in het zaakvenster",
        add_help=False,
        usage="klachtdesk case [--db BESTAND] [--user NAAM] KENMERK [--json]\n"
        "       klachtdesk case [--db BESTAND] [--user NAAM] KENMERK ACTIE [NAAM=WAARDE …]\n"
        "       klachtdesk case KENMERK ACTIE --help",
        epilog=_commands_overview(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("ref", nargs="?", metavar="KENMERK", help="kenmerk, bijv. KD-2026-0042")
    p.add_argument("action", nargs="?", metavar="ACTIE", help="de handeling (zie hieronder)")
    p.add_argument("values", nargs="*", metavar="NAAM=WAARDE", help="de gegevens van de handeling")
    p.add_argument("--json", action="store_true", help="toon de zaak als JSON (voor scripts)")
    p.add_argument(
        "-h",
        "--help",
        action="store_true",
        help="toon deze hulp; met een ACTIE: de gegevens die die handeling neemt",
    )
    p.set_defaults(case_parser=p)

    add("check", cmd_check, "controleer de database op beschadiging")

    p = add(
        "user",
        cmd_user,
        "gebruikers: toevoegen, deactiveren, nieuw wachtwoord, lijst (alleen beheerder)",
    )
    p.add_argument(
        "action",
        choices=["add", "deactivate", "password", "list"],
        help="add: toevoegen; deactivate: deactiveren (de database krijgt een nieuwe sleutel); "
        "password: een nieuw wachtwoord instellen (idem); list: alle gebruikers",
    )
    p.add_argument("username", nargs="?", help="gebruikersnaam (niet bij list)")
    p.add_argument("--name", help="volledige naam (bij add)")
    p.add_argument(
        "--roles",
        help="rollen, met komma's (bij add): balie,coordinator,manager,directeur,beheer",
    )
    p.add_argument("--function", help="functie (voor de ondertekening van brieven)")
    p.add_argument("--json", action="store_true", help="de lijst als JSON (bij list)")

    p = add(
        "letter",
        cmd_letter,
        "maak een brief met de standaardtekst en sla hem definitief op in de zaak",
    )
    p.add_argument("ref", help="kenmerk van de zaak, bijvoorbeeld KD-2026-0042")
    p.add_argument(
        "--type",
        required=True,
        help="soort brief: ontvangstbevestiging, niet_ontvankelijk, doorverwijzing, "
        "uitnodiging_hoorgesprek, verlenging, uitspraak, tevredenheidsvraag, reactie_directeur",
    )
    p.add_argument("--out", required=True, help="het PDF-bestand om de brief in te schrijven")
    p.add_argument(
        "--via",
        choices=["post", "email"],
        help="hoe de brief wordt verzonden (standaard: de voorkeur van de klager)",
    )
    p.add_argument(
        "--sent-on",
        metavar="JJJJ-MM-DD",
        help="de brief is op deze datum verzonden en telt dan voor de termijn; zonder deze "
        "optie is de brief definitief maar nog niet als verzonden vastgelegd",
    )

    p = add(
        "dossier",
        cmd_dossier,
        "maak het zaakdossier: de hele zaak als één PDF, met de brieven en bijlagen",
    )
    p.add_argument("ref", metavar="KENMERK", help="kenmerk van de zaak, bijvoorbeeld KD-2026-0042")
    p.add_argument("--out", required=True, help="het PDF-bestand om het dossier in te schrijven")

    p = add("report", cmd_report, "maak het evaluatierapport (PDF, en CSV als u dat wilt)")
    p.add_argument(
        "--period",
        required=True,
        help="2026H1, 2026H2 of een periode als 2026-01-01:2026-06-30",
    )
    p.add_argument("--out", required=True, help="het PDF-bestand")
    p.add_argument("--csv", help="ook de cijfers als CSV (puntkomma's, voor Excel)")

    p = add("backup", cmd_backup, "maak een versleutelde, gecontroleerde back-up")
    p.add_argument(
        "--to",
        metavar="MAP",
        help="de map voor de back-up (standaard: de ingestelde map, anders "
        "'KlachtDesk-back-ups' naast de database)",
    )

    p = add(
        "restore",
        cmd_restore,
        "zet een back-up terug als database (de back-up wordt eerst gecontroleerd)",
    )
    p.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="BACK-UPBESTAND",
        help="het back-upbestand (.kdbackup)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="vervang een bestaande database; de huidige bestanden worden opzij gezet "
        "(<database>.voor-herstel-…), niet verwijderd. Alleen een beheerder van de huidige "
        "database (met het wachtwoord dat daar nu geldt) of de herstelcode van die database",
    )
    p.add_argument(
        "--other-database",
        action="store_true",
        help="bevestig dat de back-up van een ander databasebestand is en toch de huidige "
        "database mag vervangen (zonder deze optie wordt dat geweigerd)",
    )
    p.add_argument(
        "--recovery-code",
        action="store_true",
        help=f"ontgrendel met de herstelcode (uit {RECOVERY_ENV} of gevraagd) in plaats van "
        "met een wachtwoord",
    )

    p = add(
        "migrate-to",
        cmd_migrate_to,
        "kopieer de hele database naar een lege PostgreSQL-database (het bestand wordt "
        "alleen gelezen)",
    )
    p.add_argument(
        "--to",
        required=True,
        help="de PostgreSQL-database, bijvoorbeeld postgresql://beheer@server/klachtdesk"
        "?sslmode=verify-full (het wachtwoord uit PGPASSWORD of ~/.pgpass)",
    )

    p = add(
        "server-setup",
        cmd_server_setup,
        "werk als eigenaar de KlachtDesk-database op een PostgreSQL-server bij en geef de "
        "rollen hun rechten (na een nieuwe versie van KlachtDesk)",
        login=False,
    )

    p = sub.add_parser("gui", help="start het programma")
    p.add_argument("--db", help="het databasebestand of een PostgreSQL-adres")
    p.set_defaults(func=cmd_gui)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        args.func = cmd_self_test
    elif not getattr(args, "func", None):
        args = parser.parse_args(["gui", *(argv or [])])
    _logged_in.clear()
    try:
        return _settle_logins(args.func(args))
    except KlachtDeskError as error:
        print(str(error), file=sys.stderr)
        return _settle_logins(error.exit_code)
    except KeyboardInterrupt:
        print("Afgebroken; er is niets half opgeslagen.", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - the last line of defence for the user
        from klachtdesk.support import log_unexpected

        where = log_unexpected(error)
        print(
            "Er ging iets onverwachts mis; er is niets half opgeslagen. "
            + (f"Details voor de ondersteuning staan in {where}." if where else ""),
            file=sys.stderr,
        )
        return EXIT_ERROR


def entry() -> None:
    """The program's entry point (console script, ``python -m klachtdesk``, the installer)."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
