"""Issue 14: a poller that meets another process polling the same bot stands by.

Telegram answers ``getUpdates`` with 409 Conflict while another process polls the same token
(two deployments, or a copy on another SQLite file). Instead of ending each other's requests
in turn, this process says so in the log, stops polling for a while and then tries again —
and takes over if the other one has gone.
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from tests.bot.telegram.conftest import World

STRANGER = 424242


async def test_issue14_a_409_conflict_makes_the_poller_stand_by_then_take_over(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.telegram.service")
    service = world.service
    assert service is not None
    service.standby_seconds = 1.0
    world.fake.conflicts = 1  # the other process polls right now
    await world.fake.wait_for(lambda: "409 Conflict" in caplog.text)
    assert "stands by and tries again in 1 s" in caplog.text
    await asyncio.sleep(0.1)
    polls = len(world.fake.sent(method="getUpdates"))
    started = time.monotonic()
    await asyncio.sleep(0.6)
    assert len(world.fake.sent(method="getUpdates")) == polls  # standing by, not fighting
    world.fake.user_says(STRANGER, "/help")  # the other one is gone: this one takes over
    await world.fake.wait_for(lambda: world.fake.sent(STRANGER), limit=10)
    assert time.monotonic() - started >= 0.8
    assert caplog.text.count("409 Conflict") == 1
