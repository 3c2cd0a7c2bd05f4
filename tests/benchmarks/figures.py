"""The figures measured inside the benchmark process: case list, search, report, letter.

Each figure is the median of a few runs after one unmeasured warm-up run, beside a
baseline measured the same way in the same run (see ``Report.line`` for the format).
"""

from __future__ import annotations

import statistics
import sys
import time
from io import BytesIO

from tests.benchmarks import sql

REPEAT = 5
LETTER_RUNS = 30  # the letter takes a few ms: more runs for a steady median


def median_ms(func, repeat: int | None = None, warmup: int = 1) -> float:
    """The median of ``repeat`` (default ``REPEAT``) runs of ``func`` in milliseconds, after
    ``warmup`` unmeasured runs."""
    repeat = repeat or REPEAT
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def median_timed_ms(func, repeat: int | None = None, warmup: int = 1) -> float:
    """As ``median_ms`` for a ``func`` that times itself and returns milliseconds."""
    for _ in range(warmup):
        func()
    return statistics.median(func() for _ in range(repeat or REPEAT))


def median_repaint_ms(act, view, undo, before=lambda: None) -> float:
    """The median of ``REPEAT`` runs (after one warm-up) of ``act`` up to the end of the
    repaint of ``view``; ``before`` and ``undo`` run unmeasured around each run."""

    def once() -> float:
        before()
        started = time.perf_counter()
        act()
        view.viewport().repaint()
        elapsed = (time.perf_counter() - started) * 1000
        undo()
        return elapsed

    once()
    return statistics.median(once() for _ in range(REPEAT))


def _format(value: float, unit: str) -> str:
    digits = 1 if value < 100 else 0
    return f"{value:,.{digits}f} {unit}"


class Report:
    """Prints ``<figure>: <value> (basis <baseline>: <value>) ratio <x>`` lines."""

    def __init__(self, out=sys.stdout) -> None:
        self.out = out
        self.ratios: list[tuple[float, str]] = []

    def line(
        self, name: str, value: float, basis: str, basis_value: float, unit: str = "ms"
    ) -> None:
        ratio = value / basis_value if basis_value else float("inf")
        self.ratios.append((ratio, name))
        print(
            f"{name}: {_format(value, unit)} (basis {basis}: {_format(basis_value, unit)}) "
            f"ratio {ratio:.2f}",
            file=self.out,
            flush=True,
        )

    def finish(self) -> float:
        worst = max(ratio for ratio, _ in self.ratios)
        print(f"worst ratio: {worst:.2f}", file=self.out, flush=True)
        return worst


class BareList:
    """The bare technique for the list: the same controls (a search line, two drop-down
    lists, two check boxes, a count) above a plain QTableView over a QStandardItemModel that
    shows rows fetched with raw SQL (what any Qt program with a filtered table does)."""

    def __init__(self, app, columns: int) -> None:
        from PySide6.QtGui import QStandardItemModel
        from PySide6.QtWidgets import (
            QCheckBox,
            QComboBox,
            QHBoxLayout,
            QLabel,
            QLineEdit,
            QTableView,
            QVBoxLayout,
            QWidget,
        )

        self.app = app
        self.model = QStandardItemModel(0, columns)
        self.window = QWidget()
        self.view = QTableView()
        self.view.setModel(self.model)
        controls = QHBoxLayout()
        controls.addWidget(QLineEdit(), 3)
        for items in (["Alle statussen", "Ontvangen"], ["Alle categorieën", "Overlast"]):
            combo = QComboBox()
            combo.addItems(items)
            controls.addWidget(combo, 1)
        controls.addWidget(QCheckBox("Alleen mijn zaken"))
        controls.addWidget(QCheckBox("Alleen verlopen termijnen"))
        layout = QVBoxLayout(self.window)
        layout.addLayout(controls)
        layout.addWidget(self.view, 1)
        layout.addWidget(QLabel("200 zaken"))
        self.window.resize(1300, 700)

    def fill(self, rows: list[tuple]) -> None:
        from PySide6.QtGui import QStandardItem

        self.model.setRowCount(0)
        for row in rows:
            self.model.appendRow([QStandardItem(str(value)) for value in row[1:]])

    def show(self, rows: list[tuple]) -> float:
        """Fill and show; the perf_counter time of the table's first paint event."""
        from tests.benchmarks.startup_probe import wait_for_paint

        self.fill(rows)
        self.window.show()
        self.view.viewport().update()
        return wait_for_paint(self.app, self.view.viewport())

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()


def bench_case_list(report: Report, ctx) -> None:
    """Opening the case list and a search keystroke, through the real panel, against the
    same screenful fetched with raw SQL and shown in a bare Qt table."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from klachtdesk.services.cases import case_view
    from klachtdesk.services.cases.case_view import CaseFilter
    from klachtdesk.ui.cases.case_list import CaseListModel, CaseListPanel
    from tests.benchmarks.startup_probe import wait_for_paint

    app = QApplication.instance() or QApplication([])
    raw = ctx.db.raw_connection()
    columns = len(CaseListModel.COLUMNS)

    # Both are timed up to the paint event of the table's first screenful (what the event
    # loop does after it in the same turn, such as our count, is not the opening).
    def open_list() -> float:
        started = time.perf_counter()
        panel = CaseListPanel(ctx)
        panel.resize(1300, 700)
        panel.show()
        painted = wait_for_paint(app, panel.table.viewport())  # visible rows fetched, drawn
        panel.close()
        panel.deleteLater()
        return (painted - started) * 1000

    def open_bare() -> float:
        started = time.perf_counter()
        bare = BareList(app, columns)
        painted = bare.show(sql.case_list(raw))
        bare.close()
        return (painted - started) * 1000

    total = raw.execute(sql.COUNT).fetchone()[0]
    report.line(
        f"case list open ({total:,} cases; first screenful painted, the count follows)",
        median_timed_ms(open_list),
        "raw SQL page query in a bare QTableView under the same plain controls",
        median_timed_ms(open_bare),
    )
    count_ms = median_ms(lambda: case_view.case_count(ctx, CaseFilter()))
    note(f"  (counting all cases afterwards: {count_ms:.1f} ms)")

    panel = CaseListPanel(ctx)
    panel.resize(1300, 700)
    panel.show()
    wait_for_paint(app, panel.table.viewport())

    bare = BareList(app, columns)
    bare.show(sql.case_list(raw))

    def keystroke_undone() -> None:
        panel.model.count_now()  # what follows the paint
        panel.search.setText("")
        panel.apply_filter()
        wait_for_paint(app, panel.table.viewport())

    hits = sql.search_count(raw)
    report.line(
        f"search keystroke '{sql.SEARCH_WORD}' ({hits:,} hits; first screenful painted)",
        median_repaint_ms(
            panel.apply_filter,  # what the typing pause then runs
            panel.table,
            keystroke_undone,
            before=lambda: panel.search.setText(sql.SEARCH_WORD),
        ),
        "raw FTS5 page query shown in a bare QTableView",
        median_repaint_ms(
            lambda: bare.fill(sql.search(raw)),
            bare.view,
            lambda: bare.show(sql.case_list(raw)),
        ),
    )
    search = CaseFilter(search=sql.SEARCH_WORD)
    count_ms = median_ms(lambda: case_view.case_count(ctx, search))
    note(f"  (counting the hits afterwards: {count_ms:.1f} ms)")

    by_complainant = [key for key, _label in CaseListModel.COLUMNS].index("complainant")

    def newest_first() -> None:
        panel.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        panel.table.viewport().repaint()

    report.line(
        "sort by complainant (a click on the column header: first screenful painted)",
        median_repaint_ms(  # a click on the column header "Klager"
            lambda: panel.table.sortByColumn(by_complainant, Qt.SortOrder.AscendingOrder),
            panel.table,
            newest_first,
        ),
        "raw SQL: the sorted page's ids, then their rows, shown in a bare QTableView",
        median_repaint_ms(
            lambda: bare.fill(sql.sorted_by_complainant(raw)),
            bare.view,
            lambda: bare.fill(sql.case_list(raw)),
        ),
    )
    bare.close()
    panel.close()
    raw.close()


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def bench_report(report: Report, ctx) -> None:
    """The half-year figures (a period and the one before) against one hand-written query."""
    from klachtdesk.reports import evaluation_pdf
    from klachtdesk.services import report as evaluation

    today = ctx.today()
    period = evaluation.last_finished_half_year(today)
    raw = ctx.db.raw_connection()
    figures = evaluation.evaluation(ctx, period)
    rows = sql.half_year(raw, [period], today)
    if figures.current.open_at_end != rows[0][-1]:
        print("  warning: the hand-written report query counts differently", file=sys.stderr)
    report.line(
        f"half-year report figures ({period.key}, {figures.current.received:,} received; "
        "with the period before)",
        median_ms(lambda: evaluation.evaluation(ctx, period), 3),
        "the same aggregates as one hand-written SQL query per period",
        median_ms(lambda: sql.half_year(raw, [period, period.previous()], today), 3),
    )
    pdf_ms = median_ms(lambda: evaluation_pdf.render(figures), 3)
    print(f"  (the report's PDF with charts: {pdf_ms:.0f} ms)", file=sys.stderr)
    raw.close()


def bench_letter(report: Report, ctx) -> None:
    """One letter as the letter window opens it (the draft from the case and its PDF with
    letterhead, one service call) against a minimal document with the same embedded font and
    one paragraph as long as all the letter's text (letterhead, address, reference lines,
    body, signature and footer, as the PDF holds it)."""
    import pypdfium2
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from klachtdesk.letters.render import FONT, register_fonts
    from klachtdesk.services.letters import letters

    raw = ctx.db.raw_connection()
    ref = raw.execute("SELECT ref FROM cases ORDER BY id DESC LIMIT 1").fetchone()[0]
    raw.close()
    draft, first_pdf = letters.draft_with_preview(ctx, ref, "ontvangstbevestiging")
    pdf = pypdfium2.PdfDocument(first_pdf)
    text = (
        " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
    )  # Paragraph reads markup
    pdf.close()
    register_fonts()  # once per process, in KlachtDesk too
    style = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14)

    def one_letter() -> None:
        letters.draft_with_preview(ctx, ref, "ontvangstbevestiging")

    def minimal_document() -> None:
        SimpleDocTemplate(BytesIO()).build([Paragraph(text, style)])

    # A few ms each: many runs, so that a collection pause or another process does not
    # decide the median.
    runs = max(REPEAT, LETTER_RUNS)
    report.line(
        "one letter PDF (draft from the case + letterhead, address window, embedded font)",
        median_ms(one_letter, runs, warmup=3),
        f"one ReportLab page, same embedded font, the letter's {len(text)} characters of "
        "text in one paragraph",
        median_ms(minimal_document, runs, warmup=3),
    )
    # Where the letter's time goes: the draft reads the case, the settings and the template
    # (the bare page reads nothing); a later preview (after an edit) reads the case again
    # and renders the PDF.
    draft_ms = median_ms(lambda: letters.draft(ctx, ref, "ontvangstbevestiging"))
    preview_ms = median_ms(lambda: letters.preview(ctx, ref, draft))
    print(
        f"  (the draft alone {draft_ms:.1f} ms; the preview after an edit {preview_ms:.1f} ms)",
        file=sys.stderr,
    )
