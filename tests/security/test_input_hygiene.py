"""Pasted junk in a search box and invisible names (issue 13, item 13).

A NUL (or any control character) pasted into a search box once reached the FTS5 query and
came back as "onverwachte fout"; a name made of zero-width spaces was accepted and showed as
an empty line everywhere. The search treats control characters as spaces and leaves out
invisible format characters, so the window, the intake and the privacy search behave alike;
a required text of only invisible characters is refused as empty, in Dutch.
"""

from __future__ import annotations

import json

import pytest

from klachtdesk.domain.errors import ValidationError
from klachtdesk.domain.validation import ComplaintInput, required_text, search_text
from klachtdesk.services.admin import admin, admin_lists, admin_users, settings, setup
from klachtdesk.services.cases import case_view, cases
from klachtdesk.services.cases.case_view import CaseFilter
from klachtdesk.services.intake import importer
from klachtdesk.services.intake.intake import IntakeFlow, Page
from klachtdesk.services.safety import audit_log
from klachtdesk.services.safety.audit_log import AuditFilter
from klachtdesk.storage.keyslots import key_file_path
from tests.conftest import TODAY, complaint_data
from tests.gui.conftest import message_boxes_fail_the_test  # noqa: F401 - autouse: no dialog

# Pasted from a binary file, a terminal or a PDF: control characters anywhere in the text.
JUNK = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x00\x00\x00"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u2066"]


def register(ctx, name: str, subject: str, postcode: str = "3511 AB") -> str:
    data = complaint_data(subject=subject)
    data["complainant"] = {**data["complainant"], "name": name, "postcode": postcode}
    return cases.register(ctx, ComplaintInput.validated(data, TODAY))


def refs(ctx, search: str) -> list[str]:
    ids = case_view.case_ids(ctx, CaseFilter(search=search), "ref", False)
    return [row.ref for row in case_view.list_rows(ctx, ids)]


@pytest.fixture
def two(org):
    a = register(org.balie, "Fatima el Amrani", "Lekkage badkamer")
    b = register(org.balie, "Kees de Jong", "Geen antwoord op e-mails", "3431 CD")
    return a, b


def test_search_text_turns_control_characters_into_spaces_and_drops_invisible_ones():
    assert search_text("lek\x00kage") == "lek kage"
    assert search_text("\x00amrani\x00") == "amrani"
    assert search_text("Fat\u200bima\ufeff") == "Fatima"
    assert search_text("kees\t\r\n\x0bjong") == "kees jong"
    assert search_text("\x00\u200b \x1b") == ""
    assert search_text("Jan\ud800sen") == "Jansen"  # half a UTF-16 pair (an odd CLI argument)
    assert search_text("e\u0301") == "\u00e9"  # typed as two code points, stored as one


@pytest.mark.parametrize("junk", JUNK)
def test_control_characters_pasted_into_the_case_search_never_break_it(org, two, junk):
    a, b = two
    assert refs(org.coordinator, f"amrani{junk}") == [a]
    assert refs(org.coordinator, f"{junk}3431cd") == [b]
    assert refs(org.coordinator, f"kees{junk}jong") == [b]
    assert refs(org.coordinator, junk) == [a, b]  # nothing to search for: no filter
    assert refs(org.coordinator, f'"{junk}') == [a, b]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_invisible_characters_in_the_search_are_left_out(org, two, mark):
    a, _ = two
    assert refs(org.coordinator, f"Am{mark}rani") == [a]
    assert refs(org.coordinator, mark * 5) == refs(org.coordinator, "")


def test_the_complainant_search_ignores_junk_and_finds_no_one_for_junk_alone(org, two):
    for junk in JUNK + INVISIBLE:
        found = case_view.find_complainants(org.balie, f"Fatima{junk} el Amrani")
        assert [m.name for m in found][:1] == ["Fatima el Amrani"]
        assert case_view.find_complainants(org.balie, junk * 2) == []  # not 'everyone'


def test_the_audit_log_search_ignores_junk(org, two):
    a, _ = two
    everything = audit_log.query_audit(org.beheer, AuditFilter()).rows
    only_a = audit_log.query_audit(org.beheer, AuditFilter(text=a)).rows
    assert only_a and len(only_a) < len(everything)
    assert audit_log.query_audit(org.beheer, AuditFilter(text=f"{a}\x00")).rows == only_a
    assert audit_log.query_audit(org.beheer, AuditFilter(text=f"\x00{a}")).rows == only_a
    assert audit_log.query_audit(org.beheer, AuditFilter(text="\x00\x00")).rows == everything


# -- names of only invisible characters ----------------------------------------------------------
# Each looks like an empty field; every one of them was accepted as a name.
EMPTY_LOOKING = [
    "\u200b",
    "\u200b\u200c\u200d",
    "\u2060\ufeff",
    " \u200b \u00a0\u3000 ",
    "\u00ad\u200e\u200f\u061c",
    "\u180e\u2061\u2062\u2063\u2064",
    "\u3164\u115f\u1160\uffa0",  # Hangul fillers
    "\u2800\u2800",  # blank braille pattern
    "\ufe0f\u034f",  # variation selector, grapheme joiner with nothing to join
    "\U000e0020\U000e0041\U000e007f",  # tag characters
]


@pytest.mark.parametrize("name", EMPTY_LOOKING)
def test_a_required_text_of_only_invisible_characters_is_empty(name):
    for multiline in (False, True):
        with pytest.raises(ValidationError) as info:
            required_text(name, "naam", max_length=200, multiline=multiline)
        assert str(info.value) == "Veld 'naam': is verplicht."


def test_invisible_characters_around_a_name_are_not_stored_and_emoji_keep_their_marks():
    assert required_text("\ufeff\u200bFatima el Amrani\u2060 ", "naam", max_length=200) == (
        "Fatima el Amrani"
    )
    assert required_text("\u3164Jan\u2800", "naam", max_length=200) == "Jan"
    for kept in (
        "Jan \u2764\ufe0f",
        "Anna \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
        "Jan\u200bde\u200dVries",
    ):
        assert required_text(kept, "naam", max_length=200) == kept
    with pytest.raises(ValidationError, match="stuurtekens"):  # an override stays refused
        required_text("\u202eJan", "naam", max_length=200)


def intake(ctx, name: str) -> IntakeFlow:
    flow = IntakeFlow(ctx)
    answers = complaint_data()
    flow.set_answers(Page.KANAAL, channel=answers["channel"], received=TODAY)
    flow.set_answers(Page.KLAGER, **{**answers["complainant"], "name": name})
    flow.set_answers(
        Page.KLACHT,
        subject=answers["subject"],
        description=answers["description"],
        category=answers["category"],
    )
    flow.set_answers(Page.ONTVANKELIJKHEID, discussed="ja")
    return flow


def case_count(org) -> int:
    return len(cases.list_cases(org.coordinator))


@pytest.mark.parametrize("name", EMPTY_LOOKING[:4])
def test_the_intake_refuses_an_invisible_name_at_the_name_field(org, name):
    flow = intake(org.balie, name)
    assert flow.validate(Page.KLAGER) == {"name": "Naam is verplicht."}
    with pytest.raises(ValidationError, match="naam"):
        flow.register()
    assert case_count(org) == 0


def test_the_intake_stores_a_name_without_its_invisible_edges(org):
    ref = intake(org.balie, "\u200bAns de Wit\ufeff").register()
    assert case_view.case_detail(org.coordinator, ref).complainant_name == "Ans de Wit"


def test_an_import_with_an_invisible_name_is_refused_whole(org, tmp_path):
    good = complaint_data()
    bad = complaint_data()
    bad["complainant"] = {**bad["complainant"], "name": "\u200b\u200c\u2060"}
    path = tmp_path / "webformulier.json"
    path.write_text(json.dumps([good, bad]), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        importer.import_file(org.balie, path)
    assert str(info.value) == "Record 2, veld 'naam': is verplicht."
    assert case_count(org) == 0


def test_a_user_or_employee_named_with_invisible_characters_is_refused(org):
    keys = key_file_path(org.path)
    before = keys.read_bytes()
    users_before = admin_users.list_users(org.beheer)
    for name in EMPTY_LOOKING[:4]:
        with pytest.raises(ValidationError) as info:
            setup.add_user(org.beheer, "nieuw", name, "balie", "een-lang-wachtwoord")
        assert str(info.value) == "Veld 'naam': is verplicht."
        with pytest.raises(ValidationError, match="naam medewerker': is verplicht"):
            admin_lists.add_employee(org.beheer, name)
        me = next(u for u in users_before if u.username == "balie")
        with pytest.raises(ValidationError, match="'naam': is verplicht"):
            admin_users.update_user(org.beheer, me.id, name)
    assert keys.read_bytes() == before
    assert admin_users.list_users(org.beheer) == users_before
    assert admin_lists.list_employees(org.beheer) == []

    setup.add_user(org.beheer, "nieuw", "\u2060Nina Nieuw\u200b", "balie", "een-lang-wachtwoord")
    [added] = [u for u in admin_users.list_users(org.beheer) if u.username == "nieuw"]
    assert added.display_name == "Nina Nieuw"


def test_the_signatory_and_a_function_are_checked_like_any_name(org):
    update = settings.update_settings
    update(org.beheer, {"letters.signature_name": "\u200bMarieke Manager\u2060"})
    with pytest.raises(ValidationError, match="'Naam ondertekenaar': bevat onzichtbare"):
        update(org.beheer, {"letters.signature_name": "Marieke\x00 Manager"})
    assert settings.get_settings(org.beheer)["letters.signature_name"] == "Marieke Manager"
    update(org.beheer, {"letters.signature_name": "\u200b\u200b"})
    assert settings.get_settings(org.beheer)["letters.signature_name"] == ""
    with pytest.raises(ValidationError, match="'functie': bevat onzichtbare"):
        setup.add_user(org.beheer, "nieuw", "Nina", "balie", "een-lang-wachtwoord", "Baas\x1b[31m")
    assert "nieuw" not in {u.username for u in admin_users.list_users(org.beheer)}
    # The logo is a text setting too (base64): the largest image allowed still fits.
    biggest = b"\x89PNG\r\n\x1a\n" + bytes(admin.MAX_LOGO_BYTES - 8)
    admin.save_settings(org.beheer, {}, logo=biggest)
    assert admin.logo_bytes(org.beheer) == biggest


def test_a_new_database_refuses_an_invisible_name_for_its_first_user(tmp_path):
    path = tmp_path / "nieuw.kdb"
    with pytest.raises(ValidationError, match="'naam': is verplicht"):
        setup.create_database(
            path, "Woonstichting", "woonpartners", "jan", "een-lang-wachtwoord", "\u200b\ufeff"
        )
    assert list(tmp_path.iterdir()) == []


# -- the window ----------------------------------------------------------------------------------
def paste(qtbot, widget, text: str) -> None:
    """Put ``text`` on the clipboard and paste it with the keyboard, as a user does."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText(text)
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_a_nul_pasted_into_the_case_list_search_shows_no_error(org, two, qtbot):
    from PySide6.QtCore import Qt

    from klachtdesk.ui.cases.case_list import CaseListPanel

    a, b = two
    panel = CaseListPanel(org.coordinator)
    qtbot.addWidget(panel)
    panel.show()
    paste(qtbot, panel.search, "amrani\x00")
    assert "\x00" in panel.search.text()  # the box holds what was pasted
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())] == [a]
    panel.search.clear()
    paste(qtbot, panel.search, "\x00\x00\u200b")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=2000)  # the timer's search
    assert panel.count.text() == "2 zaken"
