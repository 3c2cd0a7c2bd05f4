"""On a Linux desktop without the X11 libraries Qt needs, KlachtDesk says in Dutch which
packages to install, before Qt can abort with a message nobody understands."""

from __future__ import annotations

from klachtdesk import app, platform_check

DESKTOP = {"DISPLAY": ":0"}


def without(monkeypatch, *libraries: str) -> None:
    real = platform_check.ctypes.CDLL

    def load(name, *args, **kwargs):
        if name in libraries:
            raise OSError(f"{name}: cannot open shared object file")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(platform_check.ctypes, "CDLL", load)


def test_missing_libraries_are_named_as_the_packages_to_install(monkeypatch):
    without(monkeypatch, "libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    text = platform_check.window_problem(DESKTOP, "linux")
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in text
    assert text.startswith("KlachtDesk kan geen venster openen")


def test_nothing_is_checked_where_qt_does_not_use_x11(monkeypatch):
    without(monkeypatch, "libxcb-icccm.so.4")
    assert platform_check.window_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert (
        platform_check.window_problem({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux")
        is None
    )
    assert platform_check.window_problem(DESKTOP, "win32") is None
    assert platform_check.window_problem({"QT_QPA_PLATFORM": "xcb"}, "linux") is not None


def test_the_program_stops_with_the_message_before_qt_starts(monkeypatch, capsys):
    if not platform_check.sys.platform.startswith("linux"):
        return  # the check is for Linux desktops
    without(monkeypatch, "libxcb-cursor.so.0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    assert app.run(None) == 1
    assert "sudo apt install libxcb-cursor0" in capsys.readouterr().err
