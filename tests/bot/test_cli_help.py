"""`controlbot --help` and argument errors come back at once: nothing heavy is imported."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "alembic", "mako", "pygments", "pydantic", "telegram", "slack_bolt")

_PROBE = """
import sys
from bot.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print(sorted(m for m in {heavy!r} if m in sys.modules))
"""


def _imported_after(argv: list[str]) -> str:
    code = _PROBE.format(argv=argv, heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    return done.stdout.strip().splitlines()[-1]


def test_help_imports_no_library_of_the_app() -> None:
    assert _imported_after(["--help"]) == "[]"
    assert _imported_after(["export", "--help"]) == "[]"


def test_argument_error_imports_no_library_of_the_app() -> None:
    assert _imported_after(["remind"]) == "[]"
    assert _imported_after(["no-such-command"]) == "[]"
