"""This module contains the sweep: which planned sends are due now, and what they say.

A sweep takes the planned sends whose instant has come and whose key the delivery ledger
(:mod:`workflows.delivery_ledger`) has not closed, decides for each whether it still matters
(a step after the due date stops as soon as the measurement is in; of several missed ladder
steps only the latest goes out), gathers each person's sends of a day into one digest, and
records them as ``queued`` in the ledger — in the same transaction as the outbox rows that
carry them (:mod:`workflows.outbox`), so the ledger says what was planned and decided and the
outbox what was delivered: one record, not two.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.db import rows_touched
from storage.models import Delivery, ImprovementDecision
from workflows import actions, summaries
from workflows.absences import away_on, deputy_for
from workflows.action_follow_ups import action_follow_ups
from workflows.context import Context
from workflows.decisions import load_brief
from workflows.delivery_ledger import (
    QUEUED,
    SNOOZE,
    STALE_SENDING,
    record,
    scheduler_epoch,
    taken_keys,
)
from workflows.notices import ActionDue, Digest, Outgoing, Problem, Reminder, ToPerson
from workflows.periods import Period
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import StepTarget
from workflows.rounds import answered, ensure_round, measurers_of_round, outstanding_for
from workflows.schedule import ACTION_KINDS, PlannedSend, SendKind
from workflows.sweep_memo import closed_keys_for, window_for

_LOGGER = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=1)
"""A send made later than this after its instant counts as caught up (and is logged)."""
_STAGES = {
    SendKind.ACTION_SOON: "soon",
    SendKind.ACTION: "due",
    SendKind.ACTION_OVERDUE: "overdue",
}


@dataclass(frozen=True)
class Prepared:
    """What one platform call delivers, and the ledger keys it closes."""

    keys: tuple[str, ...]
    outgoing: Outgoing


def due_now(session: Session, ctx: Context, now: datetime) -> list[PlannedSend]:
    """Planned sends whose instant has come and whose key is not closed, oldest first.

    Sends planned before the scheduler's first start are not considered; sends older than the
    plan's ``catch_up_days`` are closed as skipped (and logged).
    """
    epoch = min(scheduler_epoch(session, ctx), now)  # a clock set back must not silence us
    days = ctx.plan.plan.schedule.catch_up_days
    # look back twice the catch-up window, so that sends just too old are closed and logged
    first = max(epoch, now - timedelta(days=2 * days + 1)).astimezone(ctx.timezone).date()
    # one day ahead: people in zones east of the plan's are already in tomorrow
    last = now.astimezone(ctx.timezone).date() + timedelta(days=1)
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
    pending = [s for s in sends if s.key not in taken]
    fresh: list[PlannedSend] = []
    for send in pending:
        if now - send.at > timedelta(days=days):
            _LOGGER.warning("not catching up %s: planned %s, too long ago", send.key, send.at)
            record(session, send, "skipped", now, "too_old")
        else:
            fresh.append(send)
    return fresh


def _latest_steps(session: Session, sends: list[PlannedSend], now: datetime) -> list[PlannedSend]:
    """Of several ladder steps missed for one recipient, activity and period, keep the last."""
    latest: dict[tuple[str, str, str], PlannedSend] = {}
    for send in sends:
        if send.kind is SendKind.SUMMARY or send.kind in ACTION_KINDS:
            continue
        group = (send.recipient, send.subject, send.period)
        if group not in latest or send.step > latest[group].step:
            latest[group] = send
    kept: list[PlannedSend] = []
    for send in sends:
        if (
            send.kind is SendKind.SUMMARY
            or send.kind in ACTION_KINDS
            or latest[(send.recipient, send.subject, send.period)] is send
        ):
            kept.append(send)
        else:
            record(session, send, "skipped", now, "superseded")
    return kept


@dataclass(frozen=True)
class _Due:
    """What a reminder is about, whether it comes from the ladder or from a snooze."""

    subject: str
    period: str
    recipient: str
    kind: str
    target: StepTarget
    at: datetime
    local_day: str


def _reminder(session: Session, ctx: Context, due: _Due, now: datetime) -> Reminder | str:
    """The reminder to send, or the reason it is not needed."""
    try:
        activity = ctx.plan.activity(due.subject)
    except UnknownPlanItem:
        return "activity_gone"
    control_round, _created = ensure_round(
        session, ctx, activity, Period.parse(due.period), "system"
    )
    if control_round.id is None:  # pragma: no cover - ensure_round flushes
        return "no_round"
    own, _answered = outstanding_for(session, ctx, control_round, due.recipient)
    if due.target is StepTarget.MEASURED_BY:
        missing = own
        measurers: tuple[str, ...] = ()
    else:
        done = answered(session, control_round.id)
        missing = tuple(
            i.id
            for i in activity.indicators
            if i.frequency == control_round.frequency and i.id not in done
        )
        measurers = tuple(
            p
            for p in measurers_of_round(session, ctx, control_round)
            if p != due.recipient and outstanding_for(session, ctx, control_round, p)[0]
        )
    if not missing:
        return "measured"
    return Reminder(
        round_id=control_round.id,
        activity_id=activity.id,
        period=control_round.period,
        due_date=control_round.due_date,
        indicator_ids=missing,
        overdue=control_round.due_date < now.astimezone(ctx.timezone).date(),
        step=due.kind,
        measurers=measurers,
        late=now - due.at > LATE_AFTER,
        can_enter=bool(own),
    )


def _route_away(session: Session, ctx: Context, due: _Due, day: date) -> _Due | None:
    """Send to the deputy of a recipient who is away that day; ``None``: nobody to send to."""
    away = away_on(session, day)
    if due.recipient not in away:
        return due
    try:
        deputy = deputy_for(ctx, ctx.plan.activity(due.subject), due.recipient, away)
    except UnknownPlanItem:
        return None
    return None if deputy is None else replace(due, recipient=deputy)


def _follow_up_owner(session: Session, ctx: Context, send: PlannedSend) -> str | None:
    """The owner of an action follow-up, their deputy while away, or nobody if they left."""
    if not ctx.plan.has_person(send.recipient):
        return None
    away = away_on(session, send.local.date())
    if send.recipient not in away:
        return send.recipient
    try:
        return deputy_for(ctx, ctx.plan.activity(send.subject), send.recipient, away)
    except UnknownPlanItem:
        return None


def _from_send(ctx: Context, send: PlannedSend) -> _Due:
    return _Due(
        subject=send.subject,
        period=send.period,
        recipient=send.recipient,
        kind=send.kind.value,
        target=ctx.plan.plan.schedule.ladder[send.step].to,
        at=send.at,
        local_day=send.local.date().isoformat(),
    )


def _snoozed_until(session: Session, send: PlannedSend, recipient: str) -> datetime | None:
    """When ``recipient``'s snooze for this activity and period ends, if one is pending."""
    prefix = f"{SNOOZE}:{send.subject}:{send.period}:{recipient}:"
    return session.exec(
        select(Delivery.planned_at)
        .where(
            col(Delivery.key).startswith(prefix, autoescape=True),
            col(Delivery.status) == "planned",
        )
        .order_by(col(Delivery.planned_at).desc())
        .limit(1)
    ).first()


def _claim_snooze(session: Session, row: Delivery, now: datetime) -> bool:
    """Mark a due snooze ``queued`` only if nobody changed it since it was read."""
    result = session.execute(
        update(Delivery)
        .where(
            col(Delivery.id) == row.id,
            col(Delivery.status) == row.status,
            col(Delivery.attempted_at) == row.attempted_at,
        )
        .values(status=QUEUED, attempted_at=now)
        .execution_options(synchronize_session="fetch")
    )
    claimed = rows_touched(result) == 1
    if claimed:
        session.refresh(row)
    return claimed


def _due_snoozes(session: Session, ctx: Context, now: datetime) -> list[tuple[Delivery, _Due]]:
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
        (
            row,
            _Due(
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


_SEVERITY = {"reminder": 0, "due": 1, "escalation": 2}


def _one_per_round(reminders: Iterable[Reminder]) -> tuple[Reminder, ...]:
    """One item per round (the most pressing), in first-seen order."""
    best: dict[int, Reminder] = {}
    for reminder in reminders:
        kept = best.get(reminder.round_id)
        if kept is None or _SEVERITY[reminder.step] > _SEVERITY[kept.step]:
            best[reminder.round_id] = reminder
    return tuple(best.values())


def prepare(session: Session, ctx: Context, now: datetime) -> list[Prepared]:
    """Decide what to send now, record it as ``queued`` and return it.

    Returns:
        One :class:`Prepared` per platform call: a person's digest of the day (or single
        reminder), or a channel summary. Sends no longer needed are closed as ``skipped``.
    """
    sends = _latest_steps(session, due_now(session, ctx, now), now)
    out: list[Prepared] = []
    # everything for one person in one sweep goes in one message
    digests: defaultdict[str, list[tuple[str, Reminder]]] = defaultdict(list)
    for row, snoozed in _due_snoozes(session, ctx, now):
        if not _claim_snooze(session, row, now):
            continue  # another sweep took it
        if snoozed.recipient in away_on(session, snoozed.at.astimezone(ctx.timezone).date()):
            row.status, row.note, row.done_at = "skipped", "away", now
            session.add(row)
            continue
        reminder = _reminder(session, ctx, snoozed, now)
        if isinstance(reminder, str):
            row.status, row.note, row.done_at = "skipped", reminder, now
            session.add(row)
        else:
            digests[snoozed.recipient].append((row.key, reminder))
    for send in sends:
        if now - send.at > LATE_AFTER:
            _LOGGER.warning("catching up %s, planned %s", send.key, send.at.isoformat())
        if send.kind in ACTION_KINDS:
            decision = session.get(ImprovementDecision, send.step)
            if decision is None or decision.status != "approved":
                record(session, send, "skipped", now, "not_approved")
                continue
            if decision.action_status not in actions.OPEN:
                record(session, send, "skipped", now, f"action_{decision.action_status}")
                continue
            due_day = decision.action_due or send.local.date()
            if (
                send.kind is SendKind.ACTION_SOON
                and now.astimezone(send.local.tzinfo).date() >= due_day
            ):
                record(session, send, "skipped", now, "superseded")  # the due-day one follows
                continue
            recipient = _follow_up_owner(session, ctx, send)
            if send.kind is SendKind.ACTION_OVERDUE and recipient == decision.owner_id:
                recipient = send.recipient  # the approver's deputy is the late owner: not them
            if recipient is None:
                record(session, send, "skipped", now, "owner_unavailable")
                continue
            if not record(session, send, QUEUED, now, ""):
                continue
            action_due = ActionDue(
                load_brief(session, decision),
                decision.action or "",
                decision.action_due or send.local.date(),
                stage=_STAGES[send.kind],
                owner_id=decision.owner_id,
                action_status=decision.action_status or actions.PLANNED,
            )
            out.append(Prepared((send.key,), Outgoing(ToPerson(recipient), action_due)))
            continue
        if send.kind is SendKind.SUMMARY:
            items = summaries.post_summary(session, ctx, send.subject, send.period, "system")
            problems = [i.notice for i in items if isinstance(i.notice, Problem)]
            if problems:
                record(session, send, "skipped", now, problems[0].code)
                continue
            if record(session, send, QUEUED, now, ""):
                out.extend(Prepared((send.key,), item) for item in items)
            continue
        due = _route_away(session, ctx, _from_send(ctx, send), send.local.date())
        if due is None:
            record(session, send, "skipped", now, "away")
            continue
        until = _snoozed_until(session, send, due.recipient)
        if until is not None and until > send.at and send.kind is not SendKind.ESCALATION:
            record(session, send, "skipped", now, "snoozed")
            continue
        reminder = _reminder(session, ctx, due, now)
        if isinstance(reminder, str):
            record(session, send, "skipped", now, reminder)
            continue
        if record(session, send, QUEUED, now, ""):
            digests[due.recipient].append((send.key, reminder))
    for person_id, group in digests.items():
        keys = tuple(key for key, _r in group)
        notices = _one_per_round(r for _k, r in group)
        notice = notices[0] if len(notices) == 1 else Digest(notices)
        out.append(Prepared(keys, Outgoing(ToPerson(person_id), notice)))
    return out


def next_instant(
    session: Session, ctx: Context, after: datetime, horizon_days: int = 40
) -> datetime | None:
    """The first instant after ``after`` when something is to be sent.

    Covers the plan's schedule, postponed (snoozed) reminders and action follow-ups; the
    scheduler arms its exact date trigger with it.
    """
    start = after.astimezone(ctx.timezone).date()
    last = start + timedelta(days=horizon_days)
    candidates = []
    first_planned = window_for(ctx).first_after(ctx, after, start, last)
    if first_planned is not None:
        candidates.append(first_planned)
    candidates += [s.at for s in action_follow_ups(session, ctx, start, last) if s.at > after]
    snoozed = session.exec(
        select(Delivery.planned_at)
        .where(
            col(Delivery.kind) == SNOOZE,
            col(Delivery.status) == "planned",
            col(Delivery.planned_at) > after,
        )
        .order_by(col(Delivery.planned_at))
        .limit(1)
    ).first()
    if snoozed is not None:
        candidates.append(snoozed)
    return min(candidates, default=None)
