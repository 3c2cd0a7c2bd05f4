"""KlachtDesk: complaints procedure management for small Dutch organisations."""

from pathlib import Path


def _version() -> str:
    """The version from pyproject.toml, the one place it is written.

    Installed (also editable, and inside the PyInstaller bundle, which ships the package
    metadata): from the package metadata. A source tree that is not installed: read
    pyproject.toml itself.
    """
    from importlib import metadata  # 20 ms: not before the login window (see __getattr__)

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


def __getattr__(name: str) -> str:
    """``klachtdesk.__version__``, read on first use: reading the package metadata costs
    about 20 ms, which the login window does not wait for."""
    if name == "__version__":
        value = globals()["__version__"] = _version()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
