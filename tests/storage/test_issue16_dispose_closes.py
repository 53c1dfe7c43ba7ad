"""Issue 16 (a green ``make test``): every connection a database lent ends closed.

A transaction whose caller was cancelled goes on in its worker thread. Disposing the database
meanwhile left that connection in a pool nobody held; the garbage collector found it later,
in whichever test was running then, and psycopg warned "connection was deleted while still
open" (``PytestUnraisableExceptionWarning``, a failure under ``filterwarnings = error``).
The same happened to the database of an app that refused to start (a schema behind).
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

from bot.app import DatabaseNotReady, build_app
from bot.settings import Settings
from storage.db import Database
from tests.conftest import PG_ENV, _reset_postgres


def _resource_warnings(seen: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)]


async def test_issue16_a_cancelled_transactions_connection_is_closed_after_dispose(
    any_db_url: str,
) -> None:
    db = Database.from_url(any_db_url)
    started, finish = threading.Event(), threading.Event()
    lent: list[Any] = []

    def slow(session: Session) -> int:
        connection = session.connection()
        connection.execute(text("SELECT 1"))  # the connection is checked out from here
        lent.append(connection.connection.dbapi_connection)
        started.set()
        finish.wait(5)
        return 1

    returned = threading.Event()  # set once the worker gave the connection back
    event.listen(db.engine, "checkin", lambda *_: returned.set())  # after the product's own
    task = asyncio.create_task(db.run(slow))
    assert await asyncio.to_thread(started.wait, 5)
    task.cancel()  # the caller gives up; the worker thread goes on
    await asyncio.gather(task, return_exceptions=True)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        db.dispose()  # the bot stops (or a test ends) meanwhile
        returned.clear()
        finish.set()
        assert await asyncio.to_thread(returned.wait, 5)
        # only now: probing a sqlite3 connection while its thread closes it can crash
        assert _closed(lent[0]), "the connection lent before dispose stayed open"
        assert db.transaction(lambda s: s.execute(text("SELECT 2")).scalar()) == 2  # usable
        db.dispose()
        lent.clear()
        del db
        gc.collect()
    assert _resource_warnings(seen) == []


def _closed(connection: Any) -> bool:
    closed = getattr(connection, "closed", None)  # psycopg: a bool
    if closed is not None:
        return bool(closed)
    try:  # sqlite3 has no flag: a closed connection refuses work
        connection.execute("SELECT 1")
    except Exception:
        return True
    return False


def test_issue16_a_connection_kept_across_dispose_is_closed_when_given_back(
    any_db_url: str,
) -> None:
    db = Database.from_url(any_db_url)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with db.engine.connect() as held:
            held.execute(text("SELECT 1"))
            raw = held.connection.dbapi_connection
            db.dispose()
        assert _closed(raw)
        del held, raw, db
        gc.collect()
    assert _resource_warnings(seen) == []


def test_issue16_an_app_refused_at_start_closes_its_database(tmp_path: Path) -> None:
    url = os.environ.get(PG_ENV)
    if url is None:
        pytest.skip(f"{PG_ENV} is not set")
    _reset_postgres(url)  # empty: not migrated, and PostgreSQL is never upgraded at start
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(DatabaseNotReady):
            build_app(Settings(database_url=url))
        gc.collect()
    assert _resource_warnings(seen) == []
