"""`klachtdesk --self-test`: every step runs on a throw-away database and says so in Dutch;
a failing step is named, the rest does not run, and nothing is left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from klachtdesk import __version__, cli
from klachtdesk.domain.errors import KlachtDeskError
from klachtdesk.letters import render
from klachtdesk.services import selftest

STEPS = [
    "versleutelde database",
    "feestdagen",
    "zaak registreren",
    "zoeken",
    "termijnen naar de agenda",
    "brief (PDF)",
    "evaluatierapport (PDF)",
    "databasecontrole",
    "PostgreSQL-stuurprogramma",
]


def test_every_step_runs_and_the_temporary_folder_is_removed(tmp_path):
    lines: list[str] = []
    results = selftest.run(say=lines.append, temp_root=tmp_path)

    assert [r.step for r in results] == STEPS
    assert lines == [f"  in orde  {r.step}: {r.detail}" for r in results]
    details = {r.step: r.detail for r in results}
    assert "Eerste Kerstdag" in details["feestdagen"]
    assert "SHA-256 klopt" in details["brief (PDF)"]
    assert "de database is in orde" in details["databasecontrole"]
    assert "libpq" in details["PostgreSQL-stuurprogramma"]
    # database, key file, letter and report are gone (the tests keep user folders here too)
    assert [p for p in tmp_path.iterdir() if not p.name.startswith("xdg-")] == []


def test_extra_steps_get_the_unlocked_context_after_the_others(tmp_path):
    seen = []

    def extra(ctx):
        seen.append((ctx.actor.username, ctx.db.path.exists()))
        return "bekeken"

    results = selftest.run(say=lambda _: None, extra=[("extra", extra)], temp_root=tmp_path)

    assert results[-1] == selftest.StepResult("extra", "bekeken")
    assert seen == [("zelftest", True)]


def test_a_missing_module_names_the_step_and_stops_the_test(tmp_path, monkeypatch):
    """What a frozen build without a hidden import does: an ImportError inside a step."""

    def missing(*args, **kwargs):
        raise ModuleNotFoundError(
            "No module named 'reportlab.graphics.renderPDF'", name="reportlab.graphics.renderPDF"
        )

    monkeypatch.setattr(selftest.report, "evaluation", missing)
    lines: list[str] = []
    with pytest.raises(selftest.SelfTestFailed) as failure:
        selftest.run(say=lines.append, temp_root=tmp_path)

    assert failure.value.step == "evaluatierapport (PDF)"
    assert "ontbreekt (reportlab.graphics.renderPDF)" in str(failure.value)
    assert str(failure.value).startswith("De zelftest is mislukt bij de stap 'evaluatierapport")
    assert not any("databasecontrole" in line for line in lines)  # later steps did not run
    assert [p for p in tmp_path.iterdir() if not p.name.startswith("xdg-")] == []  # also now


def test_missing_letter_fonts_fail_the_letter_step(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "resource_path", lambda *parts: tmp_path / "weg" / parts[-1])
    render.register_fonts.cache_clear()
    try:
        with pytest.raises(selftest.SelfTestFailed) as failure:
            selftest.run(say=lambda _: None, temp_root=tmp_path)
    finally:
        render.register_fonts.cache_clear()

    assert failure.value.step == "brief (PDF)"
    assert "lettertype voor brieven ontbreekt" in failure.value.reason


def test_cli_self_test_draws_the_windows_and_exits_0(capsys):
    code = cli.main(["--self-test"])

    out = capsys.readouterr().out
    assert code == cli.EXIT_OK
    assert out.startswith(f"Zelftest van KlachtDesk {__version__}\n")
    for step in [*STEPS, "venster (Qt)"]:
        assert f"  in orde  {step}: " in out
    assert "aanmeldvenster en hoofdvenster" in out
    assert out.rstrip().endswith("Zelftest geslaagd: KlachtDesk werkt op deze computer.")


def test_cli_self_test_failure_says_which_step_and_exits_1(capsys, monkeypatch):
    def broken(ctx, ref, kind):
        raise KlachtDeskError("de briefsjablonen zijn onleesbaar.")

    monkeypatch.setattr(selftest.letters, "draft", broken)
    code = cli.main(["--self-test"])

    captured = capsys.readouterr()
    assert code == cli.EXIT_ERROR
    assert "  MISLUKT  brief (PDF): de briefsjablonen zijn onleesbaar." in captured.out
    assert "Zelftest geslaagd" not in captured.out
    assert "De zelftest is mislukt bij de stap 'brief (PDF)'" in captured.err


def test_self_test_command_runs_headless_without_a_display(tmp_path):
    """As a user's script or a support person runs it: no DISPLAY, no Qt platform set."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        TMPDIR=str(tmp_path / "tmp"),
    )
    (tmp_path / "tmp").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "klachtdesk", "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "  in orde  venster (Qt): Qt " in result.stdout
    assert "(offscreen)" in result.stdout
    assert result.stdout.rstrip().endswith("Zelftest geslaagd: KlachtDesk werkt op deze computer.")
    assert list(Path(tmp_path / "tmp").iterdir()) == []
    assert not (tmp_path / "data" / "KlachtDesk").exists()  # the user's data folder untouched
