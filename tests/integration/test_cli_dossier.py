"""`klachtdesk dossier`: the case dossier from the command line, with the usual exit codes."""

from __future__ import annotations

import pytest

from klachtdesk.cli import main
from klachtdesk.domain.states import Action
from klachtdesk.domain.validation import ComplaintInput
from klachtdesk.services.cases import cases
from tests.conftest import PASSWORD, TODAY, complaint_data


@pytest.fixture
def case(org, monkeypatch):
    monkeypatch.setenv("KLACHTDESK_PASSWORD", PASSWORD)
    ref = cases.register(org.balie, ComplaintInput.validated(complaint_data(), TODAY))
    cases.perform(org.coordinator, ref, Action.TRIAGE_KLACHT, handler="coordinator")
    return ref


def dossier(org, user, *args) -> int:
    return main(["dossier", "--db", str(org.path), "--user", user, *args])


def test_the_dossier_is_written_and_exit_code_0(org, case, tmp_path, capsys):
    out = tmp_path / "dossier.pdf"
    assert dossier(org, "coordinator", case.lower(), "--out", str(out)) == 0
    printed = capsys.readouterr()
    assert out.read_bytes().startswith(b"%PDF-")
    assert f"Het zaakdossier van zaak {case}" in printed.out and str(out) in printed.out
    assert "vertrouwelijk" in printed.out
    assert printed.err == ""


def test_the_user_may_come_from_the_environment(org, case, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KLACHTDESK_USER", "balie")
    out = tmp_path / "dossier.pdf"
    assert main(["dossier", "--db", str(org.path), case, "--out", str(out)]) == 0
    assert out.is_file()


def test_an_unknown_case_is_exit_code_2(org, case, tmp_path, capsys):
    out = tmp_path / "dossier.pdf"
    assert dossier(org, "coordinator", "KD-2026-9999", "--out", str(out)) == 2
    assert "Zaak 'KD-2026-9999' bestaat niet." in capsys.readouterr().err
    assert not out.exists()


def test_a_missing_out_folder_is_exit_code_2_before_the_password(
    org, case, tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv("KLACHTDESK_PASSWORD")
    out = tmp_path / "bestaat-niet" / "dossier.pdf"
    assert dossier(org, "coordinator", case, "--out", str(out)) == 2
    assert "bestaat niet" in capsys.readouterr().err
    assert dossier(org, "coordinator", case, "--out", str(tmp_path)) == 2
    assert "is een map" in capsys.readouterr().err


def test_a_director_is_refused_a_case_without_appeal_exit_code_1(org, case, tmp_path, capsys):
    out = tmp_path / "dossier.pdf"
    assert dossier(org, "directeur", case, "--out", str(out)) == 1
    assert "heroverweging" in capsys.readouterr().err
    assert not out.exists()


def test_out_is_required(org, case, capsys):
    with pytest.raises(SystemExit) as stopped:
        dossier(org, "coordinator", case)
    assert stopped.value.code == 2
    assert "--out" in capsys.readouterr().err
