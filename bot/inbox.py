"""This module contains the inbox: every inbound update is recorded before its effect.

:func:`record` writes an event with the platform's id of the update (``key``) and its order
(``seq``); a second delivery of the same key — Telegram repeating a webhook, Slack retrying
an event, a client repeating an ``Idempotency-Key`` — finds the row and has no effect, also
after a restart. :func:`next_pending` gives a person's oldest unapplied event by the
platform's order, and :func:`claim` marks it applied in the transaction of its effect, so an
event takes effect once even if two processes reach for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot.events import (
    Event,
    Sender,
    decode,
)
from bot.inbox_now import Applied, Deferred, EffectFailed, apply_now
from bot.inbox_rows import (
    DONE,
    PENDING,
    Recorded,
    claim,
    next_pending,
    pending_events,
    record,
    record_request,
    replayed,
)
from bot.outbox import Outbox, Queued
from storage.db import Database
from storage.locks import hold_person
from workflows.context import Context
from workflows.notices import Outgoing, ToPerson, problem
from workflows.plan.model import UnknownPlanItem

TURN_WAIT_SECONDS = (0.005, 0.1)
"""First and longest wait before trying again while another replica applies a person's events."""
_THEIR_TURN = -1

_LOGGER = logging.getLogger(__name__)

__all__ = [
    "DONE",
    "PENDING",
    "Inbox",
    "Recorded",
    "claim",
    "next_pending",
    "pending_events",
    "record",
    "record_request",
    "replayed",
]


@dataclass(frozen=True)
class _Applied:
    """One applied event: its notices, those shown as an alert, and its outbox rows."""

    row_id: int
    items: list[Outgoing]
    shown: list[Outgoing]
    queued: Queued | None


Apply = Callable[[Session, str, Event], list[Outgoing]]
"""The dispatcher's routing: one event's effect, as the notices it produced."""
Identify = Callable[[Session, Sender], "str | None"]
Alert = Callable[[str], Awaitable[None]]
Alerting = Callable[[Outgoing], bool]


class Inbox:
    """Records, orders and applies one person's events, each once.

    An event is recorded (:func:`record`), then, after ``hold`` seconds for platforms that
    may deliver one person's updates out of order (webhooks over parallel connections), the
    person's pending events are applied oldest first by the platform's ``seq``, each in one
    transaction with its effect and the outbox rows of its replies. Where nothing needs to
    wait (no hold, nothing of the person's pending, their lock free), the event is recorded
    and applied in one transaction and its replies sent at once (:mod:`bot.inbox_now`).

    Args:
        ctx: Plan and clock.
        db: The database.
        outbox: Where replies are queued and delivered.
        apply: The dispatcher's routing of one event.
        identify: Finds the person an account belongs to (and notes that they were seen).
        is_alert: Which replies a platform shows as an alert where the button was pressed.
        hold: Seconds to wait before applying, by platform.
    """

    def __init__(
        self,
        ctx: Context,
        db: Database,
        outbox: Outbox,
        apply: Apply,
        identify: Identify,
        is_alert: Alerting,
        hold: Mapping[str, float] | None = None,
    ) -> None:
        self.ctx = ctx
        self.db = db
        self.outbox = outbox
        self._apply_event = apply
        self._identify = identify
        self._is_alert = is_alert
        self.hold = dict(hold or {})
        self._arrivals: defaultdict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)
        self._people: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._alerts: dict[int, Alert] = {}
        self._results: dict[int, list[Outgoing]] = {}
        self._waiting: set[int] = set()
        self._receipts: dict[str, asyncio.Future[None]] = {}

    def awaiting(self, key: str) -> asyncio.Future[None]:
        """A future that is done once the update ``key`` is recorded (or needs no record).

        A webhook answers the platform only then, so an update acknowledged by a replica
        that is killed right after is in the database, and one that was not is sent again
        by the platform (to any replica).
        """
        found = self._receipts.get(key)
        if found is None:
            found = self._receipts[key] = asyncio.get_running_loop().create_future()
        return found

    def settle(self, key: str | None) -> None:
        """The update ``key`` is recorded, or was handled without a record: stop waiting."""
        found = self._receipts.pop(key, None) if key is not None else None
        if found is not None and not found.done():
            found.set_result(None)

    def person_lock(self, person_id: str) -> asyncio.Lock:
        """The lock held while one of ``person_id``'s events is applied."""
        return self._people[person_id]

    async def handle(
        self,
        event: Event,
        *,
        key: str | None = None,
        seq: int | None = None,
        alert: Alert | None = None,
    ) -> list[Outgoing] | None:
        """Record ``event``, apply the person's pending events in order, and return its replies.

        Returns:
            The notices ``event`` produced (empty for a repeated delivery), or ``None`` when
            the sender is not enrolled (nothing is recorded for them).
        """
        arrived = time.monotonic()
        order = seq if seq is not None else time.time_ns()
        sender = event.sender
        async with self._arrivals[(sender.platform, sender.user_id)]:  # arrival order kept
            recorded = await self._record(event, key, order, alert)
        self.settle(key)  # in the database: a webhook may now answer the platform
        if recorded is None:
            return None
        if isinstance(recorded, Applied):  # recorded and applied at once (bot.inbox_now)
            return await self._sent(sender.platform, recorded, alert)
        person_id, row = recorded.person_id, recorded
        if not row.new:
            _LOGGER.info("%s delivered %s again; it had its effect once", sender.platform, key)
            return []
        self.outbox.metrics.received(sender.platform)
        wait = self.hold.get(sender.platform, 0.0) - (time.monotonic() - arrived)
        if wait > 0:  # let an earlier update that is still on its way overtake this one
            await asyncio.sleep(wait)
        if alert is not None:
            self._alerts[row.row_id] = alert
        self._waiting.add(row.row_id)
        try:
            await self.drain(person_id, until=row.row_id)
        finally:
            self._alerts.pop(row.row_id, None)
            self._waiting.discard(row.row_id)
        return self._results.pop(row.row_id, [])

    async def _record(
        self, event: Event, key: str | None, seq: int, alert: Alert | None
    ) -> Applied | Deferred | None:
        """Apply ``event`` at once where :mod:`bot.inbox_now` may, else record it as pending."""
        sender = event.sender

        def pending(session: Session, event: Event, person_id: str) -> Deferred:
            row = record(session, self.ctx, event, key=key, seq=seq, person_id=person_id)
            return Deferred(person_id, row.id, row.new)

        def shows(item: Outgoing, person_id: str) -> bool:
            return alert is not None and self._shown(item, person_id)

        done: Applied | Deferred | bool | None = False
        if self.hold.get(sender.platform, 0.0) <= 0:  # the database says whether it may
            now = partial(
                apply_now,
                ctx=self.ctx,
                outbox=self.outbox,
                apply=self._apply_event,
                shows=shows,
                record=pending,
                event=event,
                key=key,
                seq=seq,
            )
            with contextlib.suppress(EffectFailed, IntegrityError):  # else the usual way
                done = await self.db.run(now)
        if done is False:

            def work(session: Session) -> Deferred | None:
                person_id = self._identify(session, sender)
                return None if person_id is None else pending(session, event, person_id)

            done = await self.db.run(work)
        return None if isinstance(done, bool) else done

    async def _sent(self, platform: str, applied: Applied, alert: Alert | None) -> list[Outgoing]:
        """Send what an event applied at once produced; returns its notices."""
        self.outbox.metrics.received(platform)
        for item in applied.shown:
            if alert is not None:
                await alert((await self.outbox.render_for(item)).plain())
        await self.outbox.send_claimed(applied.claimed)
        await self.outbox.send_queued(applied.queued)
        return applied.items

    async def drain(self, person_id: str, until: int | None = None) -> None:
        """Apply ``person_id``'s pending events in order (until event ``until`` is applied).

        Each step takes the person's oldest pending event *inside* the transaction that
        applies it, under the person's database lock on PostgreSQL (:func:`hold_person`), so
        replicas that received a person's events take turns and apply them strictly by
        ``seq``, each once; in one process the person's asyncio lock keeps the turns.
        """
        async with self._people[person_id]:
            wait = TURN_WAIT_SECONDS[0]
            while True:
                applied = await self._apply_next(person_id)
                if applied is _THEIR_TURN:  # another replica applies theirs: try again soon
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, TURN_WAIT_SECONDS[1])
                    continue
                wait = TURN_WAIT_SECONDS[0]
                if applied is None or applied == until:
                    return

    async def recover(self, *, stale: set[int] | None = None) -> int:
        """Apply events recorded and not applied; returns how many people had some.

        Args:
            stale: Only events that were pending already at the last call (the leader's
                periodic pass: the replica that recorded an event died before applying it,
                or is stuck); ``None`` for all of them (start-up). Updated in place.
        """
        rows = await self.db.run(pending_events)
        if stale is not None:
            seen, current = set(stale), {row_id for row_id, _person in rows}
            stale.clear()
            stale.update(current)
            rows = [(row_id, person) for row_id, person in rows if row_id in seen]
        people = list(dict.fromkeys(person for _row_id, person in rows))
        for person_id in people:
            await self.drain(person_id)
        return len(people)

    async def _apply_next(self, person_id: str) -> int | None:
        """Apply the person's oldest pending event; returns its id.

        ``None`` when none is pending; :data:`_THEIR_TURN` when another replica holds the
        person's lock.
        """

        def work(session: Session) -> _Applied | None:
            if not hold_person(session, person_id):
                return _Applied(_THEIR_TURN, [], [], None)
            row = next_pending(session, person_id)
            if row is None:
                return None
            row_id = row.id or 0
            try:
                event = decode(row.payload)
            except (ValueError, KeyError, TypeError):
                _LOGGER.error("inbox event %s cannot be read; skipped", row_id)
                claim(session, self.ctx, row_id)
                return _Applied(row_id, [], [], None)
            if not claim(session, self.ctx, row_id):
                return _Applied(row_id, [], [], None)  # applied meanwhile (SQLite: another run)
            alert = self._alerts.get(row_id)
            items = self._effect(session, person_id, event)
            shown = [i for i in items if alert is not None and self._shown(i, person_id)]
            rest = [i for i in items if i not in shown]
            via = event.sender.platform
            queued = self.outbox.enqueue_reported(session, rest, person_id, via)
            return _Applied(row_id, items, shown, queued)

        done = await self.db.run(work)
        if done is None or done.row_id == _THEIR_TURN:
            return None if done is None else _THEIR_TURN
        if done.row_id in self._waiting:
            self._results[done.row_id] = done.items
        alert = self._alerts.get(done.row_id)
        for item in done.shown:
            if alert is not None:
                await alert((await self.outbox.render_for(item)).plain())
        if done.queued is not None:
            await self.outbox.send_queued(done.queued)
        return done.row_id

    def _shown(self, item: Outgoing, person_id: str) -> bool:
        return item.to == ToPerson(person_id) and self._is_alert(item)

    def _effect(self, session: Session, person_id: str, event: Event) -> list[Outgoing]:
        """The event's effect in a savepoint: a failure is undone and told, not raised."""
        me = ToPerson(person_id)
        try:
            with session.begin_nested():
                return self._apply_event(session, person_id, event)
        except OperationalError:
            raise  # the database is busy: the whole transaction is tried again
        except UnknownPlanItem as exc:  # history pointing at something the plan dropped
            _LOGGER.warning("%s: %s", person_id, exc)
            return [Outgoing(me, problem("plan_item_gone", item=exc.item_id))]
        except Exception:
            _LOGGER.exception("handling %s for %s failed", type(event).__name__, person_id)
            return [Outgoing(me, problem("internal_error"))]
