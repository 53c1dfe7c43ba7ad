"""This module contains the sweep: which planned sends are due now, and what they say.

A sweep takes the planned sends whose instant has come and whose key the delivery ledger
(:mod:`workflows.schedule.ledger`) has not closed (:mod:`workflows.schedule.sweep_plan`),
decides for
each whether it still matters (a step after the due date stops as soon as the measurement is
in; of several missed ladder steps only the latest goes out), gathers each person's sends of
a day into one digest, and records them as ``queued`` in the ledger — in the same
transaction as the outbox rows that carry them (:mod:`workflows.notices.outbox`), so the
ledger says
what was planned and decided and the outbox what was delivered: one record, not two. The
scheduler (``bot.scheduler``) runs :func:`queue_batch` once per batch of the sweep's plan,
each in a short transaction of its own (issue 16).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Dialect, update
from sqlmodel import Session, col, select

from storage.db import rows_touched
from storage.models import Delivery, ImprovementDecision
from workflows.context import Context
from workflows.decisions import actions, load_brief
from workflows.decisions.action_follow_ups import action_follow_ups
from workflows.notices import ActionDue, Digest, Outgoing, Problem, Reminder, ToPerson
from workflows.people.absences import AwayByDay, deputy_for
from workflows.periods import Period
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity, StepTarget
from workflows.reports import summaries
from workflows.schedule.ledger import QUEUED, SNOOZE, Decided, open_keys, record_many
from workflows.schedule.memo import window_for
from workflows.schedule.planned import ACTION_KINDS, PlannedSend, SendKind
from workflows.schedule.sweep_plan import Batch, PersonSends, Sweep, plan_sweep
from workflows.schedule.sweep_read import (
    Due,
    InSession,
    Snoozed,
    due_sends,
    read_due,
    snooze_prefix,
    snoozed_until,
)
from workflows.schedule.sweep_rounds import RoundStates

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
    fresh, too_old = due_sends(InSession(session), ctx, now)
    rows = open_keys(session, [s.key for s in too_old], now)
    record_many(
        session, [Decided(s, "skipped", "too_old") for s in too_old if s.key in rows], rows, now
    )
    return fresh


def _reminder(ctx: Context, rounds: RoundStates, due: Due, now: datetime) -> Reminder | str:
    """The reminder to send, or the reason it is not needed."""
    try:
        activity = ctx.plan.activity(due.subject)
    except UnknownPlanItem:
        return "activity_gone"
    control_round = rounds.round(activity, Period.parse(due.period))
    if control_round.id is None:  # pragma: no cover - ensure_round flushes
        return "no_round"
    own = rounds.outstanding(control_round, due.recipient)
    if due.target is StepTarget.MEASURED_BY:
        missing = own
        measurers: tuple[str, ...] = ()
    else:
        done, gaps = rounds.answers(control_round)
        missing = tuple(
            i.id
            for i in activity.indicators
            if i.frequency == control_round.frequency and i.id not in done and i.id not in gaps
        )
        measurers = tuple(
            p
            for p in rounds.measurers(control_round)
            if p != due.recipient and rounds.outstanding(control_round, p)
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


def _follow_up_owner(ctx: Context, sweep: Sweep, send: PlannedSend) -> str | None:
    """The owner of an action follow-up, their deputy while away, or nobody if they left."""
    if not ctx.plan.has_person(send.recipient):
        return None
    away = sweep.away.on(send.local.date())
    if send.recipient not in away:
        return send.recipient
    try:
        return deputy_for(ctx, ctx.plan.activity(send.subject), send.recipient, away)
    except UnknownPlanItem:
        return None


def _claim_snooze(session: Session, snoozed: Snoozed, now: datetime) -> bool:
    """Mark a due snooze ``queued`` only if nobody changed it since it was read."""
    result = session.execute(
        update(Delivery)
        .where(
            col(Delivery.id) == snoozed.row_id,
            col(Delivery.status) == snoozed.status,
            col(Delivery.attempted_at) == snoozed.attempted_at,
        )
        .values(status=QUEUED, attempted_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_touched(result) == 1


_SEVERITY = {"reminder": 0, "due": 1, "escalation": 2}


def _one_per_round(reminders: Iterable[Reminder]) -> tuple[Reminder, ...]:
    """One item per round (the most pressing), in first-seen order."""
    best: dict[int, Reminder] = {}
    for reminder in reminders:
        kept = best.get(reminder.round_id)
        if kept is None or _SEVERITY[reminder.step] > _SEVERITY[kept.step]:
            best[reminder.round_id] = reminder
    return tuple(best.values())


def _action_due(
    session: Session, ctx: Context, sweep: Sweep, send: PlannedSend, now: datetime
) -> Outgoing | str:
    """The follow-up of an improvement action to send, or why it is skipped."""
    decision = session.get(ImprovementDecision, send.step)
    if decision is None or decision.status != "approved":
        return "not_approved"
    if decision.action_status not in actions.OPEN:
        return f"action_{decision.action_status}"
    due_day = decision.action_due or send.local.date()
    if send.kind is SendKind.ACTION_SOON and now.astimezone(send.local.tzinfo).date() >= due_day:
        return "superseded"  # the due-day one follows
    recipient = _follow_up_owner(ctx, sweep, send)
    if send.kind is SendKind.ACTION_OVERDUE and recipient == decision.owner_id:
        recipient = send.recipient  # the approver's deputy is the late owner: not them
    if recipient is None:
        return "owner_unavailable"
    action_due = ActionDue(
        load_brief(session, decision),
        decision.action or "",
        decision.action_due or send.local.date(),
        stage=_STAGES[send.kind],
        owner_id=decision.owner_id,
        action_status=decision.action_status or actions.PLANNED,
    )
    return Outgoing(ToPerson(recipient), action_due)


def _single(
    session: Session, ctx: Context, sweep: Sweep, send: PlannedSend, now: datetime
) -> tuple[Decided, list[Prepared]]:
    """An action follow-up or a channel summary: what to send, and the ledger's decision."""
    if send.kind in ACTION_KINDS:
        outgoing = _action_due(session, ctx, sweep, send, now)
        if isinstance(outgoing, str):
            return Decided(send, "skipped", outgoing), []
        return Decided(send, QUEUED), [Prepared((send.key,), outgoing)]
    items = summaries.post_summary(session, ctx, send.subject, send.period, "system")
    problems = [i.notice for i in items if isinstance(i.notice, Problem)]
    if problems:
        return Decided(send, "skipped", problems[0].code), []
    return Decided(send, QUEUED), [Prepared((send.key,), item) for item in items]


def warm_batch(ctx: Context, dialect: Dialect, batch: Batch) -> None:
    """Work a batch's summaries keep between posts, done before the batch's transaction.

    See :func:`workflows.reports.summaries.warm_summary`; nothing is read or written.
    """
    for send in batch.summaries:
        summaries.warm_summary(ctx, dialect, send.subject, send.period)


def queue_batch(
    session: Session, ctx: Context, now: datetime, sweep: Sweep, batch: Batch
) -> list[Prepared]:
    """Decide one batch of a sweep, record it in the ledger and return what to send.

    Keys another sweep has taken since the plan was read are left alone; the rest are
    recorded as ``queued`` or ``skipped`` (with the reason). The caller queues the returned
    messages in the outbox and :func:`~workflows.schedule.ledger.link` s them, in the same
    transaction.

    Returns:
        One :class:`Prepared` per platform call: each action follow-up and channel summary,
        then a person's digest of the sweep (or single reminder).
    """
    # absences and snoozes are read again: one taken since the sweep read counts (left open,
    # the next sweep routes the send to the deputy or skips it as snoozed)
    sweep = replace(sweep, away=AwayByDay(session, sweep.away.first, sweep.away.last))
    rows = open_keys(session, batch.keys, now)
    for key in _held_since_read(session, sweep, batch, now):
        rows.pop(key, None)
    decided = [Decided(s, "skipped", note) for s, note in batch.skips if s.key in rows]
    out: list[Prepared] = []
    for send in batch.singles:
        if send.key in rows:
            if now - send.at > LATE_AFTER:
                _LOGGER.warning("catching up %s, planned %s", send.key, send.at.isoformat())
            decision, prepared = _single(session, ctx, sweep, send, now)
            decided.append(decision)
            out += prepared
    wanted = [(d.subject, d.period) for p in batch.people for d in _dues(p.snoozes, p.sends)]
    rounds = RoundStates(session, ctx, wanted, sweep.away.on(ctx.today()))
    work: list[tuple[PersonSends, list[tuple[Snoozed | PlannedSend, Due | None]]]] = []
    for person in batch.people:  # first what each person's sends need: claims, skips
        steps: list[tuple[Snoozed | PlannedSend, Due | None]] = []
        for snoozed in person.snoozes:
            if not _claim_snooze(session, snoozed, now):
                continue  # another sweep took it
            day = snoozed.due.at.astimezone(ctx.timezone).date()
            away = person.recipient in sweep.away.on(day)
            steps.append((snoozed, None if away else snoozed.due))
        for send, due in person.sends:
            if send.key not in rows:
                continue
            if now - send.at > LATE_AFTER:
                _LOGGER.warning("catching up %s, planned %s", send.key, send.at.isoformat())
            steps.append((send, due))
        work.append((person, steps))
    rounds.open_missing(_rounds_of(ctx, [d for _p, steps in work for _i, d in steps if d]))
    for person, steps in work:
        group: list[tuple[str, Reminder]] = []
        for item, needed in steps:
            reminder = "away" if needed is None else _reminder(ctx, rounds, needed, now)
            if isinstance(item, Snoozed):
                if isinstance(reminder, str):
                    _close_snooze(session, item, reminder, now)
                else:
                    group.append((item.key, reminder))
            elif isinstance(reminder, str):
                decided.append(Decided(item, "skipped", reminder))
            else:
                decided.append(Decided(item, QUEUED))
                group.append((item.key, reminder))
        if group:
            notices = _one_per_round(r for _k, r in group)
            notice = notices[0] if len(notices) == 1 else Digest(notices)
            keys = tuple(key for key, _r in group)
            out.append(Prepared(keys, Outgoing(ToPerson(person.recipient), notice)))
    record_many(session, decided, rows, now)
    return out


def _held_since_read(session: Session, sweep: Sweep, batch: Batch, now: datetime) -> set[str]:
    """Keys of the batch's reminders that an absence or a snooze taken since the read holds.

    ``sweep.away`` is read in the batch's transaction. A reminder whose recipient (the deputy,
    if routed) is away on its day, or has postponed it (as :func:`plan_sweep` judges a
    snooze), is not decided now.
    """
    people = [p for p in batch.people if p.sends]
    if not people:
        return set()
    until = snoozed_until(session, now, [p.recipient for p in people])
    held: set[str] = set()
    for person in people:
        for send, due in person.sends:
            ends = until.get(snooze_prefix(send.subject, send.period, due.recipient))
            snoozed = ends is not None and ends > send.at and send.kind is not SendKind.ESCALATION
            if snoozed or due.recipient in sweep.away.on(send.local.date()):
                held.add(send.key)
    return held


def _rounds_of(ctx: Context, dues: list[Due]) -> list[tuple[Activity, Period]]:
    """The rounds ``dues`` remind of, in order (activities gone from the plan left out)."""
    out: list[tuple[Activity, Period]] = []
    for due in dues:
        try:
            out.append((ctx.plan.activity(due.subject), Period.parse(due.period)))
        except UnknownPlanItem:
            continue  # "activity_gone": the reminder says so, no round is opened
    return out


def _dues(snoozes: list[Snoozed], sends: list[tuple[PlannedSend, Due]]) -> list[Due]:
    return [s.due for s in snoozes] + [due for _s, due in sends]


def _close_snooze(session: Session, snoozed: Snoozed, note: str, now: datetime) -> None:
    session.execute(
        update(Delivery)
        .where(col(Delivery.id) == snoozed.row_id)
        .values(status="skipped", note=note, done_at=now)
        .execution_options(synchronize_session=False)
    )


def prepare(session: Session, ctx: Context, now: datetime) -> list[Prepared]:
    """Decide what to send now, record it as ``queued`` and return it, in one transaction.

    The scheduler queues a sweep in batches instead
    (:class:`~workflows.schedule.sweep_plan.Batches`, :func:`queue_batch`); this is the same
    sweep as one batch.

    Returns:
        One :class:`Prepared` per platform call: a person's digest of the day (or single
        reminder), or a channel summary. Sends no longer needed are closed as ``skipped``.
    """
    sweep = plan_sweep(ctx, read_due(InSession(session), ctx, now))
    return queue_batch(session, ctx, now, sweep, sweep.whole)


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
