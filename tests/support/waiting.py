"""Waiting in tests for a bot that works in the same event loop (no timed assertions)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sized
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from storage.db import Database
from storage.messages import InboxEvent, OutboxMessage

QUIET_SECONDS = 0.15
"""How long no new platform call must arrive before the bot counts as idle."""


async def wait_until(
    check: Callable[[], object], describe: Callable[[], str], limit: float = 10.0
) -> None:
    """Wait until ``check()`` is true; fail with ``describe()`` after ``limit`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not check():
        if loop.time() > deadline:
            raise AssertionError("the bot did not do it in time; " + describe())
        await asyncio.sleep(0.01)


async def until_quiet(calls: Sized, db: Database | None = None) -> None:
    """Wait until no new call has arrived for :data:`QUIET_SECONDS`.

    With ``db``, also until nothing is left in the outbox to send or in the inbox to apply.
    """
    count = -1
    while count != len(calls) or (db is not None and await _busy(db)):
        count = len(calls)
        await asyncio.sleep(QUIET_SECONDS)


async def _busy(db: Database) -> bool:
    def work(session: Session) -> bool:
        open_rows = session.exec(
            select(OutboxMessage.id).where(
                col(OutboxMessage.status).in_(("queued", "sending")),
                col(OutboxMessage.not_before) <= datetime.now(UTC) + timedelta(seconds=5),
            )
        ).first()
        pending = session.exec(
            select(InboxEvent.id).where(col(InboxEvent.status) == "pending")
        ).first()
        return open_rows is not None or pending is not None

    return await db.run(work)
