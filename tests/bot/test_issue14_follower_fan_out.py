"""Issue 14: a follower leaves an admin's fan-out to the leader's one sender, and still reports.

The admin's ``/remind`` is applied on a follower replica: its reply is sent there at once, the
reminders to the others are left to the leader's background sender (so the bot keeps one pace
for fan-outs), and the acknowledgement waits for their outcome, as in one process.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import pytest

from bot.dispatch import Dispatcher
from bot.duties import left_to_leader
from bot.outbox import Outbox
from storage.db import Database
from storage.messages import OutboxMessage
from tests.bot.test_issue12_every_message_accounted_for import ACTIVITY, ADMIN, ANNA, Telegram
from tests.support.flow import rows
from tests.support.recording import RecordingChannel, command
from workflows.context import Context
from workflows.people import enrolment


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


async def test_issue14_a_follower_leaves_remind_to_the_leader_and_reports_its_outcome(
    ctx: Context, db: Database
) -> None:
    db.transaction(lambda s: enrolment.link(s, ctx, ANNA, "telegram", "1001"))
    follower_chat, leader_chat, console = Telegram(), Telegram(), RecordingChannel()
    channels: dict[str, Any] = {"console": console, "telegram": follower_chat}
    follower = Outbox(ctx, db, channels, "lv", console_fallback=False)
    follower.fan_out = partial(left_to_leader, db)  # what a follower replica does
    channels = {"console": console, "telegram": leader_chat}
    leader = Outbox(ctx, db, channels, "lv", console_fallback=False)
    stop = asyncio.Event()
    sender = asyncio.create_task(leader.run(stop))  # the leader's background sender
    try:
        bot = Dispatcher(ctx, db, follower, "lv")
        await asyncio.wait_for(bot.handle(command(ADMIN, "remind", ACTIVITY, "2026-10")), 30)
    finally:
        stop.set()
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
    assert len(leader_chat.to("1001")) == 1  # the reminder went out through the leader
    assert follower_chat.to("1001") == []
    report = console.texts(ADMIN)  # the acknowledgement, with the fan-out's outcome
    assert "Atgādinājums nosūtīts 1 no 3 personām: Anna Ozola." in report
    assert {r.status for r in rows(db, OutboxMessage)} <= {"delivered", "undeliverable"}
