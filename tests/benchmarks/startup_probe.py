"""One fresh process of the start-up benchmark: a bare PySide6 window, or KlachtDesk itself.

    python tests/benchmarks/startup_probe.py bare
    KLACHTDESK_PASSWORD=… python tests/benchmarks/startup_probe.py app --db FILE [--user NAME]

The probe prints ``READY`` on stdout (flushed) at the first paint of the main window; the
parent measures from starting the process to reading that line, so the interpreter's own
start-up counts on both sides. ``app`` is then interactive: the services unlocked the
database with the password, ``MainWindow`` was built and shown and its case list has rows.
After that the probe shows the case list (the ``Zaken`` tab, painted), and prints one JSON
line with its phases (ms since the probe's first line ran) and its peak RSS (``VmHWM``).
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


def mark(phases: dict, rss: dict, name: str) -> None:
    """Note the time and the resident memory (MiB) at the end of a phase."""
    phases[name] = since_start()
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


def wait_for_paint(app, widget, timeout_s: float = 60.0) -> None:
    """Run the event loop until ``widget`` received its first paint event."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject

    class PaintWatch(QObject):
        painted = False

        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    watch = PaintWatch()
    widget.installEventFilter(watch)
    deadline = time.perf_counter() + timeout_s
    while not watch.painted:
        if time.perf_counter() > deadline:
            raise SystemExit(f"no paint event within {timeout_s:.0f} s")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    widget.removeEventFilter(watch)


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


def klachtdesk_app(database: Path, username: str, password: str) -> dict:
    from PySide6.QtWidgets import QApplication

    from klachtdesk.services.admin import setup
    from klachtdesk.ui.common import install_dutch
    from klachtdesk.ui.main_window import TAB_CASES, MainWindow

    phases, rss = {}, {}
    mark(phases, rss, "imported")
    app = QApplication(sys.argv)
    app.setApplicationName("KlachtDesk")
    install_dutch(app)
    ctx = setup.unlock(database, username, password)  # what the login dialog calls
    mark(phases, rss, "unlocked")
    window = MainWindow(ctx)
    window.resize(1300, 800)
    mark(phases, rss, "constructed")
    window.show()
    wait_for_paint(app, window)
    rows = window.cases.model.rowCount()
    if not rows:
        raise SystemExit("the case list has no rows")
    mark(phases, rss, "painted")
    ready()
    window.tabs.setCurrentIndex(TAB_CASES)
    wait_for_paint(app, window.cases.table.viewport())
    mark(phases, rss, "case_list_painted")
    result = {"phases": phases, "rss_mib": rss, "rows": rows, **memory_kib()}
    window.close()
    ctx.db.dispose()
    return result


def measure(mode: str, db: Path | None = None, user: str = "coordinator", env=None) -> dict:
    """Start a fresh probe process; its result with ``ready_ms``: from starting the process
    to reading its ``READY`` line (the first paint of its main window)."""
    command = [sys.executable, __file__, mode]
    if mode == "app":
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
    parser.add_argument("mode", choices=["bare", "app"])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--user", default="coordinator")
    args = parser.parse_args()
    if args.mode == "bare":
        result = bare()
    else:
        password = os.environ.get("KLACHTDESK_PASSWORD", "")
        result = klachtdesk_app(args.db, args.user, password)
    print(json.dumps(result), flush=True)
    os._exit(0)  # the measurement is done; skip the teardown of Qt and the interpreter


if __name__ == "__main__":
    main()
