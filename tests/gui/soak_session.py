"""A long working session on the demo database, run in a process of its own by test_soak.py.

One user who holds every role the windows need goes round and round the application as a
busy day would: the tabs (Zaken, Vandaag, Kalender), the calendar's month, week and agenda,
a case window opened and closed, the letter dialog opened and closed, and the settings.
Everything goes through the main window's own actions, as a click would.

Prints one JSON line: the cycles done, the resident memory and the live Qt/Python objects
after the warm-up and at the end. Usage: ``python -m tests.gui.soak_session FOLDER CYCLES``.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog  # noqa: E402

from klachtdesk.services import demo  # noqa: E402
from klachtdesk.services.admin import setup
from klachtdesk.storage import keyslots  # noqa: E402
from klachtdesk.ui.common import install_dutch  # noqa: E402
from klachtdesk.ui.main_window import MainWindow  # noqa: E402

PASSWORD = "soak-wachtwoord-1"
WARM_UP = 20  # the first rounds fill caches (fonts, templates, Qt's style); growth after that


def resident_kib() -> int:
    """Resident memory of this process (Linux /proc; 0 where there is none)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def snapshot() -> dict[str, int]:
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, 0)  # deleteLater() of closed windows
    QApplication.processEvents()
    gc.collect()
    return {
        "rss_kib": resident_kib(),
        "widgets": len(QApplication.allWidgets()),
        "top_level": len(QApplication.topLevelWidgets()),
        "python_objects": len(gc.get_objects()),
    }


def close_modal_soon() -> None:
    """Settings open modally (exec); close it as the user's Esc would, once it is up."""

    def close() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            dialog.reject()
        else:
            QTimer.singleShot(10, close)

    QTimer.singleShot(0, close)


def one_round(window: MainWindow, ref: str) -> None:
    process = QApplication.processEvents
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        process()
    calendar = window.calendar
    for index in range(calendar.tabs.count()):
        calendar.tabs.setCurrentIndex(index)
        process()
    calendar.go_to_today()
    window.open_case(ref)
    detail = window.detail_windows[ref]
    process()
    detail.files.make_letter()
    process()
    detail.files.letter_dialog.reject()
    process()
    detail.close()
    process()
    close_modal_soon()
    window.open_settings()
    process()


def main(folder: Path, cycles: int) -> None:
    # the session is about the windows, not key derivation
    keyslots.ARGON2_MEMORY_KIB, keyslots.ARGON2_ITERATIONS, keyslots.ARGON2_LANES = 1024, 1, 1
    path = folder / "demo.kdb"
    demo.create_demo_database(path, "beheer", PASSWORD, cases=300, today=date(2026, 11, 25))
    root = setup.unlock(path, "beheer", PASSWORD)
    setup.add_user(root, "alles", "Alex Alles", "beheer,coordinator,balie,manager", PASSWORD)
    root.db.dispose()

    app = QApplication.instance() or QApplication(sys.argv)
    install_dutch(app)
    ctx = setup.unlock(path, "alles", PASSWORD)
    window = MainWindow(ctx)
    window.show()
    window.resize(1366, 768)
    ref = window.cases.model.row_at(0).ref

    for _round in range(WARM_UP):
        one_round(window, ref)
    warm = snapshot()
    for _round in range(cycles - WARM_UP):
        one_round(window, ref)
    end = snapshot()

    window.close()
    ctx.db.dispose()
    print(json.dumps({"cycles": cycles, "warm": warm, "end": end}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
