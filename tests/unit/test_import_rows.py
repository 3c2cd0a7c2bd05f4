"""An import writes its cases in bulk: the very rows registering one by one would write."""

from __future__ import annotations

import json

from sqlalchemy import select

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import admin_lists
from klachtdesk.services.cases import cases
from klachtdesk.services.intake import importer
from klachtdesk.storage.models import AuditEntry, Case, Deadline, Department, Event
from tests.conftest import TODAY, complaint_data

BOTH_STORES = True  # the org tests run on a file and on a PostgreSQL server (issue 15)

NOT_COMPARED = {"id", "ref", "seq", "complainant_id", "case_id"}


def columns(row) -> dict:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in NOT_COMPARED}


def stored(ctx, ref: str) -> tuple[dict, list[dict], list[dict], list[tuple]]:
    with ctx.db.session() as session:
        case = session.scalar(select(Case).where(Case.ref == ref))
        deadlines = session.scalars(select(Deadline).where(Deadline.case_id == case.id))
        events = session.scalars(select(Event).where(Event.case_id == case.id))
        audited = session.execute(
            select(AuditEntry.username, AuditEntry.action, AuditEntry.detail).where(
                AuditEntry.object_ref == ref
            )
        )
        return (
            columns(case),
            [columns(d) for d in deadlines],
            [columns(e) for e in events],
            [tuple(a) for a in audited],
        )


def test_an_imported_case_is_stored_as_a_registered_one(org, tmp_path):
    with org.beheer.db.session() as session:
        wonen = session.scalar(select(Department.id).where(Department.name == "Wonen"))
    admin_lists.add_employee(org.beheer, "Erik Hoekstra", "monteur", wonen)
    variants = [
        complaint_data(),
        complaint_data(
            received="2026-04-17",  # deadlines moved by Ascension and a decree day
            channel="brief",
            employee="erik hoekstra",  # a known employee: linked, with the department
            discussed_with_employee=None,
            expectation="",
            relation="huurder",
            repeat=True,
            earlier_ref="KD-2025-0007",
            new_facts="Er is sindsdien opnieuw water doorgekomen.",
        ),
        complaint_data(department="Financiën", employee="Iemand Onbekend", category="communicatie"),
    ]
    for number, data in enumerate(variants):
        # the same complaint from two different people (so neither is recognised)
        data["complainant"] = {"name": f"Klager {number}", "email": f"k{number}@voorbeeld.nl"}
        registered = cases.register(org.balie, ComplaintInput.validated(data, TODAY))
        data["complainant"] = {"name": f"Ander {number}", "email": f"a{number}@voorbeeld.nl"}
        source = tmp_path / f"web-{number}.json"
        source.write_text(json.dumps([data], ensure_ascii=False), encoding="utf-8")
        (imported,) = importer.import_file(org.balie, source)
        assert stored(org.coordinator, imported) == stored(org.coordinator, registered), data
