"""Procedures are versioned data; attachments are stored encrypted with a size limit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from klachtdesk.domain.calendar import Term, TermUnit
from klachtdesk.domain.errors import NotAllowed, ValidationError
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.admin import procedures
from klachtdesk.services.cases import attachments, cases
from klachtdesk.storage.models import Case, ProcedureVersion
from tests.conftest import TODAY, complaint_data


def register(ctx, **overrides) -> str:
    return cases.register(ctx, ComplaintInput.validated(complaint_data(**overrides), TODAY))


def due_dates(ctx, ref):
    return {row.ref: row.deadlines for row in cases.list_cases(ctx)}[ref]


def test_a_changed_procedure_is_a_new_version_and_old_cases_keep_theirs(org):
    old_ref = register(org.balie, received="2026-11-02")
    current = procedures.current_procedure(org.beheer)
    assert (current.key, current.version) == ("woonpartners", 1)
    changed = current.procedure.changed(decision_term=Term(6, TermUnit.WEKEN))
    assert procedures.save_procedure(org.beheer, changed, "Termijn naar zes weken") == 2
    assert procedures.save_procedure(org.beheer, changed) == 2  # unchanged: no new version
    new_ref = register(org.balie, received="2026-11-02")
    assert due_dates(org.balie, old_ref)["uitspraak"].isoformat() == "2026-11-30"  # 4 weeks
    assert due_dates(org.balie, new_ref)["uitspraak"].isoformat() == "2026-12-14"  # 6 weeks
    with org.balie.db.session() as session:
        versions = dict(
            session.execute(select(Case.ref, ProcedureVersion.version).join(ProcedureVersion)).all()
        )
    assert versions == {old_ref: 1, new_ref: 2}


def test_only_beheer_changes_the_procedure(org):
    current = procedures.current_procedure(org.coordinator).procedure
    with pytest.raises(NotAllowed):
        procedures.save_procedure(org.coordinator, current.changed(appeal=False))
    with pytest.raises(NotAllowed):
        procedures.choose_procedure(org.coordinator, "livable")


def test_switching_to_livable_applies_to_new_cases(org):
    procedures.choose_procedure(org.beheer, "livable")
    ref = register(org.balie, received="2026-11-20")
    # Livable: 7 working days and 6 weeks (1 January 2027 → Monday 4 January).
    assert {k: v.isoformat() for k, v in due_dates(org.balie, ref).items()} == {
        "ontvangstbevestiging": "2026-12-01",
        "uitspraak": "2027-01-04",
    }
    with pytest.raises(ValidationError):
        procedures.choose_procedure(org.beheer, "onbekend")


def test_attachments_are_kept_with_the_case_and_limited_in_size(org):
    ref = register(org.balie)
    scan = b"%PDF-1.4 scan van de brief van mevrouw el Amrani" * 100
    attachment_id = attachments.add_attachment(org.balie, ref, "C:\\Scans\\brief.pdf", scan)
    [info] = attachments.list_attachments(org.coordinator, ref)
    assert (info.filename, info.mime_type, info.size) == ("brief.pdf", "application/pdf", len(scan))
    assert attachments.attachment_data(org.coordinator, attachment_id) == ("brief.pdf", scan)
    too_big = b"x" * (attachments.MAX_ATTACHMENT_BYTES + 1)
    with pytest.raises(ValidationError, match="ten hoogste 20 MB"):
        attachments.add_attachment(org.balie, ref, "foto.jpg", too_big)
    with pytest.raises(ValidationError, match="leeg"):
        attachments.add_attachment(org.balie, ref, "leeg.txt", b"")
    assert len(attachments.list_attachments(org.balie, ref)) == 1
    for ctx in (org.beheer, org.balie, org.coordinator, org.manager, org.directeur):
        ctx.db.dispose()
    assert b"mevrouw el Amrani" not in org.path.read_bytes()
