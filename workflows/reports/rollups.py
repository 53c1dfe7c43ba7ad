"""This module contains roll-up summaries: results carried up the scales (PU3-3 step 4).

A roll-up channel (the plan's ``rollup``) covers narrower channels: service and resource
channels roll up into an institution's channel, institutions into the municipality's. Its
summary shows, per covered channel, the indicators by status and the share of controls
answered on time, late and not at all; then the indicators furthest off target, the
decisions and the improvement actions of everything below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from workflows.context import Context
from workflows.notices import (
    ActivitySummary,
    Participation,
    PeriodParticipation,
    RollupLine,
    RollupPart,
    RollupSummary,
    SummaryLine,
)
from workflows.periods import Period
from workflows.plan.model import LoadedPlan
from workflows.plan.schema import Channel
from workflows.rounds.evaluation import Status

WORST_SHOWN = 8
"""How many of the indicators furthest off target a roll-up lists."""

_SEVERITY = {Status.CRITICAL: 0, Status.WARNING: 1}


def status_counts(lines: Iterable[SummaryLine]) -> tuple[int, int, int, int]:
    """How many ``lines`` are OK, warning, critical, and without a value."""
    ok = warning = critical = missing = 0
    for line in lines:
        if line.status is Status.OK:
            ok += 1
        elif line.status is Status.WARNING:
            warning += 1
        elif line.status is Status.CRITICAL:
            critical += 1
        else:
            missing += 1
    return ok, warning, critical, missing


_CHECK_DISTANCE = {Status.CRITICAL: Decimal(1), Status.WARNING: Decimal("0.5")}


def _distance(plan: LoadedPlan, line: SummaryLine) -> Decimal:
    """How far a value lies from its target, in units of the target-to-critical span.

    A check has no distance: a critical option counts as on the critical threshold (1), a
    warning half way (0.5), anything else as on target.
    """
    _activity, indicator = plan.indicator(line.indicator_id)
    if indicator.is_choice:
        return _CHECK_DISTANCE.get(line.status, Decimal(0)) if line.status else Decimal(0)
    span = abs(indicator.critical - indicator.target) or Decimal(1)
    return abs((line.value or Decimal(0)) - indicator.target) / span


def worst_lines(
    plan: LoadedPlan, parts: Iterable[ActivitySummary], limit: int = WORST_SHOWN
) -> tuple[RollupLine, ...]:
    """The off-target indicators, critical first, then furthest from target; at most ``limit``.

    Distance is measured in units of the indicator's own target-to-critical span, so
    indicators of different units compare fairly.
    """
    found = [
        RollupLine(part.activity_id, line)
        for part in parts
        for line in part.lines
        if line.status in _SEVERITY
    ]
    found.sort(
        key=lambda r: (_SEVERITY[r.line.status or Status.WARNING], -_distance(plan, r.line))
    )
    return tuple(found[:limit])


def _part(plan: LoadedPlan, channel_id: str, parts: Mapping[str, ActivitySummary]) -> RollupPart:
    mine = [parts[a.id] for a in plan.activities_under(channel_id) if a.id in parts]
    participation = sum((p.participation for p in mine), Participation())
    return RollupPart(
        channel_id=channel_id,
        statuses=status_counts(line for p in mine for line in p.lines),
        participation=participation,
        open_decisions=sum(1 for p in mine for d in p.decisions if d.status == "open"),
        overdue_actions=sum(1 for p in mine for a in p.actions if a.overdue),
    )


def rollup_summary(
    ctx: Context,
    channel: Channel,
    period: Period,
    parts: Mapping[str, ActivitySummary],
    since: datetime | None,
    history: tuple[PeriodParticipation, ...],
) -> RollupSummary:
    """Aggregate the activities' summaries for a roll-up channel.

    Args:
        ctx: Plan and clock.
        channel: The roll-up channel (its ``rollup`` is set).
        period: The summarised period.
        parts: Each covered activity's summary, by activity id.
        since: When the channel's previous summary was posted.
        history: The covered activities' participation over the last periods.

    Returns:
        The roll-up: one part per covered channel, the worst indicators, decisions and
        actions of everything below.

    Raises:
        ValueError: If ``channel`` is not a roll-up channel.
    """
    if channel.rollup is None:
        raise ValueError(f"channel {channel.id} is not a roll-up channel")
    plan = ctx.plan
    summaries = list(parts.values())
    decisions = sorted(
        (d for p in summaries for d in p.decisions), key=lambda d: d.decision.decision_id
    )
    actions = sorted(
        (a for p in summaries for a in p.actions), key=lambda a: a.decision.decision_id
    )
    return RollupSummary(
        channel_id=channel.id,
        period=str(period),
        scale=channel.rollup.scale.value,
        parts=tuple(_part(plan, covered, parts) for covered in channel.rollup.covers),
        worst=worst_lines(plan, summaries),
        decisions=tuple(decisions),
        actions=tuple(actions),
        participation=history,
        since=since,
    )
