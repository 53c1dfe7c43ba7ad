"""This module contains channel summaries (PU3-3 step 4: use the results in management).

A summary covers every activity whose team channel it is: each indicator of the period's
frequency with its value, target and status, the previous period's value, who answered and
who did not, and the open improvement decisions.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session, col, select

from storage.models import Absence, ControlRound, Measurement
from workflows import audit
from workflows.absences import deputy_for
from workflows.context import Context
from workflows.decisions import load_brief, summary_decisions
from workflows.evaluation import Status
from workflows.notices import (
    ActivitySummary,
    Outgoing,
    Summary,
    SummaryDecision,
    SummaryLine,
    SummaryPosted,
    ToChannel,
    ToPerson,
    problem,
)
from workflows.periods import Period, PeriodError, last_closed
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity, Frequency
from workflows.rounds import (
    get_round,
    implausibly_old,
    measurers_of_round,
    outstanding_for,
    round_indicators,
    same_period_last_year,
    submitted,
)


def default_period(ctx: Context, activities: tuple[Activity, ...]) -> Period:
    """The last closed period of the most used frequency among the activities' indicators."""
    counts = Counter(Frequency(i.frequency) for a in activities for i in a.indicators)
    order = list(Frequency)
    frequency = max(counts, key=lambda f: (counts[f], -order.index(f)))
    return last_closed(frequency, ctx.today())


def post_summary(
    session: Session, ctx: Context, channel_id: str, period_text: str | None, actor: str
) -> list[Outgoing]:
    """Build the channel's summary for a period and address it to the channel.

    Args:
        session: The open session.
        ctx: Plan, clock, calendar.
        channel_id: A team channel id of the plan (a leading ``#`` is ignored).
        period_text: E.g. ``2026-10``; ``None`` takes :func:`default_period`.
        actor: Who asked (a person id, or ``system``).

    Returns:
        The summary for the channel and an acknowledgement for the actor, or a problem.
    """
    me = ToPerson(actor)
    try:
        channel = ctx.plan.channel(channel_id)
    except UnknownPlanItem:
        known = ", ".join(c.id for c in ctx.plan.plan.channels)
        return [Outgoing(me, problem("unknown_channel", channel=channel_id, known=known))]
    activities = ctx.plan.activities_in_channel(channel.id)
    if not activities:
        return [Outgoing(me, problem("channel_without_activities", channel=channel.id))]
    try:
        period = Period.parse(period_text) if period_text else default_period(ctx, activities)
    except PeriodError:
        return [Outgoing(me, problem("bad_period", period=period_text))]
    if implausibly_old(ctx, period):
        return [Outgoing(me, problem("period_too_old", period=period))]
    if period.start > ctx.today():
        return [Outgoing(me, problem("period_in_future", period=period))]
    if period.end >= ctx.today():
        return [Outgoing(me, problem("summary_period_not_over", period=period))]
    measured = [a for a in activities if round_indicators(a, period.frequency)]
    if measured and all(get_round(session, a.id, period) is None for a in measured):
        return [Outgoing(me, problem("no_round_for_period", channel=channel.id, period=period))]
    parts = tuple(_activity_summary(session, ctx, a, period) for a in measured)
    if not parts:
        return [
            Outgoing(
                me,
                problem("channel_no_indicators_at_frequency", channel=channel.id, period=period),
            )
        ]
    audit.record(
        session, ctx, actor, "summary.posted", f"channel:{channel.id}", period=str(period)
    )
    out = [Outgoing(ToChannel(channel.id), Summary(channel.id, str(period), parts))]
    if actor != "system":
        out.append(Outgoing(me, SummaryPosted(channel.id, str(period))))
    return out


def _values(session: Session, control_round: ControlRound | None) -> dict[str, Measurement]:
    if control_round is None or control_round.id is None:
        return {}
    return submitted(session, control_round.id)


def _activity_summary(
    session: Session, ctx: Context, activity: Activity, period: Period
) -> ActivitySummary:
    control_round = get_round(session, activity.id, period)
    current = _values(session, control_round)
    previous = _values(session, get_round(session, activity.id, period.previous()))
    last_year_period = same_period_last_year(period)
    last_year = (
        _values(session, get_round(session, activity.id, last_year_period))
        if last_year_period is not None
        else {}
    )
    lines = []
    for indicator in round_indicators(activity, period.frequency):
        m = current.get(indicator.id)
        before = previous.get(indicator.id)
        lines.append(
            SummaryLine(
                indicator_id=indicator.id,
                value=m.value if m else None,
                status=Status(m.status) if m else None,
                target_met=m.target_met if m else None,
                previous=before.value if before else None,
                last_year=last_year[indicator.id].value if indicator.id in last_year else None,
                comment=m.comment if m else None,
            )
        )
    answered = tuple(dict.fromkeys(m.submitted_by for m in current.values()))
    not_answered: tuple[str, ...] = ()
    if control_round is not None:
        not_answered = tuple(
            p
            for p in measurers_of_round(session, ctx, control_round)
            if p not in answered and outstanding_for(session, ctx, control_round, p)[0]
        )
    decisions = tuple(
        SummaryDecision(
            decision=load_brief(session, d),
            status=d.status,
            action=d.action,
            owner_id=d.owner_id,
            action_due=d.action_due,
            reason=d.rejection_reason,
        )
        for d in summary_decisions(session, activity.id, str(period))
    )
    return ActivitySummary(
        activity_id=activity.id,
        period=str(period),
        due_date=control_round.due_date if control_round else None,
        lines=tuple(lines),
        answered_by=answered,
        not_answered=not_answered,
        decisions=decisions,
        overdue=control_round is not None and control_round.due_date < ctx.today(),
        delegations=_delegations(session, ctx, activity, period),
    )


def _delegations(
    session: Session, ctx: Context, activity: Activity, period: Period
) -> tuple[tuple[str, str, date, date], ...]:
    """Absences of the activity's measurers from the period's start until today, with deputies."""
    measurers = {p for i in activity.indicators for p in ctx.plan.measurers(activity, i)}
    rows = session.exec(
        select(Absence).where(
            col(Absence.ends) >= period.start,
            col(Absence.starts) <= ctx.today(),
            col(Absence.cancelled_at).is_(None),
        )
    ).all()
    out = []
    for row in rows:
        if row.person_id in measurers:
            deputy = deputy_for(ctx, activity, row.person_id)
            if deputy is not None:
                out.append((row.person_id, deputy, row.starts, row.ends))
    return tuple(out)
