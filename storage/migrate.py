"""This module contains schema migrations: ``controlbot db upgrade`` and friends (Alembic)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config for ``engine``, with the packaged migration scripts.

    Works from a wheel: the scripts are found through :mod:`importlib.resources`. The URL is
    not written into the config: Alembic's configparser reads ``%`` as interpolation, so a
    URL-escaped password (``p%40ss``) or a Latvian letter in an SQLite path (``%C4%81``) broke
    every command, and a config value can end up in a traceback; ``env.py`` takes the engine
    from ``config.attributes`` instead.
    """
    config = Config()
    config.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (default: the newest)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    """The newest revision the packaged scripts know."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
