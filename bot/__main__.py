"""``python -m bot``: the ``controlbot`` command line."""

import sys

from bot.cli import main

sys.exit(main())
