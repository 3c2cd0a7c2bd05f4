"""installer/requirements.lock pins what a release is built from: every dependency of
pyproject.toml (runtime and the "build" extra) and the build tools, each with an exact version
that pyproject allows and with its hashes. A dependency change without a new lock fails here,
before a release could pick up an untested library.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "installer" / "requirements.lock"
BUILD_PYTHON = {"python_version": "3.12", "python_full_version": "3.12.0"}


def locked() -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) from the lock file."""
    pins: dict[str, tuple[str, list[str]]] = {}
    text = LOCK.read_text("utf-8")
    for block in re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2]):
        head = block.split(" \\", 1)[0]
        name, version = head.split(";")[0].strip().split("==")
        pins[canonicalize_name(name)] = (
            version,
            re.findall(r"--hash=sha256:([0-9a-f]{64})", block),
        )
    return pins


def wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    lines = project["dependencies"] + project["optional-dependencies"]["build"]
    tools = (ROOT / "installer" / "build-tools.in").read_text("utf-8").splitlines()
    lines += [line for line in tools if line.strip() and not line.startswith("#")]
    requirements = [Requirement(line) for line in lines]
    return [r for r in requirements if r.marker is None or r.marker.evaluate(BUILD_PYTHON)]


def test_every_dependency_is_pinned_with_a_version_pyproject_allows_and_hashes():
    pins = locked()
    for requirement in wanted():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} ontbreekt in {LOCK.name}"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)
        assert hashes, f"{name} heeft geen hash in {LOCK.name}"
    for name, (_version, hashes) in pins.items():  # dependencies of dependencies too
        assert hashes, f"{name} heeft geen hash in {LOCK.name}"


def test_qt_and_its_binding_generator_are_locked_at_the_same_version():
    pins = locked()
    assert pins["shiboken6"][0] == pins["pyside6-essentials"][0]


def test_readme_gives_the_command_that_made_the_lock():
    command = LOCK.read_text("utf-8").splitlines()[1].lstrip("# ").strip()
    assert command.startswith("uv pip compile ")
    assert command in (ROOT / "README.md").read_text("utf-8")


def test_the_build_refuses_a_python_older_than_3_12_in_dutch(monkeypatch, capsys):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("klachtdesk_build", ROOT / "installer/build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    monkeypatch.setattr(sys, "version_info", (3, 11, 7, "final", 0))
    environment = []
    monkeypatch.setattr(build, "build_environment", lambda env: environment.append(env))

    assert build.main(["--dist", "/nonexistent/dist"]) == 1
    assert environment == []  # nothing was installed or built
    error = capsys.readouterr().err
    assert "Python 3.12 of nieuwer (dit is 3.11)" in error
