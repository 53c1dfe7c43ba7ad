"""Issue 14: two replicas draining one person's events apply each once, strictly by ``seq``.

Two dispatchers with their own engines stand for two replicas on one PostgreSQL. A person's
40 events are recorded in shuffled order (so row ids do not follow the platform's order),
then both replicas drain that person at the same time, three times each. Each step takes
the person's database lock, then claims the person's oldest pending event in the transaction
of its effect (a replica that reaches for the same head row waits for the other's commit and
finds it applied), so the effects and their replies follow ``seq`` exactly, each once.
"""

from __future__ import annotations

import asyncio
import os
import random
import re

import pytest
from sqlmodel import Session, col, select

from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.inbox import record
from bot.outbox import Outbox
from storage.db import Database
from storage.messages import InboxEvent, OutboxMessage
from tests.conftest import PG_ENV, _reset_postgres
from tests.support.recording import RecordingChannel, command
from workflows.context import Context

ANNA = "anna-ozola"
EVENTS = 40


async def test_issue14_two_replicas_apply_one_persons_events_once_and_in_seq_order(
    ctx: Context,
) -> None:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set")
    _reset_postgres(url)
    first, second = Database.from_url(url), Database.from_url(url)
    prepare_database(first, ctx, auto_upgrade=True)
    channels = [RecordingChannel(), RecordingChannel()]
    replicas = [
        Dispatcher(ctx, db, Outbox(ctx, db, {"console": channel}, "lv"), "lv")
        for db, channel in zip((first, second), channels, strict=True)
    ]
    order = list(range(EVENTS))
    random.Random(14).shuffle(order)

    def write(session: Session) -> None:
        for k in order:
            event = command(ANNA, f"n{k}")
            record(session, ctx, event, key=f"console:{k}", seq=1000 + k, person_id=ANNA)

    first.transaction(write)
    await asyncio.gather(*(r.inbox.drain(ANNA) for _ in range(3) for r in replicas))

    events = first.transaction(lambda s: list(s.exec(select(InboxEvent)).all()))
    assert {e.status for e in events} == {"done"}
    replies = first.transaction(
        lambda s: list(
            s.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.recipient) == ANNA)
                .order_by(col(OutboxMessage.id))
            ).all()
        )
    )
    applied = [int(m.group(1)) for r in replies if (m := re.search(r'"n(\d+)"', r.payload))]
    assert applied == list(range(EVENTS))  # each once, in the platform's order
    assert {r.status for r in replies} == {"delivered"}
    assert sum(len(c.to(ANNA)) for c in channels) == EVENTS
    assert all(c.to(ANNA) for c in channels)  # both replicas took turns
    first.dispose()
    second.dispose()
