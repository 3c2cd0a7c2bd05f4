"""The codebase stays as DESIGN.md describes it: ruff-clean and layered."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_lint_is_clean():
    result = run(str(BIN / "ruff"), "check", "klachtdesk", "tests", "installer")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = run(str(BIN / "ruff"), "format", "--check", "klachtdesk", "tests", "installer")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers_hold():
    """UI → services → letters/reports → storage → domain; the domain knows no Qt or SQL."""
    result = run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
