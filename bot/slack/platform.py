"""This module contains :func:`build`: the Slack platform when its bot token is set."""

from __future__ import annotations

from bot.platform import Platform
from bot.settings import Settings
from storage.db import Database
from workflows.context import Context


def build(settings: Settings, ctx: Context, db: Database) -> Platform | None:
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
