"""Entry point of the PyInstaller build: the `klachtdesk` command (the window by default)."""

import sys

from klachtdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
