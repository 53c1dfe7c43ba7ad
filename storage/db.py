"""This module contains :class:`Database`: engines, sessions and retried transactions.

SQLite runs in WAL mode with a busy timeout and foreign keys on; a write that still meets
"database is locked" is retried with back-off (field case C16). Sessions are synchronous;
async callers run a unit of work in a worker thread with :meth:`Database.run`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

from storage.models import AuditEntry

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long SQLite waits for a competing writer before reporting a lock (C16)."""
RETRY_DELAYS_S = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
"""Back-off between attempts of a transaction that met a lock anyway."""


def rows_touched(result: Any) -> int:
    """How many rows a bulk ``UPDATE``/``DELETE`` touched (0 when the driver cannot say).

    The conditional UPDATEs that settle races ("only if still open") read their outcome here.
    """
    return int(getattr(result, "rowcount", 0) or 0)


def violates_unique(exc: IntegrityError, table: str, column: str) -> bool:
    """Whether ``exc`` is a duplicate in the one-column unique key ``table.column``.

    PostgreSQL names the constraint (``delivery_key_key``, its default name); SQLite says
    ``UNIQUE constraint failed: delivery.key``. Callers that settle a race on that key use
    this, so that any other integrity error still fails loudly.
    """
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    if constraint is not None:
        return bool(constraint == f"{table}_{column}_key")
    return f"UNIQUE constraint failed: {table}.{column}" == str(exc.orig)


class AppendOnlyViolation(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_savepoint(connection: Any, _name: str) -> None:
    # pysqlite opens a transaction only before INSERT/UPDATE/DELETE, not before SAVEPOINT: a
    # savepoint as a transaction's first write would be committed on its own when released.
    # Open the transaction first in that case; everything else keeps the driver's lazy
    # BEGIN (reads outside a write transaction, so writers do not trip over read snapshots).
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        raw.execute("BEGIN")


def _guard_audit(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry):
            raise AppendOnlyViolation("audit entries are append-only")


def _guard_audit_statements(state: ORMExecuteState) -> None:
    # bulk ``update(AuditEntry)`` / ``delete(AuditEntry)`` bypass the unit of work above
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == AuditEntry.__tablename__:
        raise AppendOnlyViolation("audit entries are append-only")


event.listen(OrmSession, "before_flush", _guard_audit)
event.listen(OrmSession, "do_orm_execute", _guard_audit_statements)


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``.

    For an SQLite file the parent folder is created, and WAL mode, ``busy_timeout`` and
    foreign keys are switched on for every connection.

    Args:
        url: SQLAlchemy URL, e.g. ``sqlite:///var/controlbot.sqlite3`` or
            ``postgresql+psycopg://user@host/db``.

    Returns:
        The engine.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        engine = create_engine(url, connect_args=connect_args)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_savepoint)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    _close_what_comes_back_after_dispose(engine)
    return engine


def _close_what_comes_back_after_dispose(engine: Engine) -> None:
    """Close a connection returned to a pool that :meth:`Engine.dispose` has replaced.

    ``dispose`` closes the connections in the pool, not those in use. A unit of work whose
    caller was cancelled (:meth:`Database.run`, a readiness probe that timed out) goes on in
    its worker thread and gives its connection back later, to the old pool, which nothing
    holds any more: the connection stayed open until the garbage collector found it (psycopg
    then warns "connection was deleted while still open", in whatever runs at that moment).
    Each connection is marked with the engine's generation; one from before a ``dispose`` is
    closed as it comes back.
    """
    generation = [0]

    def connected(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_GENERATION] = generation[0]

    def checked_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        if record.info.get(_GENERATION, generation[0]) != generation[0]:
            record.invalidate()  # closes the driver's connection now

    def disposed(_engine: Engine) -> None:
        generation[0] += 1

    event.listen(engine, "connect", connected)
    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "engine_disposed", disposed)


_GENERATION = "controlbot.pool_generation"


def _is_lock_error(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "locked" in text or "busy" in text or "deadlock" in text


class Database:
    """Sessions and transactions over one engine.

    Args:
        engine: From :func:`make_engine`.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Database:
        """Create a :class:`Database` for ``url`` (see :func:`make_engine`)."""
        return cls(make_engine(url))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session; the caller commits."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def transaction(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a session and commit, retrying when the database is locked.

        ``work`` may run more than once, so it must not have side effects outside the
        session (sending messages happens after this returns).

        Raises:
            OperationalError: If the database stays locked after every retry.
        """
        for attempt, delay in enumerate((*RETRY_DELAYS_S, None)):
            try:
                with Session(self.engine, expire_on_commit=False) as session:
                    result = work(session)
                    session.commit()
                    return result
            except OperationalError as exc:
                if delay is None or not _is_lock_error(exc):
                    raise
                _LOGGER.warning("database busy (attempt %d), retrying", attempt + 1)
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run :meth:`transaction` in a worker thread, so the event loop never blocks."""
        return await asyncio.to_thread(self.transaction, work)

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
