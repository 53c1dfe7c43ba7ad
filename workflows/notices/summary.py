"""This module contains the notices of channel summaries and an indicator's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from workflows.notices.decisions import DecisionBrief
from workflows.notices.delivery import DeliveryOutcome
from workflows.rounds.evaluation import Status


@dataclass(frozen=True)
class HistoryRow:
    """One period's value of an indicator, with the status it was judged with."""

    period: str
    value: Decimal
    status: Status
    target_met: bool
    comment: str | None
    submitted_by: str
    version: int = 1
    """Above 1 when the value was corrected (or measured again after a return)."""
    correction_reason: str | None = None
    """Set when the current version is a correction (not a measurement after a return)."""
    approval: str = "none"
    """``none``, ``submitted`` (waiting for approval), ``approved`` or ``rejected`` (returned)."""


@dataclass(frozen=True)
class History:
    """An indicator's last values, newest first (``/history``)."""

    indicator_id: str
    rows: tuple[HistoryRow, ...]
    not_measured: tuple[tuple[str, str], ...] = ()
    """``(period, reason)`` of the periods reported as not measured, in the same window."""


@dataclass(frozen=True)
class SeriesPoint:
    """One period's value of an indicator, for a trend chart (oldest first in a series)."""

    period: str
    value: Decimal
    status: Status


@dataclass(frozen=True)
class SummaryLine:
    """One indicator in a summary; ``value`` is ``None`` when nothing was submitted.

    Attributes:
        late: The value was submitted after the round's due date (local date).
        unconfirmed: The value waits for its confirmation.
        corrected: The value was corrected after it was first submitted.
        not_measured: Why the indicator was not measured this period (``None``: it was, or
            nobody said why).
        series: The indicator's values of up to the last 12 periods, oldest first, ending
            with this one (for the chart).
    """

    indicator_id: str
    value: Decimal | None
    status: Status | None
    target_met: bool | None
    previous: Decimal | None
    comment: str | None
    corrected: bool = False
    last_year: Decimal | None = None
    late: bool = False
    unconfirmed: bool = False
    not_measured: str | None = None
    series: tuple[SeriesPoint, ...] = ()


@dataclass(frozen=True)
class Participation:
    """How the controls of a round were answered: on time, late, not at all.

    This is the control of the control process itself: a control is one indicator value a
    round expects; ``late`` ones were submitted after the round's due date.
    """

    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        """How many controls were expected."""
        return self.on_time + self.late + self.missing

    def __add__(self, other: Participation) -> Participation:
        return Participation(
            self.on_time + other.on_time, self.late + other.late, self.missing + other.missing
        )


@dataclass(frozen=True)
class PeriodParticipation:
    """:class:`Participation` of one period (for the participation chart)."""

    period: str
    participation: Participation


@dataclass(frozen=True)
class SummaryDecision:
    """A decision shown in a summary: open, or taken on this period's values."""

    decision: DecisionBrief
    status: str
    action: str | None = None
    owner_id: str | None = None
    action_due: date | None = None
    reason: str | None = None
    overdue: bool = False
    decided_at: datetime | None = None
    action_status: str | None = None
    """The improvement action's status (:mod:`workflows.decisions.actions`), when one was
    decided."""


@dataclass(frozen=True)
class ActivitySummary:
    """One activity's part of a summary.

    ``decisions`` are the open decisions and those taken on this period's values or since
    the last summary; ``actions`` the improvement actions open, overdue (``overdue``: the due
    date passed and the action is not done), done, or verified since; ``participation``
    how this period's controls were answered.
    """

    activity_id: str
    period: str
    due_date: date | None
    lines: tuple[SummaryLine, ...]
    answered_by: tuple[str, ...]
    not_answered: tuple[str, ...]
    decisions: tuple[SummaryDecision, ...]
    overdue: bool = False
    delegations: tuple[tuple[str, str, date, date], ...] = ()
    participation: Participation = Participation()
    actions: tuple[SummaryDecision, ...] = ()


@dataclass(frozen=True)
class Summary:
    """A channel's periodic summary (PU3-3 step 4, "izmanto rezultātus").

    ``participation`` is the channel's participation in up to the last 12 periods, oldest
    first; ``since`` when the previous summary went to the channel (``None``: never).
    """

    channel_id: str
    period: str
    activities: tuple[ActivitySummary, ...]
    participation: tuple[PeriodParticipation, ...] = ()
    since: datetime | None = None


@dataclass(frozen=True)
class SummaryPosted:
    """Acknowledgement: the summary went to ``channel_id`` (once ``delivery`` says so)."""

    channel_id: str
    period: str
    delivery: DeliveryOutcome | None = None
