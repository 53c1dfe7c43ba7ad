"""This module contains what a channel's summary reads, in a few set-based statements.

A summary covers every activity under a channel, each indicator's last 12 periods, last
year's value, and the participation in each of those periods. Read round by round and
indicator by indicator through the ORM this was ~30 statements for one activity and ~70 for
a roll-up (issue 16); here it is one statement per table for the whole channel, with SQLAlchemy
Core rows instead of ORM objects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import and_, bindparam, or_, select
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from storage.models import Absence, ControlRound, ImprovementDecision, Measurement, NotMeasured
from workflows.decisions.follow_up import ACTION_STATES, listed_actions
from workflows.people.absences import Away
from workflows.periods import Period
from workflows.plan.schema import Activity
from workflows.reports.trends import periods_back
from workflows.rounds.opening import round_indicators, same_period_last_year


@dataclass(frozen=True)
class RoundRow:
    """A control round as a summary needs it."""

    id: int
    activity_id: str
    frequency: str
    period: str
    due_date: date


@dataclass(frozen=True)
class ValueRow:
    """A measurement that counts (not returned), as a summary needs it."""

    id: int
    round_id: int
    indicator_id: str
    period: str
    value: Decimal
    status: str
    target_met: bool
    comment: str | None
    submitted_by: str
    submitted_at: datetime
    version: int
    approval: str
    correction_reason: str | None
    choice: str | None


@dataclass(frozen=True)
class GapRow:
    """A "not measured" report."""

    round_id: int
    indicator_id: str
    reason: str
    reported_by: str
    reported_at: datetime


@dataclass
class ChannelData:
    """Everything a summary of ``period`` reads, for the activities of one channel.

    Attributes:
        rounds: Rounds by (activity id, period): the last 12 periods and last year's.
        values: Per round id, its values that count, by indicator id (in id order).
        series: Values by (indicator id, period) over the last 12 periods.
        gaps: Per round id, its "not measured" reports, by indicator id.
        away: Who is away today.
        absences: Absences from the period's start until today (for delegations).
        decisions: Per activity: open decisions and those on the period's values.
        decided: Decisions approved or rejected since the previous summary.
        actions: Improvement actions to list, with whether each is overdue.
        triggers: The values that opened those decisions (loaded once; the decisions'
            briefs read them from the session).
    """

    rounds: dict[tuple[str, str], RoundRow]
    values: dict[int, dict[str, ValueRow]]
    series: dict[tuple[str, str], ValueRow]
    gaps: dict[int, dict[str, GapRow]]
    away: dict[str, Away]
    absences: Sequence[Absence]
    decisions: dict[str, list[ImprovementDecision]]
    decided: list[ImprovementDecision]
    actions: list[tuple[ImprovementDecision, bool]]
    triggers: list[Measurement] = field(default_factory=list)

    def round_of(self, activity_id: str, period: Period | None) -> RoundRow | None:
        """The activity's round of ``period``, if it was opened."""
        return None if period is None else self.rounds.get((activity_id, str(period)))

    def values_of(self, control_round: RoundRow | None) -> dict[str, ValueRow]:
        """The round's values that count, by indicator id."""
        return {} if control_round is None else self.values.get(control_round.id, {})

    def gaps_of(self, control_round: RoundRow | None) -> dict[str, GapRow]:
        """The round's "not measured" reports, by indicator id."""
        return {} if control_round is None else self.gaps.get(control_round.id, {})


_VALUE_COLUMNS = (
    col(Measurement.id),
    col(Measurement.round_id),
    col(Measurement.indicator_id),
    col(Measurement.period),
    col(Measurement.value),
    col(Measurement.status),
    col(Measurement.target_met),
    col(Measurement.comment),
    col(Measurement.submitted_by),
    col(Measurement.submitted_at),
    col(Measurement.version),
    col(Measurement.approval),
    col(Measurement.correction_reason),
    col(Measurement.choice),
)


_ROUNDS = select(
    col(ControlRound.id),
    col(ControlRound.activity_id),
    col(ControlRound.frequency),
    col(ControlRound.period),
    col(ControlRound.due_date),
).where(
    col(ControlRound.activity_id).in_(bindparam("activities", expanding=True)),
    col(ControlRound.frequency) == bindparam("frequency"),
    col(ControlRound.period).in_(bindparam("periods", expanding=True)),
)
_VALUES = (
    select(*_VALUE_COLUMNS)
    .where(
        or_(
            col(Measurement.round_id).in_(bindparam("rounds", expanding=True)),
            and_(
                col(Measurement.indicator_id).in_(bindparam("indicators", expanding=True)),
                col(Measurement.period).in_(bindparam("periods", expanding=True)),
            ),
        ),
        col(Measurement.approval) != "rejected",
    )
    .order_by(col(Measurement.id))
)
_GAPS = (
    select(
        col(NotMeasured.round_id),
        col(NotMeasured.indicator_id),
        col(NotMeasured.reason),
        col(NotMeasured.reported_by),
        col(NotMeasured.reported_at),
    )
    .where(col(NotMeasured.round_id).in_(bindparam("rounds", expanding=True)))
    .order_by(col(NotMeasured.id))
)
_FOLLOW_UPS = (
    select_rows(ImprovementDecision, Measurement)
    .join(Measurement, col(Measurement.id) == col(ImprovementDecision.measurement_id))
    .where(
        col(ImprovementDecision.activity_id).in_(bindparam("activities", expanding=True)),
        or_(
            col(ImprovementDecision.status) == "open",
            col(Measurement.period) == bindparam("period"),
            and_(
                col(ImprovementDecision.status).in_(["approved", "rejected"]),
                col(ImprovementDecision.decided_at) > bindparam("since"),
            ),
            and_(
                col(ImprovementDecision.status) == "approved",
                col(ImprovementDecision.action_status).in_(ACTION_STATES),
            ),
        ),
    )
    .order_by(col(ImprovementDecision.id))
)
_ABSENCES = (
    select_rows(Absence)
    .where(
        col(Absence.ends) >= bindparam("first"),
        col(Absence.starts) <= bindparam("last"),
        col(Absence.cancelled_at).is_(None),
    )
    .order_by(col(Absence.id))
)
"""Statements built once: building one costs about as much as running it (issue 16)."""


def _rounds(
    session: Session, activities: Iterable[Activity], period: Period
) -> dict[tuple[str, str], RoundRow]:
    wanted = [str(p) for p in periods_back(period)]
    last_year = same_period_last_year(period)
    if last_year is not None:
        wanted.append(str(last_year))
    params = {
        "activities": [a.id for a in activities],
        "frequency": period.frequency.value,
        "periods": wanted,
    }
    rows = session.connection().execute(_ROUNDS, params).all()
    found = [RoundRow(*r) for r in cast("list[tuple[Any, ...]]", rows)]
    return {(r.activity_id, r.period): r for r in found}


def _values(
    session: Session, round_ids: list[int], indicator_ids: list[str], periods: list[str]
) -> list[ValueRow]:
    """Values that count of the rounds, and of the indicators in the periods (series)."""
    params = {"rounds": round_ids, "indicators": indicator_ids, "periods": periods}
    rows = session.connection().execute(_VALUES, params).all()
    return [ValueRow(*r) for r in cast("list[tuple[Any, ...]]", rows)]


def _gaps(session: Session, round_ids: list[int]) -> dict[int, dict[str, GapRow]]:
    out: dict[int, dict[str, GapRow]] = defaultdict(dict)
    for row in session.connection().execute(_GAPS, {"rounds": round_ids}).all():
        out[row.round_id][row.indicator_id] = GapRow(*row)
    return out


def channel_data(
    session: Session,
    activities: Sequence[Activity],
    period: Period,
    today: date,
    since: datetime,
    last_summary: datetime | None,
) -> ChannelData:
    """Read what a summary of ``period`` shows for ``activities`` (see :class:`ChannelData`).

    Args:
        session: The open session.
        activities: The channel's activities that measure at ``period``'s frequency.
        period: The summarised period.
        today: Today's local date (absences, overdue actions).
        since: Decisions taken after this count as new.
        last_summary: When the channel's previous summary was posted (``None``: never).
    """
    rounds = _rounds(session, activities, period)
    round_ids = [r.id for r in rounds.values()]
    wanted = [str(p) for p in periods_back(period)]
    indicator_ids = [i.id for a in activities for i in round_indicators(a, period.frequency)]
    values: dict[int, dict[str, ValueRow]] = defaultdict(dict)
    series: dict[tuple[str, str], ValueRow] = {}
    known, charted, in_series = set(round_ids), set(indicator_ids), set(wanted)
    for row in _values(session, round_ids, indicator_ids, wanted):
        if row.round_id in known:
            values[row.round_id][row.indicator_id] = row
        if row.indicator_id in charted and row.period in in_series:
            series[(row.indicator_id, row.period)] = row
    absences = session.exec(_ABSENCES, params={"first": period.start, "last": today}).all()
    ids = [a.id for a in activities]
    params = {"activities": ids, "period": str(period), "since": since}
    rows = session.exec(_FOLLOW_UPS, params=params).all()
    decisions: dict[str, list[ImprovementDecision]] = defaultdict(list)
    for decision, value in rows:  # workflows.decisions.summary_decisions, per activity
        if decision.status == "open" or value.period == str(period):
            decisions[decision.activity_id].append(decision)
    return ChannelData(
        rounds=rounds,
        values=values,
        series=series,
        gaps=_gaps(session, round_ids),
        away={  # workflows.people.absences.away_on(today): these absences include every such one
            r.person_id: Away(r.person_id, r.starts, r.ends)
            for r in absences
            if r.starts <= today <= r.ends
        },
        absences=absences,
        decisions=decisions,
        decided=[  # workflows.decisions.follow_up.decided_since
            d
            for d, _value in rows
            if d.status in ("approved", "rejected")
            and d.decided_at is not None
            and d.decided_at > since
        ],
        actions=listed_actions(
            [d for d, _v in rows if d.status == "approved" and d.action_status in ACTION_STATES],
            today,
            last_summary,
        ),
        triggers=[value for _decision, value in rows],
    )
