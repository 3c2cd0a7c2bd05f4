"""`python -m klachtdesk`: the same as the `klachtdesk` command."""

from klachtdesk.cli import entry

entry()
