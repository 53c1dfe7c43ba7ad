"""Issue 16: a reply goes out in a claim and a settle, and still keeps the outbox's promises."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from bot import outbox as outbox_module
from bot.outbox import Outbox
from storage.db import Database
from storage.messages import OutboxMessage
from tests.support.flow import rows
from tests.support.recording import RecordingChannel
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import Help, Outgoing, ToPerson
from workflows.notices import outbox as queue

T = TypeVar("T")
ANNA = "anna-ozola"
PETERIS = "peteris-liepa"


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


async def test_issue16_stopping_ends_a_reply_waiting_behind_another_senders_row(
    ctx: Context, db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst's replies in hand wait for nobody once the process stops (the ~60 s stop of
    `test_issue12_burst`): the waiting reply stays queued for the next start, not lost."""
    monkeypatch.setattr(outbox_module, "FLUSH_WAIT_SECONDS", 600.0)  # it would wait 10 min
    console = RecordingChannel()
    outbox = Outbox(ctx, db, {"console": console}, "lv")
    first, second = db.transaction(
        lambda s: outbox.enqueue(
            s, [Outgoing(ToPerson(ANNA), Help(False, False)) for _ in range(2)]
        )
    )
    (held,) = db.transaction(lambda s: queue.claim(s, clock.now(), ids=[first]))
    assert held.status == "sending"  # another sender holds Anna's earlier message
    waiting = asyncio.create_task(outbox.send_now([second]))
    await asyncio.sleep(0.1)
    assert not waiting.done()  # it waits for Anna's turn, as a reply should
    outbox.stop_waiting()
    await asyncio.wait_for(waiting, 5.0)  # ends now, not after FLUSH_WAIT_SECONDS
    assert console.to(ANNA) == []
    statuses = {row.id: row.status for row in rows(db, OutboxMessage)}
    assert statuses == {first: "sending", second: "queued"}  # kept for the next start


class SlowChannel(RecordingChannel):
    """A console whose first send takes ``seconds`` of the clock (a platform's pace, a 429),
    then runs ``meanwhile`` (another sender at that moment)."""

    def __init__(self, clock: FixedClock, seconds: float, meanwhile: Callable[[], None]) -> None:
        super().__init__()
        self.clock, self.seconds, self.meanwhile = clock, seconds, meanwhile

    async def send(self, address: Any, message: Any) -> None:
        await super().send(address, message)
        if len(self.sent) == 1:
            self.clock.set(self.clock.now() + timedelta(seconds=self.seconds))
            self.meanwhile()


def two_help_rows(db: Database, ctx: Context) -> tuple[int, int]:
    queued = Outbox(ctx, db, {}, "lv")
    items = [Outgoing(ToPerson(who), Help(False, False)) for who in (ANNA, PETERIS)]
    first, second = db.transaction(lambda s: queued.enqueue(s, items))
    return first, second


async def test_issue16_a_long_batch_leaves_a_row_another_sender_claimed_after_its_lease(
    ctx: Context, db: Database, clock: FixedClock
) -> None:
    """The three-replica test's repeats beyond the dead leader's rows: a live sender's batch
    outlasted the lease, another sender claimed its later rows, and both sent them."""
    first, second = two_help_rows(db, ctx)
    taken: list[OutboxMessage] = []

    def other_sender() -> None:  # the lease (30 s) ran out: another replica claims the row
        taken.extend(db.transaction(lambda s: queue.claim(s, clock.now(), ids=[second])))

    console = SlowChannel(clock, 31.0, other_sender)
    outbox = Outbox(ctx, db, {"console": console}, "lv")
    await outbox.send_now([first, second])
    assert [row.id for row in taken] == [second]
    assert console.to(PETERIS) == []  # not sent by this sender: it is the other's now
    statuses = {row.id: (row.status, row.attempts) for row in rows(db, OutboxMessage)}
    assert statuses == {first: ("delivered", 1), second: ("sending", 2)}


async def test_issue16_a_long_batch_renews_its_rows_so_no_other_sender_takes_them(
    ctx: Context, db: Database, clock: FixedClock
) -> None:
    first, second = two_help_rows(db, ctx)
    taken: list[OutboxMessage] = []

    def other_sender() -> None:  # 20 s of the 30 s lease spent: not claimable yet, renewed
        taken.extend(db.transaction(lambda s: queue.claim(s, clock.now(), ids=[second])))

    console = SlowChannel(clock, 20.0, other_sender)
    outbox = Outbox(ctx, db, {"console": console}, "lv")
    renewed = counted(db)
    await outbox.send_now([first, second])
    assert taken == [] and "keep_claim" in renewed  # renewed before it was sent
    assert len(console.to(PETERIS)) == 1
    assert {row.status for row in rows(db, OutboxMessage)} == {"delivered"}
