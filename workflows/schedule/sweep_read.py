"""This module contains what a sweep reads before it decides: due sends, snoozes and absences.

A catch-up after downtime finds about 10,000 sends due at once for a national plan, among
~45,000 planned in its look-back window. Reading them in one transaction held a snapshot for
0.2–3 s on a loaded machine (issue 16: no transaction over ~200 ms). :func:`read_due` reads in
short steps instead, each its own transaction, and does its Python work (the window's sends,
filtering, sorting) between them. No one snapshot is needed: every batch reads its ledger keys
again before it decides (:func:`workflows.schedule.ledger.open_keys`) and claims a snooze only
if its row is unchanged (``sweep._claim_snooze``), so a step that reads a moment later than
another can only make a batch skip what someone else has just done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Protocol, TypeVar

from sqlmodel import Session, col, func, select

from storage.models import Delivery
from workflows.context import Context
from workflows.decisions.action_follow_ups import action_follow_ups
from workflows.people.absences import AwayByDay
from workflows.plan.schema import StepTarget
from workflows.schedule.ledger import SNOOZE, STALE_SENDING, scheduler_epoch, taken_keys
from workflows.schedule.memo import ClosedKeys, closed_keys_for, window_for
from workflows.schedule.planned import PlannedSend

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")


class Read(Protocol):
    """Runs one step of reading and returns its result.

    ``Database.transaction`` runs each step in a transaction of its own; :class:`InSession`
    runs them all in the caller's session.
    """

    def __call__(self, work: Callable[[Session], T], /) -> T:
        """Run ``work`` in a session and return what it returns."""
        ...


KEYS_PER_READ = 2000
"""Ledger keys looked up in one reading transaction (~5 ms on SQLite, one statement)."""


class InSession:
    """A :class:`Read` that runs every step in ``session`` (one transaction, the caller's)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __call__(self, work: Callable[[Session], T], /) -> T:
        """Run ``work`` in the session."""
        return work(self._session)


@dataclass(frozen=True)
class Due:
    """What a reminder is about, whether it comes from the ladder or from a snooze."""

    subject: str
    period: str
    recipient: str
    kind: str
    target: StepTarget
    at: datetime
    local_day: str


@dataclass(frozen=True)
class Snoozed:
    """A postponed reminder that has come due: its ledger row as read, and what it is about."""

    row_id: int
    key: str
    status: str
    attempted_at: datetime
    due: Due


@dataclass(frozen=True)
class DueNow:
    """What a sweep reads: due sends, due snoozes, pending snoozes and absences."""

    fresh: list[PlannedSend]
    too_old: list[PlannedSend]
    snoozes: list[Snoozed]
    until: dict[str, datetime]
    away: AwayByDay


def window_days(ctx: Context, now: datetime, epoch: datetime) -> tuple[date, date]:
    """Local days whose sends a sweep at ``now`` looks at (see :func:`due_sends`)."""
    days = ctx.plan.plan.schedule.catch_up_days
    # look back twice the catch-up window, so that sends just too old are closed and logged
    first = max(epoch, now - timedelta(days=2 * days + 1)).astimezone(ctx.timezone).date()
    # one day ahead: people in zones east of the plan's are already in tomorrow
    last = now.astimezone(ctx.timezone).date() + timedelta(days=1)
    return first, last


def due_sends(
    read: Read, ctx: Context, now: datetime, epoch: datetime | None = None
) -> tuple[list[PlannedSend], list[PlannedSend]]:
    """Planned sends whose instant has come and whose key is open, oldest first (reads only).

    Sends planned before the scheduler's first start (``epoch``, read when not given) are not
    considered. The ledger is read :data:`KEYS_PER_READ` keys per step.

    Returns:
        ``(fresh, too_old)``: those to decide now, and those older than the plan's
        ``catch_up_days`` (to be closed as skipped; each is logged).
    """
    if epoch is None:
        epoch = read(lambda s: scheduler_epoch(s, ctx))
    epoch = min(epoch, now)  # a clock set back must not silence us
    days = ctx.plan.plan.schedule.catch_up_days
    first, last = window_days(ctx, now, epoch)
    closed, follow_ups = read(
        lambda s: (
            closed_keys_for(s.get_bind()),  # closed keys are never reopened
            action_follow_ups(s, ctx, first - timedelta(days=1), last),
        ),
    )
    span = window_for(ctx).span(ctx, first - timedelta(days=1), last)
    closed.keep_window(first, span.keys)
    low, high = span.between(epoch, now)
    sends = [
        s
        for s, key in zip(span.sends[low:high], span.keys[low:high], strict=True)
        if key not in closed
    ]
    sends += [s for s in follow_ups if epoch <= s.at <= now and s.key not in closed]
    sends.sort()
    keys = [s.key for s in sends]
    taken = _taken(read, closed, keys, now)
    fresh: list[PlannedSend] = []
    too_old: list[PlannedSend] = []
    for send, key in zip(sends, keys, strict=True):
        if key in taken:
            continue
        if now - send.at > timedelta(days=days):
            _LOGGER.warning("not catching up %s: planned %s, too long ago", key, send.at)
            too_old.append(send)
        else:
            fresh.append(send)
    return fresh, too_old


def _taken(read: Read, closed: ClosedKeys, keys: list[str], now: datetime) -> set[str]:
    """:func:`~workflows.schedule.ledger.taken_keys`, :data:`KEYS_PER_READ` keys per step."""
    taken: set[str] = set()
    for start in range(0, len(keys), KEYS_PER_READ):
        chunk = keys[start : start + KEYS_PER_READ]
        taken |= read(partial(taken_keys, closed=closed, keys=chunk, now=now))
    return taken


def snooze_prefix(subject: str, period: str, recipient: str) -> str:
    """The ledger key's start shared by a person's snoozes of one activity and period."""
    return f"{SNOOZE}:{subject}:{period}:{recipient}:"


def snoozed_until(
    session: Session, now: datetime, recipients: Sequence[str] | None = None
) -> dict[str, datetime]:
    """When each pending snooze ends, by :func:`snooze_prefix` (of ``recipients``, if given).

    Snoozes already due are left out: this sweep takes them up, so they no longer hold back
    the ladder's steps.
    """
    query = select(
        Delivery.subject, Delivery.period, Delivery.recipient, func.max(Delivery.planned_at)
    ).where(
        col(Delivery.kind) == SNOOZE,
        col(Delivery.status) == "planned",
        col(Delivery.planned_at) > now,
    )
    if recipients is not None:
        query = query.where(col(Delivery.recipient).in_(recipients))
    rows = session.exec(
        query.group_by(col(Delivery.subject), col(Delivery.period), col(Delivery.recipient))
    ).all()
    return {snooze_prefix(s, p, r): until for s, p, r, until in rows}


def _due_snoozes(session: Session, ctx: Context, now: datetime) -> list[Snoozed]:
    rows = session.exec(
        select(Delivery).where(
            col(Delivery.kind) == SNOOZE,
            (col(Delivery.status) == "planned")
            | (
                (col(Delivery.status) == "sending")
                & (col(Delivery.attempted_at) < now - STALE_SENDING)
            ),
            col(Delivery.planned_at) <= now,
        )
    ).all()
    return [
        Snoozed(
            row.id or 0,
            row.key,
            row.status,
            row.attempted_at,
            Due(
                subject=row.subject,
                period=row.period,
                recipient=row.recipient,
                kind="reminder",
                target=StepTarget.MEASURED_BY,
                at=row.planned_at,
                local_day=row.planned_at.astimezone(ctx.timezone).date().isoformat(),
            ),
        )
        for row in rows
    ]


def read_due(read: Read, ctx: Context, now: datetime, epoch: datetime | None = None) -> DueNow:
    """Everything a sweep's plan needs from the database, read in short steps.

    Args:
        read: Runs each step (``Database.transaction``: a transaction per step; or
            :class:`InSession`).
        ctx: Plan, clock, zone.
        now: The sweep's instant (UTC).
        epoch: The scheduler's first start, if already read.
    """
    fresh, too_old = due_sends(read, ctx, now, epoch)
    today = ctx.today()

    def rest(session: Session) -> DueNow:
        snoozes = _due_snoozes(session, ctx, now)
        until = snoozed_until(session, now) if fresh else {}
        days = [s.local.date() for s in fresh] + [
            s.due.at.astimezone(ctx.timezone).date() for s in snoozes
        ]
        away = AwayByDay(session, min([today, *days]), max([today, *days]))
        return DueNow(fresh, too_old, snoozes, until, away)

    return read(rest)
