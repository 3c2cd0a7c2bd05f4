"""Nothing personal is written readable to disk (SPEC §7): not in the database, its journal or
key file, not in a back-up or a restored copy, not in temporary files, and not in the log.

One known complainant goes through everything that writes files: registration, a letter, an
import, the evaluation report, a back-up and a restore, an unexpected error (the support log).
Every file that appeared anywhere is then searched for the name, street and e-mail address,
in UTF-8, UTF-16 and Latin-1.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from sqlalchemy import text

from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services import report
from klachtdesk.services.cases import cases
from klachtdesk.services.intake import importer
from klachtdesk.services.letters import letters
from klachtdesk.services.safety import backup, restore
from klachtdesk.support import log_unexpected
from tests.conftest import PASSWORD, TODAY, complaint_data

NAME = "Wilhelmina Zevenbergen-Oosterhout"
STREET = "Kwikstaartlaan 117"
EMAIL = "w.zevenbergen@voorbeeld.nl"
SECRETS = (NAME, "Zevenbergen", STREET, "Kwikstaart", EMAIL)


def encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("latin-1")]


def leaks(folder: Path, skip: tuple[Path, ...] = ()) -> list[str]:
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path in skip:
            continue
        raw = path.read_bytes()
        for secret in SECRETS:
            if any(needle in raw for needle in encodings(secret)):
                found.append(f"{path.relative_to(folder)}: {secret}")
    return found


def test_no_readable_personal_data_in_any_file_klachtdesk_writes(org, tmp_path, monkeypatch):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    person = {
        "name": NAME,
        "street": STREET,
        "postcode": "3512 JK",
        "city": "Utrecht",
        "email": EMAIL,
        "phone": "06 12345678",
    }
    data = complaint_data(complainant=person, description=f"Klacht van {NAME}, {STREET}.")
    ref = cases.register(org.balie, ComplaintInput.validated(data, TODAY))
    draft = letters.draft(org.balie, ref, "ontvangstbevestiging")
    letters.finalise(org.balie, ref, draft, "post")

    source = tmp_path / "import" / "webformulier.json"  # the user's own file: not searched
    source.parent.mkdir()
    source.write_text(json.dumps([complaint_data(complainant=person)]), encoding="utf-8")
    importer.import_file(org.balie, source)

    report.evaluation(org.coordinator, "2026H2")

    info = backup.make_backup(org.beheer)
    restored = tmp_path / "hersteld" / "klachten.kdb"
    restored.parent.mkdir()
    restore.restore_backup(info.path, restored, "beheer", PASSWORD)

    try:
        raise ValueError(f"onverwacht bij {NAME}, {STREET}, {EMAIL}")
    except ValueError as error:
        assert log_unexpected(error)

    # An open write transaction: the rollback journal exists and holds changed pages.
    with org.coordinator.db.session(write=True) as session:
        session.execute(text("UPDATE complainants SET city = 'Zeist'"))
        journal = Path(f"{org.path}-journal")
        assert journal.exists()
        assert leaks(org.path.parent, skip=(source,)) == []

    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != source]
    names = {p.name for p in written}
    assert info.name in names and "klachten.kdb" in names and "klachten.kdb.keys" in names
    assert any(p.name == "klachtdesk.log" for p in written)
    assert leaks(tmp_path, skip=(source,)) == []
    assert [p for p in temp.rglob("*") if p.is_file()] == []  # temp files were cleaned up
