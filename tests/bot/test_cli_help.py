"""`controlbot --help` and argument errors come back at once: nothing heavy is imported."""

from __future__ import annotations

import argparse
import subprocess
import sys

from bot.cli.parser import build_parser

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


def _every_parser(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(parser.prog, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _every_parser(sub)
    return found


def test_every_argument_and_command_says_what_it_is() -> None:
    missing = []
    for prog, parser in _every_parser(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                described = {a.dest for a in action._choices_actions if a.help}
                missing += [f"{prog} {n}" for n in action.choices if n not in described]
            elif not action.help:
                missing.append(f"{prog} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_away_help_shows_both_date_formats_it_accepts() -> None:
    text = _help("away")
    assert text.count("dd.mm.yyyy or yyyy-mm-dd") == 2
    args = build_parser().parse_args(["away", "anna-ozola", "03.11.2026.", "2026-11-04"])
    assert (args.starts.isoformat(), args.ends.isoformat()) == ("2026-11-03", "2026-11-04")


def test_run_help_names_every_environment_variable() -> None:
    from bot.settings import Settings

    text = _help("run")
    for name in Settings.model_fields:
        assert f"CONTROLBOT_{name.upper()}" in text


def _help(command: str) -> str:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return " ".join(action.choices[command].format_help().split())
    raise AssertionError(command)
