"""This module contains :class:`Leadership`: which ``controlbot run`` process leads.

Several ``controlbot run`` replicas may serve one bot from one PostgreSQL database; any of
them takes any request. One of them, the *leader*, also runs the scheduler's sweeps, the
outbox's background sender (fan-outs, retries), the catch-up of inbound events another
replica recorded and did not apply, and Telegram long polling. The leader is whoever holds
the session advisory lock :data:`storage.locks.LEADER_KEY` on a connection of its own:

* kill -9, a crash, a lost network: the server ends the session and the lock is free at
  once (TCP keepalives bound a silent network loss to ~15 s); followers try to take it every
  :data:`CHECK_SECONDS`, so one leads again within a few seconds;
* a hung leader (stopped, swapping) stops checking its connection; the server ends a session
  idle for :data:`IDLE_SESSION_SECONDS` (``idle_session_timeout``), which frees the lock;
* a leader that cannot reach the server steps down at its next check.

No table is written to stay leader and no clock is compared. Two leaders for a moment (one
that has not noticed yet that it lost its session) are safe: the delivery ledger's keys let
one sweep queue a send, and the outbox's leased claim lets one sender send a row; only the
pace of fan-outs may double for those seconds.

On SQLite there is one process (``single``): a second ``controlbot run`` on the same file is
refused (an exclusive ``flock`` on ``<file>.run.lock``), pointing to PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.engine import make_url

from storage.locks import LEADER_KEY

if TYPE_CHECKING:
    from psycopg import AsyncConnection

Role = Literal["leader", "follower", "single"]
CHECK_SECONDS = 1.0
"""How often a follower tries to become the leader, and the leader checks its session."""
IDLE_SESSION_SECONDS = 15
"""The server ends the election session of a replica silent this long (a hung leader)."""
CONNECT_SECONDS = 5

_LOGGER = logging.getLogger(__name__)


class AlreadyRunning(RuntimeError):
    """Another ``controlbot run`` uses this SQLite database."""


class Leadership:
    """This process's role among the replicas: ``leader``, ``follower`` or ``single``.

    Args:
        url: The database URL (SQLAlchemy form). PostgreSQL: leader or follower; anything
            else: ``single`` (one process, always doing the leader's work).
        check_seconds: How often the election is checked (:meth:`watch`).
    """

    def __init__(self, url: str = "sqlite://", *, check_seconds: float = CHECK_SECONDS) -> None:
        parsed = make_url(url)
        self.postgres = parsed.get_backend_name() == "postgresql"
        self._url = parsed
        self.check_seconds = check_seconds
        self._leading = not self.postgres
        self._conn: AsyncConnection[Any] | None = None
        self._lock_fd: int | None = None
        self._trouble_logged = False

    @property
    def role(self) -> Role:
        """``single`` (SQLite), else ``leader`` or ``follower``."""
        if not self.postgres:
            return "single"
        return "leader" if self._leading else "follower"

    @property
    def is_leader(self) -> bool:
        """Whether this process does the leader's work now (always, when ``single``)."""
        return self._leading

    def claim_file(self) -> None:
        """On SQLite, make this the one ``controlbot run`` of the database file.

        Raises:
            AlreadyRunning: If another process holds it (the message names its pid and
                points to PostgreSQL).
        """
        database = self._url.database
        if self.postgres or not database or database == ":memory:":
            return
        path = Path(f"{database}.run.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise AlreadyRunning(
                f"another `controlbot run` (pid {holder}) is using the SQLite database "
                f"{database}; SQLite serves one process. To run several replicas, use "
                "PostgreSQL (CONTROLBOT_DATABASE_URL=postgresql+psycopg://…; see the "
                "README, 'One process or several replicas')"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    async def check(self) -> bool:
        """One round of the election (PostgreSQL); returns whether this process leads now."""
        if not self.postgres:
            return True
        try:
            conn = await self._connection()
            if self._leading:
                await asyncio.wait_for(conn.execute("SELECT 1"), CONNECT_SECONDS)
            else:
                cursor = await asyncio.wait_for(
                    conn.execute("SELECT pg_try_advisory_lock(%s, %s)", LEADER_KEY),
                    CONNECT_SECONDS,
                )
                row = await cursor.fetchone()
                self._leading = bool(row and row[0])
            self._trouble_logged = False
        except Exception as exc:  # psycopg.Error, OSError, a timeout: the session is gone
            await self._lost(exc)
        return self._leading

    async def _lost(self, exc: BaseException) -> None:
        """The election session failed: not the leader any more (the lock went with it)."""
        if not self._trouble_logged:
            _LOGGER.warning("leader election: cannot reach the database: %s", type(exc).__name__)
            self._trouble_logged = True
        self._leading = False
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), CONNECT_SECONDS)

    async def _connection(self) -> AsyncConnection[Any]:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        from psycopg import AsyncConnection

        conninfo = self._url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn = await AsyncConnection.connect(
            conninfo,
            autocommit=True,
            connect_timeout=CONNECT_SECONDS,
            application_name="controlbot-election",
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=3,
            options=f"-c idle_session_timeout={IDLE_SESSION_SECONDS * 1000}",
        )
        self._leading = False
        return self._conn

    async def watch(self, stop: asyncio.Event, changed: Callable[[bool], Awaitable[None]]) -> None:
        """Keep checking until ``stop``; call ``changed(leading)`` whenever the role changes.

        The first check's outcome is always reported (and logged).
        """
        leading: bool | None = None
        while not stop.is_set():
            now = await self.check()
            if now != leading:
                leading = now
                if self.postgres:
                    _LOGGER.info("this replica is now the %s", self.role)
                try:
                    await changed(leading)
                except Exception:  # the election goes on; the next change tries again
                    _LOGGER.exception("taking up or putting down the leader's work failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.check_seconds)

    async def release(self) -> None:
        """Give up leading (another replica takes over at once) and free the SQLite file."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
        self._leading = not self.postgres
        self.release_file()

    def release_file(self) -> None:
        """Let another ``controlbot run`` use the SQLite file (:meth:`claim_file`)."""
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None
