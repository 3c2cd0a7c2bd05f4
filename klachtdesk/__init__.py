"""KlachtDesk: complaints procedure management for small Dutch organisations."""

from importlib import metadata
from pathlib import Path


def _version() -> str:
    """The version from pyproject.toml, the one place it is written.

    Installed (also editable, and inside the PyInstaller bundle, which ships the package
    metadata): from the package metadata. A source tree that is not installed: read
    pyproject.toml itself.
    """
    try:
        return metadata.version("klachtdesk")
    except metadata.PackageNotFoundError:
        pass
    try:
        import tomllib

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        return tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]
    except (OSError, ValueError, KeyError):
        return "0.0.0"


__version__ = _version()
