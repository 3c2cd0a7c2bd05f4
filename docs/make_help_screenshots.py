"""Screenshots of the manual (docs/screenshots/handleiding.png, sneltoetsen.png).

Run from the project folder: ``.venv/bin/python docs/make_help_screenshots.py``. It builds a
temporary database with a coordinator, opens the main window offscreen and grabs the help
window at 1100×700 (fits a 1366×768 screen).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from klachtdesk.services.admin import setup  # noqa: E402
from klachtdesk.ui.common import install_dutch  # noqa: E402
from klachtdesk.ui.main_window import MainWindow  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "schermafbeelding-wachtwoord"


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    install_dutch(app)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CONFIG_HOME"] = folder  # no preferences of this PC in the pictures
        path = Path(folder) / "klachten.kdb"
        setup.create_database(path, "Woonstichting De Linde", "woonpartners", "beheer", PASSWORD)
        admin = setup.unlock(path, "beheer", PASSWORD)
        setup.add_user(admin, "carla", "Carla de Vries", "coordinator", PASSWORD)
        admin.db.dispose()
        ctx = setup.unlock(path, "carla", PASSWORD)
        window = MainWindow(ctx)
        window.show()
        window.tabs.setCurrentWidget(window.cases)
        app.processEvents()
        for page, name in (("zaak.md", "handleiding.png"), ("sneltoetsen.md", "sneltoetsen.png")):
            help_window = window.help.open_page(page)
            help_window.resize(1100, 700)
            for _ in range(3):
                app.processEvents()
            help_window.grab().save(str(OUT / name))
            print(OUT / name)
        window.help.help_window.close()
        window.close()
        ctx.db.dispose()


if __name__ == "__main__":
    main()
