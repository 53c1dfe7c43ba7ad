"""This module contains :class:`ScheduleRunner`: it fires the sends our schedule computes.

APScheduler 3.x (``AsyncIOScheduler``) only wakes the runner: at the next planned instant (a
date trigger recomputed after every sweep) and every minute as a safety net. What is due, and
whether it was already sent, comes from :mod:`workflows.schedule.sweep` and the delivery ledger,
never from APScheduler's own job store or misfire settings, so a restart neither loses nor
repeats a send (field case C14, single process).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.outbox import Outbox
from storage.db import Database, violates_unique
from workflows.context import Context
from workflows.notices.outbox import DELIVERED
from workflows.reports import deliveries as delivery_reports
from workflows.schedule import ledger as delivery_ledger
from workflows.schedule import sweep as deliveries
from workflows.schedule import sweep_plan, sweep_read

_LOGGER = logging.getLogger(__name__)

BATCH_PAUSE_SECONDS = 0.12
"""Pause between two batches of a sweep. SQLite's busy handler polls a waiting writer's lock
at most every 100 ms: back-to-back batches could starve a person's write (issue 16)."""
BATCH_BUDGET_SECONDS = 0.2
"""The longest a sweep's batch transaction should take (issue 16). A batch whose own CPU time
is over half of it halves the batches still to come (measured, not guessed: a plan whose
reminders cost more than ``sweep_plan``'s weights say), down to a quarter of
``BATCH_WEIGHT``. CPU time, not wall-clock time: on a loaded machine every batch's wall time
grows whatever its size (measured at load 22: halving on wall time made 805 batches of one
catch-up instead of 148, 164 s instead of 38 s, and the longest still 0.5 s), and each batch
costs a pause while the sweep's messages go out only once all are queued."""
SAFETY_SWEEP_SECONDS = 60
"""How often the scheduler sweeps even when no send is planned (catches clock jumps)."""


class ScheduleRunner:
    """Sweeps due sends into the outbox and keeps the ledger.

    Args:
        ctx: Plan, clock and calendar.
        db: The database with the delivery ledger.
        outbox: Where messages go.
    """

    def __init__(self, ctx: Context, db: Database, outbox: Outbox) -> None:
        self.ctx = ctx
        self.db = db
        self.outbox = outbox
        self.scheduler: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()

    async def sweep(self) -> int:
        """Send everything due now, one platform call at a time.

        Returns:
            How many of the queued messages were delivered right away.
        """
        async with self._lock:  # one sweep at a time: the trigger and the safety net may meet
            started = time.monotonic()
            try:
                return await self._sweep()
            finally:
                self.outbox.metrics.swept(time.monotonic() - started)

    async def _sweep(self) -> int:
        ids = await self.queue_due(self.ctx.now())
        rows = await self.outbox.flush(ids, exclusive=True)
        sent = sum(row.status == DELIVERED for row in rows)
        if ids:
            _LOGGER.info("delivered %d of %d scheduled messages", sent, len(ids))
        return sent

    async def queue_due(self, now: datetime) -> list[int]:
        """Queue everything due at ``now`` in the outbox, one short transaction per batch.

        What is due is read first, in short reading steps; each batch then decides its sends,
        records them in the ledger and queues their messages in one transaction, so a person
        answering meanwhile waits for one batch at most, never for the whole fan-out (issue
        16). A crash between batches loses nothing: the next sweep finds the rest still open.

        Returns:
            The outbox rows queued, in order (the daily problems digest last).
        """
        ctx = self.ctx
        epoch = await self.db.run(lambda s: delivery_ledger.scheduler_epoch(s, ctx))
        due = await asyncio.to_thread(sweep_read.read_due, self.db.transaction, ctx, now, epoch)
        sweep = await asyncio.to_thread(sweep_plan.plan_sweep, ctx, due)
        dialect = self.db.engine.dialect

        cpu = [0.0]  # the last batch's CPU seconds (its worker thread's)

        def queue(session: Session, batch: sweep_plan.Batch) -> list[int]:
            started = time.thread_time()
            prepared = deliveries.queue_batch(session, ctx, now, sweep, batch)
            ids = self.outbox.enqueue(session, [p.outgoing for p in prepared], origin="scheduler")
            delivery_ledger.link(
                session, [(p.keys, i) for p, i in zip(prepared, ids, strict=True)]
            )
            cpu[0] = time.thread_time() - started
            return ids

        ids: list[int] = []
        batches, weight = sweep_plan.Batches(sweep.whole), float(sweep_plan.BATCH_WEIGHT)
        first = True
        try:
            while batches:
                if not first:  # a writer polling for the lock gets in between two batches
                    await asyncio.sleep(BATCH_PAUSE_SECONDS)
                first = False
                batch = batches.take(weight)
                if batch.summaries:  # found and compiled before the transaction
                    await asyncio.to_thread(deliveries.warm_batch, ctx, dialect, batch)
                ids += await self.db.run(partial(queue, batch=batch))
                if cpu[0] > BATCH_BUDGET_SECONDS / 2 and weight > sweep_plan.BATCH_WEIGHT / 4:
                    weight /= 2
        except IntegrityError as exc:  # another sweep claimed the same sends first
            if not violates_unique(exc, "delivery", "key"):
                raise
            _LOGGER.info("another sweep is sending the same messages; skipping the rest")
            return ids

        def digest(session: Session) -> list[int]:  # at most once a day
            found = delivery_reports.problems_digest(session, ctx, now)
            return self.outbox.enqueue(session, found, origin="scheduler")

        try:
            return ids + await self.db.run(digest)
        except IntegrityError as exc:  # another sweep queued today's digest first: sent once
            if not violates_unique(exc, "delivery", "key"):
                raise
            _LOGGER.info("another sweep queued today's delivery problems digest")
            return ids

    async def tick(self) -> None:
        """Sweep, then arm the date trigger for the next planned instant."""
        try:
            await self.sweep()
            await self._arm_next()
        except Exception:  # the next tick tries again; the ledger prevents repeats
            _LOGGER.exception("scheduled sweep failed")

    def start(self) -> AsyncIOScheduler:
        """Start APScheduler in the running event loop with the safety sweep.

        Each tick then arms a date trigger at the next planned instant.
        """
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self.tick,
            "interval",
            seconds=SAFETY_SWEEP_SECONDS,
            id="sweep",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
        )
        scheduler.start()
        self.scheduler = scheduler
        return scheduler

    async def _arm_next(self) -> None:
        if self.scheduler is None:
            return
        now = self.ctx.now()
        upcoming = await self.db.run(lambda s: deliveries.next_instant(s, self.ctx, now))
        if upcoming is None or self.scheduler is None:
            return
        run_at: datetime = max(upcoming, datetime.now(UTC))
        _LOGGER.info("next planned send at %s", upcoming.isoformat())
        self.scheduler.add_job(
            self.tick,
            "date",
            run_date=run_at,
            id="next",
            replace_existing=True,
            misfire_grace_time=None,
            max_instances=1,
        )

    def stop(self) -> None:
        """Stop APScheduler (running sweeps finish)."""
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None
