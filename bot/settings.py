"""This module contains :class:`Settings`, the only place that reads the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/controlbot.sqlite3"


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
    """

    model_config = SettingsConfigDict(env_prefix="CONTROLBOT_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    plan: Path | None = None
    timezone: str = "Europe/Riga"
    default_locale: Literal["lv", "en"] = "lv"

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
        return (
            f"database_url={url} plan={self.plan or '<bundled>'} "
            f"timezone={self.timezone} default_locale={self.default_locale}"
        )
