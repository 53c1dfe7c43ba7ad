"""Issue 14: three ``controlbot run`` replicas on one PostgreSQL, the leader killed mid fan-out.

Telegram (webhook) and Slack (HTTP) updates from 120 people, 1,080 in all, go to a replica
picked at random; 5 % are delivered a second time to another replica, as the platforms do.
Meanwhile 300 notices are queued (as a one-shot command queues them) and the leader's sender
delivers them; the leader is killed with SIGKILL after ~60 of them. Nothing is lost, no
effect happens twice, each person's events take effect in their platform's order and their
replies arrive in that order, a message repeats at most once per recipient that was being
sent to at the kill, and another replica leads within 30 s.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlmodel import Session, col, select

from bot.app import prepare_database
from bot.outbox import Outbox
from storage.db import Database
from storage.messages import InboxEvent, OutboxMessage
from storage.models import PlatformIdentity
from tests.conftest import PG_ENV, _reset_postgres
from tests.support.fake_slack import FakeSlack
from tests.support.fake_telegram import FakeTelegram
from tests.support.replicas import Cluster, Inbound, synthetic_plan
from workflows.calendar import WorkingCalendar
from workflows.clock import SystemClock
from workflows.context import Context
from workflows.notices import Help, Outgoing, ToPerson
from workflows.notices import outbox as queue
from workflows.plan.loader import load_plan

RIGA = ZoneInfo("Europe/Riga")
FANOUT, TELEGRAM_PEOPLE, SLACK_PEOPLE, EACH = 300, 100, 20, 9
REPLY = re.compile(r"/n(\d+)\b")

pytestmark = pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"{PG_ENV} is not set")


def _link(db: Database, accounts: dict[str, tuple[str, str]]) -> None:
    now = datetime.now(UTC)

    def work(session: Session) -> None:
        for person, (platform, external) in accounts.items():
            session.add(
                PlatformIdentity(
                    person_id=person, platform=platform, external_id=external, linked_at=now
                )
            )

    db.transaction(work)


async def _person(inbound: Inbound, http: aiohttp.ClientSession, who: int | str) -> None:
    for k in range(EACH):
        if isinstance(who, int):
            await inbound.telegram(http, who, f"/n{k}")
        else:
            await inbound.slack(http, who, f"n{k}")
        await asyncio.sleep(inbound.chance.uniform(0.02, 0.2))  # a person typing


def _settled(db: Database) -> bool:
    def work(session: Session) -> bool:
        pending = session.exec(
            select(InboxEvent.id).where(col(InboxEvent.status) == "pending")
        ).first()
        return pending is None and queue.open_count(session) == 0

    return db.transaction(work)


@pytest.mark.parametrize("hold_ms", [None, 0], ids=["held", "at_once"])
async def test_issue14_three_replicas_leader_killed_during_a_300_person_fan_out(
    tmp_path: Path, hold_ms: int | None
) -> None:
    """``at_once`` (issue 16): no hold, so each update is recorded, applied and answered in
    one transaction (``bot.inbox_now``), replies delivered straight after its commit; the
    guarantees are the same, but for the order of Slack's messages (see below)."""
    url = os.environ[PG_ENV]
    _reset_postgres(url)
    plan_path = synthetic_plan(tmp_path / "plan.yaml")
    plan = load_plan(plan_path)
    ctx = Context(plan, SystemClock(), WorkingCalendar(), RIGA, "lv")
    db = Database.from_url(url)
    prepare_database(db, ctx, auto_upgrade=True)
    people = [p.id for p in plan.plan.people]
    chats = {p: 500_000 + i for i, p in enumerate(people[:FANOUT])}
    slack_users = {p: f"U{i:08d}" for i, p in enumerate(people[FANOUT : FANOUT + SLACK_PEOPLE])}
    accounts = {p: ("telegram", str(c)) for p, c in chats.items()}
    accounts |= {p: ("slack", u) for p, u in slack_users.items()}
    _link(db, accounts)
    telegram, slack = FakeTelegram(), FakeSlack()
    await telegram.start()
    await slack.start()
    cluster = Cluster(
        url,
        plan_path,
        tmp_path,
        telegram.url,
        slack.url,
        lease_seconds=5.0,
        inbound_hold_ms=hold_ms,
    )
    try:
        cluster.start(3)
        await cluster.ready()
        assert sorted(await cluster.roles()) == ["follower", "follower", "leader"]
        inbound = Inbound(cluster, random.Random(14))
        async with aiohttp.ClientSession() as http:
            senders = [_person(inbound, http, c) for c in list(chats.values())[:TELEGRAM_PEOPLE]]
            senders += [_person(inbound, http, u) for u in slack_users.values()]
            traffic = asyncio.gather(*senders)
            await asyncio.sleep(1.0)
            items = [Outgoing(ToPerson(p), Help(False, False)) for p in chats]
            outbox = Outbox(ctx, db, {}, "lv")
            db.transaction(lambda s: outbox.enqueue(s, items, origin="system"))

            def fanned_out() -> int:
                return sum(1 for c in telegram.sent() if not REPLY.search(c.params["text"]))

            deadline = time.monotonic() + 240  # generous: the machine may be shared
            while fanned_out() < 60:
                assert time.monotonic() < deadline, (fanned_out(), inbound.posted)
                await asyncio.sleep(0.02)
            leader = cluster.leader()
            assert leader is not None
            leader.process.send_signal(signal.SIGKILL)
            killed_at, at_kill = time.monotonic(), fanned_out()
            while (new := cluster.leader()) is None or new is leader:
                assert time.monotonic() - killed_at < 30, "no replica took over"
                await asyncio.sleep(0.05)
            takeover = time.monotonic() - killed_at
            await traffic
            while not _settled(db):
                assert time.monotonic() - killed_at < 240, "still not settled"
                await asyncio.sleep(0.2)
            done = time.monotonic() - killed_at
    finally:
        cluster.stop()
        await telegram.stop()
        await slack.stop()
    print(
        f"\ntakeover {takeover:.2f} s after kill -9 (fan-out at {at_kill}/{FANOUT}); "
        f"all settled {done:.1f} s after; {inbound.posted} updates answered, "
        f"{inbound.again} delivered again after a failure"
    )
    assert takeover < 30
    events = _inbox(db)
    assert len(events) == TELEGRAM_PEOPLE * EACH + SLACK_PEOPLE * EACH  # each once
    assert all(e.status == "done" for e in events)
    by_person: dict[str, list[InboxEvent]] = {}
    for event in events:
        by_person.setdefault(event.person_id or "", []).append(event)
    for person, theirs in by_person.items():  # applied in the platform's order
        if hold_ms == 0 and person in slack_users:
            # Slack is answered after 2 s even when the update is not recorded yet (its 3 s
            # limit), so on a loaded machine a person's next message may overtake the one
            # still unrecorded: that is what the hold is for, with or without issue 16
            continue
        applied = [
            e.seq
            for e in sorted(theirs, key=lambda e: e.done_at or datetime.min.replace(tzinfo=UTC))
        ]
        assert applied == sorted(applied), person
    repeats = 0
    for person, chat in list(chats.items()):
        texts = telegram.texts(chat)
        replies = [m.group(1) for t in texts if (m := REPLY.search(t))]
        collapsed = [r for i, r in enumerate(replies) if i == 0 or replies[i - 1] != r]
        repeats += len(replies) - len(collapsed)
        help_count = len(texts) - len(replies)
        assert 1 <= help_count <= 2, (person, texts)  # reached; at most the one in flight again
        repeats += help_count - 1
        if person in list(chats)[:TELEGRAM_PEOPLE]:
            assert collapsed == [str(k) for k in range(EACH)], (person, replies)
            assert len(replies) - len(collapsed) <= 1, (person, replies)
    for user in slack_users.values():
        got = len(slack.texts("D" + user[1:]))
        assert EACH <= got <= EACH + 1, (user, got)
        repeats += got - EACH
    assert repeats <= 12, repeats  # only what replicas had in flight at the kill
    rows = db.transaction(lambda s: list(s.exec(select(OutboxMessage)).all()))
    assert Counter(r.status for r in rows) == {"delivered": len(rows)}
    db.dispose()


def _inbox(db: Database) -> list[InboxEvent]:
    return db.transaction(lambda s: list(s.exec(select(InboxEvent)).all()))
