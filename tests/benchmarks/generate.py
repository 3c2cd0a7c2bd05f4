"""Generate a large, realistic KlachtDesk database for benchmarks (default 100,000 cases).

    python tests/benchmarks/generate.py --db /tmp/groot.kdb [--cases 100000]

The password of every user (beheer, balie, coordinator, manager, directeur) is
``KLACHTDESK_PASSWORD`` or 'benchmark-wachtwoord'. Cases are written in bulk (one
transaction per 10,000) rather than through the services, which would take an hour; the
rows look like what the services write: deadlines from the real calendar, timeline events,
states in realistic proportions, a few attachments and letters.
"""

from __future__ import annotations

import argparse
import hashlib
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
from klachtdesk.services import demo, setup
from klachtdesk.services.settings import load_calendar
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

PASSWORD = os.environ.get("KLACHTDESK_PASSWORD", "benchmark-wachtwoord")
BATCH = 10_000
# (status, share): most cases are closed, as in a real archive.
STATES = (
    ("gesloten", 0.72),
    ("afgehandeld", 0.08),
    ("in_behandeling", 0.05),
    ("ontvangen", 0.03),
    ("niet_ontvankelijk", 0.04),
    ("doorverwezen", 0.03),
    ("ingetrokken", 0.02),
    ("heroverweging", 0.01),
    ("afgehandeld_directeur", 0.01),
    ("geschil", 0.01),
)
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


def generate(path: Path, count: int, seed: int = 7, today: date | None = None) -> None:
    today = today or date.today()
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
    statuses = [s for s, _ in STATES]
    weights = [w for _, w in STATES]
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
                rng.choices(statuses, weights)[0]
                if age > 60
                else rng.choice(["ontvangen", "in_behandeling", "afgehandeld", "heroverweging"])
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
            for case_id, row, (received, status, number) in zip(
                case_ids, case_rows, plans, strict=True
            ):
                for deadline in row["_deadlines"]:
                    deadlines.append({**deadline, "case_id": case_id})
                events.extend(_events(case_id, received, status, users, rng, today))
                if status in ("afgehandeld", "gesloten") and number % 10 == 0:
                    pdf = b"%PDF-1.4 benchmark brief " + row["ref"].encode() * 40
                    letters.append(
                        {
                            "case_id": case_id,
                            "type": "uitspraak",
                            "pdf": pdf,
                            "sha256": hashlib.sha256(pdf).hexdigest(),
                            "created_at": datetime.combine(received, clock_time(11)),
                            "sent_on": received + timedelta(days=20),
                            "sent_via": "post",
                            "deadline_kind": "uitspraak",
                        }
                    )
                if number % 50 == 0:
                    scan = os.urandom(20_000)
                    attachments.append(
                        {
                            "case_id": case_id,
                            "filename": "scan-brief.pdf",
                            "mime_type": "application/pdf",
                            "size": len(scan),
                            "sha256": hashlib.sha256(scan).hexdigest(),
                            "data": scan,
                            "added_at": datetime.combine(received, clock_time(10)),
                        }
                    )
            for table, rows in (
                (Deadline, deadlines),
                (Event, events),
                (Letter, letters),
                (Attachment, attachments),
            ):
                if rows:
                    session.execute(insert(table), rows)
        made += size
        print(f"  {made:>7} zaken ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    with db.session(write=True) as session:
        for year, last in counters.items():
            session.merge(RefCounter(year=year, last=last))
    db.dispose()


def _with_deadlines(case_rows, plans, calendar, procedure, cache, today) -> None:
    finished = {"gesloten", "ingetrokken"}
    for row, (received, status, _) in zip(case_rows, plans, strict=True):
        if received not in cache:
            cache[received] = initial_deadlines(received, procedure, calendar)
        rows = []
        for kind, computed in cache[received].items():
            met = None
            if received < today - timedelta(days=45) or status not in ("ontvangen",):
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
                    "met_on": met
                    if status != "in_behandeling" or kind.value != "uitspraak"
                    else None,
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
    args = parser.parse_args()
    started = time.perf_counter()
    generate(Path(args.db), args.cases)
    size = Path(args.db).stat().st_size / 1024 / 1024
    print(f"{args.cases} zaken in {time.perf_counter() - started:.0f} s; {size:.0f} MB")


if __name__ == "__main__":
    main()
