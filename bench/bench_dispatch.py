"""Benchmark: events per second through the real dispatcher, outbox and database.

Opens one monthly round per month for several years and has a role holder answer each round's
form completely (start, two values, confirm), then posts summaries. Prints timings per event
and per round, for SQLite (a file) and, when CONTROLBOT_TEST_DATABASE_URL is set, PostgreSQL.

Also prints the median of the typed values alone and, for the last round's two typed values,
the transactions and statements each took (counted on the engine; issue 16's form step).
To compare with another version in the same run, point PYTHONPATH at an export of it.

Run: .venv/bin/python bench/bench_dispatch.py [ROUNDS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event as sa_event
from sqlalchemy import text

from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.events import ChoiceSelected, CommandReceived, Sender, TextReceived
from bot.messages import Message
from bot.outbox import Outbox
from storage.db import Database, make_engine
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.periods import Period
from workflows.plan.loader import load_default_plan

RIGA = ZoneInfo("Europe/Riga")


class Sink:
    platform = "console"

    def __init__(self) -> None:
        self.last: dict[str, Message] = {}
        self.count = 0

    async def send(self, address: object, message: Message) -> None:
        self.count += 1
        self.last[getattr(address, "target", "")] = message


async def run(url: str, rounds: int) -> None:
    plan = load_default_plan(None)
    clock = FixedClock(datetime(2026, 11, 3, 9, 0, tzinfo=RIGA))
    ctx = Context(plan, clock, WorkingCalendar(), RIGA, "lv")
    db = Database.from_url(url)
    prepare_database(db, ctx, auto_upgrade=True)
    sink = Sink()
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": sink}, "lv"), "lv")
    admin, anna = Sender("console", "kristaps-sils"), Sender("console", "anna-ozola")
    period = Period.parse("2026-10")
    for _ in range(rounds - 1):
        period = period.previous()
    per_event: list[float] = []
    typed: list[float] = []
    typed_cpu: list[float] = []  # this process's CPU (all threads): less swayed by the load
    counts = {"transactions": 0, "statements": 0}

    def began(_conn: object) -> None:
        counts["transactions"] += 1

    def ran(*_args: object) -> None:
        counts["statements"] += 1

    started = time.perf_counter()
    for n in range(rounds):
        events = [CommandReceived(admin, "remind", ("dzivesvietas-deklaresana", str(period)))]
        for event in events:
            await dispatcher.handle(event)
        token = sink.last["anna-ozola"].choices[0].token
        for event in (
            ChoiceSelected(anna, token),
            TextReceived(anna, "0,9"),
            TextReceived(anna, "96,5"),
            TextReceived(anna, "submit"),
        ):
            value = isinstance(event, TextReceived) and event.text != "submit"
            counting = value and n == rounds - 1
            if counting:
                sa_event.listen(db.engine, "begin", began)
                sa_event.listen(db.engine, "before_cursor_execute", ran)
            t0, c0 = time.perf_counter(), time.process_time()
            await dispatcher.handle(event)
            per_event.append(time.perf_counter() - t0)
            if value:
                typed.append(per_event[-1])
                typed_cpu.append(time.process_time() - c0)
            if counting:
                sa_event.remove(db.engine, "begin", began)
                sa_event.remove(db.engine, "before_cursor_execute", ran)
        period = period.next()
    t0 = time.perf_counter()
    await dispatcher.handle(CommandReceived(admin, "summary", ("pk-dzivesvieta", "2026-10")))
    summary_s = time.perf_counter() - t0
    total = time.perf_counter() - started
    db.dispose()
    per_event.sort()
    name = url.split(":", 1)[0]
    print(
        f"{name:28s} rounds={rounds:4d} events={len(per_event):5d} "
        f"median={statistics.median(per_event) * 1000:6.2f} ms "
        f"p95={per_event[int(len(per_event) * 0.95)] * 1000:6.2f} ms "
        f"round={total / rounds * 1000:6.1f} ms summary={summary_s * 1000:6.1f} ms "
        f"sent={sink.count} typed-value median={statistics.median(typed) * 1000:6.2f} ms "
        f"(CPU {statistics.median(typed_cpu) * 1000:5.2f} ms) "
        f"tx/stmts per typed value={counts['transactions'] / 2:g}/{counts['statements'] / 2:g}"
    )


def _reset(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", rounds))
    pg = os.environ.get("CONTROLBOT_TEST_DATABASE_URL")
    if pg:
        _reset(pg)
        asyncio.run(run(pg, rounds))


if __name__ == "__main__":
    main()
