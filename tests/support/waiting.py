"""Waiting in tests for a bot that works in the same event loop (no timed assertions)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sized

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


async def until_quiet(calls: Sized) -> None:
    """Wait until no new call has arrived for :data:`QUIET_SECONDS`."""
    count = -1
    while count != len(calls):
        count = len(calls)
        await asyncio.sleep(QUIET_SECONDS)
