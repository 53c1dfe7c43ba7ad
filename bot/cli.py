"""This module contains the ``controlbot`` command line.

Commands:
    plan check [PATH]            validate a plan and print an overview (exit 1 if invalid)
    plan apply [PATH] [--dry-run]  show what a plan changes; make it the plan in force
    db upgrade                   migrate the database to the newest schema
    remind ACTIVITY [--period P] open a control round and remind whoever measures
    summary CHANNEL [--period P] post a team channel's summary
    schedule [--from D] [--to D] list every planned send (table or JSON)
    run                          the long-running bot: channels and the scheduler
    away PERSON FROM TO          record an absence (reminders held, a deputy measures)
    history INDICATOR [--count]  an indicator's last values with their status
    console [--as PERSON]        chat on the console as a person of the plan
    invite PERSON | --all        one-time Telegram deep links that enrol people
    person erase PERSON [--yes]  erase a leaver's personal data; history kept under a pseudonym
    export --format F --out FILE measurements, statuses, decisions and actions as CSV/XLSX/JSON
    import FILE [--dry-run]      store a CSV file's values, all or nothing
    demo                         one complete scripted control round on a fresh database
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import os
import re
import sys
from collections.abc import Coroutine, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import col, select

from bot import __version__
from bot.app import App, DatabaseNotReady, build_app, build_context
from bot.formatting import fmt_datetime
from bot.i18n import Translator, resolve_locale, translator
from bot.plan_report import format_changes, format_issues, format_overview, format_readiness
from bot.settings import SECRET_FIELDS, Settings, requested_locale
from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import PlatformIdentity
from workflows import rounds, summaries
from workflows.clock import SystemClock
from workflows.context import Context
from workflows.notices import Outgoing, Problem
from workflows.plan.errors import PlanError
from workflows.plan.loader import load_default_plan
from workflows.schedule import PlannedSend

if TYPE_CHECKING:
    from telegram.error import TelegramError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="controlbot",
        description="Control of implemented activities (PU3-3) over chat.",
    )
    parser.add_argument("--version", action="version", version=f"controlbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="plan commands").add_subparsers(
        dest="plan_command", required=True
    )
    check = plan.add_parser("check", help="validate a control plan")
    check.add_argument("path", nargs="?", type=Path, help="plan file or folder")
    apply = plan.add_parser(
        "apply", help="show what a plan changes, and make it the plan in force"
    )
    apply.add_argument("path", nargs="?", type=Path, help="plan file or folder")
    apply.add_argument("--dry-run", action="store_true", help="only show what would change")
    db = sub.add_parser("db", help="database commands").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="migrate the database to the newest schema")
    remind = sub.add_parser("remind", help="open a control round and remind")
    remind.add_argument("activity")
    remind.add_argument("--period", help="2026-11, 2026-Q4, 2026-W48, 2026-H2 or 2026")
    summary = sub.add_parser("summary", help="post a team channel's summary")
    summary.add_argument("channel")
    summary.add_argument("--period", help="2026-11, 2026-Q4, 2026-W48, 2026-H2 or 2026")
    schedule = sub.add_parser("schedule", help="list every planned send")
    schedule.add_argument("--from", dest="first", type=_date, help="first local date (today)")
    schedule.add_argument("--to", dest="last", type=_date, help="last local date (+30 days)")
    schedule.add_argument("--activity", help="only this activity")
    schedule.add_argument("--format", choices=("table", "json"), default="table")
    sub.add_parser("run", help="run the bot: channels and the scheduler, until SIGTERM")
    hist = sub.add_parser("history", help="an indicator's last values")
    hist.add_argument("indicator")
    hist.add_argument("--count", type=int, default=6)
    away = sub.add_parser("away", help="record an absence: reminders held, a deputy measures")
    away.add_argument("person")
    away.add_argument("starts", type=_date, help="first day away (YYYY-MM-DD)")
    away.add_argument("ends", type=_date, help="last day away (YYYY-MM-DD)")
    console = sub.add_parser("console", help="chat on the console")
    console.add_argument("--as", dest="person", help="person id to start as")
    invite = sub.add_parser("invite", help="print one-time Telegram links that enrol people")
    invite.add_argument("person", nargs="?", help="person id (or --all)")
    invite.add_argument("--all", action="store_true", help="one link for every person")
    invite.add_argument("--format", choices=("text", "csv"), default="text")
    invite.add_argument("--days", type=int, default=14, help="days the links work (1-90)")
    invite.add_argument(
        "--bot-username", help="the bot's @username (default: asked from Telegram with getMe)"
    )
    person = sub.add_parser("person", help="people commands").add_subparsers(
        dest="person_command", required=True
    )
    erase = person.add_parser("erase", help="erase a leaver's personal data (history kept)")
    erase.add_argument("person")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    export = sub.add_parser(
        "export", help="write measurements, statuses, decisions and actions to a file"
    )
    export.add_argument("--period", help="one period (default: the latest of each frequency)")
    export.add_argument("--format", choices=("csv", "xlsx", "json"), required=True)
    export.add_argument("--out", type=Path, required=True, help="file to write (- for stdout)")
    export.add_argument(
        "--csv-variant",
        choices=("excel", "lv"),
        default="excel",
        help="excel: comma and decimal point; lv: semicolon and decimal comma",
    )
    export.add_argument("--lang", choices=("lv", "en"), help="language of the label columns")
    imp = sub.add_parser("import", help="store the values of a CSV file, all or nothing")
    imp.add_argument("file", type=Path, help="CSV file (either variant; - for stdin)")
    imp.add_argument("--dry-run", action="store_true", help="check only; store nothing")
    imp.add_argument("--source", help="source name for every row (default: the file's column)")
    imp.add_argument("--as", dest="person", help="person accountable (default: first admin)")
    demo = sub.add_parser("demo", help="run the scripted demo round")
    demo.add_argument("--database", type=Path, default=Path("var/demo.sqlite3"))
    return parser


def _date(text: str) -> date:
    from workflows.forms.parsing import parse_date

    parsed = parse_date(text)
    if parsed is None:
        raise argparse.ArgumentTypeError(f"{text!r}: expected YYYY-MM-DD or DD.MM.YYYY")
    return parsed


def _schedule(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_context
    from bot.schedule_report import schedule_json, schedule_table
    from workflows.clock import SystemClock
    from workflows.schedule import planned_sends

    ctx = build_context(settings, SystemClock())
    first = args.first or ctx.today()
    last = args.last or first + timedelta(days=30)
    t = _t(settings)
    if not (2000 <= first.year <= 2100 and first <= last <= first + timedelta(days=3 * 366)):
        print(
            t.gettext("The range must run forwards, within 2000–2100 and at most 3 years."),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.activity and not any(a.id == args.activity for a in ctx.plan.activities):
        known = ", ".join(a.id for a in ctx.plan.activities)
        print(
            t.gettext(
                "There is no activity “{activity}” in the plan. Activities: {known}.",
                activity=args.activity,
                known=known,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    sends = planned_sends(ctx, first, last, activity_id=args.activity)
    sends = sorted(sends + _stored_follow_ups(settings, ctx, first, last, args.activity))
    if args.format == "json":
        print(schedule_json(sends))
    else:
        for line in schedule_table(sends, t):
            print(line)
    return EXIT_OK


def _stored_follow_ups(
    settings: Settings, ctx: Context, first: date, last: date, activity: str | None
) -> list[PlannedSend]:
    """Action follow-ups from an existing, up-to-date database (none otherwise)."""
    from workflows.deliveries import action_follow_ups

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return []
    db = Database.from_url(settings.database_url)
    try:
        if current_revision(db.engine) != head_revision(db.engine):
            return []
        found = db.transaction(lambda s: action_follow_ups(s, ctx, first, last))
    finally:
        db.dispose()
    return [f for f in found if activity in (None, f.subject)]


def _t(settings: Settings) -> Translator:
    return translator(resolve_locale(default=settings.default_locale))


def _plan_check(settings: Settings, path: Path | None) -> int:
    t = _t(settings)
    try:
        loaded = load_default_plan(path if path is not None else settings.plan)
    except PlanError as exc:
        for line in format_issues(exc.issues, t, base=Path.cwd()):
            print(line, file=sys.stderr)
        return EXIT_FAILED
    linked = _linked_people(settings)
    for line in [*format_overview(loaded, t), "", *format_readiness(loaded, t, linked)]:
        print(line)
    if linked is None:
        print(t.gettext("(Chat accounts were not checked: the database could not be read.)"))
    return EXIT_OK


def _plan_apply(settings: Settings, path: Path | None, *, dry_run: bool) -> int:
    """``controlbot plan apply [PATH] [--dry-run]``."""
    from workflows.plan_apply import apply_plan, in_force, pending_changes

    t = _t(settings)
    original_plan = settings.plan
    if path is not None:
        settings = settings.model_copy(update={"plan": path})
    try:
        if dry_run:
            ctx = build_context(settings, SystemClock())
            db = Database.from_url(settings.database_url)
            try:
                if db.engine.dialect.name == "sqlite":
                    upgrade(db.engine)
                elif current_revision(db.engine) != head_revision(db.engine):
                    raise DatabaseNotReady("the database schema is not up to date")
                first, changes = db.transaction(
                    lambda s: (in_force(s) is None, pending_changes(s, ctx))
                )
            finally:
                db.dispose()
            for line in format_changes(changes, first, t):
                print(line)
            return EXIT_OK
        app = build_app(settings)
    except PlanError as exc:
        for line in format_issues(exc.issues, t, base=Path.cwd()):
            print(line, file=sys.stderr)
        return EXIT_FAILED
    except DatabaseNotReady:
        print(
            t.gettext("The database schema is not up to date: run “controlbot db upgrade” first."),
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        first = app.db.transaction(lambda s: in_force(s) is None)
        applied = app.db.transaction(lambda s: apply_plan(s, app.ctx, _actor(app)))
        for line in format_changes(applied.changes, first, t):
            print(line)

        async def tell() -> int:
            await app.announce()
            await app.outbox.deliver(list(applied.notices))
            return EXIT_OK

        asyncio.run(_with_channels(app, tell()))
        print(t.gettext("Applied: this is now the plan in force."))
        if path is not None and path != original_plan:
            print(
                t.gettext(
                    "Set CONTROLBOT_PLAN={path} too: the bot reads that plan when it starts.",
                    path=path,
                )
            )
        return EXIT_OK
    finally:
        app.close()


def _linked_people(settings: Settings) -> set[str] | None:
    """People with a Telegram or Slack account, from an existing, upgraded database."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return None
    try:
        db = Database.from_url(settings.database_url)
    except Exception:  # a report must not fail on the database: it only adds a check
        return None
    try:
        return db.transaction(
            lambda s: set(
                s.exec(
                    select(PlatformIdentity.person_id).where(
                        col(PlatformIdentity.platform) != "console"
                    )
                ).all()
            )
        )
    except Exception:  # not upgraded yet, unreachable server
        return None
    finally:
        db.dispose()


def _db_upgrade(settings: Settings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        upgrade(db.engine)
        t = _t(settings)
        print(
            t.gettext("Database is at revision {revision}.", revision=current_revision(db.engine))
        )
    finally:
        db.dispose()
    return EXIT_OK


def _actor(app: App) -> str:
    return app.ctx.plan.plan.admins[0]


def _failed(items: Sequence[Outgoing]) -> bool:
    return any(isinstance(item.notice, Problem) for item in items)


async def _one_shot(app: App, command: str, target: str, period: str | None) -> int:
    await app.announce()
    actor = _actor(app)
    if command == "remind":
        items = await app.db.run(lambda s: rounds.open_round(s, app.ctx, target, period, actor))
    else:
        items = await app.db.run(
            lambda s: summaries.post_summary(s, app.ctx, target, period, actor)
        )
    await app.outbox.deliver(items)
    return EXIT_FAILED if _failed(items) else EXIT_OK


async def _history(app: App, indicator: str, count: int) -> int:
    from workflows import history

    actor = _actor(app)
    items = await app.db.run(lambda s: history.history(s, app.ctx, actor, indicator, count))
    await app.outbox.deliver(items)
    return EXIT_FAILED if _failed(items) else EXIT_OK


async def _away(app: App, person: str, starts: date, ends: date) -> int:
    from workflows import absences

    if not app.ctx.plan.has_person(person):
        known = ", ".join(p.id for p in app.ctx.plan.plan.people)
        print(
            _t(app.settings).gettext(
                "There is no person “{person}” in the plan. Known: {known}",
                person=person,
                known=known,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    actor = _actor(app)
    items = await app.db.run(lambda s: absences.register(s, app.ctx, person, starts, ends, actor))
    await app.outbox.deliver(items)
    return EXIT_FAILED if _failed(items) else EXIT_OK


async def _console(app: App, person: str | None) -> int:
    from bot.console import ConsoleSession

    start = person or _actor(app)
    if not app.ctx.plan.has_person(start):
        print(
            _t(app.settings).gettext("There is no person “{person}” in the plan.", person=start),
            file=sys.stderr,
        )
        return EXIT_USAGE
    await app.announce()
    session = ConsoleSession(app.dispatcher, app.console, app.ctx.plan, start, app.lang)
    await session.run_stdin()
    return EXIT_OK


def _settings_errors(exc: ValidationError) -> list[str]:
    """Translated lines for invalid settings; secrets are never shown back."""
    t = translator(resolve_locale(person=requested_locale()))
    hints = {
        "timezone": t.gettext("an IANA time zone such as Europe/Riga"),
        "default_locale": t.gettext("lv or en"),
        "http_port": t.gettext("a port number from 0 to 65535"),
        "telegram_token": t.gettext("the token BotFather gave, like 123456:AAH…"),
        "telegram_api_url": t.gettext("an http:// or https:// URL ending in /bot"),
        "telegram_webhook_url": t.gettext("a public https:// URL"),
        "telegram_webhook_secret": t.gettext("1–256 characters: A–Z, a–z, 0–9, _ and -"),
        "slack_bot_token": t.gettext("a Slack bot token starting with xoxb-"),
        "slack_app_token": t.gettext("a Slack app-level token starting with xapp-"),
        "slack_api_url": t.gettext("an http:// or https:// URL"),
        "api_token": t.gettext("16–512 printable ASCII characters, without spaces"),
    }
    out = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"])
        if error["type"] == "slack_needs_secret":
            out.append(
                t.gettext(
                    "CONTROLBOT_SLACK_BOT_TOKEN is set, so CONTROLBOT_SLACK_SIGNING_SECRET must "
                    "be set too (or CONTROLBOT_SLACK_APP_TOKEN for Socket Mode)."
                )
            )
            continue
        if error["type"] == "webhook_needs_secret":
            out.append(
                t.gettext(
                    "CONTROLBOT_TELEGRAM_WEBHOOK_URL is set, so "
                    "CONTROLBOT_TELEGRAM_WEBHOOK_SECRET must be set too."
                )
            )
            continue
        hint = hints.get(field, t.gettext("a valid value"))
        if field in SECRET_FIELDS:
            out.append(
                t.gettext(
                    "CONTROLBOT_{name} cannot be used; expected {hint}.",
                    name=field.upper(),
                    hint=hint,
                )
            )
            continue
        out.append(
            t.gettext(
                "CONTROLBOT_{name}: “{value}” cannot be used; expected {hint}.",
                name=field.upper(),
                value=error.get("input"),
                hint=hint,
            )
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        for line in _settings_errors(exc):
            print(line, file=sys.stderr)
        return EXIT_USAGE
    try:
        return _main(args, settings)
    except BrokenPipeError:
        # the reader went away (e.g. `controlbot demo | head`): stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - kept open until exit
        return EXIT_OK
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        print(
            _t(settings).gettext(
                "CONTROLBOT_DATABASE_URL is not a database URL: {detail}",
                detail=str(exc).splitlines()[0],
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except OperationalError as exc:
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        print(
            _t(settings).gettext(
                "Cannot use the database {url}: {reason}", url=url, reason=reason
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED


def _main(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "plan" and args.plan_command == "apply":
        return _plan_apply(settings, args.path, dry_run=args.dry_run)
    if args.command == "plan":
        return _plan_check(settings, args.path)
    if args.command == "db":
        return _db_upgrade(settings)
    if args.command == "schedule":
        try:
            return _schedule(settings, args)
        except PlanError as exc:
            for line in format_issues(exc.issues, _t(settings), base=Path.cwd()):
                print(line, file=sys.stderr)
            return EXIT_FAILED
    try:
        if args.command == "run":
            from bot.run import run

            # an operator watches a long-running process: say what it does
            for name in ("bot", "workflows"):
                logging.getLogger(name).setLevel(logging.INFO)
            logging.getLogger("apscheduler").setLevel(logging.WARNING)

            return asyncio.run(run(settings))
        if args.command == "demo":
            from bot.demo import NotADemoDatabase, run_demo

            try:
                app = asyncio.run(run_demo(settings, database=args.database))
            except NotADemoDatabase:
                print(
                    _t(settings).gettext(
                        "{path} exists and is not a demo database; the demo replaces only its own "
                        "database. Choose another --database.",
                        path=args.database,
                    ),
                    file=sys.stderr,
                )
                return EXIT_FAILED
            app.close()
            return EXIT_OK
        app = build_app(settings)
    except PlanError as exc:
        for line in format_issues(exc.issues, _t(settings), base=Path.cwd()):
            print(line, file=sys.stderr)
        return EXIT_FAILED
    except DatabaseNotReady:
        print(
            _t(settings).gettext(
                "The database schema is not up to date: run “controlbot db upgrade” first."
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        if args.command == "invite":
            return asyncio.run(_invite(app, args))
        if args.command == "person":
            return _erase(app, args.person, confirmed=args.yes)
        if args.command == "export":
            from bot.exchange.commands import export

            return export(app, args.period, args.format, args.out, args.csv_variant, args.lang)
        if args.command == "import":
            return _import(app, args)
        if args.command == "history":
            return asyncio.run(_history(app, args.indicator, args.count))
        if args.command == "away":
            return asyncio.run(
                _with_channels(app, _away(app, args.person, args.starts, args.ends))
            )
        if args.command in ("remind", "summary"):
            target = args.activity if args.command == "remind" else args.channel
            return asyncio.run(
                _with_channels(app, _one_shot(app, args.command, target, args.period))
            )
        return asyncio.run(_console(app, args.person))
    finally:
        app.close()


def _import(app: App, args: argparse.Namespace) -> int:
    """``controlbot import FILE``: decisions the values open are sent unless a dry run."""
    from bot.exchange.commands import import_file

    actor = args.person or _actor(app)
    if not app.ctx.plan.has_person(actor):
        print(
            _t(app.settings).gettext("There is no person “{person}” in the plan.", person=actor),
            file=sys.stderr,
        )
        return EXIT_USAGE
    work = import_file(app, args.file, args.source, actor, dry_run=args.dry_run)
    return asyncio.run(work if args.dry_run else _with_channels(app, work))


async def _with_channels(app: App, work: Coroutine[Any, Any, int]) -> int:
    """Run a one-shot command with the chat platforms connected (their sends go out too)."""
    from telegram.error import TelegramError  # only commands that send need the library

    try:
        await app.open_channels()
    except TelegramError as exc:
        work.close()
        await app.close_channels()
        print(telegram_problem(app.settings, exc), file=sys.stderr)
        return EXIT_FAILED
    try:
        return await work
    finally:
        await app.close_channels()


def _erase(app: App, person_id: str, *, confirmed: bool) -> int:
    """``controlbot person erase``: a leaver's personal data removed, history pseudonymised."""
    from workflows import privacy

    t = _t(app.settings)
    if not confirmed:
        if not sys.stdin.isatty():
            print(t.gettext("Add --yes to erase without a question."), file=sys.stderr)
            return EXIT_USAGE
        answer = input(
            t.gettext(
                "This removes {person}'s name, e-mail and chat accounts for good. Type the "
                "person id to confirm: ",
                person=person_id,
            )
        )
        if answer.strip() != person_id:
            print(t.gettext("Not confirmed; nothing was changed."), file=sys.stderr)
            return EXIT_FAILED
    try:
        erased = app.db.transaction(
            lambda s: privacy.erase_person(s, app.ctx, person_id, _actor(app))
        )
    except privacy.UnknownPerson:
        print(t.gettext("No person “{person}” is stored.", person=person_id), file=sys.stderr)
        return EXIT_USAGE
    except privacy.StillInPlan:
        print(
            t.gettext(
                "{person} is still in the control plan. Remove them from the plan (and restart "
                "or run a command so the plan is read), then erase.",
                person=person_id,
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(
        t.gettext(
            "Erased {person}. Chat accounts and invitations removed: {removed}. Records that "
            "now show {pseudonym}: {rewritten}.",
            person=person_id,
            removed=erased.removed,
            rewritten=erased.rewritten,
            pseudonym=erased.pseudonym,
        )
    )
    return EXIT_OK


def telegram_problem(settings: Settings, exc: TelegramError) -> str:
    """A translated one-line reason Telegram failed; never shows the token."""
    from telegram.error import InvalidToken

    t = _t(settings)
    if isinstance(exc, InvalidToken):
        return t.gettext(
            "Telegram refused the bot token (CONTROLBOT_TELEGRAM_TOKEN), or {url} is not a "
            "Bot API server.",
            url=settings.telegram_api_url,
        )
    reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return t.gettext(
        "Cannot reach Telegram at {url}: {reason}", url=settings.telegram_api_url, reason=reason
    )


async def _invite(app: App, args: argparse.Namespace) -> int:
    """``controlbot invite``: one-time deep links (``https://t.me/<bot>?start=<code>``)."""
    from telegram.error import TelegramError

    from workflows import enrolment

    t = _t(app.settings)
    if args.all == bool(args.person) or not 1 <= args.days <= 90:
        print(t.gettext("Give one person id or --all, and --days from 1 to 90."), file=sys.stderr)
        return EXIT_USAGE
    people = [p.id for p in app.ctx.plan.plan.people] if args.all else [args.person]
    if not app.ctx.plan.has_person(people[0]):
        known = ", ".join(p.id for p in app.ctx.plan.plan.people)
        message = t.gettext(
            "There is no person “{person}” in the plan. Known: {known}",
            person=people[0],
            known=known,
        )
        print(message, file=sys.stderr)
        return EXIT_USAGE
    username = (args.bot_username or "").lstrip("@")
    if username and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", username):
        print(
            t.gettext(
                "“{name}” is not a Telegram bot username (5–32 letters, digits and _).",
                name=username,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not username:
        if app.telegram is None:
            print(
                t.gettext(
                    "Telegram is not configured: set CONTROLBOT_TELEGRAM_TOKEN, or give "
                    "--bot-username."
                ),
                file=sys.stderr,
            )
            return EXIT_USAGE
        try:
            username = await app.telegram.bot_username()
        except TelegramError as exc:
            print(telegram_problem(app.settings, exc), file=sys.stderr)
            return EXIT_FAILED
    valid = timedelta(days=args.days)
    issued = await app.db.run(
        lambda s: [enrolment.issue(s, app.ctx, person, valid) for person in people]
    )
    writer = csv.writer(sys.stdout, lineterminator="\n") if args.format == "csv" else None
    if writer is not None:
        writer.writerow(["person", "name", "email", "link", "expires"])
    for item in issued:
        person = app.ctx.plan.person(item.person_id)
        link = f"https://t.me/{username}?start={item.code}"
        local = item.expires_at.astimezone(app.ctx.timezone)
        expires = f"{fmt_datetime(local, app.ctx.timezone, t)} ({app.ctx.timezone.key})"
        if writer is not None:  # machines read the CSV: ISO 8601 with the offset
            iso = local.isoformat(timespec="minutes")
            writer.writerow([person.id, person.name, person.email or "", link, iso])
        else:
            print(
                t.gettext(
                    "{name} ({person}): {link} — works once, until {expires}",
                    name=person.name,
                    person=person.id,
                    link=link,
                    expires=expires,
                )
            )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
