"""Benchmark: the durable outbox against sending directly, in the same run.

For N messages (one to each of the plan's people, round robin): the reference renders each
notice and hands it to the channel directly (what the bot did before issue 12); the product
queues them in the outbox in one transaction and sends them one at a time (claim, render,
send, record). Prints messages per second and the cost per message of the outbox, for SQLite
(a file) and, when CONTROLBOT_TEST_DATABASE_URL is set, PostgreSQL.

Run: .venv/bin/python bench/bench_outbox.py [N]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.app import prepare_database
from bot.messages import Message
from bot.outbox import Outbox
from storage.db import Database, make_engine
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import Help, Outgoing, ToPerson
from workflows.plan.loader import load_default_plan

RIGA = ZoneInfo("Europe/Riga")


class Sink:
    platform = "console"

    def __init__(self) -> None:
        self.count = 0

    async def send(self, address: object, message: Message) -> None:
        self.count += 1


async def measure(url: str, n: int) -> tuple[float, float]:
    plan = load_default_plan(None)
    ctx = Context(
        plan, FixedClock(datetime(2026, 11, 3, 9, tzinfo=RIGA)), WorkingCalendar(), RIGA, "lv"
    )
    db = Database.from_url(url)
    prepare_database(db, ctx, auto_upgrade=True)
    people = [p.id for p in plan.plan.people]
    items = [Outgoing(ToPerson(people[i % len(people)]), Help(False, False)) for i in range(n)]
    sink = Sink()
    outbox = Outbox(ctx, db, {"console": sink}, "lv")
    routes = await db.run(lambda s: [outbox.router.routes(s, item)[0] for item in items])
    start = time.perf_counter()
    for item, route in zip(items, routes, strict=True):  # the reference: render and send
        await sink.send(route.address, outbox.router.prepare(item, route))
    direct = time.perf_counter() - start
    start = time.perf_counter()
    ids = await db.run(lambda s: outbox.enqueue(s, items, origin="system"))
    await outbox.flush(ids, exclusive=True)
    durable = time.perf_counter() - start
    assert sink.count == 2 * n
    db.dispose()
    return direct, durable


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    urls = []
    with tempfile.TemporaryDirectory() as tmp:
        urls.append(("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"))
        pg = os.environ.get("CONTROLBOT_TEST_DATABASE_URL")
        if pg:
            engine = make_engine(pg)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
            urls.append(("PostgreSQL", pg))
        print(f"load average {os.getloadavg()[0]:.2f}, {n} messages")
        for name, url in urls:
            direct, durable = asyncio.run(measure(url, n))
            per = (durable - direct) / n * 1000
            print(
                f"{name:10}  direct {n / direct:8.0f} msg/s   outbox {n / durable:6.0f} msg/s   "
                f"ratio {durable / direct:5.1f}x   outbox cost {per:.2f} ms/message"
            )


if __name__ == "__main__":
    main()
