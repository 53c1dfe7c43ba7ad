"""Benchmark: one catch-up sweep after downtime, on a national-scale plan (issue 16).

The scheduler first ran 20 days ago and then stopped; at restart every send of the last
``catch_up_days`` is due at once. This queues them the way ``controlbot run``'s scheduler does
(``ScheduleRunner.queue_due``; on a build without it, the old single transaction of
``deliveries.prepare`` + outbox + link) while another thread writes one short transaction
every 20 ms — a person answering a form. It prints the sweep's longest transaction (all, and
those that wrote), the writer's longest and median wait, and the statement count; with
``--profile``, where the sweep's time goes (cProfile, top 25 by own time).

Run: PYTHONPATH=. .venv/bin/python bench/bench_catch_up.py [ACTIVITIES] [PEOPLE] [--profile]
"""

from __future__ import annotations

import asyncio
import cProfile
import logging
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bench.bench_sweep import RIGA, START, database
from bench.national import write_national
from bot.app import prepare_database
from bot.outbox import Outbox
from bot.scheduler import ScheduleRunner
from storage.db import Database
from workflows import audit
from workflows.schedule import sweep as deliveries
from workflows.reports import deliveries as delivery_reports
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.loader import load_plan

try:
    from workflows.schedule.ledger import scheduler_epoch as EPOCH
except ImportError:  # a build before the ledger had its own module (the "before" figures)
    EPOCH = deliveries.scheduler_epoch  # type: ignore[attr-defined]

try:
    from workflows.heap import settle
except ImportError:  # a build before the collector was kept off the plan
    settle = None  # type: ignore[assignment]

WRITER_PAUSE = 0.02
"""Seconds between the concurrent writer's transactions."""


class Transactions:
    """Each transaction's duration (begin to commit or rollback) on the sweep's threads."""

    def __init__(self, db: Database, writer: set[int]) -> None:
        self.durations: list[float] = []
        self.writing: list[float] = []
        self.cpu: list[float] = []
        self.statements = 0
        self._open: dict[int, tuple[float, bool, float]] = {}
        self._writer = writer
        engine = db.engine
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)
        event.listen(engine, "before_cursor_execute", self._statement)

    def _mine(self) -> bool:
        return threading.get_ident() not in self._writer

    def _begin(self, conn: Any) -> None:
        if self._mine():
            self._open[id(conn)] = (time.perf_counter(), False, time.thread_time())

    def _statement(self, conn: Any, _c: Any, statement: str, *_a: Any) -> None:
        if not self._mine():
            return
        self.statements += 1
        began = self._open.get(id(conn))
        if began is not None and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self._open[id(conn)] = (began[0], True, began[2])

    def _end(self, conn: Any) -> None:
        began = self._open.pop(id(conn), None) if self._mine() else None
        if began is not None:
            took = time.perf_counter() - began[0]
            self.durations.append(took)
            self.cpu.append(time.thread_time() - began[2])
            if os.environ.get("TIMELINE"):
                print(
                    f"sweep tx {began[0]:.2f}+{took * 1000:.0f} ms cpu {self.cpu[-1] * 1000:.0f}"
                )
            if began[1]:
                self.writing.append(took)


def writer(
    db: Database, ctx: Context, stop: threading.Event, waits: list[float], failed: list[str]
) -> None:
    """One short write transaction every :data:`WRITER_PAUSE` seconds, timed.

    A write that still finds the database locked after every retry is counted in ``failed``
    (its wait counts up to the failure).
    """

    def write(session: Session) -> None:
        audit.record(session, ctx, "bench", "bench.write", "bench")

    while not stop.is_set():
        started = time.perf_counter()
        try:
            db.transaction(write)
        except OperationalError as exc:
            failed.append(str(exc.orig))
        waits.append(time.perf_counter() - started)
        if os.environ.get("TIMELINE") and waits[-1] > 0.2:
            print(f"writer {started:.2f}+{waits[-1] * 1000:.0f} ms")
        time.sleep(WRITER_PAUSE)


async def queue_due(runner: ScheduleRunner, ctx: Context, db: Database) -> int:
    """Queue everything due the way this build's scheduler does; returns outbox rows."""
    if hasattr(runner, "queue_due"):
        return len(await runner.queue_due(ctx.now()))
    now = ctx.now()

    def queue(session: Session) -> list[int]:  # the single transaction before issue 16
        ids = []
        for item in deliveries.prepare(session, ctx, now):
            (row_id,) = runner.outbox.enqueue(session, [item.outgoing], origin="scheduler")
            deliveries.link(session, item.keys, row_id)
            ids.append(row_id)
        digest = delivery_reports.problems_digest(session, ctx, now)
        return ids + runner.outbox.enqueue(session, digest, origin="scheduler")

    return len(await db.run(queue))


def main(activities: int, people: int, profile: bool) -> None:
    logging.disable(logging.WARNING)  # 10,000 "catching up" lines would be timed too
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = load_plan(write_national(folder / "plan.yaml", activities, people))
        clock = FixedClock(START - timedelta(days=20))
        ctx = Context(plan, clock, WorkingCalendar(), RIGA, "lv")
        db = database(folder)
        prepare_database(db, ctx, auto_upgrade=True)
        db.transaction(lambda s: EPOCH(s, ctx))
        if settle is not None:  # as `controlbot run` does once started
            settle()
        clock.set(START)
        runner = ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv"))
        stop, waits, failed, writer_threads = threading.Event(), [], [], set[int]()
        thread = threading.Thread(target=writer, args=(db, ctx, stop, waits, failed), daemon=True)
        thread.start()
        assert thread.ident is not None
        writer_threads.add(thread.ident)
        seen = Transactions(db, writer_threads)
        profiler = cProfile.Profile()
        if profile:  # cProfile sees one thread: run the transactions on this one

            async def inline(work: Any) -> Any:
                return db.transaction(work)

            db.run = inline  # type: ignore[method-assign]
        started = time.perf_counter()
        if profile:
            profiler.enable()
        queued = asyncio.run(queue_due(runner, ctx, db))
        if profile:
            profiler.disable()
        elapsed = time.perf_counter() - started
        stop.set()
        thread.join()
        print(
            f"catch-up: {queued} outbox rows queued in {elapsed:.1f} s"
            f"{' (under cProfile)' if profile else ''}, {len(seen.durations)} transactions "
            f"({len(seen.writing)} writing), {seen.statements} statements; "
            f"longest transaction {max(seen.durations) * 1000:.0f} ms, longest writing "
            f"{max(seen.writing, default=0) * 1000:.0f} ms, most CPU in one "
            f"{max(seen.cpu) * 1000:.0f} ms (median {statistics.median(seen.cpu) * 1000:.0f} ms); "
            f"concurrent writer: {len(waits)} "
            f"transactions, longest wait {max(waits) * 1000:.0f} ms, median "
            f"{statistics.median(waits) * 1000:.1f} ms, {len(failed)} failed (database locked); "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        if profile:
            pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
                os.environ.get("FILTER", ""), 25
            )


if __name__ == "__main__":
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    args = [int(a) for a in sys.argv[1:] if not a.startswith("--")][:2]
    main(*(args + [1000, 10_000][len(args) :]), profile="--profile" in flags)
