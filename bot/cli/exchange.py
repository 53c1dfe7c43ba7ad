"""This module contains ``controlbot import`` (export lives in ``bot.exchange.commands``)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.app import App
from bot.cli.common import EXIT_USAGE, acting_admin, translator_for, with_channels


def import_values(app: App, args: argparse.Namespace) -> int:
    """``controlbot import FILE``: decisions the values open are sent unless a dry run."""
    from bot.exchange.commands import import_file

    actor = args.person or acting_admin(app)
    if not app.ctx.plan.has_person(actor):
        print(
            translator_for(app.settings).gettext(
                "There is no person “{person}” in the plan.", person=actor
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    work = import_file(
        app,
        args.file,
        args.source,
        actor,
        dry_run=args.dry_run,
        history_before=args.history_before,
    )
    return asyncio.run(work if args.dry_run else with_channels(app, work))
