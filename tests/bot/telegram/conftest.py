"""The Telegram world: the real python-telegram-bot Application, over real HTTP, against a
fake Bot API server on 127.0.0.1 (port 0), with the real dispatcher and a real database."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from bot.telegram.limiter import ChatRateLimiter
from bot.telegram.service import TelegramService
from storage.db import Database
from tests.support.fake_telegram import Call, FakeTelegram, FloodLimits
from tests.support.recording import RecordingChannel, command
from tests.support.waiting import until_quiet
from workflows.context import Context
from workflows.people import enrolment

ADMIN = "kristaps-sils"
ANNA = "anna-ozola"  # L of dzivesvietas-deklaresana, Latvian
PETERIS = "peteris-liepa"  # L, English in the plan
JANIS = "janis-berzins"  # A: approves
ACTIVITY = "dzivesvietas-deklaresana"
CHANNEL = "pk-dzivesvieta"
USER_IDS = {ANNA: 1001, PETERIS: 1002, JANIS: 1003, ADMIN: 1004, "marta-kalnina": 1005}
GROUP = -100777


@dataclass
class VirtualTime:
    """Monotonic seconds that only move when someone sleeps (for the rate limiter).

    Sleepers wake in the order of their deadlines, one at a time, each setting the clock to
    its deadline: many tasks sleeping at once (a fan-out) see the time a real clock would
    show, not the sum of their sleeps. Between wake-ups the loop gets a real millisecond, so
    every task about to sleep has registered first, and while ``busy()`` (calls in flight
    over real HTTP) the clock waits for them: their round trips take no virtual time.
    """

    now: float = 0.0
    slept: list[float] = field(default_factory=list)
    _sleepers: list[tuple[float, int, asyncio.Future[None]]] = field(default_factory=list)
    _count: int = 0
    _waker: asyncio.Task[None] | None = None
    busy: Callable[[], bool] = lambda: False

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        loop = asyncio.get_running_loop()
        wake: asyncio.Future[None] = loop.create_future()
        self._count += 1
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), self._count, wake))
        if self._waker is None or self._waker.done():
            self._waker = loop.create_task(self._wake())
        await wake

    async def _wake(self) -> None:
        while self._sleepers:
            await asyncio.sleep(0.001)
            while self.busy():  # noqa: ASYNC110 (the limiter's calls end over real HTTP)
                await asyncio.sleep(0.001)
            deadline, _n, wake = heapq.heappop(self._sleepers)
            if wake.done():  # cancelled meanwhile
                continue
            self.now = max(self.now, deadline)
            wake.set_result(None)


@dataclass
class World:
    """Everything a Telegram test touches."""

    fake: FakeTelegram
    ctx: Context
    db: Database
    time: VirtualTime
    console: RecordingChannel
    service: TelegramService | None = None
    dispatcher: Dispatcher | None = None

    async def start(self, limiter: ChatRateLimiter | None = None) -> TelegramService:
        """Start (or restart) the bot process on the same database (virtual time unless
        another ``limiter`` is given)."""
        if self.service is not None:
            await self.service.stop()
        limiter = limiter or ChatRateLimiter(clock=self.time.clock, sleep=self.time.sleep)
        self.time.busy = lambda: limiter.in_flight > 0
        service = TelegramService(
            self.fake.token,
            self.fake.url,
            self.ctx,
            self.db,
            rate_limiter=limiter,
            poll_timeout=1,
        )
        service.channel.sleep = self.time.sleep
        outbox = Outbox(
            self.ctx, self.db, {"console": self.console, "telegram": service.channel}, "lv"
        )
        self.dispatcher = Dispatcher(self.ctx, self.db, outbox, "lv")
        service.connect(self.dispatcher)
        await service.start()
        self.service = service
        return service

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()
            self.service = None

    def invite(self, person_id: str, valid_for: timedelta = enrolment.DEFAULT_VALIDITY) -> str:
        return self.db.transaction(
            lambda s: enrolment.issue(s, self.ctx, person_id, valid_for)
        ).code

    async def enrol(self, person_id: str, *, language: str | None = "lv") -> int:
        """Enrol ``person_id`` through ``/start <code>`` and wait for the greeting."""
        user = USER_IDS[person_id]
        before = len(self.fake.sent(user))
        self.fake.user_says(user, f"/start {self.invite(person_id)}", language=language)
        await self.fake.wait_for(lambda: len(self.fake.sent(user)) > before)
        await self.settle()
        return user

    async def says(self, user: int, text: str, **kwargs: Any) -> list[Call]:
        """The user writes; returns what the bot sent in reply (to anyone)."""
        return await self._after(lambda: self.fake.user_says(user, text, **kwargs))

    async def presses(self, user: int, label: str, message: Call | None = None) -> list[Call]:
        """The user presses the button labelled ``label`` (on the last message with it)."""
        message = message or self.last_with_button(label)
        data = button_data(message, label)
        return await self._after(lambda: self.fake.user_presses(user, data, message))

    def last_with_button(self, label: str) -> Call:
        for call in reversed(self.fake.calls):
            if call.method == "sendMessage" and label in button_labels(call):
                return call
        raise AssertionError(f"no message with a button {label!r}")

    async def _after(self, act: Any) -> list[Call]:
        before = len(self.fake.calls)
        act()
        await self.fake.wait_for(
            lambda: any(
                c.method in ("sendMessage", "answerCallbackQuery", "sendPhoto")
                for c in self.fake.calls[before:]
            )
        )
        await self.settle()
        return [c for c in self.fake.calls[before:] if c.method != "getUpdates"]

    async def settle(self) -> None:
        """Let the bot finish what it is doing (no new calls for a moment)."""
        await until_quiet(self.fake.calls, self.db)

    async def admin(self, name: str, *args: str) -> None:
        """An administrator's console command (e.g. ``/remind``)."""
        assert self.dispatcher is not None
        await self.dispatcher.handle(command(ADMIN, name, *args))
        await self.settle()


def button_labels(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def button_data(call: Call, label: str) -> str:
    markup = call.params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if button["text"] == label:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {button_labels(call)}")


@pytest.fixture
async def world(ctx: Context, db: Database) -> AsyncIterator[World]:
    fake = FakeTelegram(limits=FloodLimits())  # Telegram's limits, counted on virtual time
    await fake.start()
    time = VirtualTime()
    fake.clock = time.clock
    w = World(fake, ctx, db, time, RecordingChannel())
    await w.start()
    yield w
    await w.stop()
    await fake.stop()
