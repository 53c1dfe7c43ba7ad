"""This module contains channel summaries (PU3-3 step 4: use the results in management).

A summary covers every activity whose team channel it is: each indicator of the period's
frequency with its value, target and status, the previous period's value and the last 12
periods (for the chart), late values, who answered and who did not, the share of controls
answered on time, late and not at all, decisions open or taken since the last summary, and
open or overdue improvement actions. A roll-up channel gets these aggregated by scale
(:mod:`workflows.reports.rollups`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Dialect
from sqlmodel import Session

from workflows.context import Context
from workflows.decisions.follow_up import row_item
from workflows.notices import (
    ActivitySummary,
    Outgoing,
    Participation,
    RollupSummary,
    Summary,
    SummaryDecision,
    SummaryLine,
    SummaryPosted,
    ToChannel,
    ToPerson,
    problem,
)
from workflows.people.absences import deputy_for, effective_measurers
from workflows.periods import Period, PeriodError, last_closed
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity, Frequency, Indicator
from workflows.reports import trends
from workflows.reports.channel_plan import ChannelPlan, activities_under, channel_plan
from workflows.reports.rollups import rollup_summary
from workflows.reports.summary_data import (
    ChannelData,
    RoundRow,
    ValueRow,
    channel_data,
    prepare_channel_read,
)
from workflows.reports.trends import Answer, late, periods_back, series_of, share
from workflows.rounds.evaluation import Status, stored_value
from workflows.rounds.opening import implausibly_old, same_period_last_year


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

    A roll-up channel (the plan's ``rollup``) gets a :class:`RollupSummary` of the channels
    it covers; any other a :class:`Summary` of its own activities.

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
    activities = activities_under(ctx.plan, channel.id)
    if not activities:
        return [Outgoing(me, problem("channel_without_activities", channel=channel.id))]
    try:
        period = Period.parse(period_text) if period_text else default_period(ctx, activities)
    except PeriodError:
        return [Outgoing(me, problem("bad_period", period=period_text))]
    today = ctx.today()
    if implausibly_old(ctx, period):
        return [Outgoing(me, problem("period_too_old", period=period))]
    if period.start > today:
        return [Outgoing(me, problem("period_in_future", period=period))]
    if period.end >= today:
        return [Outgoing(me, problem("summary_period_not_over", period=period))]
    plan = channel_plan(ctx.plan, channel.id, period.frequency.value)
    if not plan.activities:
        return [
            Outgoing(
                me,
                problem("channel_no_indicators_at_frequency", channel=channel.id, period=period),
            )
        ]
    frame = frame_of(ctx, period)
    data = read_channel(session, channel.id, plan, frame)
    if all(data.round_of(a, frame.period) is None for a in plan.activity_ids):
        return [Outgoing(me, problem("no_round_for_period", channel=channel.id, period=period))]
    since = data.last_summary
    shares = _shares(ctx, data, plan, frame)
    parts = {a.id: activity_summary(ctx, data, plan, a, frame, shares) for a in plan.activities}
    history = trends.history(frame.back, ((r.period, part) for r, part in shares.items()))
    notice: Summary | RollupSummary
    if channel.rollup is not None:
        notice = rollup_summary(ctx, channel, period, parts, since, history)
    else:
        notice = Summary(channel.id, frame.period, tuple(parts.values()), history, since)
    # "summary.posted" is recorded when the post is delivered (bot.outbox), not here
    out = [Outgoing(ToChannel(channel.id), notice)]
    if actor != "system":
        out.append(Outgoing(me, SummaryPosted(channel.id, frame.period)))
    return out


def warm_summary(ctx: Context, dialect: Dialect, channel_id: str, period_text: str) -> None:
    """Find and compile, outside any transaction, what a summary of the channel keeps.

    The first summary of a channel finds its activities and indicators in the plan and
    compiles its statement; for the national plan's roll-up (1,000 activities) that is
    ~0.2 s, which a sweep's batch would otherwise spend holding its transaction (issue 16).
    Both are kept for later posts. A channel or period :func:`post_summary` would refuse is
    left to it.
    """
    try:
        channel = ctx.plan.channel(channel_id)
        period = Period.parse(period_text)
    except (UnknownPlanItem, PeriodError):
        return
    plan = channel_plan(ctx.plan, channel.id, period.frequency.value)
    if plan.activities:
        frame = frame_of(ctx, period)
        prepare_channel_read(
            dialect, plan.activity_ids, plan.indicator_ids, frame.back, frame.last_year
        )


@dataclass(frozen=True)
class Frame:
    """The summarised period as texts, found once per summary.

    Attributes:
        period: The period (``2026-10``).
        previous: The period before it.
        last_year: The same period a year earlier (``None``: an ISO week 53 without one).
        back: The last 12 periods up to ``period``, oldest first.
        first: The period's first day.
        start: Its first instant, local (decisions count as new after it when the channel
            had no summary before).
        today: Today's local date.
    """

    period: str
    previous: str
    last_year: str | None
    back: tuple[str, ...]
    first: date
    start: datetime
    today: date


@lru_cache(maxsize=256)
def _texts(period: Period) -> tuple[str, str, str | None, tuple[str, ...]]:
    """The period's, the previous one's, last year's and the last 12 periods' texts."""
    last_year = same_period_last_year(period)
    return (
        str(period),
        str(period.previous()),
        None if last_year is None else str(last_year),
        tuple(str(p) for p in periods_back(period)),
    )


def frame_of(ctx: Context, period: Period) -> Frame:
    """The :class:`Frame` of ``period`` (today from ``ctx``'s clock)."""
    text, previous, last_year, back = _texts(period)
    return Frame(
        period=text,
        previous=previous,
        last_year=last_year,
        back=back,
        first=period.start,
        start=datetime.combine(period.start, time(0), ctx.timezone),
        today=ctx.today(),
    )


def read_channel(
    session: Session, channel_id: str, plan: ChannelPlan, frame: Frame
) -> ChannelData:
    """:func:`workflows.reports.summary_data.channel_data` for the channel's plan and frame."""
    return channel_data(
        session,
        channel_id,
        plan.activity_ids,
        plan.indicator_ids,
        plan.frequency,
        frame.period,
        frame.back,
        frame.last_year,
        (frame.first, frame.today, frame.start),
    )


def _shares(
    ctx: Context, data: ChannelData, plan: ChannelPlan, frame: Frame
) -> dict[RoundRow, Participation]:
    """How each round of the last 12 periods was answered (:func:`trends.share`), once."""
    wanted = set(frame.back)
    zone = ctx.timezone
    out = {}
    for r in data.rounds.values():
        if r.period in wanted:
            expected = plan.expected[r.activity_id]
            mine = {i: v.submitted_at for i, v in data.values_of(r).items() if i in expected}
            mine.update((i, g.reported_at) for i, g in data.gaps_of(r).items() if i in expected)
            out[r] = trends.tally(len(expected), mine, r.due_date, zone)
    return out


def _answers(data: ChannelData, control_round: RoundRow) -> list[Answer]:
    """A round's values that count, then its "not measured" reports."""
    return [
        *((v.indicator_id, v.submitted_at) for v in data.values_of(control_round).values()),
        *((g.indicator_id, g.reported_at) for g in data.gaps_of(control_round).values()),
    ]


def _decisions(data: ChannelData, activity: Activity, today: date) -> tuple[SummaryDecision, ...]:
    """Open decisions, those taken on this period's values, and those taken since ``since``."""
    rows = {d.id: d for d in data.decisions.get(activity.id, [])}
    rows.update((d.id, d) for d in data.decided if d.activity_id == activity.id)
    return tuple(
        row_item(d, overdue=d.status == "open" and d.decide_by < today)
        for _id, d in sorted(rows.items())
    )


def activity_summary(
    ctx: Context,
    data: ChannelData,
    plan: ChannelPlan,
    activity: Activity,
    frame: Frame,
    shares: Mapping[RoundRow, Participation] | None = None,
) -> ActivitySummary:
    """One activity's part of a summary for the frame's period.

    Args:
        ctx: Plan, clock, zone.
        data: What the channel's summary read
            (:func:`workflows.reports.summary_data.channel_data`).
        plan: The channel's activities and indicators at the period's frequency.
        activity: The activity; its indicators of the period's frequency are listed.
        frame: The summarised period (:func:`frame_of`).
        shares: Rounds' participation found already (the channel's history), if any.

    Returns:
        Values with their status, trend and marks; who answered; participation; decisions
        and improvement actions.
    """
    control_round = data.round_of(activity.id, frame.period)
    current = data.values_of(control_round)
    previous = data.values_of(data.round_of(activity.id, frame.previous))
    last_year = data.values_of(data.round_of(activity.id, frame.last_year))
    indicators = plan.indicators[activity.id]
    reports = data.gaps_of(control_round)
    zone = ctx.timezone
    lines = []
    for indicator in indicators:
        m = current.get(indicator.id)
        before = previous.get(indicator.id)
        gap = reports.get(indicator.id)
        lines.append(
            SummaryLine(
                indicator_id=indicator.id,
                value=stored_value(indicator, m.value, m.choice) if m else None,
                status=Status(m.status) if m else None,
                target_met=m.target_met if m else None,
                previous=stored_value(indicator, before.value, before.choice) if before else None,
                last_year=_value_of(indicator, last_year.get(indicator.id)),
                comment=m.comment if m else None,
                late=bool(m and control_round and late(m, control_round, zone)),
                unconfirmed=bool(m and m.approval == "submitted"),
                corrected=bool(m and m.version > 1 and m.correction_reason is not None),
                not_measured=gap.reason if gap is not None and m is None else None,
                series=series_of(data.series, indicator, frame.back),
            )
        )
    answered = tuple(
        dict.fromkeys(
            [
                *(m.submitted_by for m in current.values()),
                *(g.reported_by for g in reports.values()),
            ]
        )
    )
    not_answered: tuple[str, ...] = ()
    if control_round is not None:
        not_answered = _not_answered(ctx, data, plan, activity, control_round, answered)
        found = None if shares is None else shares.get(control_round)
        if found is None:
            expected = {i.id for i in indicators}
            answers = _answers(data, control_round)
            found = share(activity, control_round, answers, zone, expected)
        participation = found
    else:  # never opened: nothing was answered
        participation = Participation(missing=len(indicators))
    return ActivitySummary(
        activity_id=activity.id,
        period=frame.period,
        due_date=control_round.due_date if control_round else None,
        lines=tuple(lines),
        answered_by=answered,
        not_answered=not_answered,
        decisions=_decisions(data, activity, frame.today),
        overdue=control_round is not None and control_round.due_date < frame.today,
        delegations=_delegations(ctx, data, plan, activity),
        participation=participation,
        actions=tuple(
            row_item(d, overdue=overdue)
            for d, overdue in data.actions
            if d.activity_id == activity.id
        ),
    )


def _not_answered(
    ctx: Context,
    data: ChannelData,
    plan: ChannelPlan,
    activity: Activity,
    control_round: RoundRow,
    answered: tuple[str, ...],
) -> tuple[str, ...]:
    """Who measures in the round today (deputies for those away) and still has to."""
    done = set(data.values_of(control_round)) | set(data.gaps_of(control_round))
    owed: dict[str, bool] = {}
    for indicator in plan.indicators[activity.id]:
        people = (
            effective_measurers(ctx, activity, indicator, data.away)
            if data.away
            else plan.measurers[indicator.id]  # nobody away: the plan's measurers
        )
        for person in people:
            owed[person] = owed.get(person, False) or indicator.id not in done
    return tuple(p for p, missing in owed.items() if p not in answered and missing)


def _delegations(
    ctx: Context, data: ChannelData, plan: ChannelPlan, activity: Activity
) -> tuple[tuple[str, str, date, date], ...]:
    """Absences of the activity's measurers from the period's start until today, with deputies."""
    measurers = plan.everyone[activity.id]
    out = []
    for row in data.absences:
        if row.person_id in measurers:
            deputy = deputy_for(ctx, activity, row.person_id)
            if deputy is not None:
                out.append((row.person_id, deputy, row.starts, row.ends))
    return tuple(out)


def _value_of(indicator: Indicator, row: ValueRow | None) -> Decimal | None:
    """A stored row's value as the plan numbers it now, or ``None`` without a row."""
    return stored_value(indicator, row.value, row.choice) if row is not None else None
