"""Issue 17: migration 0010 adds the web view's tables and an index, and downgrades cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from storage.db import make_engine
from storage.migrate import alembic_config, current_revision, upgrade


def test_0010_adds_web_tables_and_the_latest_value_index(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    try:
        upgrade(engine, "0009")
        tables_before = set(inspect(engine).get_table_names())
        upgrade(engine, "0010")
        assert current_revision(engine) == "0010"
        assert set(inspect(engine).get_table_names()) - tables_before == {
            "web_sign_in",
            "web_session",
        }
        indexes = {i["name"] for i in inspect(engine).get_indexes("measurement")}
        assert "ix_measurement_indicator_period" in indexes
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
        assert set(inspect(engine).get_table_names()) == tables_before
        indexes = {i["name"] for i in inspect(engine).get_indexes("measurement")}
        assert "ix_measurement_indicator_period" not in indexes
    finally:
        engine.dispose()
