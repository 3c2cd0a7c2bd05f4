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
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {heavy!r})))
"""


def test_the_login_window_module_imports_nothing_heavy():
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY))],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


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
