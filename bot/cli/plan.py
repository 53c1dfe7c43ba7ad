"""This module contains ``controlbot plan check`` and ``controlbot plan apply``."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.app import DatabaseNotReady, build_app, build_context
from bot.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    acting_admin,
    tell_others,
    translator_for,
    with_channels,
)
from bot.plan_overview import format_changes, format_overview, format_readiness
from bot.plan_report import format_issues
from bot.render.context import RenderContext
from bot.settings import Settings
from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade
from workflows.clock import SystemClock
from workflows.people import accounts
from workflows.plan import accounts as plan_accounts
from workflows.plan.errors import PlanError
from workflows.plan.loader import load_default_plan


def plan_check(settings: Settings, path: Path | None) -> int:
    """``controlbot plan check [PATH]``: validate a plan and print an overview."""
    t = translator_for(settings)
    try:
        loaded = load_default_plan(path if path is not None else settings.plan)
    except PlanError as exc:
        for line in format_issues(exc.issues, t, base=Path.cwd()):
            print(line, file=sys.stderr)
        return EXIT_FAILED
    linked = linked_people(settings)
    for line in [*format_overview(loaded, t), "", *format_readiness(loaded, t, linked)]:
        print(line)
    for where, old, new in plan_accounts.deprecated_keys(loaded.plan.people, loaded.plan.channels):
        print(
            t.gettext(
                "Note: {where}: the key “{old}” still works but is deprecated; write “{new}”.",
                where=where,
                old=old,
                new=new,
            )
        )
    if linked is None:
        missing = missing_sqlite_file(settings)
        if missing is not None:  # a fresh installation: nothing is wrong
            print(
                t.gettext(
                    "(Chat accounts were not checked: there is no database {path} yet; "
                    "the bot creates it when it first runs.)",
                    path=missing,
                )
            )
        else:
            print(t.gettext("(Chat accounts were not checked: the database could not be read.)"))
    return EXIT_OK


def plan_apply(settings: Settings, path: Path | None, *, dry_run: bool) -> int:
    """``controlbot plan apply [PATH] [--dry-run]``."""
    from workflows.plan.apply import apply_plan, in_force, pending_changes

    t = translator_for(settings)
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
        app = build_app(settings, console_fallback=False)  # nothing addressed to others here
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
        applied = app.db.transaction(lambda s: apply_plan(s, app.ctx, acting_admin(app)))
        for line in format_changes(applied.changes, first, t):
            print(line)

        batch = uuid.uuid4().hex
        rc = RenderContext(t, app.ctx.plan, app.ctx.timezone)
        heading = t.gettext("Not told of the plan's changes:")

        async def tell() -> int:
            await app.announce(batch=batch)  # who left the plan: told by the sync at start
            await tell_others(app, applied.notices, acting_admin(app), heading, rc, batch=batch)
            return EXIT_OK

        asyncio.run(with_channels(app, tell()))
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


def missing_sqlite_file(settings: Settings) -> str | None:
    """The SQLite file the settings name when it does not exist yet, else ``None``."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return url.database or ""
    return None


def linked_people(settings: Settings) -> set[str] | None:
    """People with a Telegram or Slack account, from an existing, upgraded database."""
    if missing_sqlite_file(settings) is not None:
        return None
    try:
        db = Database.from_url(settings.database_url)
    except Exception:  # a report must not fail on the database: it only adds a check
        return None
    try:
        return db.transaction(accounts.linked_people)
    except Exception:  # not upgraded yet, unreachable server
        return None
    finally:
        db.dispose()
