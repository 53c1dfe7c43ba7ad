"""Issue 16: a reply goes out in a claim and a settle, and still keeps the outbox's promises."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from bot.outbox import Outbox
from storage.db import Database
from storage.messages import OutboxMessage
from tests.support.flow import rows
from tests.support.recording import RecordingChannel
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import Help, Outgoing, ToPerson

T = TypeVar("T")
ANNA = "anna-ozola"


@pytest.fixture
def db(any_db: Database) -> Database:
    """SQLite and, when configured, PostgreSQL."""
    return any_db


def counted(db: Database) -> list[str]:
    """The names of the units of work ``db`` runs from now on (recorded as they start)."""
    names: list[str] = []
    transaction = db.transaction

    def counting(work: Callable[[Any], T]) -> T:
        func = getattr(work, "func", work)  # a functools.partial names its function
        names.append(getattr(func, "__name__", repr(func)))
        return transaction(work)

    db.transaction = counting  # type: ignore[method-assign]
    return names


async def test_issue16_a_reply_sent_at_once_takes_a_claim_and_a_settle_and_wakes_nobody(
    ctx: Context, db: Database
) -> None:
    console = RecordingChannel()
    outbox = Outbox(ctx, db, {"console": console}, "lv")
    (row_id,) = outbox.db.transaction(
        lambda s: outbox.enqueue(s, [Outgoing(ToPerson(ANNA), Help(False, False))])
    )
    names = counted(db)
    await outbox.send_now([row_id])
    assert names == ["_claim", "work"]  # before: a second claim, "busy" and a read-back
    assert len(console.to(ANNA)) == 1
    assert not outbox._wake.is_set()  # nothing left for the background sender
    (row,) = rows(db, OutboxMessage)
    assert row.status == "delivered"


async def test_issue16_a_reply_behind_a_row_past_its_lifetime_still_goes_at_once(
    ctx: Context, db: Database, clock: FixedClock
) -> None:
    """The claim skips closing expired rows only when the named rows are claimable anyway."""
    console = RecordingChannel()
    stale = Outbox(ctx, db, {}, "lv")  # queued while nothing could deliver it
    stale.db.transaction(lambda s: stale.enqueue(s, [Outgoing(ToPerson(ANNA), Help(True, False))]))
    clock.set(clock.now() + timedelta(hours=2))  # past a reply's lifetime
    outbox = Outbox(ctx, db, {"console": console}, "lv")
    (row_id,) = db.transaction(
        lambda s: outbox.enqueue(s, [Outgoing(ToPerson(ANNA), Help(False, False))])
    )
    await outbox.send_now([row_id])
    assert len(console.to(ANNA)) == 1
    old, new = rows(db, OutboxMessage)
    assert (old.status, new.status) == ("expired", "delivered")
