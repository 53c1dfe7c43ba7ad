"""This module routes a parsed command to its module, imported only when that command runs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.cli.common import EXIT_FAILED, EXIT_OK, print_plan_issues, translator_for, with_channels
from bot.settings import Settings
from workflows.plan.errors import PlanError

EXIT_INTERRUPTED = 130
"""What a shell reports for a process ended by Ctrl-C (128 + SIGINT)."""


def route(args: argparse.Namespace, settings: Settings) -> int:
    """Run the parsed command with the settings; returns the exit status."""
    if args.command == "plan" and args.plan_command == "apply":
        from bot.cli.plan import plan_apply

        return plan_apply(settings, args.path, dry_run=args.dry_run)
    if args.command == "plan":
        from bot.cli.plan import plan_check

        return plan_check(settings, args.path)
    if args.command == "db":
        from bot.cli.database import db_upgrade

        return db_upgrade(settings)
    if args.command == "schedule":
        from bot.cli.schedule import schedule

        try:
            return schedule(settings, args)
        except PlanError as exc:
            return print_plan_issues(exc, translator_for(settings))
    return _with_app(args, settings)


def _with_app(args: argparse.Namespace, settings: Settings) -> int:
    """The commands that need the whole application (database, plan, channels)."""
    from bot.app import DatabaseNotReady, build_app

    try:
        if args.command == "run":
            from bot.run import run

            try:
                return asyncio.run(run(settings, exiting=True))
            except KeyboardInterrupt:  # Ctrl-C during start-up, before the bot's own handler
                logging.getLogger("bot.run").warning("interrupted")
                return EXIT_INTERRUPTED
        if args.command == "demo":
            from bot.demo import NotADemoDatabase, run_demo

            try:
                app = asyncio.run(run_demo(settings, database=args.database))
            except NotADemoDatabase:
                print(
                    translator_for(settings).gettext(
                        "{path} exists and is not a demo database; the demo replaces only its own "
                        "database. Choose another --database.",
                        path=args.database,
                    ),
                    file=sys.stderr,
                )
                return EXIT_FAILED
            app.close()
            return EXIT_OK
        # only `controlbot console` prints everyone's messages on the terminal
        app = build_app(settings, console_fallback=args.command == "console")
    except PlanError as exc:
        return print_plan_issues(exc, translator_for(settings))
    except DatabaseNotReady:
        print(
            translator_for(settings).gettext(
                "The database schema is not up to date: run “controlbot db upgrade” first."
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        if args.command == "invite":
            from bot.cli.people import invite

            return asyncio.run(invite(app, args))
        if args.command == "person":
            from bot.cli.people import erase

            return erase(app, args.person, confirmed=args.yes)
        if args.command == "export":
            from bot.exchange.commands import ExportChoice, export

            choice = ExportChoice(args.period, args.first, args.last, args.lang, args.force)
            return export(app, choice, args.format, args.out, args.csv_variant)
        if args.command == "deliveries":
            from bot.cli.deliveries import deliveries

            return deliveries(app, args)
        if args.command == "import":
            from bot.cli.exchange import import_values

            return import_values(app, args)
        from bot.cli import chat

        if args.command == "history":
            return asyncio.run(chat.history(app, args.indicator, args.count))
        if args.command == "away":
            return asyncio.run(
                with_channels(app, chat.away(app, args.person, args.starts, args.ends))
            )
        if args.command in ("remind", "summary"):
            target = args.activity if args.command == "remind" else args.channel
            return asyncio.run(
                with_channels(app, chat.one_shot(app, args.command, target, args.period))
            )
        return asyncio.run(chat.console(app, args.person))
    finally:
        app.close()
