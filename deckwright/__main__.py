"""`python -m deckwright`: the same as the `deckwright` command."""

import sys

from .cli import main

sys.exit(main())
