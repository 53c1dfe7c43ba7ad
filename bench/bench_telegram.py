"""Benchmark: Telegram round trips and message splitting.

1. Round trip: a user's typed command reaches python-telegram-bot's Application by long polling
   from a local fake Bot API server (real HTTP on 127.0.0.1), goes through the dispatcher and the
   database, and the reply's sendMessage reaches the fake server. Measures update → reply.
2. Splitting: ``markup.render`` of a 120-line Latvian summary (~9,000 characters) into Telegram
   messages, per call.

Run: PYTHONPATH=. .venv/bin/python bench/bench_telegram.py [UPDATES]
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.messages import Message
from bot.outbox import Outbox
from bot.telegram import markup
from bot.telegram.limiter import ChatRateLimiter
from bot.telegram.service import TelegramService
from storage.db import Database
from tests.support.fake_telegram import FakeTelegram
from workflows.people import enrolment
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.loader import load_default_plan

RIGA = ZoneInfo("Europe/Riga")


async def round_trips(count: int) -> list[float]:
    plan = load_default_plan(None)
    ctx = Context(
        plan, FixedClock(datetime(2026, 11, 3, 9, tzinfo=RIGA)), WorkingCalendar(), RIGA, "lv"
    )
    folder = tempfile.mkdtemp()
    db = Database.from_url(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
    prepare_database(db, ctx, auto_upgrade=True)
    fake = FakeTelegram()
    await fake.start()
    # a clock that jumps a minute per reading: the per-chat limit (1 message a second) would
    # otherwise dominate, and it is Telegram's pace, not our work
    ticks = itertools.count(step=60)
    limiter = ChatRateLimiter(clock=lambda: float(next(ticks)))
    service = TelegramService(fake.token, fake.url, ctx, db, rate_limiter=limiter, poll_timeout=1)
    outbox = Outbox(ctx, db, {"telegram": service.channel}, "lv")
    service.connect(Dispatcher(ctx, db, outbox, "lv"))
    await service.start()
    user = 1001
    code = db.transaction(lambda s: enrolment.issue(s, ctx, "anna-ozola")).code
    fake.user_says(user, f"/start {code}")
    await fake.wait_for(lambda: len(fake.texts(user)) >= 2)
    timings = []
    for n in range(count):
        before = len(fake.calls)
        started = time.perf_counter()
        fake.user_says(user, "/help")
        while not any(c.method == "sendMessage" for c in fake.calls[before:]):  # noqa: ASYNC110
            await asyncio.sleep(0.0005)  # the fake server records calls; nothing to await
        timings.append(time.perf_counter() - started)
        del n
    await service.stop()
    await fake.stop()
    db.dispose()
    return timings


def splitting(repeat: int) -> float:
    lines = [
        f"{n:3d}. Ūdens temperatūra ēdnīcā “Saulīte” — 4,{n % 10} °C; <ok> & ģērbtuvē"
        for n in range(120)
    ]
    message = Message("\n".join(lines), title="Kopsavilkums")
    started = time.perf_counter()
    for _ in range(repeat):
        parts = markup.render(message)
    elapsed = (time.perf_counter() - started) / repeat
    print(
        f"split: {len(message.text)} characters → {len(parts.texts)} messages, "
        f"{elapsed * 1000:.2f} ms per message"
    )
    return elapsed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    timings = asyncio.run(round_trips(count))
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"round trip over {count} updates: median {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms"
    )
    splitting(200)


if __name__ == "__main__":
    main()
