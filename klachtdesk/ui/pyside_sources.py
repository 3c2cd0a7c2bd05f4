"""PySide reads the source of every module imported after it; this keeps those reads small.

For its ``from __feature__ import …`` switch, PySide asks of each newly imported module
whether it uses PySide6, by reading the module's whole source with ``inspect.getsource``
(``shibokensupport.feature._mod_uses_pyside``, PYSIDE-2029). That keeps the lines of every
file in ``linecache`` for the rest of the process: what logging in loads (SQLAlchemy, the
holidays package's 300 country modules, ReportLab) then costs about 35 MiB and 90 ms more.
``read_sources_lightly`` answers the same question from the file's bytes, keeping nothing.
"""

from __future__ import annotations

import sys


def read_sources_lightly() -> bool:
    """Replace PySide's check by one that gives the same answers without ``linecache``;
    True when it is in place (False: this PySide has no such check)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None:
        return False
    if getattr(original, "reads_lightly", False):
        return True

    def uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)  # built in, compiled or in a zip: PySide's own answer
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return original(module)

    uses_pyside.reads_lightly = True
    uses_pyside.original = original  # for the test that both give the same answers
    feature._mod_uses_pyside = uses_pyside
    return True
