"""Every window and dialog fits the free area of a 1366 × 768 laptop screen (a 40-pixel
taskbar leaves 1366 × 728, and the window manager adds a title bar), with the buttons at the
bottom of the letter window and the wizards on screen. At 125 % on a 1920 × 1080 screen the
free area (1536 × 824 logical pixels) is larger, so these limits cover it too.

The screen size is chosen when Qt starts, so the windows are opened in a process of their
own (window_sizes.py) on an offscreen screen of exactly that free area.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FREE_WIDTH, FREE_HEIGHT = 1366, 768 - 40
TITLE_BAR = 32


def test_every_window_fits_a_laptop_screen(tmp_path):
    config = tmp_path / "scherm.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": FREE_WIDTH, "height": FREE_HEIGHT}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", PYTHONPATH=str(ROOT))
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, "-m", "tests.gui.window_sizes", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    sizes = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(sizes) == 20  # every window of window_sizes.py was opened
    too_big = {
        name: (s["width"], s["height"])
        for name, s in sizes.items()
        if s["width"] > FREE_WIDTH or s["height"] + TITLE_BAR > FREE_HEIGHT
    }
    assert too_big == {}
    cannot_shrink = {
        name: (s["min_width"], s["min_height"])
        for name, s in sizes.items()
        if s["min_width"] > FREE_WIDTH or s["min_height"] + TITLE_BAR > FREE_HEIGHT
    }
    assert cannot_shrink == {}
    assert [name for name, s in sizes.items() if not s["buttons_inside"]] == []
