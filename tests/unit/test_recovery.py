"""The recovery code, a new recovery code, and changing one's own password."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from klachtdesk.domain.errors import KlachtDeskError, NotAllowed, ValidationError
from klachtdesk.services.admin import admin_users, setup
from klachtdesk.storage.errors import WrongPassword
from klachtdesk.storage.keyslots import KeyFile, key_file_path
from klachtdesk.storage.models import AuditEntry
from tests.conftest import PASSWORD, clock

NEW = "nieuw-wachtwoord-2026"


def actions(ctx) -> list[tuple[str, str, str]]:
    with ctx.db.session() as session:
        return [
            (e.action, e.username, e.object_ref)
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def entry_count(org) -> int:
    with org.beheer.db.session() as session:
        return session.scalar(select(func.count(AuditEntry.id)))


def test_the_recovery_code_gives_the_beheerder_a_new_password_and_is_then_replaced(org):
    new_code = setup.recover_with_code(org.path, org.recovery_code, "Beheer", NEW, **clock())
    assert new_code != org.recovery_code and len(new_code.replace("-", "")) == 32
    with pytest.raises(WrongPassword):
        org.login("beheer")  # the forgotten password no longer works
    ctx = org.login("beheer", NEW)
    assert actions(ctx)[-5:] == [
        ("herstelcode_gebruikt", "beheer", "beheer"),
        ("herstelcode_vervangen", "beheer", ""),
        ("database_opnieuw_versleuteld", "beheer", ""),  # the used code opens nothing live
        ("aanmelden_mislukt", "beheer", ""),  # the try with the forgotten password
        ("aangemeld", "beheer", ""),
    ]
    ctx.db.dispose()
    org.login("balie").db.dispose()  # colleagues keep their passwords
    # The used code is spent; the new one works (once again).
    with pytest.raises(WrongPassword, match="herstelcode klopt niet"):
        setup.recover_with_code(org.path, org.recovery_code, "beheer", "nog-een-wachtwoord")
    lowercase_without_dashes = new_code.replace("-", "").lower()
    newer = setup.recover_with_code(
        org.path, lowercase_without_dashes, "beheer", "derde-wachtwoord"
    )
    assert newer not in (new_code, org.recovery_code)
    org.login("beheer", "derde-wachtwoord").db.dispose()


@pytest.mark.parametrize(
    ("code", "username", "password", "error", "message"),
    [
        (
            "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH",
            "beheer",
            NEW,
            WrongPassword,
            "code klopt niet",
        ),
        (None, "balie", NEW, NotAllowed, "Bea Balie is geen beheerder"),
        (None, "niemand", NEW, ValidationError, "geen actieve gebruiker 'niemand'"),
        (None, "beheer", "kort", ValidationError, "ten minste 10 tekens"),
        (None, "", NEW, ValidationError, "gebruikersnaam"),
    ],
)
def test_a_failed_recovery_changes_nothing(org, code, username, password, error, message):
    keys = key_file_path(org.path)
    before_keys, before_log = keys.read_bytes(), entry_count(org)
    with pytest.raises(error, match=message):
        setup.recover_with_code(org.path, code or org.recovery_code, username, password)
    assert keys.read_bytes() == before_keys
    assert entry_count(org) == before_log
    assert KeyFile.load(keys).unlock_recovery(org.recovery_code) == org.beheer.db.key
    org.login("beheer").db.dispose()


def test_a_deactivated_beheerder_cannot_be_recovered(org):
    setup.add_user(org.beheer, "oud", "Olga Oud", "beheer", PASSWORD)
    oud = next(u.id for u in admin_users.list_users(org.beheer) if u.username == "oud")
    admin_users.deactivate_user(org.beheer, oud)
    with pytest.raises(ValidationError, match="geen actieve gebruiker 'oud'"):
        setup.recover_with_code(org.path, org.recovery_code, "oud", NEW)


def test_a_key_file_that_cannot_be_written_is_a_dutch_message_and_changes_nothing(org, monkeypatch):
    before_log = entry_count(org)

    def refuse(self, path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(KeyFile, "save", refuse)
    with pytest.raises(KlachtDeskError, match="sleutelbestand .* kon niet worden opgeslagen"):
        setup.recover_with_code(org.path, org.recovery_code, "beheer", NEW)
    assert entry_count(org) == before_log
    monkeypatch.undo()
    org.login("beheer").db.dispose()


def test_beheer_replaces_the_recovery_code_after_giving_the_password_again(org):
    with pytest.raises(WrongPassword, match="wachtwoord klopt niet"):
        setup.replace_recovery_code(org.beheer, "fout-wachtwoord")
    assert actions(org.beheer)[-1][:2] == ("aanmelden_mislukt", "beheer")
    keys = key_file_path(org.path)
    assert KeyFile.load(keys).unlock_recovery(org.recovery_code) == org.beheer.db.key
    code = setup.replace_recovery_code(org.beheer, PASSWORD)
    with pytest.raises(WrongPassword, match="herstelcode klopt niet"):
        KeyFile.load(keys).unlock_recovery(org.recovery_code)
    assert KeyFile.load(keys).unlock_recovery(code) == org.beheer.db.key
    assert actions(org.beheer)[-2:] == [
        ("herstelcode_vervangen", "beheer", ""),
        ("database_opnieuw_versleuteld", "beheer", ""),
    ]


@pytest.mark.parametrize("role", ["balie", "coordinator", "manager", "directeur"])
def test_only_beheer_makes_a_new_recovery_code(org, role):
    keys = key_file_path(org.path)
    before = keys.read_bytes()
    with pytest.raises(NotAllowed, match="rol Beheerder"):
        setup.replace_recovery_code(getattr(org, role), PASSWORD)
    assert keys.read_bytes() == before


def test_changing_ones_own_password(org):
    with pytest.raises(WrongPassword, match="wachtwoord klopt niet"):
        setup.change_password(org.balie, "fout-wachtwoord", NEW)
    with pytest.raises(ValidationError, match="gelijk aan het huidige"):
        setup.change_password(org.balie, PASSWORD, PASSWORD)
    with pytest.raises(ValidationError, match="ten minste 10"):
        setup.change_password(org.balie, PASSWORD, "kort")
    org.login("balie").db.dispose()  # nothing changed so far
    setup.change_password(org.balie, PASSWORD, NEW)
    with pytest.raises(WrongPassword):
        org.login("balie")
    ctx = org.login("balie", NEW)
    logged = [a for a in actions(ctx) if a[1] == "balie"]
    assert ("aanmelden_mislukt", "balie", "") in logged
    assert ("wachtwoord_gewijzigd", "balie", "balie") in logged
    ctx.db.dispose()
