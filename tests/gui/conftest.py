"""Window tests: a message box may never hang the run."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(autouse=True)
def message_boxes_fail_the_test(monkeypatch):
    """Offscreen, a message box (an error, a question) waits for a click that never comes and
    the run hangs. Here it is answered 'Annuleren' at once and fails the test with its text.
    A test that expects one patches ``show_error``, ``confirm`` or ``QMessageBox.exec`` itself
    (its patch replaces this one)."""
    shown: list[str] = []

    def exec_box(box: QMessageBox) -> int:
        shown.append(box.text())
        return int(QMessageBox.StandardButton.Cancel)

    monkeypatch.setattr(QMessageBox, "exec", exec_box)
    yield
    if shown:
        pytest.fail(f"Onverwachte melding in het venster: {shown}", pytrace=False)
