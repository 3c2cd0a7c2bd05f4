"""Issue 14: the login window appears before anything heavy is imported.

SQLAlchemy, Alembic, SQLCipher, cryptography, the password checker, ReportLab, pypdfium2,
babel's data and the holiday tables load on a thread while the user types (or after
"Aanmelden"), not before the window is on screen. A fresh process imports the login window's
module, as the application does before showing it, and looks at ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "sqlalchemy",
    "alembic",
    "sqlcipher3",
    "cryptography",
    "zxcvbn",
    "reportlab",
    "pypdfium2",
    "babel",
    "holidays",
)

PROBE = """
import json, sys
import klachtdesk.app
import klachtdesk.ui.start.login
print(json.dumps(sorted(
    name for name in sys.modules
    if name.split(".")[0] in {heavy!r} or name == "importlib.metadata"  # the version number
)))
"""


def fresh_process(code: str, *args: str, env: dict | None = None):
    """Run ``code`` in a fresh Python; the JSON it printed last."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env or {"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_login_window_module_imports_nothing_heavy():
    assert fresh_process(PROBE.format(heavy=set(HEAVY))) == []


def test_the_preload_brings_in_what_logging_in_needs():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from klachtdesk.ui.start.login import preload\n"
            "preload().join()\n"
            "print('sqlalchemy' in sys.modules, 'klachtdesk.services.admin.setup' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


AFTER_LOGIN = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from klachtdesk.services.admin import setup
from klachtdesk.ui.common import install_dutch
app = QApplication([])
install_dutch(app)
ctx = setup.unlock(Path(sys.argv[1]), "coordinator", sys.argv[2])
after_login = sorted(n for n in sys.modules if n.split(".")[0] in ("alembic", "zxcvbn"))
from klachtdesk.ui.main_window import MainWindow
window = MainWindow(ctx)
window.show()
app.processEvents()
menus = {"klachtdesk.reports.charts", "klachtdesk.ui.report_window",
         "klachtdesk.ui.admin.settings_dialog", "klachtdesk.ui.cases.case_detail"}
print(json.dumps([after_login, sorted(menus & set(sys.modules))]))
window.close()
ctx.db.dispose()
"""


def test_logging_in_to_a_current_database_skips_alembic_and_the_menus_windows(org, tmp_path):
    """The schema check reads one row when the schema is current; the report, settings and
    case windows load when first opened, not while the main window is built."""
    from tests.conftest import PASSWORD, cli_env

    path = org.coordinator.db.path
    org.coordinator.db.dispose()
    env = {**cli_env(tmp_path, "coordinator"), "QT_QPA_PLATFORM": "offscreen"}
    assert fresh_process(AFTER_LOGIN, str(path), PASSWORD, env=env) == [[], []]


def test_the_schema_head_known_without_alembic_is_alembics_head():
    from klachtdesk.storage import migrate

    assert migrate.head_revision() == migrate.HEAD


SOURCES = """
import json, linecache, sys
import klachtdesk.ui.start.login
from klachtdesk.ui.start.login import preload
preload().join()
import klachtdesk.ui.today
check = sys.modules["shibokensupport.feature"]._mod_uses_pyside
names = ["klachtdesk.ui.today", "klachtdesk.ui.common", "sqlalchemy.orm", "holidays", "json"]
print(json.dumps({
    "kept": sorted(
        name for name, entry in linecache.cache.items()
        if len(entry) == 4 and ("sqlalchemy" in name or "holidays" in name) and name.endswith(".py")
    ),
    "ours": [check(sys.modules[name]) for name in names],
    "pyside": [getattr(check, "original", check)(sys.modules[name]) for name in names],
}))
"""


def test_pyside_no_longer_keeps_the_source_of_every_module_in_memory():
    """PySide reads each imported module's source to look for ``from __feature__``; its own
    check kept every file's lines (35 MiB for what logging in loads). Ours gives the same
    answers and keeps nothing."""
    result = fresh_process(SOURCES)
    assert result["kept"] == []
    assert result["ours"] == result["pyside"] == [True, True, False, False, False]
