"""This module contains snoozing: a recipient postpones a reminder ("Atlikt atgādinājumu").

A reminder can be postponed until later today (three hours) or the next working day at the
plan's send time, but never past the round's next escalation step: the snoozed reminder then
comes together with the escalation. A snooze always lands on a working day within working hours
(the plan's send time to 18:00, and outside its quiet hours), whether or not the plan sets quiet
hours: "later today" late in the afternoon, at night or on a day off becomes the next working
morning, and "tomorrow" on a Friday is Monday (or the next working day after a holiday). The
postponed reminder is a ``planned`` row of the delivery ledger, so it survives restarts and is
sent exactly once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage.models import ControlRound, Delivery
from workflows import audit
from workflows.context import Context
from workflows.notices import NothingToMeasure, Outgoing, Snoozed, SnoozeOptions, ToPerson, problem
from workflows.people.absences import away_on
from workflows.plan.model import UnknownPlanItem
from workflows.rounds.opening import outstanding_for
from workflows.schedule.ledger import SNOOZE
from workflows.schedule.planned import (
    SendKind,
    apply_quiet_hours,
    local_to_utc,
    planned_sends,
    zone_of,
)

LATER_TODAY = timedelta(hours=3)
DAY_END = time(18, 0)
CHOICES = ("today", "tomorrow", "nextwd")


def _working_morning(ctx: Context, day: date, zone: ZoneInfo) -> datetime:
    """The plan's send time (after quiet hours) on ``day`` in ``zone``, as UTC."""
    schedule = ctx.plan.plan.schedule
    local = local_to_utc(day, schedule.send_time, zone).astimezone(zone)
    return apply_quiet_hours(local, schedule.quiet_hours).astimezone(UTC)


def _later_today(ctx: Context, now: datetime, zone: ZoneInfo) -> datetime | None:
    """Three hours from ``now`` if that is a working day within working hours, else ``None``."""
    later = (now + LATER_TODAY).astimezone(zone)
    schedule = ctx.plan.plan.schedule
    if later.date() != now.astimezone(zone).date():
        return None
    if not ctx.calendar.is_working_day(later.date()):
        return None
    if later.time() > DAY_END:
        return None
    if later.time() < schedule.send_time:
        return _working_morning(ctx, later.date(), zone)
    moved = apply_quiet_hours(later, schedule.quiet_hours)
    return moved.astimezone(UTC) if moved.date() == later.date() else None


def snooze_until(ctx: Context, person_id: str, choice: str) -> datetime:
    """When a snooze chosen now lands: always a working day within working hours (UTC).

    Args:
        ctx: Plan, clock, calendar.
        person_id: Whose zone counts.
        choice: ``today``, ``tomorrow`` or ``nextwd``; ``today`` past working hours and
            ``tomorrow`` before a day off both become the next working day's morning.

    Returns:
        The aware UTC instant the reminder comes again (before any escalation cap).
    """
    now = ctx.now()
    zone = zone_of(ctx, person_id)
    today = now.astimezone(zone).date()
    if choice == "today":
        later = _later_today(ctx, now, zone)
        if later is not None:
            return later
    return _working_morning(ctx, ctx.calendar.add_working_days(today, 1), zone)


def _next_escalation(ctx: Context, control_round: ControlRound, now: datetime) -> datetime | None:
    today = now.astimezone(ctx.timezone).date()
    for send in planned_sends(
        ctx, today, today + timedelta(days=70), activity_id=control_round.activity_id
    ):
        if (
            send.kind is SendKind.ESCALATION
            and send.period == control_round.period
            and send.at > now
        ):
            return send.at
    return None


def options(session: Session, ctx: Context, person_id: str, round_id: int) -> list[Outgoing]:
    """Offer the snooze choices for a round's reminder."""
    control_round = session.get(ControlRound, round_id)
    if control_round is None or control_round.status != "open":
        return [Outgoing(ToPerson(person_id), problem("unknown_round", round=round_id))]
    today = ctx.today()
    same = ctx.calendar.add_working_days(today, 1) == today + timedelta(days=1)
    later = _later_today(ctx, ctx.now(), zone_of(ctx, person_id)) is not None
    notice = SnoozeOptions(
        round_id, control_round.activity_id, control_round.period, same, later_today=later
    )
    return [Outgoing(ToPerson(person_id), notice)]


def snooze(
    session: Session, ctx: Context, person_id: str, round_id: int, choice: str
) -> list[Outgoing]:
    """Postpone the person's reminder for a round.

    Args:
        session: The open session.
        ctx: Plan, clock, calendar.
        person_id: Who postpones.
        round_id: The round the reminder is about.
        choice: ``today`` (three hours, within working hours), ``tomorrow`` or ``nextwd``
            (both the next working day at the plan's send time in the person's zone).

    Returns:
        A confirmation with the new time (and whether the escalation step capped it), or why
        nothing was postponed.
    """
    me = ToPerson(person_id)
    control_round = session.get(ControlRound, round_id)
    if control_round is None or control_round.status != "open" or choice not in CHOICES:
        return [Outgoing(me, problem("unknown_round", round=round_id))]
    if person_id in away_on(session, ctx.today()):
        return [Outgoing(me, problem("snooze_while_away"))]
    try:
        missing, answered = outstanding_for(session, ctx, control_round, person_id)
    except UnknownPlanItem:
        return [Outgoing(me, problem("unknown_round", round=round_id))]
    if not missing:
        notice = NothingToMeasure(
            round_id, control_round.activity_id, control_round.period, answered
        )
        return [Outgoing(me, notice)]
    now = ctx.now()
    until = snooze_until(ctx, person_id, choice)
    cap = _next_escalation(ctx, control_round, now)
    capped = cap is not None and until > cap
    if cap is not None and capped:
        until = cap
    prefix = f"{SNOOZE}:{control_round.activity_id}:{control_round.period}:{person_id}:"
    earlier = session.exec(
        select(Delivery).where(col(Delivery.key).startswith(prefix, autoescape=True))
    ).all()
    for row in earlier:
        if row.status == "planned":
            row.status, row.note, row.done_at = "skipped", "replaced", now
            session.add(row)
    session.add(
        Delivery(
            key=f"{prefix}{len(earlier) + 1}",
            kind=SNOOZE,
            subject=control_round.activity_id,
            period=control_round.period,
            recipient=person_id,
            step=-2,
            planned_at=until,
            status="planned",
            attempted_at=now,
        )
    )
    audit.record(
        session,
        ctx,
        person_id,
        "reminder.snoozed",
        f"round:{round_id}",
        until=until.isoformat(),
        capped=capped,
    )
    confirmed = Snoozed(control_round.activity_id, control_round.period, until, capped)
    return [Outgoing(me, confirmed)]
