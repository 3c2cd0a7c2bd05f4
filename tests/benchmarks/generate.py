"""Generate a large, realistic KlachtDesk database for benchmarks (default 100,000 cases).

    python tests/benchmarks/generate.py --db /tmp/groot.kdb [--cases 100000]

The password of every user (beheer, balie, coordinator, manager, directeur) is
``KLACHTDESK_PASSWORD`` or 'benchmark-wachtwoord'. Cases are written in bulk (one
transaction per 10,000) rather than through the services, which would take an hour; the
rows look like what the services write: deadlines from the real calendar, timeline events,
states in realistic proportions, letters and attachments (see ``files.py``).

Letters (real PDFs of ~44 KB) and attachments are stored for the cases received in the
last ``--files-days`` days (default 365): older cases stand for cases past their retention
period, whose files the privacy service deleted; their timeline, text and complainant stay,
so the list and the search still see 100,000 identifiable cases (the heavier case). With
the files of every case stored (``--files-days 3000``), 100,000 cases would make a file of
about 13 GiB, 10 GiB of it letters; the default makes about 1.8 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import insert, select

from klachtdesk.domain.deadlines import initial_deadlines
from klachtdesk.domain.procedures import PRESETS
from klachtdesk.services import demo
from klachtdesk.services.admin import setup
from klachtdesk.services.admin.settings import load_calendar
from klachtdesk.storage.models import (
    Attachment,
    Case,
    Category,
    Complainant,
    Deadline,
    Event,
    Letter,
    ProcedureVersion,
    RefCounter,
    User,
)

if __package__ in (None, ""):  # run as a script: make ``tests.benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks import files  # noqa: E402

PASSWORD = os.environ.get("KLACHTDESK_PASSWORD", "benchmark-wachtwoord")
BATCH = 10_000
# (status, share) of cases received two to six months ago: most are finished, some are
# still being handled.
STATES = (
    ("gesloten", 0.765),
    ("afgehandeld", 0.08),
    ("in_behandeling", 0.03),
    ("ontvangen", 0.005),
    ("niet_ontvankelijk", 0.04),
    ("doorverwezen", 0.03),
    ("ingetrokken", 0.02),
    ("heroverweging", 0.01),
    ("afgehandeld_directeur", 0.01),
    ("geschil", 0.01),
)
# Older cases, as in a real archive: finished, but for a few forgotten ones (0.3 %) whose
# deadlines passed long ago; they weigh on "Vandaag" and the calendar, as in real life.
OLD_STATES = (
    ("gesloten", 0.797),
    ("afgehandeld", 0.08),
    ("niet_ontvankelijk", 0.04),
    ("doorverwezen", 0.03),
    ("ingetrokken", 0.02),
    ("afgehandeld_directeur", 0.02),
    ("geschil", 0.01),
    ("in_behandeling", 0.002),
    ("ontvangen", 0.0005),
    ("heroverweging", 0.0005),
)
# Cases of the last two months, by age in days: received, handled, decided (some late).
NEW_STATES = ("ontvangen", "in_behandeling", "afgehandeld", "heroverweging")
NEW_WEIGHTS = {7: (0.7, 0.3, 0, 0), 28: (0.1, 0.8, 0.1, 0), 60: (0, 0.25, 0.65, 0.1)}
PATH = {
    "ontvangen": [],
    "in_behandeling": ["triage_klacht"],
    "afgehandeld": ["triage_klacht", "uitspraak"],
    "heroverweging": ["triage_klacht", "uitspraak", "beroep"],
    "afgehandeld_directeur": ["triage_klacht", "uitspraak", "beroep", "uitspraak_directeur"],
    "geschil": ["triage_klacht", "uitspraak", "beroep", "uitspraak_directeur", "geschil"],
    "niet_ontvankelijk": ["niet_ontvankelijk"],
    "doorverwezen": ["doorverwijzen"],
    "ingetrokken": ["intrekken"],
    "gesloten": ["triage_klacht", "uitspraak", "sluiten"],
}
TARGET = {
    "triage_klacht": "in_behandeling",
    "uitspraak": "afgehandeld",
    "beroep": "heroverweging",
    "uitspraak_directeur": "afgehandeld_directeur",
    "geschil": "geschil",
    "niet_ontvankelijk": "niet_ontvankelijk",
    "doorverwijzen": "doorverwezen",
    "intrekken": "ingetrokken",
    "sluiten": "gesloten",
}


FILES_DAYS = 365


def generate(
    path: Path,
    count: int,
    seed: int = 7,
    today: date | None = None,
    files_days: int = FILES_DAYS,
) -> dict[str, int]:
    """Write ``count`` cases into a new database at ``path``; returns what was stored."""
    today = today or date.today()
    pdfs = files.letter_pdfs()
    totals = dict.fromkeys(("cases", "events", "letters", "attachments", "file_bytes"), 0)
    rng = random.Random(seed)
    started = time.perf_counter()
    setup.create_database(
        path, "Woonstichting Groot (benchmark)", "woonpartners", "beheer", PASSWORD, "Beheerder"
    )
    admin = setup.unlock(path, "beheer", PASSWORD)
    for username, name, roles, function in demo.DEMO_USERS:
        setup.add_user(admin, username, name, roles, PASSWORD, function)
    db = admin.db
    with db.session() as session:
        categories = list(session.execute(select(Category.id, Category.name)).all())
        users = dict(session.execute(select(User.username, User.id)).all())
        version_id = session.scalar(select(ProcedureVersion.id).order_by(ProcedureVersion.id))
        calendar = load_calendar(session)
    category_by_name = {name: cid for cid, name in categories}
    procedure = PRESETS["woonpartners"]
    deadline_cache: dict[date, dict] = {}
    statuses, weights = zip(*STATES, strict=True)
    old_statuses, old_weights = zip(*OLD_STATES, strict=True)
    span_days = 8 * 365
    counters: dict[int, int] = {}
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        complainants, case_rows, plans = [], [], []
        for number in range(made, made + size):
            # Older cases first, spread over eight years; the newest are still open.
            age = int((count - number) / count * span_days)
            received = today - timedelta(days=age)
            status = (
                rng.choices(old_statuses, old_weights)[0]
                if age > 180
                else rng.choices(statuses, weights)[0]
                if age > 60
                else rng.choices(NEW_STATES, next(w for a, w in NEW_WEIGHTS.items() if age <= a))[0]
            )
            category = rng.choice(list(demo.SUBJECTS))
            subject, text = rng.choice(demo.SUBJECTS[category])
            prefix, city = rng.choice(demo.PLACES)
            first, salutation = rng.choice(demo.FIRST)
            name = f"{first} {rng.choice(demo.LAST)}"
            counters[received.year] = counters.get(received.year, 0) + 1
            seq = counters[received.year]
            complainants.append(
                {
                    "name": name,
                    "salutation": salutation,
                    "street": f"{rng.choice(demo.STREETS)} {rng.randint(1, 180)}",
                    "postcode": f"{prefix} {rng.choice('ABCEGHJKLMNPRTVXZ')}"
                    f"{rng.choice('BDGHKLNPRTVZ')}",
                    "city": city,
                    "phone": f"+31 6 {rng.randint(10000000, 59999999)}",
                    "email": f"{name.split()[0].lower()}.{number}@voorbeeld.nl",
                    "member_number": str(100000 + number),
                    "prefers_email": rng.random() < 0.3,
                    "created_at": datetime.combine(received, clock_time(9)),
                }
            )
            plans.append((received, status, number))
            case_rows.append(
                {
                    "ref": f"KD-{received.year}-{seq:04d}",
                    "year": received.year,
                    "seq": seq,
                    "version": 1 + len(PATH[status]),
                    "status": status,
                    "procedure_version_id": version_id,
                    "channel": rng.choice(["telefoon", "brief", "balie", "email", "web"]),
                    "received": received,
                    "subject": subject,
                    "description": text.format(w=rng.randint(2, 6)),
                    "category_id": category_by_name[category],
                    "employee_name": rng.choice(demo.EMPLOYEES)[0],
                    "discussed_with_employee": True,
                    "expectation": rng.choice(demo.EXPECTATIONS),
                    "handler_id": users["coordinator"] if status != "ontvangen" else None,
                    "outcome": rng.choice(["gegrond", "deels_gegrond", "ongegrond"])
                    if "uitspraak" in PATH[status]
                    else None,
                    "motivation": "Na gesprekken met klager en medewerker." if status else "",
                    "decided_on": min(received + timedelta(days=rng.randint(8, 40)), today)
                    if "uitspraak" in PATH[status]
                    else None,
                    "closed_on": min(received + timedelta(days=rng.randint(30, 60)), today)
                    if status == "gesloten"
                    else None,
                    "created_at": datetime.combine(received, clock_time(9)),
                    "updated_at": datetime.combine(received, clock_time(9)),
                }
            )
        with db.session(write=True) as session:
            ids = session.scalars(insert(Complainant).returning(Complainant.id), complainants).all()
            for row, complainant_id in zip(case_rows, ids, strict=True):
                row["complainant_id"] = complainant_id
            _with_deadlines(case_rows, plans, calendar, procedure, deadline_cache, today)
            case_ids = session.scalars(
                insert(Case).returning(Case.id),
                [{k: v for k, v in r.items() if not k.startswith("_")} for r in case_rows],
            ).all()
            deadlines, events, letters, attachments = [], [], [], []
            for case_id, row, (received, status, _number) in zip(
                case_ids, case_rows, plans, strict=True
            ):
                for deadline in row["_deadlines"]:
                    deadlines.append({**deadline, "case_id": case_id})
                events.extend(_events(case_id, received, status, users, rng, today))
                kinds = files.letter_kinds(status, PATH[status], rng)
                store = (today - received).days <= files_days
                made_letters, letter_events = files.letter_rows(
                    case_id, received, kinds, pdfs, users, store, today
                )
                made_attachments, attachment_events = (
                    files.attachment_rows(case_id, received, users, rng) if store else ([], [])
                )
                letters += made_letters
                attachments += made_attachments
                events += letter_events + attachment_events
            for table, rows in (
                (Deadline, deadlines),
                (Event, events),
                (Letter, letters),
                (Attachment, attachments),
            ):
                if rows:
                    session.execute(insert(table), rows)
            totals["events"] += len(events)
            totals["letters"] += len(letters)
            totals["attachments"] += len(attachments)
            totals["file_bytes"] += sum(len(r["pdf"]) for r in letters)
            totals["file_bytes"] += sum(r["size"] for r in attachments)
        made += size
        totals["cases"] = made
        print(f"  {made:>7} zaken ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    with db.session(write=True) as session:
        for year, last in counters.items():
            session.merge(RefCounter(year=year, last=last))
    db.dispose()
    return totals


def _with_deadlines(case_rows, plans, calendar, procedure, cache, today) -> None:
    finished = {"gesloten", "ingetrokken"}
    for row, (received, status, _) in zip(case_rows, plans, strict=True):
        if received not in cache:
            cache[received] = initial_deadlines(received, procedure, calendar)
        rows = []
        for kind, computed in cache[received].items():
            # The acknowledgement goes out within days; the decision is still to come for
            # a case that is received or being handled.
            if kind.value == "ontvangstbevestiging":
                done = received + timedelta(days=3) <= today
            else:
                done = status not in ("ontvangen", "in_behandeling")
            met = None
            if done:
                met = min(
                    computed.due,
                    received + timedelta(days=3 if kind == "ontvangstbevestiging" else 25),
                )
            rows.append(
                {
                    "kind": kind.value,
                    "start": received,
                    "due": computed.due,
                    "unadjusted": computed.unadjusted,
                    "explanation": computed.explanation or "",
                    "active": True,
                    "met_on": met,
                    # as the services store it since the deadline life cycle: an answered
                    # deadline is met (on time here) and settled that day
                    "state": "met" if met else "open",
                    "settled_on": met,
                    "extension_reason": "",
                    "created_at": datetime.combine(received, clock_time(9)),
                }
            )
        if "beroep" in PATH[status]:
            appeal = received + timedelta(days=30)
            rows.append(
                {
                    "kind": "heroverweging",
                    "start": appeal,
                    "due": appeal + timedelta(days=14),
                    "unadjusted": appeal + timedelta(days=14),
                    "explanation": "",
                    "active": True,
                    "met_on": None if status == "heroverweging" else appeal + timedelta(days=10),
                    "state": "open" if status == "heroverweging" else "met",
                    "settled_on": None
                    if status == "heroverweging"
                    else appeal + timedelta(days=10),
                    "extension_reason": "",
                    "created_at": datetime.combine(appeal, clock_time(9)),
                }
            )
        row["_deadlines"] = rows
        open_rows = [d for d in rows if d["met_on"] is None] if status not in finished else []
        first = min(open_rows, key=lambda d: d["due"], default=None)
        row["next_due"] = first["due"] if first else None
        row["next_due_kind"] = first["kind"] if first else None


def _events(case_id, received, status, users, rng, today):
    moment = datetime.combine(received, clock_time(9))
    events = [
        {
            "case_id": case_id,
            "at": moment,
            "user_id": users["balie"],
            "kind": "geregistreerd",
            "from_status": None,
            "to_status": "ontvangen",
            "data": json.dumps({"kanaal": "telefoon"}),
        }
    ]
    current = "ontvangen"
    for action in PATH[status]:
        moment = min(
            moment + timedelta(days=rng.randint(1, 12)), datetime.combine(today, clock_time(8))
        )
        target = TARGET[action]
        who = {"uitspraak": "manager", "uitspraak_directeur": "directeur"}.get(
            action, "coordinator"
        )
        events.append(
            {
                "case_id": case_id,
                "at": moment,
                "user_id": users[who],
                "kind": action,
                "from_status": current,
                "to_status": target,
                "data": "{}",
            }
        )
        current = target
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument(
        "--files-days",
        type=int,
        default=FILES_DAYS,
        help="store letters and attachments of the cases received in this many last days",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    totals = generate(Path(args.db), args.cases, files_days=args.files_days)
    print(f"{describe(Path(args.db), totals)}; {time.perf_counter() - started:.0f} s")


def describe(path: Path, totals: dict[str, int]) -> str:
    """One line: what the generated database holds and how large the file is."""
    return (
        f"{totals['cases']:,} zaken, {totals['events']:,} gebeurtenissen, "
        f"{totals['letters']:,} brieven, {totals['attachments']:,} bijlagen "
        f"({totals['file_bytes'] / 2**20:,.0f} MiB aan bestanden); "
        f"bestand {path.stat().st_size / 2**20:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
