"""This module contains ``controlbot db upgrade``."""

from __future__ import annotations

from bot.cli.common import EXIT_OK, translator_for
from bot.settings import Settings
from storage.db import Database
from storage.migrate import current_revision, upgrade


def db_upgrade(settings: Settings) -> int:
    """``controlbot db upgrade``: migrate the database to the newest schema."""
    db = Database.from_url(settings.database_url)
    try:
        upgrade(db.engine)
        t = translator_for(settings)
        print(
            t.gettext("Database is at revision {revision}.", revision=current_revision(db.engine))
        )
    finally:
        db.dispose()
    return EXIT_OK
