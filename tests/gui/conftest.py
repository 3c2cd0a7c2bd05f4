"""Window tests: an error dialog may never hang the run."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from klachtdesk.ui import common


@pytest.fixture(autouse=True)
def error_dialogs_fail_the_test(monkeypatch):
    """Offscreen, an error dialog waits for a click that never comes and the run hangs. Here
    it is recorded instead and fails the test with its message. A test that expects an
    error either patches ``show_error`` itself (its fixture replaces this patch) or catches
    the dialog by patching ``QMessageBox.exec`` (then the real dialog code runs)."""
    shown: list[tuple[str, str]] = []
    real_show_error, real_exec = common.show_error, QMessageBox.exec

    def show_error(parent, error, title="Niet gelukt"):
        if QMessageBox.exec is not real_exec:  # the test answers message boxes itself
            real_show_error(parent, error, title)
        else:
            shown.append((title, str(error)))

    monkeypatch.setattr(common, "show_error", show_error)
    yield
    if shown:
        pytest.fail(f"Onverwachte foutmelding in het venster: {shown}", pytrace=False)
