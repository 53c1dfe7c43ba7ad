"""This module contains the composition root: plan, database, channels and dispatcher."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.channel import Channel
from bot.console import ConsoleChannel
from bot.dispatch import Dispatcher
from bot.i18n import Lang, resolve_locale
from bot.leadership import Leadership
from bot.outbox import Outbox
from bot.platform import Platform, build_platforms
from bot.settings import Settings
from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade
from workflows.calendar import WorkingCalendar
from workflows.clock import Clock, SystemClock
from workflows.context import Context
from workflows.notices import Outgoing
from workflows.people.sync import sync_people
from workflows.plan.loader import load_default_plan
from workflows.rounds import approval

_LOGGER = logging.getLogger(__name__)


@dataclass
class App:
    """A wired application: the console, and the chat platforms whose settings are set.

    Attributes:
        settings: The process settings.
        ctx: Plan, clock, calendar.
        db: The database.
        console: The console channel.
        outbox: Delivers notices.
        dispatcher: Handles events.
        startup: Notices from start-up still to send (see :meth:`announce`).
        platforms: The configured platforms by name (:func:`bot.platform.build_platforms`),
            not started yet.
        leadership: This process's role among ``controlbot run`` replicas (``role``:
            ``leader``, ``follower`` or ``single``; ``is_leader``); set by ``run``.
    """

    settings: Settings
    ctx: Context
    db: Database
    console: ConsoleChannel
    outbox: Outbox
    dispatcher: Dispatcher
    startup: list[Outgoing] = field(default_factory=list)
    platforms: dict[str, Platform] = field(default_factory=dict)
    leadership: Leadership = field(default_factory=Leadership)

    async def announce(self, *, batch: str | None = None) -> None:
        """Send the notices gathered at start-up (people who left the plan), once.

        Args:
            batch: Marks their outbox rows, for a report of whom they reached.
        """
        items, self.startup = self.startup, []
        await self.outbox.deliver(items, origin="system", batch=batch)

    @property
    def lang(self) -> Lang:
        """The plan's default language (plan ``locale`` > ``CONTROLBOT_DEFAULT_LOCALE``)."""
        return resolve_locale(
            plan_default=self.ctx.plan.plan.locale, default=self.settings.default_locale
        )

    async def open_channels(self) -> None:
        """Connect the chat platforms for sending only (one-shot CLI commands).

        Raises:
            Exception: One of a platform's ``start_errors`` (Telegram refuses the token…).
        """
        for platform in self.platforms.values():
            await platform.open()

    async def close_channels(self) -> None:
        """Close what :meth:`open_channels` opened (and the platforms' HTTP sessions)."""
        for platform in self.platforms.values():
            await platform.close()

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()


def build_context(settings: Settings, clock: Clock, plan_path: Path | None = None) -> Context:
    """Load the plan and make the domain context.

    Raises:
        workflows.plan.errors.PlanError: If the plan is invalid.
    """
    plan = load_default_plan(plan_path if plan_path is not None else settings.plan)
    zone = ZoneInfo(plan.plan.timezone or settings.timezone)
    default = plan.plan.locale or settings.default_locale
    return Context(plan, clock, WorkingCalendar(), zone, default)


class DatabaseNotReady(RuntimeError):
    """The database schema is behind; ``controlbot db upgrade`` is needed."""


def prepare_database(
    db: Database, ctx: Context, *, auto_upgrade: bool | None = None
) -> list[Outgoing]:
    """Bring the schema up to date and synchronise the plan's people.

    Values waiting for an approval the plan no longer asks for are released (approval
    ``none``), so nothing waits for ever.

    An SQLite database is upgraded by itself; any other must already be at the newest
    revision (``controlbot db upgrade``), so that a shared server is never migrated by
    accident.

    Returns:
        Notices about people who just left the plan (to send once).

    Raises:
        DatabaseNotReady: If a non-SQLite database is behind and ``auto_upgrade`` is off.
    """
    if auto_upgrade is None:
        auto_upgrade = db.engine.dialect.name == "sqlite"
    if auto_upgrade:
        upgrade(db.engine)
    elif current_revision(db.engine) != head_revision(db.engine):
        raise DatabaseNotReady("the database schema is not up to date")

    def sync(session: Session) -> list[Outgoing]:
        left = sync_people(session, ctx)
        approval.release_unrequired(session, ctx)
        return left

    return db.transaction(sync)


def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    out: TextIO | None = None,
    database_url: str | None = None,
    console_fallback: bool = True,
) -> App:
    """Wire everything for the console.

    Args:
        settings: Process settings.
        clock: The clock (default: the system clock).
        out: Where the console prints (default: standard output).
        database_url: Overrides ``settings.database_url`` (the demo uses its own file).
        console_fallback: Whether the console reaches whoever no chat platform reaches
            (the demo and ``controlbot console``); ``controlbot run`` and the one-shot
            commands print nothing addressed to others.

    Raises:
        workflows.plan.errors.PlanError: If the plan is invalid.
    """
    ctx = build_context(settings, clock or SystemClock())
    db = Database.from_url(database_url or settings.database_url)
    try:  # a database that is behind, a platform's settings refused: its pool closes now
        startup = prepare_database(db, ctx)
        platforms = {p.name: p for p in build_platforms(settings, ctx, db)}
    except BaseException:
        db.dispose()
        raise
    console = ConsoleChannel(out)
    channels: dict[str, Channel] = {console.platform: console}
    channels.update((name, p.channel) for name, p in platforms.items())
    outbox = Outbox(ctx, db, channels, settings.default_locale, console_fallback=console_fallback)
    for name, platform in platforms.items():
        platform.on_rate_limit(partial(outbox.metrics.rate_limited, name))
    hold = settings.inbound_hold_ms / 1000
    # where one person's events may swap (Slack, Telegram's parallel webhook requests)
    held = {name: hold for name, p in platforms.items() if not p.ordered}
    dispatcher = Dispatcher(
        ctx, db, outbox, settings.default_locale, settings.web_base_url, hold=held
    )
    for platform in platforms.values():
        platform.connect(dispatcher)
    return App(settings, ctx, db, console, outbox, dispatcher, startup, platforms)
