"""The Qt binding must not corrupt the interpreter: PySide6-Essentials 6.12.0 on Python 3.11
dropped one reference to None on every item ``setData`` and aborted the program after a few
thousand calls ("none_dealloc"). Each item class the windows use is driven 50,000 times in a
fresh process, and None's reference count may not drift.

On Python 3.12 and newer None is immortal (its count never changes), so there the test only
shows that the calls survive; the broken combination is excluded in pyproject.toml and the
suite runs on the oldest supported Python too.
"""

from __future__ import annotations

import json
import subprocess
import sys

CALLS = 50_000

PROBE = f"""
import json, sys
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import QApplication, QListWidgetItem, QTableWidgetItem, QTreeWidgetItem

app = QApplication([])
role = Qt.ItemDataRole.UserRole
setters = {{
    "QTableWidgetItem": lambda item, value: item.setData(role, value),
    "QListWidgetItem": lambda item, value: item.setData(role, value),
    "QTreeWidgetItem": lambda item, value: item.setData(0, role, value),
    "QStandardItem": lambda item, value: item.setData(value, role),
}}
classes = {{
    "QTableWidgetItem": QTableWidgetItem,
    "QListWidgetItem": QListWidgetItem,
    "QTreeWidgetItem": QTreeWidgetItem,
    "QStandardItem": QStandardItem,
}}
drift = {{}}
for name, cls in classes.items():
    item, put = cls(), setters[name]
    for number in range(100):  # first calls fill binding caches; those references stay
        put(item, "KD-2026-0001" if number % 2 else number)
    before = sys.getrefcount(None)
    for number in range({CALLS}):
        put(item, "KD-2026-0001" if number % 2 else number)
    drift[name] = sys.getrefcount(None) - before
print(json.dumps(drift))
"""


def test_item_set_data_leaves_nones_reference_count_alone(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300
    )

    # an abort here ("none_dealloc") is the bug itself: the process did not survive
    assert done.returncode == 0, done.stderr[-2000:]
    drift = json.loads(done.stdout.strip().splitlines()[-1])
    assert drift == {
        "QTableWidgetItem": 0,
        "QListWidgetItem": 0,
        "QTreeWidgetItem": 0,
        "QStandardItem": 0,
    }
