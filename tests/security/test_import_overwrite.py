"""Attack: a web-form record with a known name and e-mail address and a new postal address.

Issue 13, item 4: such a record rewrote the tenant's address on import, and her next letter
went to the new address. Import never changes a stored complainant's contact data: the
differences are kept with the new case, the coordinator accepts them per field (audited, the
same optimistic versioning as every other change of the person), or decides the record is a
different person and gives the case a complainant of its own.
"""

from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from sqlalchemy import select

from klachtdesk.cli import main
from klachtdesk.domain.errors import ConflictError, NotAllowed
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import case_edit, case_view, cases, import_review
from klachtdesk.services.intake import importer
from klachtdesk.services.letters import letters
from klachtdesk.services.safety import audit_log
from klachtdesk.storage.models import AuditEntry, Complainant
from klachtdesk.ui.cases.case_detail import CaseDetailWindow
from tests.conftest import PASSWORD, TODAY, complaint_data

STORED_ADDRESS = "Lindelaan 4, 3511 AB Utrecht"
NEW_ADDRESS = "Nieuwstraat 1, 1234 AB Amsterdam"


def attack_record() -> dict:
    """The known tenant's name and e-mail address, with another address and phone number."""
    return complaint_data(
        channel="web",
        subject="Graag terugbellen over de huur",
        complainant={
            "name": "Fatima el Amrani",
            "street": "Nieuwstraat 1",
            "postcode": "1234ab",
            "city": "Amsterdam",
            "phone": "06 11112222",
            "email": "fatima@voorbeeld.nl",
        },
    )


def import_records(ctx, tmp_path, *records) -> list[str]:
    path = tmp_path / "webformulier.json"
    path.write_text(json.dumps(list(records), ensure_ascii=False), encoding="utf-8")
    return importer.import_file(ctx, path)


def address(detail) -> str:
    return f"{detail.street}, {detail.postcode} {detail.city}"


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    return " ".join(" ".join(pages).split())


def differences(ctx, ref) -> list[tuple[str, str, str]]:
    detail = case_view.case_detail(ctx, ref)
    return [(d.field, d.imported, d.current) for d in detail.import_differences]


def audited(ctx, action: str) -> list[tuple[str, str, str]]:
    with ctx.db.session() as session:
        rows = session.execute(
            select(AuditEntry.username, AuditEntry.object_ref, AuditEntry.detail)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).all()
    return [tuple(row) for row in rows]


@pytest.fixture
def imported(org, tmp_path) -> tuple[str, str]:
    """The tenant's own earlier case, then the web-form record: (old ref, new ref)."""
    old = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    (new,) = import_records(org.balie, tmp_path, attack_record())
    return old, new


def test_import_keeps_the_stored_contact_data_and_lists_the_differences(org, imported):
    old, new = imported
    before = case_view.case_detail(org.coordinator, old)
    after = case_view.case_detail(org.coordinator, new)
    assert after.complainant_id == before.complainant_id  # recognised: the same tenant
    for ref in (old, new):
        detail = case_view.case_detail(org.coordinator, ref)
        assert address(detail) == STORED_ADDRESS
        assert detail.phone == "+31 6 12345678"
        assert detail.complainant_version == before.complainant_version  # not written at all
    assert differences(org.coordinator, new) == [
        ("adres", NEW_ADDRESS, STORED_ADDRESS),
        ("telefoon", "+31 6 11112222", "+31 6 12345678"),
    ]
    assert differences(org.coordinator, old) == []  # the older case got nothing new
    registered = next(e for e in after.events if e.kind == "geregistreerd")
    assert registered.data["afwijkende_gegevens"] == "adres, telefoon"  # names, no values

    # The next letter of her older case still goes to the address she gave us herself.
    draft = letters.draft(org.coordinator, old, "ontvangstbevestiging")
    text = pdf_text(letters.preview(org.coordinator, old, draft))
    assert "Lindelaan 4" in text and "3511 AB" in text
    assert "Nieuwstraat" not in text and "Amsterdam" not in text


def test_accepting_one_field_changes_only_that_field_and_is_audited(org, imported):
    old, new = imported
    detail = case_view.case_detail(org.coordinator, new)
    version = import_review.accept_imported(
        org.coordinator,
        new,
        "adres",
        expected_version=detail.version,
        complainant_version=detail.complainant_version,
    )
    assert version == detail.version + 1
    for ref in (old, new):  # one person: the address changed for both cases
        now = case_view.case_detail(org.coordinator, ref)
        assert address(now) == NEW_ADDRESS
        assert now.phone == "+31 6 12345678"  # the other field stays as it was
        assert now.complainant_version == detail.complainant_version + 1
    assert differences(org.coordinator, new) == [("telefoon", "+31 6 11112222", "+31 6 12345678")]
    assert audited(org.beheer, "zaak_importgegevens_overgenomen") == [("coordinator", new, "adres")]
    events = case_view.case_detail(org.coordinator, new).events
    assert [(e.kind, e.user, e.data) for e in events if e.kind.startswith("import")] == [
        ("importgegevens_overgenomen", "Carla Coördinator", {"veld": "adres"})
    ]
    assert audit_log.verify_chain(org.beheer).ok

    with pytest.raises(NotAllowed, match="voor adres geen ander gegeven"):  # once is enough
        import_review.accept_imported(org.coordinator, new, "adres")
    with pytest.raises(NotAllowed, match="klachtencoördinator"):
        import_review.accept_imported(org.balie, new, "telefoon")
    assert case_view.case_detail(org.coordinator, new).phone == "+31 6 12345678"


def test_accepting_from_an_older_view_of_the_person_is_a_conflict(org, imported):
    old, new = imported
    seen = case_view.case_detail(org.coordinator, new)
    case_edit.update_case_details(org.balie, old, None, phone="06 33334444")
    with pytest.raises(ConflictError, match=f"telefoon gewijzigd bij zaak {old} door Bea Balie"):
        import_review.accept_imported(
            org.coordinator,
            new,
            "adres",
            expected_version=seen.version,
            complainant_version=seen.complainant_version,
        )
    assert address(case_view.case_detail(org.coordinator, new)) == STORED_ADDRESS


def test_a_different_person_gets_a_complainant_of_their_own(org, imported):
    old, new = imported
    before = case_view.case_detail(org.coordinator, old)
    import_review.new_complainant(org.coordinator, new)
    mine = case_view.case_detail(org.coordinator, new)
    assert mine.complainant_id != before.complainant_id
    assert address(mine) == NEW_ADDRESS
    assert (mine.phone, mine.email) == ("+31 6 11112222", "fatima@voorbeeld.nl")
    assert mine.import_differences == []
    theirs = case_view.case_detail(org.coordinator, old)
    assert (address(theirs), theirs.phone) == (STORED_ADDRESS, "+31 6 12345678")
    assert theirs.complainant_version == before.complainant_version
    assert audited(org.beheer, "zaak_nieuwe_klager") == [("coordinator", new, "na import")]
    with org.beheer.db.session() as session:
        assert session.scalar(select(Complainant).where(Complainant.id == mine.complainant_id))


def test_the_command_line_lists_and_accepts_a_difference(org, tmp_path, capsys, monkeypatch):
    old = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    source = tmp_path / "webformulier.json"
    source.write_text(json.dumps([attack_record()], ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("KLACHTDESK_USER", "balie")
    assert main(["import", "--db", str(org.path), str(source)]) == 0
    out = capsys.readouterr().out
    new = "KD-2026-0002"
    assert out.startswith(f"1 klachten geïmporteerd: {new} tot en met {new}.\n")
    assert "andere contactgegevens binnen dan KlachtDesk van de klager kent" in out
    assert "Er is niets overschreven" in out
    assert f"    {new}: adres, telefoon\n" in out

    monkeypatch.setenv("KLACHTDESK_USER", "coordinator")
    assert main(["case", "--db", str(org.path), new, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["import_differences"] == [
        {"field": "adres", "imported": NEW_ADDRESS, "current": STORED_ADDRESS},
        {"field": "telefoon", "imported": "+31 6 11112222", "current": "+31 6 12345678"},
    ]
    assert {"importgegevens_overnemen", "nieuwe_klager"} <= set(record["actions"])

    code = main(["case", "--db", str(org.path), new, "importgegevens_overnemen", "field=telefoon"])
    assert code == 0
    assert capsys.readouterr().out == (
        f"Zaak {new}: De gegevens uit de import zijn overgenomen. Status: Ontvangen.\n"
    )
    detail = case_view.case_detail(org.coordinator, old)
    assert (detail.phone, address(detail)) == ("+31 6 11112222", STORED_ADDRESS)
    assert audited(org.beheer, "zaak_importgegevens_overgenomen") == [
        ("coordinator", new, "telefoon")
    ]

    # Bad input: a field without a difference is named, nothing changes.
    code = main(["case", "--db", str(org.path), new, "importgegevens_overnemen", "field=email"])
    assert code == 1
    assert (
        "Bij deze zaak is voor e-mail geen ander gegeven uit de import" in capsys.readouterr().err
    )


# -- the case window ------------------------------------------------------------------------------
@pytest.fixture
def errors(monkeypatch):
    shown = []
    monkeypatch.setattr(
        "klachtdesk.ui.common.show_error",
        lambda parent, error, title="Niet gelukt": shown.append((title, str(error))),
    )
    return shown


def open_window(qtbot, ctx, ref) -> CaseDetailWindow:
    window = CaseDetailWindow(ctx, ref)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(1)  # "Klager en klacht"
    return window


def test_the_case_window_lists_the_differences_and_accepts_one(qtbot, org, imported, errors):
    old, new = imported
    window = open_window(qtbot, org.coordinator, new)
    notice = window.findChild(QWidget, "importDifferences")
    assert notice.isVisible()
    text = " ".join(label.text() for label in notice.findChildren(QLabel))
    assert "Bij de import kwamen andere gegevens binnen" in text
    assert f"adres: {NEW_ADDRESS} (nu: {STORED_ADDRESS})" in text
    assert "telefoon: +31 6 11112222 (nu: +31 6 12345678)" in text
    assert "Let op:" in window.findChild(QLabel, "ruleWarning").text()  # also on the overview

    with qtbot.waitSignal(window.changed, timeout=2000):
        qtbot.mouseClick(notice.findChild(QPushButton, "accept_adres"), Qt.MouseButton.LeftButton)
    assert errors == []
    assert address(case_view.case_detail(org.coordinator, old)) == NEW_ADDRESS
    assert window.findChild(QPushButton, "accept_adres") is None
    assert window.findChild(QPushButton, "accept_telefoon").isEnabled()
    assert window.message.text() == "De gegevens uit de import zijn overgenomen."
    assert audited(org.beheer, "zaak_importgegevens_overgenomen") == [("coordinator", new, "adres")]


def test_the_clerk_sees_the_differences_but_may_not_accept_them(qtbot, org, imported, errors):
    _, new = imported
    window = open_window(qtbot, org.balie, new)
    accept = window.findChild(QPushButton, "accept_adres")
    assert not accept.isEnabled()
    assert "klachtencoördinator" in accept.toolTip()
    assert not window.findChild(QPushButton, "newComplainantButton").isEnabled()


def test_the_case_window_makes_a_new_complainant(qtbot, org, imported, errors, monkeypatch):
    from klachtdesk.ui.cases import import_notice

    old, new = imported
    asked = []
    monkeypatch.setattr(import_notice, "confirm", lambda *args: asked.append(args[1]) or True)
    window = open_window(qtbot, org.coordinator, new)
    with qtbot.waitSignal(window.changed, timeout=2000):
        qtbot.mouseClick(
            window.findChild(QPushButton, "newComplainantButton"), Qt.MouseButton.LeftButton
        )
    assert asked == ["Andere klager"]
    assert errors == []
    assert not window.findChild(QWidget, "importDifferences").isVisible()
    assert address(case_view.case_detail(org.coordinator, new)) == NEW_ADDRESS
    assert address(case_view.case_detail(org.coordinator, old)) == STORED_ADDRESS
