"""Benchmark helper: the tests' fake Bot API server, counting each chat's replies, and a pace.

Used by ``bench/bench_form_cpu.py``: a simulated person types, then waits for the robot's
next message in their chat (:meth:`CountingTelegram.reply_after`); :class:`Pace` keeps the
values typed by everybody under a rate; :func:`cpu_seconds` reads a child's CPU.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.support.fake_telegram import Call, FakeTelegram

TICKS = os.sysconf("SC_CLK_TCK")


class CountingTelegram(FakeTelegram):
    """The tests' fake Bot API server; wakes whoever waits for a chat's next message."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.replies: defaultdict[str, int] = defaultdict(int)
        self.last_reply: dict[str, Call] = {}
        self.last_activity = time.monotonic()
        self._changed = asyncio.Condition()

    async def _handle(self, request: Any) -> Any:
        if not request.path.endswith("/getUpdates"):
            self.last_activity = time.monotonic()
        return await super()._handle(request)

    async def _m_sendMessage(self, call: Call) -> dict[str, Any]:
        message = await super()._m_sendMessage(call)
        self.replies[call.chat] += 1
        self.last_reply[call.chat] = call
        async with self._changed:
            self._changed.notify_all()
        return message

    async def reply_after(self, chat: str, seen: int, limit: float = 60.0) -> Call:
        """Wait until ``chat`` got more than ``seen`` messages; the last one."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self.replies[chat] > seen), limit
            )
        return self.last_reply[chat]

    async def quiet(self, seconds: float = 0.5, limit: float = 120.0) -> None:
        """Wait until nothing but polling has reached the server for ``seconds``."""
        deadline = time.monotonic() + limit
        while time.monotonic() - self.last_activity < seconds:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot never went quiet")
            await asyncio.sleep(0.05)

    async def polled(self, limit: float = 120.0) -> None:
        """Wait until the bot polls (``getUpdates``)."""
        deadline = time.monotonic() + limit
        while not any(c.method == "getUpdates" for c in self.calls):
            if time.monotonic() > deadline:
                raise TimeoutError("the bot never polled")
            await asyncio.sleep(0.05)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` so far, all threads (``/proc/<pid>/stat``)."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Pace:
    """At most ``rate`` values a second overall, whoever types them."""

    def __init__(self, rate: float) -> None:
        self.gap = 1.0 / rate
        self.next = time.monotonic()
        self._lock = asyncio.Lock()

    async def slot(self) -> None:
        async with self._lock:
            now = time.monotonic()
            wait = self.next - now
            self.next = max(now, self.next) + self.gap
        if wait > 0:
            await asyncio.sleep(wait)
