"""This module contains the schedule: every planned send, computed from the plan alone.

Our own code decides what is sent when (PU3-3 step 4 on the Latvian calendar); the scheduler
only fires what this module computes. For each activity and frequency, each period's due date
is the N-th Latvian working day of the next period; the plan's ladder places reminders and
escalations N working days around it, and summaries go out on working day M. Each send has a
local wall-clock time in its recipient's zone, turned into one UTC instant that exists exactly
once, across both daylight-saving changes of every year.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from workflows.context import Context
from workflows.periods import Period
from workflows.plan.schema import (
    Activity,
    Frequency,
    LadderStep,
    Mark,
    QuietHours,
    StepTarget,
    in_quiet_hours,
)
from workflows.rounds.opening import round_indicators

LOOK_BACK = timedelta(days=200)
"""How far before a range's start a period may lie and still have sends in it."""
LOOK_AHEAD = timedelta(days=40)
"""How far after a range's end a period may start and still have sends in the range."""


class SendKind(StrEnum):
    """What a planned send is."""

    REMINDER = "reminder"
    DUE = "due"
    ESCALATION = "escalation"
    SUMMARY = "summary"
    ACTION = "action"
    ACTION_SOON = "action_soon"
    ACTION_OVERDUE = "action_overdue"


ACTION_KINDS = frozenset({SendKind.ACTION, SendKind.ACTION_SOON, SendKind.ACTION_OVERDUE})
"""Follow-ups of improvement actions (not part of a round's reminder ladder)."""


@dataclass(frozen=True, order=True, slots=True)
class PlannedSend:
    """One message the schedule says must go out, to one recipient.

    Attributes:
        at: The UTC instant.
        kind: Reminder, due-day reminder, escalation or summary.
        subject: The activity id (ladder sends and action follow-ups) or the channel id
            (summaries).
        frequency: The measured frequency.
        period: The measured period (``2026-10``).
        step: The ladder step's index (``-1`` for summaries, the decision number for an
            improvement action's follow-up).
        rung: A stable name of the step (:attr:`LadderStep.rung`; ``summary``, ``action-N``).
        recipient: A person id, or ``#<channel>`` for a summary.
        local: The local wall-clock date and time in ``zone``.
        zone: The recipient's IANA zone.
        conditional: Whether it goes out only while a measurement is missing.
    """

    at: datetime
    kind: SendKind
    subject: str
    frequency: Frequency
    period: str
    step: int
    recipient: str
    local: datetime
    zone: str
    conditional: bool
    rung: str = ""

    @property
    def key(self) -> str:
        """The idempotency key: kind, subject, period, recipient and step (by its rung)."""
        return f"{self.kind.value}:{self.subject}:{self.period}:{self.recipient}:{self.rung}"


def local_to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time, defined for every day of the year.

    A time that does not exist (the spring-forward gap, 03:00–03:59 in Riga) is sent at the
    end of the gap (04:00, the first local time that exists); a time that occurs twice (the
    fall-back hour) is taken at its first occurrence, so it is sent exactly once and instants
    never go backwards as local times go forwards (domain.md §5.4, field case C15).

    Args:
        day: The local date.
        clock: The local wall-clock time.
        zone: The IANA zone.

    Returns:
        An aware UTC datetime.
    """
    naive = datetime.combine(day, clock)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # inside the gap: find the instant the offset changes, between the two readings
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def apply_quiet_hours(moment: datetime, hours: QuietHours | None) -> datetime:
    """``moment`` (local, aware) moved to the end of the quiet hours if it falls in them."""
    if hours is None:
        return moment
    now = moment.timetz().replace(tzinfo=None)
    end = hours.end
    if not in_quiet_hours(now, hours):
        return moment
    day = moment.date() if now < end else moment.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=moment.tzinfo)


def send_instant(ctx: Context, day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant of the plan's send time on ``day`` in ``zone``, after quiet hours."""
    schedule = ctx.plan.plan.schedule
    local = local_to_utc(day, schedule.send_time, zone).astimezone(zone)
    return apply_quiet_hours(local, schedule.quiet_hours).astimezone(UTC)


def zone_of(ctx: Context, person_id: str) -> ZoneInfo:
    """A person's zone: their plan ``timezone``, else the plan's (or the default)."""
    if ctx.plan.has_person(person_id):
        zone = ctx.plan.person(person_id).timezone
        if zone:
            return ZoneInfo(zone)
    return ctx.timezone


def step_recipients(
    ctx: Context, activity: Activity, frequency: Frequency | str, target: StepTarget
) -> tuple[str, ...]:
    """Who a ladder step of ``activity`` goes to, before checking what is still missing.

    ``measured_by``: everyone who measures an indicator of that frequency; ``L`` / ``A``: the
    holders at the activity's own scale; ``manager``: the A one scale up (the manager of the
    activity's A).
    """
    plan = ctx.plan
    if target is StepTarget.MEASURED_BY:
        people = (
            p for i in round_indicators(activity, frequency) for p in plan.measurers(activity, i)
        )
        return tuple(dict.fromkeys(people))
    if target is StepTarget.MANAGER:
        managers = (
            plan.manager_of(h.person, activity)
            for h in plan.holders(activity, activity.scale, Mark.A)
        )
        return tuple(dict.fromkeys(m for m in managers if m is not None))
    mark = Mark.L if target is StepTarget.L else Mark.A
    return tuple(dict.fromkeys(h.person for h in plan.holders(activity, activity.scale, mark)))


def _kind(step: LadderStep) -> SendKind:
    return SendKind(step.step.value)


def _periods(frequency: Frequency, first: date, last: date) -> Iterator[Period]:
    period = Period.containing(frequency, first - LOOK_BACK)
    while period.start <= last + LOOK_AHEAD:
        yield period
        period = period.next()


def _send(
    ctx: Context,
    kind: SendKind,
    subject: str,
    frequency: Frequency,
    period: Period,
    step: int,
    recipient: str,
    day: date,
    zone: ZoneInfo,
    conditional: bool,
    rung: str,
) -> PlannedSend:
    at = send_instant(ctx, day, zone)
    return PlannedSend(
        at=at,
        kind=kind,
        subject=subject,
        frequency=frequency,
        period=sys.intern(str(period)),
        step=step,
        recipient=recipient,
        local=at.astimezone(zone),
        zone=zone.key,
        conditional=conditional,
        rung=rung,
    )


def planned_sends(
    ctx: Context, first: date, last: date, *, activity_id: str | None = None
) -> list[PlannedSend]:
    """Every send planned for local dates ``first``..``last`` (inclusive), in time order.

    Args:
        ctx: Plan, calendar and zones.
        first: First local date.
        last: Last local date.
        activity_id: Only this activity (and no channel summaries).

    Returns:
        One :class:`PlannedSend` per recipient and step, sorted by instant.
    """
    by_day = planned_by_day(ctx, first, last, activity_id=activity_id)
    return sorted(send for sends in by_day.values() for send in sends)


def planned_by_day(
    ctx: Context, first: date, last: date, *, activity_id: str | None = None
) -> dict[date, list[PlannedSend]]:
    """:func:`planned_sends` grouped by the local date the plan places each send on.

    Every date from ``first`` to ``last`` is a key (with an empty list when nothing is
    planned), so a caller can keep the days it has computed and compute only new ones.
    """
    plan = ctx.plan
    schedule = plan.plan.schedule
    out: dict[date, list[PlannedSend]] = {
        first + timedelta(days=n): [] for n in range((last - first).days + 1)
    }
    activities = [a for a in plan.activities if activity_id in (None, a.id)]
    for activity in activities:
        for frequency in dict.fromkeys(Frequency(i.frequency) for i in activity.indicators):
            rule = plan.schedule(frequency)
            for period in _periods(frequency, first, last):
                due = ctx.calendar.due_date(period, rule.due_working_day)
                for index, step in enumerate(schedule.ladder):
                    day = ctx.calendar.add_working_days(due, step.offset)
                    if not first <= day <= last:
                        continue
                    for person in step_recipients(ctx, activity, frequency, step.to):
                        out[day].append(
                            _send(
                                ctx,
                                _kind(step),
                                activity.id,
                                frequency,
                                period,
                                index,
                                person,
                                day,
                                zone_of(ctx, person),
                                conditional=step.offset >= 0,
                                rung=step.rung,
                            )
                        )
    if activity_id is None:
        for day, send in _summaries(ctx, first, last):
            out[day].append(send)
    return out


def _summaries(ctx: Context, first: date, last: date) -> Iterator[tuple[date, PlannedSend]]:
    plan = ctx.plan
    for channel in plan.plan.channels:
        activities = plan.activities_under(channel.id)
        frequencies = dict.fromkeys(
            Frequency(i.frequency) for a in activities for i in a.indicators
        )
        for frequency in frequencies:
            rule = plan.schedule(frequency)
            for period in _periods(frequency, first, last):
                day = ctx.calendar.nth_working_day_from(period.next().start, rule.summary_day)
                if first <= day <= last:
                    yield (
                        day,
                        _send(
                            ctx,
                            SendKind.SUMMARY,
                            channel.id,
                            frequency,
                            period,
                            -1,
                            f"#{channel.id}",
                            day,
                            ctx.timezone,
                            conditional=False,
                            rung="summary",
                        ),
                    )


def action_follow_up(
    ctx: Context,
    activity_id: str,
    frequency: Frequency,
    period: str,
    decision_id: int,
    recipient: str,
    day: date,
    kind: SendKind = SendKind.ACTION,
) -> PlannedSend:
    """A follow-up of an improvement action (PU3-3 step 5) on local ``day``.

    ``kind``: :attr:`SendKind.ACTION_SOON` and :attr:`SendKind.ACTION` go to the owner
    (before and on the due date), :attr:`SendKind.ACTION_OVERDUE` to the approver.
    """
    zone = zone_of(ctx, recipient)
    at = send_instant(ctx, day, zone)
    suffix = {SendKind.ACTION_SOON: "-soon", SendKind.ACTION_OVERDUE: "-overdue"}.get(kind, "")
    return PlannedSend(
        at=at,
        kind=kind,
        subject=activity_id,
        frequency=frequency,
        period=period,
        step=decision_id,
        recipient=recipient,
        local=at.astimezone(zone),
        zone=zone.key,
        conditional=True,
        rung=f"action-{decision_id}{suffix}",
    )
