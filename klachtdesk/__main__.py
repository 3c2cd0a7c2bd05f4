"""`python -m klachtdesk`: the same as the `klachtdesk` command."""

import sys

from klachtdesk.cli import main

sys.exit(main())
