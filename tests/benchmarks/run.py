"""KlachtDesk benchmarks: each figure beside a baseline measured in the same run.

    python tests/benchmarks/run.py [--cases N] [--db EXISTING.kdb] [--repeat R]

Without --db a database of N cases (default 100,000; see generate.py) is generated first
into a temporary folder, which is deleted afterwards. Each figure is the median of R runs
(default 5). Standard output has one line per figure,
``<figure>: <value> (basis <baseline>: <value>) ratio <x>``, and last ``worst ratio: X``;
progress and details go to standard error. Not part of the normal test run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import figures, startup_probe  # noqa: E402
from tests.benchmarks.figures import Report  # noqa: E402
from tests.benchmarks.generate import FILES_DAYS, PASSWORD, describe, generate  # noqa: E402


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def machine() -> str:
    """CPU model, cores and memory, from /proc where there is one."""
    cpu, memory = platform.processor() or platform.machine(), ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 2**20:.1f} GiB RAM"
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}"


def bench_startup(report: Report, path: Path, repeat: int, home: Path) -> None:
    """Start-up and peak memory, each in fresh processes, KlachtDesk against a bare window."""
    env = {
        **os.environ,
        "KLACHTDESK_PASSWORD": PASSWORD,
        "QT_QPA_PLATFORM": "offscreen",
        # Per-PC preferences and logs of the probes stay out of the user's home folder.
        **{f"XDG_{kind}_HOME": str(home / kind.lower()) for kind in ("CONFIG", "DATA", "STATE")},
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    runs: dict[str, list[dict]] = {"bare": [], "login": [], "app": [], "raw": []}
    for number in range(repeat + 1):  # the first round warms the file cache: not counted
        for mode in runs:
            result = startup_probe.measure(mode, path, env=env)
            if number:
                runs[mode].append(result)

    def median(mode: str, key) -> float:
        return statistics.median(key(result) for result in runs[mode])

    phases = {
        phase: median("app", lambda r, p=phase: r["phases"][p])
        for phase in runs["app"][0]["phases"]
    }
    note(f"  start-up phases (ms since the probe's first line): {phases}")
    rss = {
        phase: median("app", lambda r, p=phase: r["rss_mib"][p])
        for phase in runs["app"][0]["rss_mib"]
    }
    note(f"  resident memory after each phase (MiB): {rss}")
    report.line(
        "start-up (a): process start to the login window on screen",
        median("login", lambda r: r["ready_ms"]),
        "bare PySide6 window, fresh process",
        median("bare", lambda r: r["ready_ms"]),
    )
    report.line(
        "start-up (b): 'Aanmelden' to a usable main window (list painted, Vandaag filled)",
        median("app", lambda r: r["phases"]["usable"] - r["phases"]["aanmelden"]),
        "key derivation + raw SQLCipher open + one page query shown in a bare QTableView",
        median("raw", lambda r: r["phases"]["painted"] - r["phases"]["imported"]),
    )
    rows = runs["app"][0]["rows"]
    report.line(
        f"peak memory (VmHWM), database of {rows:,} cases open, case list shown",
        median("app", lambda r: r["VmHWM"] / 1024),
        "the bare technique of figure b (key derivation, raw open, a page in a QTableView)",
        median("raw", lambda r: r["VmHWM"] / 1024),
        unit="MiB",
    )
    note(f"  (a bare PySide6 window alone: {median('bare', lambda r: r['VmHWM'] / 1024):.0f} MiB)")


def run(path: Path, repeat: int, scratch: Path) -> float:
    from klachtdesk.services.admin import setup
    from tests.benchmarks import store

    report = Report()
    note(f"machine: {machine()}")
    note(f"  load average before: {_load()} (other work on the machine disturbs the figures)")
    bench_startup(report, path, repeat, scratch / "home")
    ctx = setup.unlock(path, "coordinator", PASSWORD)
    try:
        figures.REPEAT = repeat
        figures.bench_case_list(report, ctx)
        figures.bench_report(report, ctx)
        figures.bench_letter(report, ctx)
        store.bench_store(report, ctx, repeat)
    finally:
        ctx.db.dispose()
    note(f"  load average after: {_load()}")
    return report.finish()


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description="KlachtDesk benchmarks")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="an existing benchmark database (generate.py)")
    parser.add_argument("--repeat", type=int, default=figures.REPEAT, help="runs per figure")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="klachtdesk-bench-"))
    try:
        path = args.db
        if path is None:
            path = scratch / "benchmark.kdb"
            note(f"generating {args.cases:,} cases …")
            started = time.perf_counter()
            # files for a year of cases at 100,000; for fewer days at more (about 4 GiB)
            totals = generate(
                path, args.cases, files_days=min(FILES_DAYS, 36_500_000 // args.cases)
            )
            note(f"  {describe(path, totals)}; {time.perf_counter() - started:.0f} s")
        else:
            note(f"database: {path} ({path.stat().st_size / 2**20:,.0f} MiB)")
        run(path, args.repeat, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
