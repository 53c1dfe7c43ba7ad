"""This module contains snoozing: a recipient postpones a reminder ("Atlikt atgādinājumu").

A reminder can be postponed until later today (three hours), tomorrow or the next working day
at the plan's send time, but never past the round's next escalation step: the snoozed
reminder then comes together with the escalation. The postponed reminder is a ``planned`` row
of the delivery ledger, so it survives restarts and is sent exactly once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from storage.models import ControlRound, Delivery
from workflows import audit
from workflows.absences import away_on
from workflows.context import Context
from workflows.deliveries import SNOOZE
from workflows.notices import NothingToMeasure, Outgoing, Snoozed, SnoozeOptions, ToPerson, problem
from workflows.plan.model import UnknownPlanItem
from workflows.rounds import outstanding_for
from workflows.schedule import (
    SendKind,
    apply_quiet_hours,
    local_to_utc,
    planned_sends,
    zone_of,
)

LATER_TODAY = timedelta(hours=3)
CHOICES = ("today", "tomorrow", "nextwd")


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
    notice = SnoozeOptions(round_id, control_round.activity_id, control_round.period, same)
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
        choice: ``today`` (three hours), ``tomorrow`` or ``nextwd`` (next working day), both
            at the plan's send time in the person's zone.

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
    zone = zone_of(ctx, person_id)
    today = now.astimezone(zone).date()
    send_time = ctx.plan.plan.schedule.send_time
    if choice == "today":
        later = (now + LATER_TODAY).astimezone(zone)
        until = apply_quiet_hours(later, ctx.plan.plan.schedule.quiet_hours).astimezone(UTC)
    elif choice == "tomorrow":
        until = local_to_utc(today + timedelta(days=1), send_time, zone)
    else:
        until = local_to_utc(ctx.calendar.add_working_days(today, 1), send_time, zone)
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
