"""An error that no window caught: a calm message, and a support log without personal data."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from klachtdesk import app
from klachtdesk.paths import log_dir


def test_an_uncaught_error_is_logged_without_its_message_and_shown_calmly(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    try:
        raise RuntimeError("Fatima el Amrani, Lindelaan 4")
    except RuntimeError as error:
        app._unexpected(RuntimeError, error, error.__traceback__)
    assert shown and shown[0].startswith("Er ging iets onverwachts mis")
    assert "Fatima" not in shown[0]
    log = (log_dir() / "klachtdesk.log").read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in log and "test_app_errors.py" in log
    assert "Fatima" not in log and "Lindelaan" not in log
