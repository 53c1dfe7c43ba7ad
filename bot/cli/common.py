"""This module contains what the command modules share: exit statuses, translation, channels."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app import App
from bot.i18n import Translator, resolve_locale, translator
from bot.plan_report import format_issues
from bot.render.context import RenderContext
from bot.render.delivery import outcome_lines
from bot.settings import Settings
from workflows.notices import Outgoing, Problem
from workflows.plan.errors import PlanError
from workflows.reports import deliveries

if TYPE_CHECKING:
    from telegram.error import TelegramError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def translator_for(settings: Settings) -> Translator:
    """The translator of the command line: the environment's language, else the default."""
    return translator(resolve_locale(default=settings.default_locale))


def acting_admin(app: App) -> str:
    """The person a command acts as: the plan's first administrator."""
    return app.ctx.plan.plan.admins[0]


def failed(items: Sequence[Outgoing]) -> bool:
    """Whether a domain operation answered with a problem."""
    return any(isinstance(item.notice, Problem) for item in items)


def print_plan_issues(exc: PlanError, t: Translator) -> int:
    """Print a plan's issues to standard error; returns the exit status."""
    for line in format_issues(exc.issues, t, base=Path.cwd()):
        print(line, file=sys.stderr)
    return EXIT_FAILED


async def with_channels(app: App, work: Coroutine[Any, Any, int]) -> int:
    """Run a one-shot command with the chat platforms connected (their sends go out too)."""
    errors = tuple(e for platform in app.platforms.values() for e in platform.start_errors)
    try:
        await app.open_channels()
    except errors as exc:
        work.close()
        await app.close_channels()
        print(open_problem(app, exc), file=sys.stderr)
        return EXIT_FAILED
    try:
        return await work
    finally:
        await app.close_channels()


def open_problem(app: App, exc: Exception) -> str:
    """Why a platform could not be opened: translated for Telegram, else the platform's reason."""
    if "telegram" in app.platforms:
        from telegram.error import TelegramError

        if isinstance(exc, TelegramError):
            return telegram_problem(app.settings, exc)
    for platform in app.platforms.values():
        reason = platform.start_failure(exc)
        if reason is not None:
            return reason
    return str(exc)


def telegram_problem(settings: Settings, exc: TelegramError) -> str:
    """A translated one-line reason Telegram failed; never shows the token."""
    from telegram.error import InvalidToken

    t = translator_for(settings)
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


async def tell_others(
    app: App,
    items: Sequence[Outgoing],
    actor: str,
    heading: str,
    rc: RenderContext,
    *,
    batch: str | None = None,
) -> None:
    """Deliver ``items`` (addressed to others than the operator) now; print whom they missed.

    Nothing addressed to others is printed on the operator's terminal; when someone could
    not be reached, ``heading`` is printed, then a line per person or channel with the
    reason and the remedy (``controlbot invite …``, ``/bind …``).

    Args:
        app: The application (channels connected by the caller).
        items: What to deliver.
        actor: Who caused it (the outbox rows' origin).
        heading: The report's first line, translated (``Not told of the absence:``).
        rc: The operator's language, for the report's lines.
        batch: Marks the outbox rows, when the caller has delivered some under it already.
    """
    batch = batch or uuid.uuid4().hex
    await app.outbox.deliver(items, origin=actor, batch=batch)
    found = await app.db.run(lambda s: deliveries.outcome(s, batch))
    if found.unreached:
        print(heading)
        for line in outcome_lines(found, rc):
            print(f"    {line}")
