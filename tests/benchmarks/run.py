"""KlachtDesk benchmarks: each figure beside a baseline measured in the same run.

    python tests/benchmarks/run.py [--cases N] [--db EXISTING.kdb]

Without --db a database of N cases (default 100,000) is generated first (about a minute).
Each line names a figure, its value, its baseline and the ratio; the last line is
``worst ratio: X``. Not part of the normal test run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.generate import PASSWORD, generate  # noqa: E402


def best_of(func, repeat: int = 5) -> float:
    """The best of ``repeat`` runs in milliseconds (the least disturbed by other work)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


class Report:
    def __init__(self) -> None:
        self.ratios: list[float] = []

    def line(self, name: str, value_ms: float, baseline_name: str, baseline_ms: float) -> None:
        ratio = value_ms / baseline_ms if baseline_ms else float("inf")
        self.ratios.append(ratio)
        print(
            f"{name}: {value_ms:.1f} ms; baseline ({baseline_name}): {baseline_ms:.1f} ms; "
            f"ratio {ratio:.2f}"
        )

    def finish(self) -> None:
        print(f"worst ratio: {max(self.ratios):.2f}")


def bench_case_list(report: Report, path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from klachtdesk.services import case_view, setup
    from klachtdesk.services.case_view import CaseFilter
    from klachtdesk.ui.case_list import CaseListPanel

    app = QApplication.instance() or QApplication([])
    ctx = setup.unlock(path, "coordinator", PASSWORD)
    raw = ctx.db.raw_connection()
    count = raw.execute("SELECT count(*) FROM cases").fetchone()[0]
    print(f"database: {path} ({count} zaken, {path.stat().st_size / 1024 / 1024:.0f} MB)")

    def raw_list() -> None:
        ids = [r[0] for r in raw.execute("SELECT id FROM cases ORDER BY received DESC, id DESC")]
        raw.execute(
            "SELECT * FROM cases JOIN complainants ON complainants.id = cases.complainant_id "
            f"WHERE cases.id IN ({','.join(map(str, ids[:200]))})"
        ).fetchall()

    def open_list() -> None:
        panel = CaseListPanel(ctx)
        panel.resize(1300, 700)
        panel.show()
        app.processEvents()  # the view paints the visible rows: the first page is fetched
        panel.close()
        panel.deleteLater()

    report.line(
        "case list open (all ids + first page + painted view)",
        best_of(open_list),
        "raw SQL: ordered ids + one page",
        best_of(raw_list),
    )

    def raw_search() -> None:
        raw.execute(
            "SELECT cases.id FROM cases WHERE cases.id IN "
            "(SELECT rowid FROM case_search WHERE case_search MATCH '\"lekkage\"') "
            "ORDER BY received DESC"
        ).fetchall()

    def search() -> None:
        ids = case_view.case_ids(ctx, CaseFilter(search="lekkage"))
        case_view.list_rows(ctx, ids[:200])

    report.line(
        "search keystroke 'lekkage' (ids + first page)",
        best_of(search),
        "raw FTS5 query",
        best_of(raw_search),
    )

    def raw_sort() -> None:
        raw.execute(
            "SELECT cases.id FROM cases JOIN complainants ON complainants.id = "
            "cases.complainant_id ORDER BY complainants.name, cases.id"
        ).fetchall()

    report.line(
        "sort by complainant",
        best_of(lambda: case_view.case_ids(ctx, CaseFilter(), "complainant", False)),
        "raw SQL sort",
        best_of(raw_sort),
    )
    raw.close()
    ctx.db.dispose()
    samples = [best_of(search, 1) for _ in range(5)]
    print(
        f"  (search spread over 5 runs: {min(samples):.0f}–{max(samples):.0f} ms, "
        f"median {statistics.median(samples):.0f} ms)"
    )


def bench_report(report: Report, path: Path) -> None:
    from io import BytesIO

    from reportlab.pdfgen.canvas import Canvas

    from klachtdesk.reports import evaluation_pdf
    from klachtdesk.services import report as evaluation
    from klachtdesk.services import setup

    ctx = setup.unlock(path, "coordinator", PASSWORD)
    raw = ctx.db.raw_connection()
    period = evaluation.parse_period("2026H1")

    def raw_counts() -> None:
        raw.execute(
            "SELECT channel, count(*) FROM cases WHERE received BETWEEN '2026-01-01' AND "
            "'2026-06-30' GROUP BY channel"
        ).fetchall()
        raw.execute(
            "SELECT count(*) FROM deadlines WHERE due BETWEEN '2026-01-01' AND '2026-06-30' "
            "AND met_on <= due"
        ).fetchall()

    report.line(
        "half-year report figures (2026H1)",
        best_of(lambda: evaluation.evaluation(ctx, period), 3),
        "raw SQL: two period aggregates",
        best_of(raw_counts),
    )
    figures = evaluation.evaluation(ctx, period)

    def minimal_page() -> None:
        canvas = Canvas(BytesIO())
        canvas.drawString(72, 720, "Evaluatie")
        canvas.save()

    report.line(
        "half-year report PDF (charts, 5 pages)",
        best_of(lambda: evaluation_pdf.render(figures), 3),
        "a minimal ReportLab page",
        best_of(minimal_page),
    )
    raw.close()
    ctx.db.dispose()


def bench_letter(report: Report, path: Path) -> None:
    from io import BytesIO

    from reportlab.pdfgen.canvas import Canvas

    from klachtdesk.services import letters, setup

    ctx = setup.unlock(path, "coordinator", PASSWORD)
    raw = ctx.db.raw_connection()
    ref = raw.execute("SELECT ref FROM cases ORDER BY id DESC LIMIT 1").fetchone()[0]
    raw.close()

    def one_letter() -> None:
        letters.preview(ctx, ref, letters.draft(ctx, ref, "ontvangstbevestiging"))

    def minimal_page() -> None:
        canvas = Canvas(BytesIO())
        canvas.drawString(72, 720, "Geachte mevrouw,")
        canvas.save()

    report.line(
        "one letter (draft from the case + PDF with letterhead, embedded font)",
        best_of(one_letter),
        "a minimal ReportLab page",
        best_of(minimal_page),
    )
    ctx.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="KlachtDesk benchmarks")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", help="an existing benchmark database (generate.py)")
    args = parser.parse_args()
    if args.db:
        path = Path(args.db)
    else:
        folder = Path(tempfile.mkdtemp(prefix="klachtdesk-bench-"))
        path = folder / "benchmark.kdb"
        print(f"generating {args.cases} cases …", flush=True)
        generate(path, args.cases)
    report = Report()
    bench_case_list(report, path)
    bench_report(report, path)
    bench_letter(report, path)
    report.finish()


if __name__ == "__main__":
    main()
