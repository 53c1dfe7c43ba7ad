"""This module contains the error boundary of every command: settings, database URL problems."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from bot.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, translator_for
from bot.cli.routes import route
from bot.cli.settings_errors import settings_errors
from bot.logs import configure_logging
from bot.redaction import redact, redacted_traceback, secrets_of
from bot.settings import Settings


def run_command(args: argparse.Namespace) -> int:
    """Read the settings and run the parsed command; returns the exit status.

    No secret reaches any output: log records and the traceback of an unexpected error are
    printed with the tokens and the database password masked (``bot.redaction``).
    """
    try:
        settings = Settings()
    except ValidationError as exc:
        for line in settings_errors(exc):
            print(line, file=sys.stderr)
        return EXIT_USAGE
    # an operator watches a long-running process: say what it does
    configure_logging(
        settings, default_level=logging.INFO if args.command == "run" else logging.WARNING
    )
    secrets = secrets_of(settings)
    try:
        return _guarded(args, settings, secrets)
    except Exception as exc:  # the last boundary: a traceback, but never with a secret
        print(redacted_traceback(exc, secrets), file=sys.stderr, end="")
        return EXIT_FAILED


def _guarded(args: argparse.Namespace, settings: Settings, secrets: list[str]) -> int:
    try:
        return route(args, settings)
    except BrokenPipeError:
        # the reader went away (e.g. `controlbot demo | head`): stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - kept open until exit
        return EXIT_OK
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        print(
            translator_for(settings).gettext(
                "CONTROLBOT_DATABASE_URL is not a database URL: {detail}",
                detail=redact(str(exc).splitlines()[0], secrets),
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except OperationalError as exc:
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        print(
            translator_for(settings).gettext(
                "Cannot use the database {url}: {reason}", url=url, reason=redact(reason, secrets)
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
