"""A small task runner: one service call on a pool thread, its result back on the UI thread.

Long work (a back-up, a restore, a report, anonymising) must not freeze the window
(DESIGN.md). A started task is kept alive here until its result has reached the UI thread,
so a window may start a new one (or close) while an old one still runs.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    """Runs ``func(*args, **kwargs)``; emits ``signals.finished(result)`` or ``failed(error)``."""

    def __init__(self, func: Callable, *args, **kwargs):
        super().__init__()
        self.setAutoDelete(False)  # ``_running`` below decides its lifetime
        self.func, self.args, self.kwargs = func, args, kwargs
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.func(*self.args, **self.kwargs)
        except Exception as error:  # noqa: BLE001 - reported to the window as a Dutch message
            self.signals.failed.emit(error)
        else:
            self.signals.finished.emit(result)


def start(
    func: Callable,
    *args,
    done: Callable[[object], None],
    failed: Callable[[BaseException], None],
    **kwargs,
) -> Task:
    """Start ``func`` on the global pool; ``done``/``failed`` run on the UI thread."""
    task = Task(func, *args, **kwargs)
    _running.add(task)
    task.signals.finished.connect(done)
    task.signals.failed.connect(failed)
    for signal in (task.signals.finished, task.signals.failed):
        signal.connect(lambda _value, t=task: _running.discard(t))
    QThreadPool.globalInstance().start(task)
    return task


_running: set[Task] = set()
