"""The start window that stands in until the main window lands."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from klachtdesk.paths import resource_path
from klachtdesk.ui.placeholder import PlaceholderWindow


def test_start_window_is_dutch_and_closes(qtbot, tmp_path):
    window = PlaceholderWindow(tmp_path / "klachten.kdb")
    qtbot.addWidget(window)
    window.show()
    text = window.findChild(QLabel, "placeholderText").text()
    assert "opdrachtregel" in text and str(tmp_path / "klachten.kdb") in text
    assert not window.windowIcon().isNull()
    assert resource_path("icons", "klachtdesk.svg").is_file()
    qtbot.mouseClick(window.findChild(QPushButton, "closeButton"), Qt.MouseButton.LeftButton)
    assert not window.isVisible()
