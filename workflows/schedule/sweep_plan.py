"""This module contains a sweep's plan: what is due now, for whom, cut into batches.

A catch-up after downtime finds thousands of sends due at once (about 10,000 for a national
plan). Deciding and queueing them in one transaction held SQLite's write lock for ~20 s, so a
person answering a form waited past the busy timeout (issue 16). :func:`plan_sweep` reads
what is due in one read-only transaction and cuts it into :class:`Batch` es, each decided
and queued in a short transaction of its own (:func:`workflows.schedule.sweep.queue_batch`).
Everything for one person in one sweep stays in one batch (one message), and a batch is all
or nothing: a crash between batches leaves the rest open in the ledger for the next sweep,
and nothing is queued twice (the ledger's keys are read again in each batch).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, select

from storage.models import Delivery
from workflows.context import Context
from workflows.decisions.action_follow_ups import action_follow_ups
from workflows.people.absences import AwayByDay, deputy_for
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import StepTarget
from workflows.schedule.ledger import SNOOZE, STALE_SENDING, scheduler_epoch, taken_keys
from workflows.schedule.memo import closed_keys_for, window_for
from workflows.schedule.planned import ACTION_KINDS, PlannedSend, SendKind

_LOGGER = logging.getLogger(__name__)

BATCH_WEIGHT = 100
"""Work in one batch's transaction, counted as reminders (each ~0.4 ms of CPU on SQLite
here, so a batch stays well under the 200 ms the issue allows on a loaded machine)."""
_WEIGHTS = {"skip": 0.25, "single": 2.0, "summary": 40.0, "snooze": 2.0, "send": 1.0}
"""What a batch item costs, in reminders (measured with ``bench/bench_catch_up.py``): a skip is
one row of a bulk insert (1,000 of them took 290 ms the first time); a summary reads six
queries and builds its notice (~30 ms)."""


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


@dataclass
class PersonSends:
    """Everything for one person in one sweep: one message (a digest when several)."""

    recipient: str
    snoozes: list[Snoozed] = field(default_factory=list)
    sends: list[tuple[PlannedSend, Due]] = field(default_factory=list)


@dataclass(frozen=True)
class Batch:
    """What one transaction decides: skips to record, single sends, people's messages."""

    skips: tuple[tuple[PlannedSend, str], ...] = ()
    singles: tuple[PlannedSend, ...] = ()
    people: tuple[PersonSends, ...] = ()

    @property
    def keys(self) -> list[str]:
        """The ledger keys the batch decides (snoozes are ledger rows already)."""
        return (
            [s.key for s, _note in self.skips]
            + [s.key for s in self.singles]
            + [s.key for p in self.people for s, _due in p.sends]
        )


@dataclass(frozen=True)
class Sweep:
    """A sweep's batches and the absences read for it (days of its sends, and today)."""

    away: AwayByDay
    batches: tuple[Batch, ...]


def _window_days(ctx: Context, now: datetime, epoch: datetime) -> tuple[date, date]:
    """Local days whose sends a sweep at ``now`` looks at (see :func:`due_sends`)."""
    days = ctx.plan.plan.schedule.catch_up_days
    # look back twice the catch-up window, so that sends just too old are closed and logged
    first = max(epoch, now - timedelta(days=2 * days + 1)).astimezone(ctx.timezone).date()
    # one day ahead: people in zones east of the plan's are already in tomorrow
    last = now.astimezone(ctx.timezone).date() + timedelta(days=1)
    return first, last


def warm_window(ctx: Context, now: datetime, epoch: datetime) -> None:
    """Compute the planned sends a sweep at ``now`` looks at, before its transaction.

    ``epoch`` is :func:`~workflows.schedule.ledger.scheduler_epoch`. The span is remembered
    (:mod:`workflows.schedule.memo`), so the sweep's reading transaction does not hold its
    snapshot while it is computed (1–2 s for a national plan, once at start and a day's worth
    when the date changes).
    """
    first, last = _window_days(ctx, now, min(epoch, now))
    window_for(ctx).span(ctx, first - timedelta(days=1), last)


def due_sends(
    session: Session, ctx: Context, now: datetime
) -> tuple[list[PlannedSend], list[PlannedSend]]:
    """Planned sends whose instant has come and whose key is open, oldest first (reads only).

    Sends planned before the scheduler's first start are not considered.

    Returns:
        ``(fresh, too_old)``: those to decide now, and those older than the plan's
        ``catch_up_days`` (to be closed as skipped; each is logged).
    """
    epoch = min(scheduler_epoch(session, ctx), now)  # a clock set back must not silence us
    days = ctx.plan.plan.schedule.catch_up_days
    first, last = _window_days(ctx, now, epoch)
    span = window_for(ctx).span(ctx, first - timedelta(days=1), last)
    low, high = span.between(epoch, now)
    closed = closed_keys_for(session.get_bind())  # closed keys are never reopened
    sends = [
        s
        for s, key in zip(span.sends[low:high], span.keys[low:high], strict=True)
        if key not in closed
    ]
    follow_ups = action_follow_ups(session, ctx, first - timedelta(days=1), last)
    sends += [s for s in follow_ups if epoch <= s.at <= now and s.key not in closed]
    sends.sort()
    taken = taken_keys(session, closed, [s.key for s in sends], now)
    fresh: list[PlannedSend] = []
    too_old: list[PlannedSend] = []
    for send in (s for s in sends if s.key not in taken):
        if now - send.at > timedelta(days=days):
            _LOGGER.warning("not catching up %s: planned %s, too long ago", send.key, send.at)
            too_old.append(send)
        else:
            fresh.append(send)
    return fresh, too_old


def latest_steps(sends: list[PlannedSend]) -> tuple[list[PlannedSend], list[PlannedSend]]:
    """Of several ladder steps missed for one recipient, activity and period, keep the last.

    Returns:
        ``(kept, superseded)``, each in the order of ``sends``.
    """
    latest: dict[tuple[str, str, str], PlannedSend] = {}
    for send in sends:
        if send.kind is SendKind.SUMMARY or send.kind in ACTION_KINDS:
            continue
        group = (send.recipient, send.subject, send.period)
        if group not in latest or send.step > latest[group].step:
            latest[group] = send
    kept: list[PlannedSend] = []
    superseded: list[PlannedSend] = []
    for send in sends:
        if (
            send.kind is SendKind.SUMMARY
            or send.kind in ACTION_KINDS
            or latest[(send.recipient, send.subject, send.period)] is send
        ):
            kept.append(send)
        else:
            superseded.append(send)
    return kept, superseded


def route_away(ctx: Context, away: AwayByDay, due: Due, day: date) -> Due | None:
    """Send to the deputy of a recipient who is away that day; ``None``: nobody to send to."""
    gone = away.on(day)
    if due.recipient not in gone:
        return due
    try:
        deputy = deputy_for(ctx, ctx.plan.activity(due.subject), due.recipient, gone)
    except UnknownPlanItem:
        return None
    return None if deputy is None else replace(due, recipient=deputy)


def _from_send(ctx: Context, send: PlannedSend) -> Due:
    return Due(
        subject=send.subject,
        period=send.period,
        recipient=send.recipient,
        kind=send.kind.value,
        target=ctx.plan.plan.schedule.ladder[send.step].to,
        at=send.at,
        local_day=send.local.date().isoformat(),
    )


def _snooze_prefix(subject: str, period: str, recipient: str) -> str:
    return f"{SNOOZE}:{subject}:{period}:{recipient}:"


def _snoozed_until(session: Session, now: datetime) -> dict[str, datetime]:
    """When each pending snooze ends, by key prefix (activity, period, person).

    Snoozes already due are left out: this sweep takes them up, so they no longer hold back
    the ladder's steps.
    """
    rows = session.exec(
        select(
            Delivery.subject, Delivery.period, Delivery.recipient, func.max(Delivery.planned_at)
        )
        .where(
            col(Delivery.kind) == SNOOZE,
            col(Delivery.status) == "planned",
            col(Delivery.planned_at) > now,
        )
        .group_by(col(Delivery.subject), col(Delivery.period), col(Delivery.recipient))
    ).all()
    return {_snooze_prefix(s, p, r): until for s, p, r, until in rows}


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


@dataclass(frozen=True)
class DueNow:
    """What a sweep reads: due sends, due snoozes, pending snoozes and absences."""

    fresh: list[PlannedSend]
    too_old: list[PlannedSend]
    snoozes: list[Snoozed]
    until: dict[str, datetime]
    away: AwayByDay


def read_due(session: Session, ctx: Context, now: datetime) -> DueNow:
    """Everything :func:`plan_sweep` needs from the database, in one reading transaction."""
    fresh, too_old = due_sends(session, ctx, now)
    snoozes = _due_snoozes(session, ctx, now)
    until = _snoozed_until(session, now) if fresh else {}
    days = [s.local.date() for s in fresh] + [
        s.due.at.astimezone(ctx.timezone).date() for s in snoozes
    ]
    away = AwayByDay(session, min([ctx.today(), *days]), max([ctx.today(), *days]))
    return DueNow(fresh, too_old, snoozes, until, away)


def plan_sweep(ctx: Context, due_now: DueNow, *, one_batch: bool = False) -> Sweep:
    """What is due, routed (deputies for those away) and cut into batches; no database.

    With ``one_batch`` everything is one batch (:func:`workflows.schedule.sweep.prepare`).
    """
    kept, superseded = latest_steps(due_now.fresh)
    skips = [(s, "too_old") for s in due_now.too_old] + [(s, "superseded") for s in superseded]
    away, until = due_now.away, due_now.until
    people: dict[str, PersonSends] = {}
    for snoozed in due_now.snoozes:
        people.setdefault(snoozed.due.recipient, PersonSends(snoozed.due.recipient))
        people[snoozed.due.recipient].snoozes.append(snoozed)
    singles: list[PlannedSend] = []
    for send in kept:
        if send.kind in ACTION_KINDS or send.kind is SendKind.SUMMARY:
            singles.append(send)
            continue
        due = route_away(ctx, away, _from_send(ctx, send), send.local.date())
        if due is None:
            skips.append((send, "away"))
            continue
        ends = until.get(_snooze_prefix(send.subject, send.period, due.recipient))
        if ends is not None and ends > send.at and send.kind is not SendKind.ESCALATION:
            skips.append((send, "snoozed"))
            continue
        people.setdefault(due.recipient, PersonSends(due.recipient)).sends.append((send, due))
    whole = Batch(tuple(skips), tuple(singles), tuple(people.values()))
    return Sweep(away, (whole,) if one_batch else cut(whole))


def cut(whole: Batch, most: float | None = None) -> tuple[Batch, ...]:
    """``whole`` in batches of about ``most`` (:data:`BATCH_WEIGHT`), in the same order.

    A person's sends are never split; a batch of one item may weigh more than ``most``.
    """
    limit = BATCH_WEIGHT if most is None else most
    batches: list[Batch] = []
    current: tuple[list[tuple[PlannedSend, str]], list[PlannedSend], list[PersonSends]]
    current, weight = ([], [], []), 0.0

    def close() -> None:
        nonlocal current, weight
        if any(current):
            batches.append(Batch(tuple(current[0]), tuple(current[1]), tuple(current[2])))
        current, weight = ([], [], []), 0.0

    for skip in whole.skips:
        current[0].append(skip)
        weight += _WEIGHTS["skip"]
        if weight >= limit:
            close()
    for send in whole.singles:
        current[1].append(send)
        weight += _WEIGHTS["summary" if send.kind is SendKind.SUMMARY else "single"]
        if weight >= limit:
            close()
    for person in whole.people:
        current[2].append(person)
        weight += _WEIGHTS["send"] * len(person.sends) + _WEIGHTS["snooze"] * len(person.snoozes)
        if weight >= limit:
            close()
    close()
    return tuple(batches)
