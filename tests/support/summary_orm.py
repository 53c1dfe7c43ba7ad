"""The summary as it was gathered before issue 16: through the ORM, row by row.

Kept verbatim (``workflows/reports/summaries.py`` and the ORM half of
``workflows/reports/trends.py`` as of
main 6c55a73: checks' option values, the audit row written on delivery) so that tests can
check that the set-based gathering gives exactly the same summaries on a seeded database,
and benchmarks can show what it cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage.models import Absence, ControlRound, Measurement, NotMeasured
from workflows.context import Context
from workflows.decisions import summary_decisions
from workflows.decisions.follow_up import (
    decided_since,
    improvement_actions,
    last_summary_at,
    summary_item,
)
from workflows.notices import (
    ActivitySummary,
    Outgoing,
    Participation,
    PeriodParticipation,
    RollupSummary,
    SeriesPoint,
    Summary,
    SummaryDecision,
    SummaryLine,
    SummaryPosted,
    ToChannel,
    ToPerson,
    problem,
)
from workflows.people.absences import deputy_for
from workflows.periods import Period, PeriodError, last_closed
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity, Frequency, Indicator
from workflows.reports.rollups import rollup_summary
from workflows.reports.trends import Answer, late, periods_back
from workflows.reports.trends import share as _share
from workflows.rounds.evaluation import Status, stored_value
from workflows.rounds.opening import (
    get_round,
    implausibly_old,
    measurers_of_round,
    outstanding_for,
    reported_not_measured,
    round_indicators,
    same_period_last_year,
    submitted,
)


def indicator_series(
    session: Session, indicator_id: str, period: Period, indicator: Indicator | None = None
) -> tuple[SeriesPoint, ...]:
    """The indicator's stored values of the last 12 periods up to ``period``, oldest first.

    Periods without a value are left out (the chart shows a gap there). With ``indicator``
    (the plan's), a check's values are its options' numbers now (:func:`stored_value`).
    """
    wanted = [str(p) for p in periods_back(period)]
    rows = session.exec(
        select(Measurement).where(
            col(Measurement.indicator_id) == indicator_id,
            col(Measurement.period).in_(wanted),
            col(Measurement.approval) != "rejected",
        )
    ).all()
    found = {m.period: m for m in rows}
    return tuple(
        SeriesPoint(
            p, stored_value(indicator, found[p].value, found[p].choice), Status(found[p].status)
        )
        for p in wanted
        if p in found
    )


def _answers(session: Session, round_ids: list[int]) -> dict[int, list[Answer]]:
    """Per round: its values that count (not returned) and its "not measured" reports."""
    out: dict[int, list[Answer]] = {r: [] for r in round_ids}
    if not round_ids:
        return out
    values = session.exec(
        select(Measurement).where(
            col(Measurement.round_id).in_(round_ids), col(Measurement.approval) != "rejected"
        )
    ).all()
    for m in values:
        out[m.round_id].append((m.indicator_id, m.submitted_at))
    reports = session.exec(select(NotMeasured).where(col(NotMeasured.round_id).in_(round_ids)))
    for gap in reports.all():
        out[gap.round_id].append((gap.indicator_id, gap.reported_at))
    return out


def round_participation(
    session: Session, activity: Activity, control_round: ControlRound | None, zone: ZoneInfo
) -> Participation:
    """How the controls of one round were answered (an unopened round: none answered).

    Args:
        session: The open session.
        activity: The round's activity (its indicators of the round's frequency are the
            controls expected).
        control_round: The round, or ``None`` when it was never opened.
        zone: The plan's zone (the due date is local).

    Returns:
        Counts of answers on time, late, and missing (a "not measured" report with its
        reason is an answer; a returned value is not); indicators that left the plan since
        are not counted.
    """
    if control_round is None or control_round.id is None:
        return Participation()
    answers = _answers(session, [control_round.id])[control_round.id]
    return _share(activity, control_round, answers, zone)


def participation_history(
    session: Session, activities: Iterable[Activity], period: Period, zone: ZoneInfo
) -> tuple[PeriodParticipation, ...]:
    """The activities' participation in each of the last 12 periods up to ``period``.

    Only the indicators of ``period``'s frequency count; a period in which none of the
    activities had a round is left out (control had not started then). Two queries, however
    many rounds.
    """
    chosen = [a for a in activities if round_indicators(a, period.frequency)]
    if not chosen:
        return ()
    by_id = {a.id: a for a in chosen}
    wanted = [str(p) for p in periods_back(period)]
    rounds = session.exec(
        select(ControlRound).where(
            col(ControlRound.activity_id).in_(list(by_id)),
            col(ControlRound.frequency) == period.frequency.value,
            col(ControlRound.period).in_(wanted),
        )
    ).all()
    values = _answers(session, [r.id for r in rounds if r.id is not None])
    totals: dict[str, Participation] = {}
    for control_round in rounds:
        share = _share(
            by_id[control_round.activity_id],
            control_round,
            values.get(control_round.id or 0, []),
            zone,
        )
        totals[control_round.period] = totals.get(control_round.period, Participation()) + share
    return tuple(PeriodParticipation(p, totals[p]) for p in wanted if p in totals)


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
    activities = ctx.plan.activities_under(channel.id)
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
    if not measured:
        return [
            Outgoing(
                me,
                problem("channel_no_indicators_at_frequency", channel=channel.id, period=period),
            )
        ]
    since = last_summary_at(session, channel.id)
    parts = {a.id: activity_summary(session, ctx, a, period, since) for a in measured}
    history = participation_history(session, measured, period, ctx.timezone)
    notice: Summary | RollupSummary
    if channel.rollup is not None:
        notice = rollup_summary(ctx, channel, period, parts, since, history)
    else:
        notice = Summary(channel.id, str(period), tuple(parts.values()), history, since)
    # "summary.posted" is recorded when the post is delivered (bot.outbox), not here
    out = [Outgoing(ToChannel(channel.id), notice)]
    if actor != "system":
        out.append(Outgoing(me, SummaryPosted(channel.id, str(period))))
    return out


def _values(session: Session, control_round: ControlRound | None) -> dict[str, Measurement]:
    if control_round is None or control_round.id is None:
        return {}
    return submitted(session, control_round.id)


def _since(ctx: Context, period: Period, since: datetime | None) -> datetime:
    """Decisions count as new after the last summary; without one, after the period began."""
    if since is not None:
        return since
    return datetime.combine(period.start, time(0), ctx.timezone)


def _decisions(
    session: Session, ctx: Context, activity: Activity, period: Period, since: datetime | None
) -> tuple[SummaryDecision, ...]:
    """Open decisions, those taken on this period's values, and those taken since ``since``."""
    rows = {d.id: d for d in summary_decisions(session, activity.id, str(period))}
    newer = decided_since(session, [activity.id], _since(ctx, period, since))
    rows.update((d.id, d) for d in newer)
    today = ctx.today()
    return tuple(
        summary_item(session, d, overdue=d.status == "open" and d.decide_by < today)
        for _id, d in sorted(rows.items(), key=lambda item: item[0] or 0)
    )


def activity_summary(
    session: Session, ctx: Context, activity: Activity, period: Period, since: datetime | None
) -> ActivitySummary:
    """One activity's part of a summary for ``period``.

    Args:
        session: The open session.
        ctx: Plan, clock, zone.
        activity: The activity; its indicators of ``period``'s frequency are listed.
        period: The summarised period.
        since: When the channel's previous summary was posted (``None``: never).

    Returns:
        Values with their status, trend and marks; who answered; participation; decisions
        and improvement actions.
    """
    control_round = get_round(session, activity.id, period)
    current = _values(session, control_round)
    previous = _values(session, get_round(session, activity.id, period.previous()))
    last_year_period = same_period_last_year(period)
    last_year = (
        _values(session, get_round(session, activity.id, last_year_period))
        if last_year_period is not None
        else {}
    )
    indicators = round_indicators(activity, period.frequency)
    reports = (
        reported_not_measured(session, control_round.id)
        if control_round is not None and control_round.id is not None
        else {}
    )
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
                late=bool(m and control_round and late(m, control_round, ctx.timezone)),
                unconfirmed=bool(m and m.approval == "submitted"),
                corrected=bool(m and m.version > 1 and m.correction_reason is not None),
                not_measured=gap.reason if gap is not None and m is None else None,
                series=indicator_series(session, indicator.id, period, indicator),
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
        not_answered = tuple(
            p
            for p in measurers_of_round(session, ctx, control_round)
            if p not in answered and outstanding_for(session, ctx, control_round, p)[0]
        )
        participation = round_participation(session, activity, control_round, ctx.timezone)
    else:  # never opened: nothing was answered
        participation = Participation(missing=len(indicators))
    actions = tuple(
        summary_item(session, d, overdue=overdue)
        for d, overdue in improvement_actions(session, [activity.id], ctx.today(), since)
    )
    return ActivitySummary(
        activity_id=activity.id,
        period=str(period),
        due_date=control_round.due_date if control_round else None,
        lines=tuple(lines),
        answered_by=answered,
        not_answered=not_answered,
        decisions=_decisions(session, ctx, activity, period, since),
        overdue=control_round is not None and control_round.due_date < ctx.today(),
        delegations=_delegations(session, ctx, activity, period),
        participation=participation,
        actions=actions,
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


def _value_of(indicator: Indicator, row: Measurement | None) -> Decimal | None:
    """A stored row's value as the plan numbers it now, or ``None`` without a row."""
    return stored_value(indicator, row.value, row.choice) if row is not None else None
