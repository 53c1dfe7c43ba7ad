"""Issue 13 item 16: migration 0009 adds the option id of a check, and nothing else changes.

The columns are nullable without a default, so the previous release (which knows nothing of
them) keeps inserting and reading measurements after the upgrade; a downgrade drops them.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect

from storage.db import make_engine
from storage.migrate import alembic_config, current_revision, upgrade


def _columns(engine: Engine, table: str) -> dict[str, bool]:
    return {c["name"]: c["nullable"] for c in inspect(engine).get_columns(table)}


def test_0009_adds_nullable_choice_columns_and_downgrades_cleanly(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    try:
        upgrade(engine, "0008")
        before = _columns(engine, "measurement")
        assert "choice" not in before
        upgrade(engine, "0009")  # later revisions (0010: the web view) add other tables
        assert current_revision(engine) == "0009"
        for table in ("measurement", "measurement_revision"):
            columns = _columns(engine, table)
            assert columns["choice"] is True, table
        assert set(_columns(engine, "measurement")) - set(before) == {"choice"}
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0008")
        assert _columns(engine, "measurement") == before
        assert "choice" not in _columns(engine, "measurement_revision")
    finally:
        engine.dispose()
