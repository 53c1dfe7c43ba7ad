"""This module contains the composition root: plan, database, channels and dispatcher."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.channel import Channel
from bot.console import ConsoleChannel
from bot.dispatch import Dispatcher
from bot.i18n import Lang, resolve_locale
from bot.outbox import Outbox
from bot.settings import Settings
from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade
from workflows import approval
from workflows.calendar import WorkingCalendar
from workflows.clock import Clock, SystemClock
from workflows.context import Context
from workflows.notices import Outgoing
from workflows.people import sync_people
from workflows.plan.loader import load_default_plan

if TYPE_CHECKING:
    from bot.email import ChatDoors, EmailChannel
    from bot.slack.service import SlackService
    from bot.telegram.service import TelegramService

_LOGGER = logging.getLogger(__name__)


@dataclass
class App:
    """A wired application: the console, and Telegram when a token is set.

    Attributes:
        settings: The process settings.
        ctx: Plan, clock, calendar.
        db: The database.
        console: The console channel.
        outbox: Delivers notices.
        dispatcher: Handles events.
        startup: Notices from start-up still to send (see :meth:`announce`).
        telegram: The Telegram side (``None`` without ``CONTROLBOT_TELEGRAM_TOKEN``); not
            started yet.
        slack: The Slack side (``None`` without ``CONTROLBOT_SLACK_BOT_TOKEN``); not started.
        email: The e-mail channel (``None`` without ``CONTROLBOT_SMTP_HOST``).
    """

    settings: Settings
    ctx: Context
    db: Database
    console: ConsoleChannel
    outbox: Outbox
    dispatcher: Dispatcher
    startup: list[Outgoing] = field(default_factory=list)
    telegram: TelegramService | None = None
    slack: SlackService | None = None
    email: EmailChannel | None = None

    async def announce(self) -> None:
        """Send the notices gathered at start-up (people who left the plan), once."""
        items, self.startup = self.startup, []
        await self.outbox.deliver(items, origin="system")

    @property
    def lang(self) -> Lang:
        """The plan's default language (plan ``locale`` > ``CONTROLBOT_DEFAULT_LOCALE``)."""
        return resolve_locale(
            plan_default=self.ctx.plan.plan.locale, default=self.settings.default_locale
        )

    async def open_channels(self) -> None:
        """Connect the chat platforms for sending only (one-shot CLI commands).

        Raises:
            telegram.error.TelegramError: If Telegram refuses the token or cannot be reached.
        """
        if self.telegram is not None:
            await self.telegram.application.bot.initialize()

    async def close_channels(self) -> None:
        """Close what :meth:`open_channels` opened (and the Slack client's session)."""
        if self.telegram is not None:
            await self.telegram.application.bot.shutdown()
        if self.slack is not None:
            await self.slack.stop()

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
    startup = prepare_database(db, ctx)
    console = ConsoleChannel(out)
    channels: dict[str, Channel] = {console.platform: console}
    telegram = telegram_service(settings, ctx, db)
    if telegram is not None:
        channels[telegram.channel.platform] = telegram.channel
    slack = slack_service(settings, ctx, db)
    if slack is not None:
        channels[slack.channel.platform] = slack.channel
    email = email_side(settings, ctx, db, telegram, slack)
    if email is not None:
        channels[email.platform] = email
    outbox = Outbox(ctx, db, channels, settings.default_locale, console_fallback=console_fallback)
    if telegram is not None:
        telegram.limiter.on_429 = partial(outbox.metrics.rate_limited, "telegram")
    if slack is not None:
        slack.rate_limits.on_429 = partial(outbox.metrics.rate_limited, "slack")
    hold = settings.inbound_hold_ms / 1000
    held = {"slack": hold} if slack is not None else {}
    if telegram is not None and settings.telegram_webhook_url:
        held["telegram"] = hold  # parallel webhook requests may swap; polling keeps order
    dispatcher = Dispatcher(
        ctx, db, outbox, settings.default_locale, settings.web_base_url, hold=held
    )
    for side in (telegram, slack):
        if side is not None:
            side.connect(dispatcher)
    return App(settings, ctx, db, console, outbox, dispatcher, startup, telegram, slack, email)


def slack_service(settings: Settings, ctx: Context, db: Database) -> SlackService | None:
    """The Slack side when ``CONTROLBOT_SLACK_BOT_TOKEN`` is set (not started; no I/O)."""
    if settings.slack_bot_token is None:
        return None
    from bot.slack.service import SlackService

    secret = settings.slack_signing_secret
    app_token = settings.slack_app_token
    return SlackService(
        settings.slack_bot_token.get_secret_value(),
        secret.get_secret_value() if secret is not None else "",
        settings.slack_api_url,
        ctx,
        db,
        app_token=app_token.get_secret_value() if app_token is not None else None,
    )


def telegram_service(settings: Settings, ctx: Context, db: Database) -> TelegramService | None:
    """The Telegram side when ``CONTROLBOT_TELEGRAM_TOKEN`` is set (not started; no I/O)."""
    if settings.telegram_token is None:
        return None
    from bot.telegram.service import TelegramService

    secret = settings.telegram_webhook_secret
    return TelegramService(
        settings.telegram_token.get_secret_value(),
        settings.telegram_api_url,
        ctx,
        db,
        webhook_url=settings.telegram_webhook_url,
        webhook_secret=secret.get_secret_value() if secret is not None else None,
    )


def email_side(
    settings: Settings,
    ctx: Context,
    db: Database,
    telegram: TelegramService | None,
    slack: SlackService | None,
) -> EmailChannel | None:
    """The e-mail channel when ``CONTROLBOT_SMTP_HOST`` is set, with links into the chats."""
    if settings.smtp_host is None:
        return None
    from bot.email import email_channel

    return email_channel(settings, db, ctx, chat_doors(telegram, slack))


def chat_doors(telegram: TelegramService | None, slack: SlackService | None) -> ChatDoors:
    """Where e-mails send people to answer: the chat platforms that are on."""
    from bot.email import ChatDoors

    async def telegram_username() -> str | None:
        assert telegram is not None
        try:  # known once the bot is initialised (``controlbot run``, one-shot commands)
            return str(telegram.application.bot.username)
        except RuntimeError:
            return None

    async def slack_link() -> str | None:
        assert slack is not None
        auth = await slack.client.auth_test()
        info = await slack.client.bots_info(bot=str(auth["bot_id"]))
        app_id, team = info["bot"]["app_id"], auth["team_id"]
        return f"https://slack.com/app_redirect?app={app_id}&team={team}"

    return ChatDoors(
        telegram_username if telegram is not None else None,
        slack_link if slack is not None else None,
    )
