"""This module contains :class:`ScheduleRunner`: it fires the sends our schedule computes.

APScheduler 3.x (``AsyncIOScheduler``) only wakes the runner: at the next planned instant (a
date trigger recomputed after every sweep) and every minute as a safety net. What is due, and
whether it was already sent, comes from :mod:`workflows.deliveries` and the delivery ledger,
never from APScheduler's own job store or misfire settings, so a restart neither loses nor
repeats a send (field case C14, single process).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.outbox import Outbox
from storage.db import Database
from workflows import deliveries, delivery_reports
from workflows.context import Context
from workflows.outbox import DELIVERED

_LOGGER = logging.getLogger(__name__)

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
        now = self.ctx.now()

        def queue(session: Session) -> list[int]:
            ids = []
            for item in deliveries.prepare(session, self.ctx, now):
                (row_id,) = self.outbox.enqueue(session, [item.outgoing], origin="scheduler")
                deliveries.link(session, item.keys, row_id)
                ids.append(row_id)
            digest = delivery_reports.problems_digest(session, self.ctx, now)  # at most once a day
            return ids + self.outbox.enqueue(session, digest, origin="scheduler")

        try:
            ids = await self.db.run(queue)
        except IntegrityError:  # another sweep claimed the same sends first: nothing to do
            _LOGGER.info("another sweep is sending the same messages; skipping this one")
            return 0
        rows = await self.outbox.flush(ids, exclusive=True)
        sent = sum(row.status == DELIVERED for row in rows)
        if ids:
            _LOGGER.info("delivered %d of %d scheduled messages", sent, len(ids))
        return sent

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
