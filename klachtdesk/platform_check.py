"""Before Qt starts: can a window be shown on this Linux desktop at all?

Qt's xcb platform plugin needs a set of X11 libraries. When one is missing, Qt aborts with
"Could not load the Qt platform plugin 'xcb'", which tells a user nothing. Each library is
tried by its exact name first (as Qt would load it), and the Debian/Ubuntu packages to install
are named in Dutch instead.
"""

from __future__ import annotations

import ctypes
import os
import sys

# What Qt 6's xcb plugin (libqxcb.so, libQt6XcbQpa.so) loads → the Debian/Ubuntu package.
X11_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}


def uses_xcb(environ=os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt will draw through X11 (xcb) here."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.startswith("xcb")
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def missing_packages() -> list[str]:
    """The packages whose X11 library cannot be loaded, in the order above."""
    missing = []
    for library, package in X11_LIBRARIES.items():
        try:
            ctypes.CDLL(library)
        except OSError:
            missing.append(package)
    return missing


def window_problem(environ=os.environ, platform: str = sys.platform) -> str | None:
    """A Dutch explanation when no window can be shown because libraries are missing."""
    if not uses_xcb(environ, platform):
        return None
    missing = missing_packages()
    if not missing:
        return None
    names = " ".join(missing)
    return (
        "KlachtDesk kan geen venster openen: op deze computer ontbreken onderdelen van het "
        f"grafische systeem ({names}).\n\n"
        "Op Debian of Ubuntu installeert u ze met:\n"
        f"    sudo apt install {names}\n\n"
        "Vraag dit zo nodig aan wie deze computer beheert. De gegevens van KlachtDesk zijn "
        "niet aangeraakt."
    )
