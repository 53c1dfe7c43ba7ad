"""This module contains the notices of roll-up summaries (results carried up the scales)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflows.notices.summary import (
    Participation,
    PeriodParticipation,
    SummaryDecision,
    SummaryLine,
)


@dataclass(frozen=True)
class RollupPart:
    """One covered channel in a roll-up: its indicators by status and its participation.

    ``statuses`` counts the indicators that are OK, warning, critical and without data.
    """

    channel_id: str
    statuses: tuple[int, int, int, int]
    participation: Participation
    open_decisions: int
    overdue_actions: int


@dataclass(frozen=True)
class RollupLine:
    """An indicator picked for a roll-up (one of the worst), with its activity."""

    activity_id: str
    line: SummaryLine


@dataclass(frozen=True)
class RollupSummary:
    """A roll-up to a wider scale's channel: the channels below it, aggregated.

    Attributes:
        channel_id: The roll-up channel.
        period: The period.
        scale: The scale the roll-up is for (``iestades``, ``pasvaldibas`` …).
        parts: One per covered channel, in the plan's order.
        worst: The indicators furthest off target (critical first), at most 8.
        decisions: Decisions taken since the last summary, and the open ones.
        actions: Open and overdue improvement actions.
        participation: Participation in up to the last 12 periods, oldest first.
        since: When the previous summary went to the channel (``None``: never).
    """

    channel_id: str
    period: str
    scale: str
    parts: tuple[RollupPart, ...]
    worst: tuple[RollupLine, ...]
    decisions: tuple[SummaryDecision, ...]
    actions: tuple[SummaryDecision, ...]
    participation: tuple[PeriodParticipation, ...] = ()
    since: datetime | None = None
