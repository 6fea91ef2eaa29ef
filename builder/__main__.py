"""`python -m builder`."""

import sys

from .commands.cli import main

sys.exit(main())
