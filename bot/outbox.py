"""This module contains :class:`Outbox`: durable delivery of notices to people and channels.

Every notice is first queued in the database (:mod:`workflows.notices.outbox`), in the transaction
of the change that caused it where the caller has one (:meth:`Outbox.enqueue`), then sent
one row at a time: by the caller right after its commit (:meth:`Outbox.flush`), and by the
background sender of ``controlbot run`` (:meth:`Outbox.run`) for whatever is left — retries
after a 429 or a network failure, rows a crashed process had claimed, rows queued by a
one-shot command. Each row ends ``delivered`` with the platform's message id,
``undeliverable`` with the reason, or ``expired``; a recipient the platform refuses for good
is marked and reported once (field cases C03, C04).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from functools import partial

from sqlmodel import Session

from bot.attempt import Attempt, Attempts
from bot.channel import Channel
from bot.messages import Message
from bot.metrics import Metrics
from bot.outbox_rows import FAILED, RETRY, SENT, Claimed, Outcome, Queued, outcome_of
from bot.routes import CONSOLE, Route, Router, person_language
from storage.db import Database
from storage.messages import OutboxMessage
from workflows.context import Context
from workflows.notices import DeliveryOutcome, Outgoing, ToPerson
from workflows.notices import outbox as queue
from workflows.notices.codec import CodecError
from workflows.reports import deliveries as reports

__all__ = [
    "CONSOLE",
    "FAILED",
    "RETRY",
    "SENT",
    "Claimed",
    "Outbox",
    "Queued",
    "Route",
    "person_language",
]

FLUSH_WAIT_SECONDS = 3.0
"""How long a caller delivering what it queued waits for rows another sender holds."""
FLUSH_POLL_SECONDS, FLUSH_POLL_MAX_SECONDS = 0.02, 0.25  # first and longest look again
IDLE_POLL_SECONDS = 1.0
"""How often the background sender looks for due rows when nobody woke it."""

_LOGGER = logging.getLogger(__name__)


class Outbox:
    """Queues notices durably and delivers them through the registered channels.

    Args:
        ctx: Plan, clock, calendar.
        db: The database (the outbox table, people, identities).
        channels: Registered channels by platform name.
        default_lang: ``CONTROLBOT_DEFAULT_LOCALE``.
        console_fallback: Whether the console reaches whoever nothing else reaches (demo and
            console only; ``controlbot run`` prints nothing addressed to others).
        metrics: Where sends and delivery latencies are counted (default: a registry of its
            own); the inbox and the scheduler count theirs here too.
    """

    def __init__(
        self,
        ctx: Context,
        db: Database,
        channels: Mapping[str, Channel],
        default_lang: str,
        *,
        console_fallback: bool = True,
        metrics: Metrics | None = None,
    ) -> None:
        self.ctx = ctx
        self.db = db
        self.channels = dict(channels)
        self.default_lang = default_lang
        self.router = Router(ctx, self.channels, default_lang, console_fallback=console_fallback)
        self.metrics = metrics or Metrics()
        self.attempts = Attempts(ctx, db, self.channels, self.router, self.metrics)
        self._wake = asyncio.Event()
        self._sending = asyncio.Lock()
        self._stopping = asyncio.Event()  # set by stop_waiting: a flush waits for nobody
        # a follower replica leaves fan-outs to the leader's one sender (bot.duties)
        self.fan_out: Callable[[Sequence[int]], Awaitable[object]] = partial(
            self.send_now, exclusive=True
        )

    def enqueue(
        self,
        session: Session,
        items: Sequence[Outgoing],
        *,
        origin: str | None = None,
        via: str | None = None,
        batch: str | None = None,
    ) -> list[int]:
        """Queue ``items`` in the caller's transaction; returns their row ids, in order."""
        return queue.enqueue(session, self.ctx, items, origin=origin, via=via, batch=batch)

    def enqueue_reported(
        self, session: Session, items: Sequence[Outgoing], actor: str, via: str | None
    ) -> Queued:
        """Queue what ``actor``'s action produced, in the caller's transaction.

        Replies to the actor go first; a fan-out to others gets a batch id, and the
        acknowledgement that reports on it (``RoundOpened``, ``SummaryPosted``) is held back
        until :meth:`send_queued` has its outcome.
        """
        replies, fanout, acks = reports.split_reported(items, actor)
        batch = uuid.uuid4().hex if acks else None
        return Queued(
            self.enqueue(session, replies, origin=actor, via=via),
            self.enqueue(session, fanout, origin=actor, batch=batch),
            self.enqueue_held(session, acks, origin=actor, via=via),
            batch,
        )

    def enqueue_held(
        self, session: Session, items: Sequence[Outgoing], *, origin: str, via: str | None
    ) -> list[int]:
        """Queue acknowledgements held back until their fan-out's outcome is known."""
        return queue.enqueue(session, self.ctx, items, origin=origin, via=via, hold=reports.HELD)

    async def send_queued(self, queued: Queued) -> DeliveryOutcome | None:
        """Deliver what :meth:`enqueue_reported` queued; the acknowledgement says the outcome.

        Returns:
            The fan-out's outcome, when an acknowledgement reports on it.
        """
        await self.send_now(queued.replies)
        if queued.batch is None:
            await self.send_now(queued.fanout)
            return None
        batch = queued.batch
        await self.fan_out(queued.fanout)
        found = await self.db.run(lambda s: reports.outcome(s, batch))
        await self.db.run(lambda s: reports.release(s, self.ctx, queued.acks, found))
        await self.send_now(queued.acks)
        return found

    async def deliver_reported(
        self, items: Sequence[Outgoing], actor: str, via: str | None = None
    ) -> DeliveryOutcome | None:
        """Queue (in a transaction of their own) and deliver with an honest report."""
        queued = await self.db.run(lambda s: self.enqueue_reported(s, items, actor, via))
        return await self.send_queued(queued)

    async def deliver(
        self,
        items: Sequence[Outgoing],
        *,
        origin: str | None = None,
        via: str | None = None,
        batch: str | None = None,
    ) -> int:
        """Queue ``items`` (in a transaction of their own) and deliver them now.

        Returns:
            How many items did not end ``delivered`` (undeliverable, or queued for a retry).
        """
        outcomes = await self.deliver_each(items, origin=origin, via=via, batch=batch)
        return sum(outcome != SENT for outcome in outcomes)

    async def deliver_each(
        self,
        items: Sequence[Outgoing],
        *,
        origin: str | None = None,
        via: str | None = None,
        batch: str | None = None,
    ) -> list[Outcome]:
        """Like :meth:`deliver`, with each item's outcome (``sent``, ``retry``, ``failed``)."""
        if not items:
            return []
        ids = await self.db.run(
            lambda s: self.enqueue(s, items, origin=origin, via=via, batch=batch)
        )
        rows = await self.flush(ids)
        return [outcome_of(row) for row in rows]

    async def flush(self, ids: Sequence[int], *, exclusive: bool = False) -> list[OutboxMessage]:
        """:meth:`send_now`, then the rows as they stand afterwards, in id order."""
        if not ids:
            return []
        await self.send_now(ids, exclusive=exclusive)
        return await self.db.run(lambda s: queue.by_ids(s, ids))

    async def send_now(self, ids: Sequence[int], *, exclusive: bool = False) -> None:
        """Deliver the rows ``ids`` now, in order, as far as they may be sent now.

        A row that must wait (a retry's back-off, an earlier message to the same recipient
        still open) is left to the background sender, which is woken for it.

        Args:
            ids: Rows the caller queued.
            exclusive: Send as the process's one fan-out sender (a sweep, ``/remind``), so
                that a crash repeats at most one of them; replies to one person are not.
        """
        if not ids:
            return
        async with self._sending if exclusive else contextlib.nullcontext():
            attempted = await self._flush(ids)
        if not attempted:
            self._wake.set()  # whatever had to wait is the background sender's

    async def _flush(self, ids: Sequence[int]) -> bool:  # whether each row was attempted
        wanted = list(ids)
        attempted: set[int] = set()
        waited, poll = 0.0, FLUSH_POLL_SECONDS
        while not attempted.issuperset(wanted):  # each row once here; a retry is the sender's
            now = self.ctx.now()
            batch = await self.db.run(partial(self._claim, now=now, ids=tuple(wanted)))
            if not batch:
                # a row behind another sender's (an earlier message to the same recipient,
                # or one the background sender took): wait for it a little, then leave it
                busy = await self.db.run(partial(queue.busy, ids=tuple(wanted), now=now))
                if not busy or waited >= FLUSH_WAIT_SECONDS or self._stopping.is_set():
                    return False
                with contextlib.suppress(TimeoutError):  # stop_waiting ends the wait at once
                    await asyncio.wait_for(self._stopping.wait(), poll)
                waited += poll
                poll = min(poll * 2, FLUSH_POLL_MAX_SECONDS)  # it may wait for a chat's pace
                continue
            await self._send_batch(batch, wanted)
            attempted.update(claimed.row.id or 0 for claimed in batch)
        return True

    async def _send_batch(self, batch: list[Claimed], wanted: list[int] | None) -> None:
        """Send claimed rows one at a time; if stopped, give the unsent ones back at once."""
        for index, claimed in enumerate(batch):
            if queue.lease_short(claimed.row, now := self.ctx.now()):  # a slow batch
                rest = [c.row for c in batch[index:]]
                if not await self.db.run(partial(queue.keep_claim, rows=rest, now=now)):
                    continue  # the lease ran out and another sender took the row
            try:
                reports = await self._deliver(claimed)  # one in flight at a time
            except asyncio.CancelledError:
                unsent = [c.row for c in batch[index + 1 :]]
                await asyncio.shield(self.db.run(partial(queue.give_back, rows=unsent)))
                raise
            if wanted is not None:
                wanted += reports  # the reports it led to go out with it

    async def send_claimed(self, claimed: Sequence[Claimed]) -> None:
        """Deliver rows queued claimed (``queue.enqueue_claimed``), in order, no claim again."""
        follow_ups: list[int] = []
        await self._send_batch(list(claimed), follow_ups)
        await self.send_now(follow_ups)

    def stop_waiting(self) -> None:
        """The process stops: a flush no longer waits for an earlier row to the same person.

        Its rows stay queued for the background sender or the next start (nothing is lost),
        so stopping a platform never waits out a burst's replies one by one.
        """
        self._stopping.set()

    # --- the background sender -----------------------------------------------------------

    def wake(self) -> None:
        """Make the background sender look for due rows now."""
        self._wake.set()

    async def pump(self, limit: int = 1000) -> int:
        """Deliver due rows, one at a time, until none is due or ``limit`` were tried.

        Returns:
            How many rows were tried.
        """
        tried = 0
        async with self._sending:
            while tried < limit:
                now = self.ctx.now()
                batch = await self.db.run(partial(self._claim, now=now, ids=None))
                if not batch:
                    break
                await self._send_batch(batch, None)  # reports it leads to are due rows too
                tried += len(batch)
        return tried

    async def run(self, stop: asyncio.Event) -> None:
        """Send due rows until ``stop`` is set (``controlbot run``'s background sender)."""
        while not stop.is_set():
            try:
                await self.pump()
            except Exception:  # the database may be away for a moment: try again later
                _LOGGER.exception("outbox sender failed; trying again")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)

    # --- one row -------------------------------------------------------------------------

    async def render_for(self, item: Outgoing) -> Message:
        """``item`` rendered as its recipient would get it (for a platform's own reply)."""
        routes = await self.db.run(lambda session: self.router.routes(session, item))
        if routes:
            return self.router.prepare(item, routes[0])
        return self.router.fallback(item)

    def _claim(
        self, session: Session, *, now: datetime, ids: Sequence[int] | None
    ) -> list[Claimed]:
        """Claim a batch and find each row's notice and routes, in one transaction."""
        rows = queue.claim(session, now, ids=ids, limit=queue.BATCH)
        items: list[Outgoing | CodecError] = []
        for row in rows:
            try:
                items.append(queue.outgoing(row))
            except CodecError as exc:
                items.append(exc)
        wanted = [
            (i.to.person_id, r.via)
            for r, i in zip(rows, items, strict=True)
            if isinstance(i, Outgoing) and isinstance(i.to, ToPerson)
        ]
        people = iter(self.router.person_routes(session, wanted) if wanted else [])
        batch = []
        for row, item in zip(rows, items, strict=True):
            if isinstance(item, CodecError):
                batch.append(Claimed(row, item, []))
            elif isinstance(item.to, ToPerson):
                route = next(people)
                batch.append(Claimed(row, item, [route] if route is not None else []))
            else:
                batch.append(
                    Claimed(row, item, self.router.channel_routes(session, item.to.channel_id))
                )
        return batch

    async def _deliver(self, claimed: Claimed) -> list[int]:
        """Deliver one claimed row; returns the rows of the reports it led to."""
        row, item = claimed.row, claimed.item
        if isinstance(item, CodecError):
            _LOGGER.error("outbox row %s cannot be read: %s", row.id, item)
            return await self._settle(row, Attempt(refused="render_failed"), str(item))
        done = tuple(p for p in (row.platform or "").split(",") if p)
        routes = [r for r in claimed.routes if r.address.platform not in done]
        if not routes and not done:
            found = item
            reason = await self.db.run(lambda s: self._reason(s, found))
            _LOGGER.info("%s #%s not sent: %s", row.kind, row.id, reason)  # reported, recorded
            return await self._settle(row, Attempt(refused=reason), "")
        attempt = await self.attempts.attempt(item, routes, done)
        return await self._settle(row, attempt, attempt.temporary or attempt.detail or "")

    def _reason(self, session: Session, item: Outgoing) -> str:
        if isinstance(item.to, ToPerson):
            return self.router.person_reason(session, item.to.person_id)
        return self.router.channel_reason(session, item.to.channel_id)

    async def _settle(self, row: OutboxMessage, attempt: Attempt, error: str) -> list[int]:
        now = self.ctx.now()
        platforms, refused = ",".join(attempt.platforms), attempt.refused or "error"

        def work(session: Session) -> list[int]:
            if attempt.temporary is not None:
                queue.retry_later(
                    session,
                    row,
                    now,
                    error=error,
                    retry_after=attempt.retry_after,
                    done_platforms=platforms,
                )
            elif attempt.platforms:
                queue.delivered(
                    session,
                    self.ctx,
                    row,
                    platform=platforms,
                    address=",".join(attempt.addresses),
                    message_id=attempt.message_id,
                )
            else:
                queue.undeliverable(
                    session, row.id or 0, now, reason=refused, error=error, lease=row.lease_until
                )
            return self.enqueue(session, attempt.reports, origin="system")

        follow_ups = await self.db.run(work)
        if attempt.temporary is None and attempt.platforms:  # once, not per retried transaction
            self.metrics.delivered(now - row.created_at)
        return follow_ups
