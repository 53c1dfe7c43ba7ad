"""E-mail, the notify-only platform: notices over SMTP with the outbox's guarantees.

:class:`~bot.email.channel.EmailChannel` is the channel; :func:`email_channel` builds it
from the settings (``CONTROLBOT_SMTP_*``), or gives ``None`` when e-mail is off.
"""

from __future__ import annotations

import ssl

from bot.email.channel import PLATFORM, EmailChannel
from bot.email.doors import ChatDoors
from bot.email.smtp import SmtpConfig
from bot.settings import Settings
from storage.db import Database
from workflows.context import Context

__all__ = ["PLATFORM", "ChatDoors", "EmailChannel", "SmtpConfig", "email_channel"]


def email_channel(
    settings: Settings, db: Database, ctx: Context, doors: ChatDoors | None = None
) -> EmailChannel | None:
    """The e-mail channel when ``CONTROLBOT_SMTP_HOST`` is set (no I/O until it sends)."""
    if settings.smtp_host is None or settings.smtp_from is None:
        return None
    context = None
    if settings.smtp_ca_file is not None:
        context = ssl.create_default_context(cafile=str(settings.smtp_ca_file))
    password = settings.smtp_password
    config = SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port_or_default,
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=password.get_secret_value() if password is not None else None,
        sender=settings.smtp_from,
        timeout=settings.smtp_timeout,
        tls_context=context,
    )
    return EmailChannel(config, db, ctx, doors, settings.default_locale)
