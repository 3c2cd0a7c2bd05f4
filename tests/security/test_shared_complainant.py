"""Attack: one complainant, two cases, two PCs. The second save must not undo the first.

Issue 13, item 3: with two cases of the same complainant open on two PCs, the second save
silently reverted the first one's phone number, and the timeline claimed the clerk changed
it. The complainant row is versioned: a save based on an older view of the person is refused
with the same precise message as a case conflict (who changed what, when, through which
case), and nothing of it is written.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
import traceback
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from sqlalchemy import select

from klachtdesk.domain.errors import ConflictError
from klachtdesk.domain.states import Activity
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import case_edit, case_view, cases
from klachtdesk.services.safety import audit_log
from klachtdesk.storage.models import AuditEntry
from klachtdesk.ui.cases.case_detail import CaseDetailWindow
from tests.conftest import PASSWORD, TODAY, clock, complaint_data

PROCESS_TIMEOUT_S = 120
OLD_PHONE, NEW_PHONE = "+31 6 12345678", "+31 6 87654321"
OLD_EMAIL, NEW_EMAIL = "fatima@voorbeeld.nl", "fatima.el.amrani@voorbeeld.nl"
CONFLICT_TITLE = "Zaak is intussen gewijzigd"


def register(ctx, subject: str) -> str:
    data = complaint_data(subject=subject)
    return cases.register(ctx, ComplaintInput.validated(data, TODAY))


def two_cases_of_one_person(org) -> tuple[str, str]:
    first = register(org.balie, "Lekkage badkamer niet verholpen")
    second = register(org.balie, "Tocht langs de voordeur")
    a, b = (case_view.case_detail(org.coordinator, ref) for ref in (first, second))
    assert a.complainant_id == b.complainant_id  # one person, two cases
    return first, second


def data_events(ctx, ref: str) -> list[dict]:
    detail = case_view.case_detail(ctx, ref)
    return [e.data for e in detail.events if e.kind == Activity.GEGEVENS_WIJZIGEN.value]


def audited_changes(ctx) -> list[tuple[str, str, str]]:
    with ctx.db.session() as session:
        rows = session.execute(
            select(AuditEntry.username, AuditEntry.object_ref, AuditEntry.detail)
            .where(AuditEntry.action == "zaak_gegevens_wijzigen")
            .order_by(AuditEntry.id)
        ).all()
    return [tuple(row) for row in rows]


# -- two PCs, each with the case window's data tab ------------------------------------------------
def _pc(db_path: str, username: str, ref: str, field: str, value: str, start, first_saved, queue):
    """One PC (a spawned process): open the case window, type the change into the data tab,
    and press 'Gegevens opslaan'. The second PC presses it only after the first has saved,
    with the window it opened before: its view of the complainant is stale."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        from klachtdesk.services.admin import setup
        from klachtdesk.ui import common

        shown: list[tuple[str, str]] = []
        common.show_error = lambda parent, error, title="Niet gelukt": shown.append(
            (title, str(error))
        )
        app = QApplication.instance() or QApplication([])
        ctx = setup.unlock(Path(db_path), username, PASSWORD, **clock())
        window = CaseDetailWindow(ctx, ref)
        window.show()
        window.tabs.setCurrentIndex(1)  # "Klager en klacht"
        edit = window.findChild(QLineEdit, f"{field}Field")
        edit.selectAll()
        QTest.keyClicks(edit, value)
        start.wait(timeout=PROCESS_TIMEOUT_S)  # both windows show the person as it was
        if username == "balie" and not first_saved.wait(timeout=PROCESS_TIMEOUT_S):
            raise TimeoutError("de andere pc sloeg niet op")
        QTest.mouseClick(window.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
        app.processEvents()
        if username != "balie":
            first_saved.set()
        message = window.findChild(QLabel, "statusMessage").text()
        phone = window.findChild(QLineEdit, "phoneField").text()
        window.close()
        ctx.db.dispose()
        queue.put((username, shown, message, phone, None))
    except BaseException:  # everything reaches the test process
        queue.put((username, [], "", "", traceback.format_exc()))


@pytest.mark.slow
def test_second_pc_with_a_stale_view_does_not_undo_the_first(org):
    first, second = two_cases_of_one_person(org)
    spawn = multiprocessing.get_context("spawn")
    start, first_saved, queue = spawn.Barrier(2), spawn.Event(), spawn.Queue()
    jobs = (
        ("coordinator", first, "phone", "06 87654321"),  # PC 1: the phone number, case 1
        ("balie", second, "email", NEW_EMAIL),  # PC 2: the e-mail address, case 2
    )
    procs = [
        spawn.Process(
            target=_pc,
            args=(str(org.path), user, ref, field, value, start, first_saved, queue),
            daemon=True,
        )
        for user, ref, field, value in jobs
    ]
    for proc in procs:
        proc.start()
    results = {}
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT_S
        for _ in procs:
            user, shown, message, phone, error = queue.get(
                timeout=max(1.0, deadline - time.monotonic())
            )
            assert error is None, f"pc van {user} mislukte:\n{error}"
            results[user] = (shown, message, phone)
        for proc in procs:
            proc.join(timeout=PROCESS_TIMEOUT_S)
            assert proc.exitcode == 0
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join()

    # PC 1 saved its phone number.
    shown, message, _ = results["coordinator"]
    assert shown == [] and message == "De gegevens zijn opgeslagen."

    # Nothing of the first PC is lost, nothing of the refused save is written.
    for ref in (first, second):
        detail = case_view.case_detail(org.coordinator, ref)
        assert (detail.phone, detail.email) == (NEW_PHONE, OLD_EMAIL)
    # The timeline and the audit log claim only what each user really changed.
    assert data_events(org.coordinator, first) == [{"velden": "telefoon"}]
    assert data_events(org.coordinator, second) == []
    assert audited_changes(org.beheer) == [("coordinator", first, "telefoon")]
    # PC 2 is told precisely what happened meanwhile, and its window shows the person anew.
    shown, message, phone = results["balie"]
    assert shown == [
        (
            CONFLICT_TITLE,
            "De gegevens van de klager zijn intussen gewijzigd op een andere computer "
            f"(25-11-2026 00:00 telefoon gewijzigd bij zaak {first} door Carla Coördinator). "
            "Uw wijziging is niet opgeslagen; open de zaak opnieuw en voer de wijziging nog "
            "eens in.",
        )
    ]
    assert message == "De zaak is opnieuw ingelezen; controleer de gegevens."
    assert phone == NEW_PHONE

    assert audit_log.verify_chain(org.beheer).ok


# -- the service --------------------------------------------------------------------------------
def test_a_save_from_an_older_view_of_the_person_is_refused_and_writes_nothing(org):
    first, second = two_cases_of_one_person(org)
    seen = case_view.case_detail(org.balie, second)  # PC 2 reads case 2
    detail = case_view.case_detail(org.coordinator, first)
    case_edit.update_case_details(
        org.coordinator,
        first,
        detail.version,
        complainant_version=detail.complainant_version,
        phone="06 87654321",
    )

    with pytest.raises(ConflictError) as caught:
        case_edit.update_case_details(
            org.balie,
            second,
            seen.version,
            complainant_version=seen.complainant_version,
            subject="Tocht langs de voordeur en de achterdeur",
            email=NEW_EMAIL,
        )
    assert "telefoon gewijzigd bij zaak " + first in str(caught.value)
    after = case_view.case_detail(org.coordinator, second)
    assert after.version == seen.version  # the case's own change is not written either
    assert after.subject == "Tocht langs de voordeur"
    assert (after.phone, after.email) == (NEW_PHONE, OLD_EMAIL)

    # Read again, the same change goes through and names only what this user changed.
    fresh = case_view.case_detail(org.balie, second)
    assert fresh.complainant_version == seen.complainant_version + 1
    case_edit.update_case_details(
        org.balie,
        second,
        fresh.version,
        complainant_version=fresh.complainant_version,
        subject=fresh.subject,
        phone=fresh.phone,
        email=NEW_EMAIL,
    )
    assert data_events(org.coordinator, second) == [{"velden": "e-mail"}]
    final = case_view.case_detail(org.coordinator, first)
    assert (final.phone, final.email) == (NEW_PHONE, NEW_EMAIL)
    assert final.complainant_version == fresh.complainant_version + 1


def test_changing_only_the_complaint_is_not_held_up_by_a_change_of_the_person(org):
    """The window sends the person's fields only when the user changed them."""
    first, second = two_cases_of_one_person(org)
    seen = case_view.case_detail(org.balie, second)
    case_edit.update_case_details(org.coordinator, first, None, phone="06 87654321")
    version = case_edit.update_case_details(
        org.balie,
        second,
        seen.version,
        complainant_version=seen.complainant_version,
        subject="Tocht langs de voordeur en de achterdeur",
    )
    assert version == seen.version + 1
    detail = case_view.case_detail(org.coordinator, second)
    assert detail.phone == NEW_PHONE
    assert data_events(org.coordinator, second) == [{"velden": "onderwerp"}]


# -- the case window in this process --------------------------------------------------------------
@pytest.fixture
def errors(monkeypatch):
    shown = []
    monkeypatch.setattr(
        "klachtdesk.ui.common.show_error",
        lambda parent, error, title="Niet gelukt": shown.append((title, str(error))),
    )
    return shown


def test_the_data_tab_shows_the_conflict_and_the_person_as_it_is_now(qtbot, org, errors):
    first, second = two_cases_of_one_person(org)
    window = CaseDetailWindow(org.balie, second)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(1)
    email = window.findChild(QLineEdit, "emailField")
    save = window.findChild(QPushButton, "saveButton")
    email.selectAll()
    qtbot.keyClicks(email, NEW_EMAIL)

    # Meanwhile, on another PC, the coordinator changes the phone number through case 1.
    case_edit.update_case_details(org.coordinator, first, None, phone="06 87654321")

    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert len(errors) == 1
    title, message = errors[0]
    assert title == CONFLICT_TITLE
    assert message.startswith("De gegevens van de klager zijn intussen gewijzigd")
    assert f"telefoon gewijzigd bij zaak {first} door Carla Coördinator" in message
    assert window.findChild(QLineEdit, "phoneField").text() == NEW_PHONE
    assert email.text() == OLD_EMAIL  # read again: the user enters the change once more
    detail = case_view.case_detail(org.coordinator, second)
    assert (detail.phone, detail.email) == (NEW_PHONE, OLD_EMAIL)

    email.selectAll()
    qtbot.keyClicks(email, NEW_EMAIL)
    with qtbot.waitSignal(window.changed, timeout=2000):
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert len(errors) == 1
    detail = case_view.case_detail(org.coordinator, second)
    assert (detail.phone, detail.email) == (NEW_PHONE, NEW_EMAIL)
    assert data_events(org.coordinator, second) == [{"velden": "e-mail"}]
    assert json.dumps(data_events(org.coordinator, first)) == '[{"velden": "telefoon"}]'
