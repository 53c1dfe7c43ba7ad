"""This module contains :func:`build`: the Telegram platform when its token is set."""

from __future__ import annotations

from bot.platform import Platform
from bot.settings import Settings
from storage.db import Database
from workflows.context import Context


def build(settings: Settings, ctx: Context, db: Database) -> Platform | None:
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
