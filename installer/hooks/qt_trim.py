"""Shared by the Qt hooks here: PyInstaller's own Qt hook, minus what KlachtDesk never loads.

PyInstaller collects every plugin of each plugin type a Qt module can use, and then every
library those plugins link against. Filtering the plugins here, before that dependency
analysis, also keeps their libraries out (the GTK theme alone pulls in GTK, Cairo and
Pango). Filtering afterwards in the spec would leave those libraries behind.
"""

from __future__ import annotations

from pathlib import PurePath

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

# Plugin folders that are collected at all (others, e.g. "generic" with the evdev input
# plugins for embedded devices, stay out), and per folder the plugins to keep (by part of
# the file name; a folder not listed keeps all its plugins).
KEEP_FOLDERS = {
    "platforms",
    "platformthemes",
    "platforminputcontexts",
    "imageformats",
    "iconengines",
    "printsupport",
    "styles",
    "xcbglintegrations",
    "wayland-decoration-client",
    "wayland-graphics-integration-client",
    "wayland-shell-integration",
}
KEEP_FILES = {
    # desktop Linux (X11, Wayland), headless (offscreen, minimal) and Windows; not the
    # embedded ones (eglfs, linuxfb, vnc: the latter also pulls in QtNetwork)
    "platforms": ("qxcb", "qwayland", "qoffscreen", "qminimal.", "qwindows"),
    # the GTK theme pulls in GTK, Cairo and Pango (~10 MB); the portal theme is enough
    "platformthemes": ("xdgdesktopportal",),
    # the SVG icon, .ico files and JPEG/GIF logos; PNG is built into QtGui
    "imageformats": ("qsvg", "qico", "qjpeg", "qgif"),
}
# Dutch only: ui/common.py install_dutch loads qtbase_nl. Not qt_nl.qm: that is a 91-byte
# list of other catalogues (qtbase_nl and qtmultimedia_nl), and it never loads from
# PySide6-Essentials, which has no qtmultimedia_nl.
TRANSLATIONS_KEEP = {"qtbase_nl.qm"}


def keep(dest_dir: str, src: str) -> bool:
    """Whether a file from the Qt hook, going to ``dest_dir`` in the bundle, is needed."""
    parts = PurePath(dest_dir).parts
    name = PurePath(src).name
    if "plugins" in parts:
        folder = parts[parts.index("plugins") + 1 :]
        if not folder:
            return True
        if folder[0] not in KEEP_FOLDERS:
            return False
        wanted = KEEP_FILES.get(folder[0])
        return wanted is None or any(part in name for part in wanted)
    if "translations" in parts:
        return name in TRANSLATIONS_KEEP
    return True


def trimmed(hook_file: str):
    """``add_qt6_dependencies`` for the hook file's module, filtered by ``keep``."""
    hiddenimports, binaries, datas = add_qt6_dependencies(hook_file)
    binaries = [(src, dest) for src, dest in binaries if keep(dest, src)]
    datas = [(src, dest) for src, dest in datas if keep(dest, src)]
    return hiddenimports, binaries, datas
