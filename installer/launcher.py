"""Entry point of the PyInstaller build: the `klachtdesk` command (the window by default)."""

from klachtdesk.cli import entry

if __name__ == "__main__":
    entry()
