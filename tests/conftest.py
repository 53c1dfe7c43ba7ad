"""Shared fixtures: the bundled plan, a frozen clock, real databases and a wired dispatcher.

Under pytest-xdist (``make test`` runs the tests in two worker processes) each worker has a
PostgreSQL database of its own, ``<database>_<worker>`` next to the one
``CONTROLBOT_TEST_DATABASE_URL`` names, made when missing; the variable is pointed at it for
the worker and whatever it starts (``controlbot run`` replicas, fan-out workers).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database, make_engine
from tests.support.recording import RecordingChannel
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.loader import load_default_plan
from workflows.plan.model import LoadedPlan

RIGA = ZoneInfo("Europe/Riga")
PG_ENV = "CONTROLBOT_TEST_DATABASE_URL"


def pytest_configure(config: pytest.Config) -> None:
    """Give this xdist worker its own PostgreSQL database (tests reset and fill theirs)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get(PG_ENV)
    if worker and url:
        os.environ[PG_ENV] = worker_database(url, worker)


def worker_database(url: str, worker: str) -> str:
    """The URL of ``url``'s database for the xdist ``worker`` (``gw0``…), made if missing.

    It is made on the same server by the same user (the tests' user may create databases:
    ``postgres`` on 127.0.0.1 in CI), through the server's ``postgres`` database.
    """
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    server = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        with server.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")  # CREATE DATABASE needs it
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if found is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def plan() -> LoadedPlan:
    """The bundled sample plan."""
    return load_default_plan(None)


@pytest.fixture
def clock() -> FixedClock:
    """3 November 2026, 09:00 in Riga (the demo's date)."""
    return FixedClock(datetime(2026, 11, 3, 9, 0, tzinfo=RIGA))


@pytest.fixture
def ctx(plan: LoadedPlan, clock: FixedClock) -> Context:
    """The domain context on the bundled plan and the frozen clock."""
    return Context(plan, clock, WorkingCalendar(), RIGA, "lv")


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_urls(tmp_path: Path) -> dict[str, str | None]:
    """The database URLs a storage test runs on (PostgreSQL only when configured)."""
    return {
        "sqlite": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "postgresql": os.environ.get(PG_ENV),
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on SQLite, and on PostgreSQL when ``CONTROLBOT_TEST_DATABASE_URL``."""
    url = database_urls(tmp_path)[request.param]
    if url is None:
        pytest.skip(f"{PG_ENV} is not set")
    if request.param == "postgresql":
        _reset_postgres(url)
    return url


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """An empty SQLite database file."""
    return database_urls(tmp_path)["sqlite"] or ""


def _prepared(url: str, ctx: Context) -> Iterator[Database]:
    from bot.app import prepare_database

    db = Database.from_url(url)
    prepare_database(db, ctx, auto_upgrade=True)
    yield db
    db.dispose()


@pytest.fixture
def db(db_url: str, ctx: Context) -> Iterator[Database]:
    """A migrated SQLite database with the plan's people."""
    yield from _prepared(db_url, ctx)


@pytest.fixture
def any_db(any_db_url: str, ctx: Context) -> Iterator[Database]:
    """A migrated database with the plan's people, on every configured backend."""
    yield from _prepared(any_db_url, ctx)


@pytest.fixture
def recording() -> RecordingChannel:
    """A channel that records what it is asked to send."""
    return RecordingChannel()


@pytest.fixture
def dispatcher(ctx: Context, db: Database, recording: RecordingChannel) -> Dispatcher:
    """The real dispatcher and outbox, sending to the recording channel as ``console``."""
    outbox = Outbox(ctx, db, {"console": recording}, "lv")
    return Dispatcher(ctx, db, outbox, "lv")
