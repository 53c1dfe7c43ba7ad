"""Issue 16: the one-transaction form step under crashes, re-deliveries and replicas.

Each test drives the real dispatcher and outbox (a second :class:`Database` stands for a
second process) and checks a product promise: every effect once, one person's inputs in
order, "sent" means delivered, nothing committed lost after a crash between commit and send.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot import tokens
from bot.app import prepare_database
from bot.channel import Address
from bot.dispatch import Dispatcher
from bot.messages import Message
from bot.outbox import Outbox
from storage.db import Database
from storage.messages import InboxEvent, OutboxMessage
from storage.models import FormSession
from tests.support.flow import only, rows
from tests.support.recording import RecordingChannel, command, press, say
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import RoundOpened

ADMIN, ANNA = "kristaps-sils", "anna-ozola"
ACTIVITY = "dzivesvietas-deklaresana"


@pytest.fixture
def url(any_db_url: str) -> str:
    return any_db_url


@pytest.fixture
def db(url: str, ctx: Context) -> Iterator[Database]:
    database = Database.from_url(url)
    prepare_database(database, ctx, auto_upgrade=True)
    yield database
    database.dispose()


def _bot(ctx: Context, db: Database, channel: Any) -> Dispatcher:
    return Dispatcher(ctx, db, Outbox(ctx, db, {"console": channel}, "lv"), "lv")


async def _in_form(dispatcher: Dispatcher) -> None:
    opened = await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    round_id = only(opened, RoundOpened, ADMIN).round_id
    await dispatcher.handle(press(ANNA, tokens.start_round(round_id)))


class Stuck(RecordingChannel):
    """Records, but the first send to Anna after ``arm`` never returns (a process frozen)."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False
        self.entered = asyncio.Event()

    async def send(self, address: Address, message: Message) -> None:
        if self.armed and address.target == ANNA:
            self.armed = False
            self.entered.set()
            await asyncio.Event().wait()  # cancelled: the process is gone
        await super().send(address, message)


async def test_issue16_breaker_reply_lost_in_flight_goes_out_once_after_the_lease(
    ctx: Context, url: str, db: Database
) -> None:
    stuck = Stuck()
    bot = _bot(ctx, db, stuck)
    await _in_form(bot)
    before = len(stuck.to(ANNA))
    stuck.armed = True
    task = asyncio.create_task(bot.handle(say(ANNA, "0,9"), key="telegram:900", seq=900))
    await asyncio.wait_for(stuck.entered.wait(), 10)
    task.cancel()  # as kill -9 right after the commit: the claimed reply stays 'sending'
    with pytest.raises(asyncio.CancelledError):
        await task
    (form,) = rows(db, FormSession, person_id=ANNA)
    assert "dd-avg-processing" in str(form.answers)  # committed
    last = rows(db, OutboxMessage, recipient=ANNA)[-1]
    assert last.status == "sending"
    other_channel = RecordingChannel()
    other = Database.from_url(url)
    try:
        outbox = Outbox(ctx, other, {"console": other_channel}, "lv")
        await outbox.pump()
        assert other_channel.to(ANNA) == []  # under the lease: not yet
        assert isinstance(ctx.clock, FixedClock)
        ctx.clock.set(ctx.clock.now() + timedelta(seconds=31))
        await outbox.pump()
        await outbox.pump()
    finally:
        other.dispose()
    assert len(other_channel.to(ANNA)) == 1
    assert len(stuck.to(ANNA)) == before
    row = next(r for r in rows(db, OutboxMessage) if r.id == last.id)
    assert (row.status, row.attempts) == ("delivered", 2)


def _hold_after_inbox_insert(db: Database, started: threading.Event, seconds: float) -> None:
    """Keep this process's transaction open for ``seconds`` right after it records an event."""

    def after(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INBOX") and not started.is_set():
            started.set()
            time.sleep(seconds)

    event.listen(db.engine, "after_cursor_execute", after)


async def _replicas(ctx: Context, url: str) -> tuple[Dispatcher, Dispatcher, RecordingChannel]:
    if not url.startswith("postgresql"):
        pytest.skip("replicas share PostgreSQL")
    shared = RecordingChannel()
    one = _bot(ctx, Database.from_url(url), shared)
    two = _bot(ctx, Database.from_url(url), shared)
    await _in_form(one)
    return one, two, shared


async def _started(started: threading.Event) -> None:
    for _ in range(500):
        if started.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the first replica never recorded the event")


async def test_issue16_breaker_redelivery_to_another_replica_mid_transaction_has_one_effect(
    ctx: Context, url: str, db: Database
) -> None:
    one, two, shared = await _replicas(ctx, url)
    try:
        before = len(shared.to(ANNA))
        started = threading.Event()
        _hold_after_inbox_insert(one.db, started, 1.0)
        first = asyncio.create_task(one.handle(say(ANNA, "0,9"), key="telegram:77", seq=77))
        await _started(started)
        again = await two.handle(say(ANNA, "0,9"), key="telegram:77", seq=77)
        await first
        assert again == []
        assert len(rows(db, InboxEvent, key="telegram:77")) == 1
        (form,) = rows(db, FormSession, person_id=ANNA)
        assert str(form.answers).count("0.9") == 1
        assert len(shared.to(ANNA)) == before + 1
    finally:
        one.db.dispose()
        two.db.dispose()


async def test_issue16_breaker_consecutive_values_on_two_replicas_apply_in_order(
    ctx: Context, url: str, db: Database
) -> None:
    one, two, _shared = await _replicas(ctx, url)
    try:
        started = threading.Event()
        _hold_after_inbox_insert(one.db, started, 1.0)
        first = asyncio.create_task(one.handle(say(ANNA, "0,9"), key="telegram:80", seq=80))
        await _started(started)
        await two.handle(say(ANNA, "96,5"), key="telegram:81", seq=81)
        await first
        (form,) = rows(db, FormSession, person_id=ANNA)
        assert form.answers == {"dd-avg-processing": "0.9", "dd-within-sla": "96.5"}
        assert {e.status for e in rows(db, InboxEvent)} == {"done"}
    finally:
        one.db.dispose()
        two.db.dispose()


async def test_issue16_breaker_a_value_behind_a_pending_event_of_the_same_person_waits(
    ctx: Context, url: str, db: Database
) -> None:
    from bot.inbox import record

    recording = RecordingChannel()
    bot = _bot(ctx, db, recording)
    await _in_form(bot)
    # a process died after recording Anna's "0,9" and before applying it
    db.transaction(
        lambda s: record(s, ctx, say(ANNA, "0,9"), key="telegram:50", seq=50, person_id=ANNA)
    )
    await bot.handle(say(ANNA, "96,5"), key="telegram:51", seq=51)
    (form,) = rows(db, FormSession, person_id=ANNA)
    # 0,9 answers the first question, 96,5 the second: applied in the platform's order
    assert form.answers == {"dd-avg-processing": "0.9", "dd-within-sla": "96.5"}
    assert {e.status for e in rows(db, InboxEvent)} == {"done"}


async def test_issue16_breaker_an_account_unlinked_mid_form_loses_nothing(
    ctx: Context, url: str, db: Database
) -> None:
    from workflows.people import accounts

    recording = RecordingChannel()
    bot = _bot(ctx, db, recording)
    await _in_form(bot)
    await bot.handle(say(ANNA, "0,9"))
    assert db.transaction(lambda s: accounts.seen.remembered(s, ANNA))
    elsewhere = Database.from_url(url)
    try:
        elsewhere.transaction(lambda s: accounts.remove_all(s, ANNA))
    finally:
        elsewhere.dispose()
    sent = len(recording.to(ANNA))
    assert await bot.handle(say(ANNA, "96,5")) == []  # not enrolled any more: no effect
    assert len(recording.to(ANNA)) <= sent + 1  # at most "not enrolled"
    (form,) = rows(db, FormSession, person_id=ANNA)
    assert "96.5" not in str(form.answers) and "0.9" in str(form.answers)
    db.transaction(lambda s: accounts.link(s, ctx, ANNA, "console", ANNA))
    await bot.handle(say(ANNA, "96,5"))
    (form,) = rows(db, FormSession, person_id=ANNA)
    assert "96.5" in str(form.answers)


class Slow(RecordingChannel):
    """A platform that takes ``step`` seconds (of the test's clock) to answer each send."""

    def __init__(self, clock: FixedClock, step: timedelta) -> None:
        super().__init__()
        self.clock, self.step = clock, step
        self.meanwhile: list[Any] = []

    async def send(self, address: Address, message: Message) -> None:
        self.clock.set(self.clock.now() + self.step)
        if self.meanwhile and self.clock.now() >= self.meanwhile[0]:
            _at, other = self.meanwhile.pop(0), self.meanwhile.pop(0)
            await other.pump()  # another replica's background sender runs meanwhile
        await super().send(address, message)


async def test_issue16_breaker_a_slow_batch_is_not_sent_twice_by_another_replica(
    ctx: Context, url: str, db: Database
) -> None:
    from workflows.notices import LanguageChanged, Outgoing, ToPerson

    assert isinstance(ctx.clock, FixedClock)
    people = [p.id for p in ctx.plan.plan.people]
    slow = Slow(ctx.clock, timedelta(seconds=2.5))  # e-mail over SMTP, or a slow chat API
    here = Outbox(ctx, db, {"console": slow}, "lv")
    db.transaction(
        lambda s: here.enqueue(s, [Outgoing(ToPerson(p), LanguageChanged("lv")) for p in people])
    )
    elsewhere = Database.from_url(url)
    seen_there = RecordingChannel()
    try:
        there = Outbox(ctx, elsewhere, {"console": seen_there}, "lv")
        slow.meanwhile = [ctx.clock.now() + timedelta(seconds=31), there]
        await here.pump()
        await there.pump()
    finally:
        elsewhere.dispose()
    got = [a.target for a, _m in slow.sent] + [a.target for a, _m in seen_there.sent]
    twice = sorted({p for p in got if got.count(p) > 1})
    assert twice == [], f"sent twice: {twice} (batch of {len(people)}, 2.5 s a send)"


class Gate(RecordingChannel):
    """Records; a send to ``held`` waits for ``go`` after saying it began (``began``)."""

    def __init__(self, held: str | None = None) -> None:
        super().__init__()
        self.held = held
        self.began, self.go = asyncio.Event(), asyncio.Event()

    async def send(self, address: Address, message: Message) -> None:
        if address.target == self.held:
            self.began.set()
            await self.go.wait()
        await super().send(address, message)


async def test_issue16_breaker_a_stopping_sender_does_not_give_back_rows_another_sender_took(
    ctx: Context, url: str, db: Database
) -> None:
    from workflows.notices import LanguageChanged, Outgoing, ToPerson

    assert isinstance(ctx.clock, FixedClock)
    clock = ctx.clock
    people = [p.id for p in ctx.plan.plan.people]
    first, second = people[0], people[1]
    engines = [Database.from_url(url) for _ in range(2)]
    b_channel, c_channel = Gate(held=second), RecordingChannel()
    b = Outbox(ctx, engines[0], {"console": b_channel}, "lv")
    c = Outbox(ctx, engines[1], {"console": c_channel}, "lv")
    tasks: list[asyncio.Task[int]] = []

    class Hung(RecordingChannel):
        async def send(self, address: Address, message: Message) -> None:
            if address.target == first:  # one send hangs past the whole batch's lease
                clock.set(clock.now() + timedelta(seconds=40))
                tasks.append(asyncio.create_task(b.pump()))  # another replica takes over
                await asyncio.Event().wait()
            await super().send(address, message)

    a_channel = Hung()
    a = Outbox(ctx, db, {"console": a_channel}, "lv")
    db.transaction(
        lambda s: a.enqueue(s, [Outgoing(ToPerson(p), LanguageChanged("lv")) for p in people])
    )
    try:
        stopping = asyncio.create_task(a.pump())
        await asyncio.wait_for(b_channel.began.wait(), 10)  # b is sending the second row
        stopping.cancel()  # the first replica stops (its rows given back)
        with pytest.raises(asyncio.CancelledError):
            await stopping
        await c.pump()  # a third sender
        b_channel.go.set()
        await asyncio.gather(*tasks)
        await c.pump()
    finally:
        for engine in engines:
            engine.dispose()
    got = [a.target for ch in (a_channel, b_channel, c_channel) for a, _m in ch.sent]
    twice = sorted({p for p in got if got.count(p) > 1})
    assert twice == [], f"sent twice: {twice}"


async def test_issue16_breaker_a_late_failure_does_not_requeue_a_row_another_sender_delivers(
    ctx: Context, url: str, db: Database
) -> None:
    from workflows.notices import LanguageChanged, Outgoing, ToPerson

    assert isinstance(ctx.clock, FixedClock)
    clock = ctx.clock
    people = [p.id for p in ctx.plan.plan.people]
    first = people[0]
    engines = [Database.from_url(url) for _ in range(2)]
    b_channel, c_channel = Gate(held=first), RecordingChannel()
    b = Outbox(ctx, engines[0], {"console": b_channel}, "lv")
    c = Outbox(ctx, engines[1], {"console": c_channel}, "lv")
    tasks: list[asyncio.Task[int]] = []

    class TimesOut(RecordingChannel):
        async def send(self, address: Address, message: Message) -> None:
            if address.target == first:  # the platform answers only after the lease ran out
                clock.set(clock.now() + timedelta(seconds=40))
                tasks.append(asyncio.create_task(b.pump()))  # another replica takes over
                await asyncio.wait_for(b_channel.began.wait(), 10)
                raise ConnectionError("read timed out")
            await super().send(address, message)

    a = Outbox(ctx, db, {"console": TimesOut()}, "lv")
    db.transaction(
        lambda s: a.enqueue(s, [Outgoing(ToPerson(p), LanguageChanged("lv")) for p in people])
    )
    try:
        await a.pump()
        b_channel.go.set()
        await asyncio.gather(*tasks)
        clock.set(clock.now() + timedelta(minutes=2))  # past the back-off, within its life
        await c.pump()
    finally:
        for engine in engines:
            engine.dispose()
    assert len(b_channel.to(first)) == 1
    assert c_channel.to(first) == [], "delivered, then sent again"
    row = next(r for r in rows(db, OutboxMessage) if r.recipient == first)
    assert row.status == "delivered"
