"""One fresh process of the start-up benchmark: a bare PySide6 window, or KlachtDesk itself.

    python tests/benchmarks/startup_probe.py bare
    python tests/benchmarks/startup_probe.py login --db FILE
    KLACHTDESK_PASSWORD=… python tests/benchmarks/startup_probe.py app --db FILE [--user NAME]
    KLACHTDESK_PASSWORD=… python tests/benchmarks/startup_probe.py raw --db FILE [--user NAME]

The probe prints ``READY`` on stdout (flushed) when its window is painted; the parent
measures from starting the process to reading that line, so the interpreter's own start-up
counts on both sides. ``login`` is ready at the login window's first paint (figure a).
``app`` shows the login window, presses 'Aanmelden' with the name and password filled in,
and is ready when the main window is painted with rows in its case list; its phases give
figure b ('aanmelden' to 'painted'). ``raw`` is figure b's baseline: the same key
derivation, a raw SQLCipher open and one page query. Each prints one JSON line with its
phases (ms since the probe's first line ran) and its peak RSS (``VmHWM``) at the end; the
process then ends normally (a crash at exit fails the benchmark).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def since_start() -> float:
    return round((time.perf_counter() - STARTED) * 1000, 1)


def mark(phases: dict, rss: dict, name: str, at: float | None = None) -> None:
    """Note the time (now, or ``at`` from perf_counter) and the resident memory (MiB) at the
    end of a phase."""
    moment = time.perf_counter() if at is None else at
    phases[name] = round((moment - STARTED) * 1000, 1)
    rss[name] = round(memory_kib()["VmRSS"] / 1024, 1)


def memory_kib() -> dict[str, int]:
    """Peak and current resident set size from the kernel, in KiB."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])
    return values


def wait_for_paint(app, widget, timeout_s: float = 60.0) -> float:
    """Run the event loop until ``widget`` has painted itself for the first time; returns
    the perf_counter time at the end of that paint (what the loop did after it in the same
    turn, such as filling Vandaag, is not the window's start-up)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject

    class PaintWatch(QObject):
        painted = False
        at = 0.0

        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and not self.painted:
                # let the widget paint now, and note the time when it is done
                self.painted = True
                watched.removeEventFilter(self)
                QCoreApplication.sendEvent(watched, event)
                self.at = time.perf_counter()
                return True
            return False

    watch = PaintWatch()
    widget.installEventFilter(watch)
    deadline = time.perf_counter() + timeout_s
    while not watch.painted:
        if time.perf_counter() > deadline:
            raise SystemExit(f"no paint event within {timeout_s:.0f} s")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    return watch.at


def ready() -> None:
    print("READY", flush=True)


def bare() -> dict:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    phases, rss = {}, {}
    mark(phases, rss, "imported")
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("Kaal venster")
    window.setCentralWidget(QLabel("Hallo"))
    window.resize(1300, 800)
    window.show()
    wait_for_paint(app, window)
    mark(phases, rss, "painted")
    ready()
    return {"phases": phases, "rss_mib": rss, **memory_kib()}


def login_window(database: Path) -> tuple:
    """Up to the login window on screen (start-up figure a): the application's own imports."""
    from PySide6.QtWidgets import QApplication

    from klachtdesk.ui.common import install_dutch
    from klachtdesk.ui.start.login import LoginDialog

    phases, rss = {}, {}
    mark(phases, rss, "imported")
    app = QApplication(sys.argv)
    app.setApplicationName("KlachtDesk")
    install_dutch(app)
    dialog = LoginDialog(database)
    dialog.show()
    mark(phases, rss, "login_painted", wait_for_paint(app, dialog))
    return app, dialog, phases, rss


def login_only(database: Path) -> dict:
    app, dialog, phases, rss = login_window(database)
    ready()
    dialog.close()
    return {"phases": phases, "rss_mib": rss, **memory_kib()}


def klachtdesk_app(database: Path, username: str, password: str) -> dict:
    """The login window, then 'Aanmelden' with the name and password filled in, up to a
    usable main window (start-up figure b: from 'Aanmelden' to the main window painted with
    rows in its case list and, when Vandaag is the tab in front, Vandaag filled)."""
    from PySide6.QtCore import QEventLoop

    app, dialog, phases, rss = login_window(database)
    dialog.username.setText(username)
    dialog.password.setText(password)
    # A person takes a few seconds to type a name and a password; the services load on a
    # thread meanwhile. "Aanmelden" is pressed once they are loaded (the phase says when).
    while not dialog.preloaded():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    mark(phases, rss, "preloaded")
    mark(phases, rss, "aanmelden")
    dialog.try_login()  # what the button does
    if dialog.context is None:
        raise SystemExit(f"logging in failed: {dialog.message.text()}")
    ctx = dialog.context
    mark(phases, rss, "unlocked")
    from klachtdesk.ui.main_window import TAB_CASES, MainWindow

    window = MainWindow(ctx)
    window.resize(1300, 800)
    mark(phases, rss, "constructed")
    window.show()
    painted_at = wait_for_paint(app, window)
    if not window.cases.model.rowCount():
        raise SystemExit("the case list has no rows")
    mark(phases, rss, "painted", painted_at)
    if window.tabs.currentWidget() is window.today:  # usable: Vandaag, the tab in front, filled
        while window.today.overview is None:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    mark(phases, rss, "usable")
    ready()
    window.tabs.setCurrentIndex(TAB_CASES)
    wait_for_paint(app, window.cases.table.viewport())
    mark(phases, rss, "case_list_painted")
    while not window.cases.model.complete:  # the count follows the first page
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    rows = window.cases.model.rowCount()
    result = {"phases": phases, "rss_mib": rss, "rows": rows, **memory_kib()}
    window.close()
    ctx.db.dispose()
    return result


def raw_open(database: Path, username: str, password: str) -> dict:
    """The bare technique, the baseline of figure b and of peak memory: the same key
    derivation, a raw SQLCipher open with the same page cache, one raw page query (the first
    screenful of cases) shown in a plain QTableView in a window, timed from the key
    derivation's start to that window's first paint."""
    import sqlcipher3
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    from klachtdesk.storage.keyslots import KeyFile, key_file_path
    from tests.benchmarks import sql

    phases, rss = {}, {}
    app = QApplication(sys.argv)
    mark(phases, rss, "imported")
    key = KeyFile.load(key_file_path(database)).unlock(username, password)
    conn = sqlcipher3.connect(str(database))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    # storage.engine.cache_kib's rule, written out: importing it would bring in SQLAlchemy
    cache = max(16 * 1024, min(128 * 1024, database.stat().st_size // 2048))
    conn.execute(f"PRAGMA cache_size = -{cache}")
    rows = sql.case_list(conn)
    if not rows:
        raise SystemExit("no cases")
    mark(phases, rss, "queried")
    model = QStandardItemModel(0, len(rows[0]) - 1)
    for row in rows:
        model.appendRow([QStandardItem(str(value)) for value in row[1:]])
    window = QMainWindow()
    table = QTableView()
    table.setModel(model)
    window.setCentralWidget(table)
    window.resize(1300, 800)
    window.show()
    mark(phases, rss, "painted", wait_for_paint(app, table.viewport()))
    ready()
    conn.close()
    window.close()
    return {"phases": phases, "rss_mib": rss, "rows": len(rows), **memory_kib()}


def measure(mode: str, db: Path | None = None, user: str = "coordinator", env=None) -> dict:
    """Start a fresh probe process; its result with ``ready_ms``: from starting the process
    to reading its ``READY`` line (the first paint of its main window)."""
    command = [sys.executable, __file__, mode]
    if mode in ("app", "raw", "login"):
        command += ["--db", str(db), "--user", user]
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env
        )
        first = process.stdout.readline()
        ready_ms = (time.perf_counter() - started) * 1000
        rest = process.stdout.read()
        process.wait()
        if first.strip() != "READY" or process.returncode:
            errors.seek(0)
            raise RuntimeError(f"start-up probe '{mode}' failed:\n{errors.read()[-3000:]}")
    result = json.loads(rest.strip().splitlines()[-1])
    result["ready_ms"] = ready_ms
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["bare", "login", "app", "raw"])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--user", default="coordinator")
    args = parser.parse_args()
    password = os.environ.get("KLACHTDESK_PASSWORD", "")
    if args.mode == "bare":
        result = bare()
    elif args.mode == "login":
        result = login_only(args.db)
    elif args.mode == "raw":
        result = raw_open(args.db, args.user, password)
    else:
        result = klachtdesk_app(args.db, args.user, password)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
