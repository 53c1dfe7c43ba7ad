"""Benchmark: sending at Telegram's pace, Slack acknowledgements while charts are drawn, stop.

1. Fan-out: 300 DMs through the real ``TelegramChannel`` and python-telegram-bot over HTTP to
   the fake Bot API, which counts arrivals on the real clock and answers 429 beyond Telegram's
   limits (30 a second overall, one a second a chat with a burst of 3, 20 a minute a group).
   The product's limiter, sending concurrently and one at a time, beside the reference: the
   limiter as it was (records a send before the HTTP call, 30/s, no margin).
2. Slack acknowledgements: signed ``message.im`` events to the product's Bolt app on our HTTP
   server, 20 a second, while team-channel summaries with charts are delivered without pause;
   beside a bare Bolt app (acks, nothing else) on the same fake, and the product with the chart
   drawn on the event loop as before. Latency is request → HTTP answer (the ack).
3. Stop: ``controlbot run`` with 30 replies queued to one chat, SIGTERM → exit.

Run: .venv/bin/python bench/bench_pace.py [fanout|acks|stop ...]
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests.support: the fakes

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.app import prepare_database
from bot.channel import Address
from bot.charts import attach
from bot.dispatch import Dispatcher
from bot.http import HttpServer
from bot.i18n import translator
from bot.messages import Message
from bot.outbox import Outbox
from bot.render import RenderContext
from bot.slack.service import EVENTS_PATH, SlackService
from bot.telegram.channel import TelegramChannel
from bot.telegram.limiter import ChatRateLimiter, retry_seconds
from storage.db import Database
from tests.support.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackSender
from tests.support.fake_telegram import FakeTelegram, FakeTelegramThread, FloodLimits
from tests.support.summary_world import seed_year
from workflows.people import bindings
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import Summary, ToChannel
from workflows.plan.loader import load_default_plan
from workflows.reports.summaries import post_summary

RIGA = ZoneInfo("Europe/Riga")
CHANNEL = "pk-dzivesvieta"
SLACK_CHANNEL = "C0TEAM001"


class BeforeLimiter(BaseRateLimiter[int]):
    """The reference: the limiter as it was before issue 12 (a send recorded when its HTTP
    call starts, 30 a second overall, one a second a private chat, 20 a minute a group)."""

    def __init__(self) -> None:
        self._sent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._paused: dict[str, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat = str(data.get("chat_id"))
        group = chat.startswith("-")
        limits = [("*", 30, 1.0), (chat, 20 if group else 1, 60.0 if group else 1.0)]
        async with self._locks[chat]:
            for _attempt in range(6):
                while True:
                    now = time.monotonic()
                    wait = self._paused.get(chat, 0.0) - now
                    for key, calls, seconds in limits:
                        sent = self._sent[key]
                        while sent and now - sent[0] >= seconds:
                            sent.popleft()
                        if len(sent) >= calls:
                            wait = max(wait, sent[0] + seconds - now)
                    if wait <= 0:
                        break
                    await asyncio.sleep(wait)
                for key, _calls, _seconds in limits:
                    self._sent[key].append(time.monotonic())
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    self._paused[chat] = time.monotonic() + retry_seconds(exc)
        raise RuntimeError("gave up")


def context() -> Context:
    clock = FixedClock(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA))
    return Context(load_default_plan(None), clock, WorkingCalendar(), RIGA, "lv")


def database(folder: str, ctx: Context) -> Database:
    db = Database.from_url(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
    prepare_database(db, ctx, auto_upgrade=True)
    return db


# --- 1. fan-out ----------------------------------------------------------------------------


async def fan_out(limiter: BaseRateLimiter[int], concurrent: bool, count: int) -> str:
    ctx = context()
    with tempfile.TemporaryDirectory() as folder:
        db = database(folder, ctx)
        limits = FloodLimits()
        fake = FakeTelegram(clock=time.monotonic, limits=limits)
        await fake.start()
        request = HTTPXRequest(connection_pool_size=64)
        bot = ExtBot(fake.token, base_url=fake.url, rate_limiter=limiter, request=request)
        await bot.initialize()
        channel = TelegramChannel(bot, db, ctx)
        lost = 0

        async def send(n: int) -> None:
            nonlocal lost
            address = Address("telegram", "dm", str(10_000 + n), f"p{n}")
            try:
                await channel.send(address, Message(f"Atgādinājums {n}"))
            except Exception:  # counted, not raised: the figure is what went out
                lost += 1

        started = time.monotonic()
        if concurrent:
            await asyncio.gather(*(send(n) for n in range(count)))
        else:
            for n in range(count):
                await send(n)
        took = time.monotonic() - started
        await bot.shutdown()
        await fake.stop()
        db.dispose()
    rate = limits.rate()
    return (
        f"| {len(limits.arrivals)} of {count} | {took:.1f} s | {rate:.1f}/s | "
        f"{rate / 30 * 100:.0f} % | {limits.refused} | {limits.busiest_second()} | {lost} |"
    )


async def fan_outs(count: int) -> None:
    print(
        "| limiter | sending | delivered | took | rate | of 30/s | 429s | busiest second "
        "| not sent |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    runs: list[tuple[str, str, Callable[[], BaseRateLimiter[int]], bool]] = [
        ("before (reference)", "concurrent", BeforeLimiter, True),
        ("product", "concurrent", ChatRateLimiter, True),
        ("product", "one at a time", ChatRateLimiter, False),
    ]
    for name, how, make, concurrent in runs:
        print(f"| {name} | {how} " + await fan_out(make(), concurrent, count))


# --- 2. acknowledgements while charts are drawn ---------------------------------------------


async def bare_bolt(fake: FakeSlack) -> tuple[HttpServer, int]:
    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.url),
        signing_secret=SIGNING_SECRET,
        process_before_response=False,
    )

    @app.event("message")
    async def _message() -> None:
        return None

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    server = HttpServer("127.0.0.1", 0)
    server.add_post(EVENTS_PATH, events)
    return server, await server.start()


async def acks(sender: SlackSender, count: int) -> list[float]:
    timings = []
    for n in range(count):
        started = time.perf_counter()
        status, _body = await sender.dm("U0ANNA001", f"ziņa {n}")
        timings.append(time.perf_counter() - started)
        assert status == 200
        await asyncio.sleep(0.05)
    return sorted(timings)


def p(timings: list[float], share: float) -> str:
    return f"{timings[min(len(timings) - 1, int(len(timings) * share))] * 1000:.0f} ms"


async def ack_latency(count: int) -> None:
    ctx = context()
    with tempfile.TemporaryDirectory() as folder:
        db = database(folder, ctx)
        seed_year(db, ctx)
        db.transaction(
            lambda s: bindings.bind(s, ctx, CHANNEL, "slack", SLACK_CHANNEL, "kristaps-sils")
        )
        fake = FakeSlack(users_by_email={}, clock=time.monotonic)
        await fake.start()
        service = SlackService(BOT_TOKEN, SIGNING_SECRET, fake.url, ctx, db)
        outbox = Outbox(ctx, db, {"slack": service.channel}, "lv")
        service.connect(Dispatcher(ctx, db, outbox, "lv"))
        server = HttpServer("127.0.0.1", 0)
        service.mount(server)
        port = await server.start()
        await service.start()
        product = SlackSender(f"http://127.0.0.1:{port}{EVENTS_PATH}")
        bare_server, bare_port = await bare_bolt(fake)
        bare = SlackSender(f"http://127.0.0.1:{bare_port}{EVENTS_PATH}")
        items = db.transaction(lambda s: post_summary(s, ctx, CHANNEL, "2026-10", "system"))
        (notice,) = [i.notice for i in items if isinstance(i.to, ToChannel)]
        assert isinstance(notice, Summary)
        rc = RenderContext(translator("lv"), ctx.plan, RIGA, "channel")
        drawn = 0

        async def summaries(on_loop: bool) -> None:
            nonlocal drawn
            while True:
                if on_loop:  # as before: the chart drawn in the event loop's thread
                    attach.chart_or_none(notice, rc)
                else:
                    await outbox.deliver(items)
                drawn += 1
                await asyncio.sleep(0.5)  # the next summary half a second later

        await outbox.deliver(items)  # the worker process is started and warm
        print("| app | charts drawn meanwhile | acks | p50 | p99 | max |")
        print("| --- | --- | --- | --- | --- | --- |")
        runs = [
            ("bare Bolt app (reference)", bare, None),
            ("product", product, None),
            ("bare Bolt app (reference)", bare, "process"),
            ("product, chart in a worker process", product, "process"),
            ("product, chart in a worker thread", product, "thread"),
            ("product, chart on the event loop (before)", product, "loop"),
        ]
        only = os.environ.get("BENCH_ACKS_ONLY")
        for name, sender, load in runs:
            if only and only != (load or "none"):
                continue
            attach.IN_PROCESS = load != "process"
            drawn = 0
            task = asyncio.create_task(summaries(load == "loop")) if load else None
            timings = await acks(sender, count if load != "loop" else count // 4)
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            print(
                f"| {name} | {drawn if load else 'none'} ({load or '-'}) | {len(timings)} | "
                f"{p(timings, 0.5)} | {p(timings, 0.99)} | {timings[-1] * 1000:.0f} ms |"
            )
        attach.shutdown()
        await bare_server.stop()
        await server.stop()
        await service.stop()
        await fake.stop()
        db.dispose()


# --- 3. stop ---------------------------------------------------------------------------------


def stop_time() -> None:
    server = FakeTelegramThread()
    with server as fake, tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "CONTROLBOT_DATABASE_URL": f"sqlite:///{Path(folder) / 'run.sqlite3'}",
            "CONTROLBOT_TELEGRAM_TOKEN": fake.token,
            "CONTROLBOT_TELEGRAM_API_URL": fake.url,
            "CONTROLBOT_HTTP_PORT": "0",
        }
        command = [sys.executable, "-m", "bot"]
        invite = subprocess.run(
            [*command, "invite", "anna-ozola", "--bot-username", "controlbot_test_bot"],
            env=env,
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        )
        code = invite.stdout.split("start=")[1].split()[0]
        process = subprocess.Popen(
            [*command, "run"],
            env=env,
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: bool(fake.sent(method="getUpdates")))
        server.call_soon(lambda: fake.user_says(7001, f"/start {code}"))
        wait_for(lambda: bool(fake.sent(7001)))
        for _ in range(30):
            server.call_soon(lambda: fake.user_says(7001, "/help"))
        wait_for(lambda: len(fake.sent(7001)) >= 3)
        queued = 31 - len(fake.sent(7001))  # the greeting and 30 replies
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        status = process.wait(60)
        took = time.monotonic() - started
        sent = 31 - queued
        print(
            f"SIGTERM with {queued} replies queued: exit {status} after {took:.1f} s; "
            f"{len(fake.sent(7001)) - sent} of them sent while stopping"
        )


def wait_for(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.05)


def main(parts: list[str]) -> None:
    if "fanout" in parts:
        asyncio.run(fan_outs(300))
    if "acks" in parts:
        asyncio.run(ack_latency(100))
    if "stop" in parts:
        stop_time()


if __name__ == "__main__":
    main(sys.argv[1:] or ["fanout", "acks", "stop"])
