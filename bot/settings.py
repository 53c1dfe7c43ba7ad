"""This module contains :class:`Settings`, the only place that reads the environment."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/controlbot.sqlite3"


SECRET_FIELDS = frozenset(
    {
        "telegram_token",
        "telegram_webhook_secret",
        "database_url",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "api_token",
        "web_secret",
        "smtp_password",
        "metrics_token",
    }
)
"""Settings whose values are never shown back, not even when they are wrong."""


def requested_locale() -> str | None:
    """``CONTROLBOT_DEFAULT_LOCALE`` as given, for messages about settings that failed."""
    return os.environ.get("CONTROLBOT_DEFAULT_LOCALE")


@contextlib.contextmanager
def without_library_variables(*names: str) -> Iterator[None]:
    """Hide environment variables a library would read behind our back, while it starts.

    slack-bolt switches on its OAuth flow when ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET``
    are set; our settings pass every token explicitly instead.
    """
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def opt_in_to_library_behaviour() -> None:
    """Choose the libraries' announced future behaviour where they read it from the environment.

    python-telegram-bot 22 warns on every flood-control error (``RetryAfter.retry_after``)
    unless ``PTB_TIMEDELTA`` opts in to its coming ``timedelta`` type; our code reads both.
    An explicit value in the environment is kept.
    """
    os.environ.setdefault("PTB_TIMEDELTA", "true")


class Settings(BaseSettings):
    """Process settings, read once from ``CONTROLBOT_*`` environment variables.

    Attributes:
        database_url: SQLAlchemy URL (``CONTROLBOT_DATABASE_URL``). Default: an SQLite file
            ``var/controlbot.sqlite3`` relative to the working directory.
        plan: Plan file or folder (``CONTROLBOT_PLAN``). ``None`` means the bundled sample
            plan.
        timezone: IANA zone used when neither the person nor the plan sets one
            (``CONTROLBOT_TIMEZONE``, default ``Europe/Riga``).
        default_locale: Language used when nothing more specific is known
            (``CONTROLBOT_DEFAULT_LOCALE``, ``lv`` or ``en``; default ``lv``).
        http_host: Address the bot's HTTP server listens on (``CONTROLBOT_HTTP_HOST``,
            default ``127.0.0.1``): ``/healthz`` and ``/telegram/webhook``.
        http_port: Its port (``CONTROLBOT_HTTP_PORT``, default 8080; 0 picks a free one).
        telegram_token: The token from BotFather (``CONTROLBOT_TELEGRAM_TOKEN``); setting it
            turns Telegram on in ``controlbot run``.
        telegram_api_url: Bot API base URL, the token is appended
            (``CONTROLBOT_TELEGRAM_API_URL``, default ``https://api.telegram.org/bot``;
            python-telegram-bot's ``base_url``). For a self-hosted Bot API server, or tests.
        telegram_webhook_url: Public HTTPS URL Telegram posts updates to
            (``CONTROLBOT_TELEGRAM_WEBHOOK_URL``); unset means long polling. It must reach
            ``/telegram/webhook`` on the HTTP server (through a reverse proxy).
        slack_bot_token: The bot token ``xoxb-…`` (``CONTROLBOT_SLACK_BOT_TOKEN``); with the
            signing secret it turns Slack on in ``controlbot run``.
        slack_signing_secret: Verifies every request Slack sends
            (``CONTROLBOT_SLACK_SIGNING_SECRET``); required in HTTP mode.
        slack_app_token: An app-level token ``xapp-…`` (``CONTROLBOT_SLACK_APP_TOKEN``):
            Socket Mode instead of HTTP (no public URL needed).
        slack_api_url: Web API base URL (``CONTROLBOT_SLACK_API_URL``, default
            ``https://slack.com/api/``), for every Slack client the bot makes.
        telegram_webhook_secret: Required with a webhook URL
            (``CONTROLBOT_TELEGRAM_WEBHOOK_SECRET``, 1-256 of ``A-Z a-z 0-9 _ -``): Telegram
            sends it in ``X-Telegram-Bot-Api-Secret-Token``; requests without it are refused.
        api_token: Bearer token of ``POST /api/measurements`` (``CONTROLBOT_API_TOKEN``, at
            least 16 printable ASCII characters); unset turns the endpoint off (404).
        inbound_hold_ms: How long an update that came over HTTP (Slack; Telegram in webhook
            mode) waits before it takes effect, so that an earlier update of the same person
            still on its way overtakes it (``CONTROLBOT_INBOUND_HOLD_MS``, default 200,
            0 to 5000). Long polling and the console keep their order without waiting.
        web_base_url: The web view's public HTTPS address as people open it, e.g.
            ``https://controlbot.example.lv`` (``CONTROLBOT_WEB_BASE_URL``); unset turns the
            web view off (``/web`` says so).
        web_secret: Key that signs the web view's session cookies (``CONTROLBOT_WEB_SECRET``,
            at least 32 characters); unset: a random key per process (sessions end at restart).
        smtp_host: The SMTP server e-mail goes out through (``CONTROLBOT_SMTP_HOST``); setting
            it (with ``smtp_from``) turns e-mail on.
        smtp_port: Its port (``CONTROLBOT_SMTP_PORT``; default 587 with ``starttls``, 465
            with ``tls``, 25 with ``none``).
        smtp_security: ``starttls`` (default: plain connection upgraded with STARTTLS, which
            the server must offer), ``tls`` (implicit TLS from the first byte) or ``none``
            (local relays only) (``CONTROLBOT_SMTP_SECURITY``).
        smtp_username: Login name (``CONTROLBOT_SMTP_USERNAME``); unset: no login.
        smtp_password: Its password (``CONTROLBOT_SMTP_PASSWORD``), never shown.
        smtp_from: The sender, ``robot@example.lv`` or ``Controlbot <robot@example.lv>``
            (``CONTROLBOT_SMTP_FROM``).
        smtp_timeout: Seconds to wait for the server at each step (``CONTROLBOT_SMTP_TIMEOUT``,
            default 30).
        smtp_ca_file: A PEM file of the certificate authorities to trust for the server's
            certificate instead of the system's (``CONTROLBOT_SMTP_CA_FILE``): an internal CA.
        log_level: The least severe log records shown (``CONTROLBOT_LOG_LEVEL``: ``DEBUG``,
            ``INFO``, ``WARNING``, ``ERROR``; any case). Unset: ``INFO`` for ``controlbot run``,
            ``WARNING`` for the other commands.
        log_format: ``text`` (default: one line per record with a UTC timestamp and the level)
            or ``json`` (one JSON object per line, for log shippers) (``CONTROLBOT_LOG_FORMAT``).
        metrics_token: Bearer token that ``GET /metrics`` requires (``CONTROLBOT_METRICS_TOKEN``,
            16-512 printable ASCII characters); unset: ``/metrics`` is open to whoever reaches
            the HTTP server (restrict it at the reverse proxy, as ``deploy/nginx`` does).
    """

    model_config = SettingsConfigDict(env_prefix="CONTROLBOT_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    plan: Path | None = None
    timezone: str = "Europe/Riga"
    default_locale: Literal["lv", "en"] = "lv"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    api_token: SecretStr | None = None
    inbound_hold_ms: int = Field(default=200, ge=0, le=5000)
    web_base_url: str | None = None
    web_secret: SecretStr | None = None
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_timeout: float = Field(default=30.0, gt=0, le=600)
    smtp_ca_file: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = None
    log_format: Literal["text", "json"] = "text"
    metrics_token: SecretStr | None = None

    @field_validator(
        "telegram_token",
        "telegram_webhook_secret",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "api_token",
        "web_secret",
        "web_base_url",
        "smtp_host",
        "smtp_username",
        "smtp_password",
        "smtp_from",
        "metrics_token",
        "log_level",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
        return None if value == "" else value

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[0-9]+:[A-Za-z0-9_-]+", value.get_secret_value()
        ):
            raise PydanticCustomError("telegram_token", "not a bot token")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _slack_bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise PydanticCustomError("slack_bot_token", "not a bot token")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _slack_app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise PydanticCustomError("slack_app_token", "not an app-level token")
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _any_case(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        value = value.strip()
        return value.upper() if info.field_name == "log_level" else value.lower()

    @field_validator("api_token", "metrics_token")
    @classmethod
    def _api_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[!-~]{16,512}", value.get_secret_value()):
            raise PydanticCustomError("token", "16-512 printable ASCII characters")
        return value

    @field_validator("web_base_url")
    @classmethod
    def _web_base_url_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s@/]+(/\S*)?", value):
            raise PydanticCustomError("web_base_url", "not an http(s) URL")
        return value.rstrip("/") if value is not None else None

    @field_validator("web_secret")
    @classmethod
    def _web_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise PydanticCustomError("web_secret", "at least 32 characters")
        return value

    @field_validator("smtp_from")
    @classmethod
    def _smtp_from_shape(cls, value: str | None) -> str | None:
        from email.headerregistry import Address
        from email.utils import parseaddr

        if value is None:
            return None
        _name, address = parseaddr(value)
        if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", address):
            raise PydanticCustomError("smtp_from", "not an e-mail address")
        with contextlib.suppress(ValueError, IndexError):
            Address(addr_spec=address)
            return value
        raise PydanticCustomError("smtp_from", "not an e-mail address")

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url_shape(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s@/]+(/\S*)?", value):  # no user:password@
            raise PydanticCustomError("slack_api_url", "not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s@/]+(/\S*)?", value):  # no user:password@
            raise PydanticCustomError("telegram_api_url", "not an http(s) URL")
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_https(cls, value: str | None) -> str | None:
        if value is not None and value.strip() == "":
            return None
        if value is not None and not re.fullmatch(r"https://\S+", value):
            raise PydanticCustomError("telegram_webhook_url", "not an https URL")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_chars(cls, value: SecretStr | None) -> SecretStr | None:
        secret = value.get_secret_value() if value is not None else None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise PydanticCustomError("telegram_webhook_secret", "1-256 of A-Z a-z 0-9 _ -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.telegram_webhook_url and self.telegram_webhook_secret is None:
            raise PydanticCustomError("webhook_needs_secret", "the webhook needs its secret")
        http_mode = self.slack_bot_token is not None and self.slack_app_token is None
        if http_mode and self.slack_signing_secret is None:
            raise PydanticCustomError("slack_needs_secret", "Slack needs its signing secret")
        if self.smtp_host is not None and self.smtp_from is None:
            raise PydanticCustomError("smtp_needs_from", "e-mail needs CONTROLBOT_SMTP_FROM")
        if self.smtp_password is not None and self.smtp_username is None:
            raise PydanticCustomError("smtp_needs_user", "a password needs its user name")
        return self

    @property
    def smtp_port_or_default(self) -> int:
        """The SMTP port: as set, else 587 (STARTTLS), 465 (implicit TLS) or 25 (none)."""
        if self.smtp_port is not None:
            return self.smtp_port
        return {"starttls": 587, "tls": 465, "none": 25}[self.smtp_security]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    def safe_repr(self) -> str:
        """Return a one-line description that never shows a password or token.

        Returns:
            ``key=value`` pairs; the database URL has its password masked.
        """
        from sqlalchemy.engine import make_url

        url = make_url(self.database_url).render_as_string(hide_password=True)
        telegram = "off"
        if self.telegram_token is not None:
            telegram = "webhook" if self.telegram_webhook_url else "polling"
        slack = "off"
        if self.slack_bot_token is not None:
            slack = "socket mode" if self.slack_app_token is not None else "http"
        return (
            f"slack={slack} "
            f"database_url={url} plan={self.plan or '<bundled>'} "
            f"timezone={self.timezone} default_locale={self.default_locale} "
            f"http={self.http_host}:{self.http_port} telegram={telegram} "
            f"api={'on' if self.api_token is not None else 'off'} "
            f"web={self.web_base_url or 'off'} "
            f"email={self._smtp_repr()}"
        )

    def _smtp_repr(self) -> str:
        if self.smtp_host is None:
            return "off"
        login = f" login={self.smtp_username}" if self.smtp_username else ""
        where = f"{self.smtp_host}:{self.smtp_port_or_default}"
        return f"{where}/{self.smtp_security}{login}"
