"""The support log: unexpected errors without personal data (no messages, no values)."""

from __future__ import annotations

import datetime
import traceback

from klachtdesk import __version__
from klachtdesk.paths import log_dir


def log_unexpected(exc: BaseException) -> str | None:
    """Append the error's type and code locations to the log; returns the log path.

    Exception messages and local values are left out on purpose: database errors quote the
    SQL parameters, which can hold a complainant's name.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [
        f"{datetime.datetime.now().isoformat(timespec='seconds')} KlachtDesk {__version__}: "
        f"{type(exc).__module__}.{type(exc).__qualname__}"
    ]
    lines += [f"  {f.filename}:{f.lineno} in {f.name}" for f in frames]
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "klachtdesk.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        return str(path)
    except OSError:
        return None
