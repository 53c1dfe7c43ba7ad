"""This module contains the translated lines for settings the environment got wrong."""

from __future__ import annotations

from pydantic import ValidationError

from bot.i18n import resolve_locale, translator
from bot.settings import SECRET_FIELDS, requested_locale


def settings_errors(exc: ValidationError) -> list[str]:
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
        "smtp_port": t.gettext("a port number from 1 to 65535"),
        "smtp_security": t.gettext("starttls, tls or none"),
        "smtp_from": t.gettext("an e-mail address, e.g. Controlbot <robot@example.lv>"),
        "smtp_timeout": t.gettext("seconds, more than 0 and at most 600"),
        "metrics_token": t.gettext("16–512 printable ASCII characters, without spaces"),
        "log_level": t.gettext("DEBUG, INFO, WARNING or ERROR"),
        "log_format": t.gettext("text or json"),
    }
    together = {
        "smtp_needs_from": t.gettext(
            "CONTROLBOT_SMTP_HOST is set, so CONTROLBOT_SMTP_FROM must be set too."
        ),
        "smtp_needs_user": t.gettext(
            "CONTROLBOT_SMTP_PASSWORD is set, so CONTROLBOT_SMTP_USERNAME must be set too."
        ),
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
        if error["type"] in together:
            out.append(together[error["type"]])
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
