"""This module contains what a channel's summary reads: one set-based statement.

A summary covers every activity under a channel, each indicator's last 12 periods, last
year's value, and the participation in each of those periods. Read round by round and
indicator by indicator through the ORM this was ~30 statements for one activity and ~70 for
a roll-up (issue 16); then six statements of SQLAlchemy Core rows; now one ``UNION ALL``
(:class:`storage.prepared.TaggedRead`): the channel's previous summary, the rounds, their
values and the series, the "not measured" reports, the absences, and the decisions with
their triggering values, as plain columns (no ORM object), compiled once per dialect and
shape and run on the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any, NamedTuple, cast

from sqlalchemy import Dialect, and_, bindparam, func, literal, or_, select
from sqlmodel import Session, col

from storage.models import (
    Absence,
    AuditEntry,
    ControlRound,
    ImprovementDecision,
    Measurement,
    NotMeasured,
)
from storage.prepared import AnySelect, TaggedRead
from storage.types import UTCDateTime
from workflows.decisions.follow_up import (
    ACTION_STATES,
    SUMMARY_POSTED,
    DecisionRow,
    listed_actions,
)
from workflows.people.absences import Away


class RoundRow(NamedTuple):
    """A control round as a summary needs it."""

    id: int
    activity_id: str
    frequency: str
    period: str
    due_date: date


class ValueRow(NamedTuple):
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


class GapRow(NamedTuple):
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
        last_summary: When the channel's previous summary was posted (``None``: never).
        rounds: Rounds by (activity id, period): the last 12 periods and last year's.
        values: Per round id, its values that count, by indicator id (in id order).
        series: Values by (indicator id, period) over the last 12 periods (the rounds' and
            any other round's: an indicator moved between activities).
        gaps: Per round id, its "not measured" reports, by indicator id.
        away: Who is away today.
        absences: Absences from the period's start until today (for delegations).
        decisions: Per activity: open decisions and those on the period's values.
        decided: Decisions approved or rejected since the previous summary.
        actions: Improvement actions to list, with whether each is overdue.
    """

    last_summary: datetime | None
    rounds: dict[tuple[str, str], RoundRow]
    values: dict[int, dict[str, ValueRow]]
    series: dict[tuple[str, str], ValueRow]
    gaps: dict[int, dict[str, GapRow]]
    away: dict[str, Away]
    absences: Sequence[Away]
    decisions: dict[str, list[DecisionRow]]
    decided: list[DecisionRow]
    actions: list[tuple[DecisionRow, bool]]

    def round_of(self, activity_id: str, period: str | None) -> RoundRow | None:
        """The activity's round of ``period`` (its text), if it was opened."""
        return None if period is None else self.rounds.get((activity_id, period))

    def values_of(self, control_round: RoundRow | None) -> dict[str, ValueRow]:
        """The round's values that count, by indicator id."""
        return {} if control_round is None else self.values.get(control_round.id, {})

    def gaps_of(self, control_round: RoundRow | None) -> dict[str, GapRow]:
        """The round's "not measured" reports, by indicator id."""
        return {} if control_round is None else self.gaps.get(control_round.id, {})


def _names(prefix: str, count: int) -> list[Any]:
    return [bindparam(f"{prefix}_{n}") for n in range(count)]


def _listed(items: Sequence[str]) -> list[Any]:
    """Literals of an ``IN`` list, bound one by one (no expanding parameter)."""
    return [literal(item) for item in items]


def _parts(shape: Hashable) -> dict[str, AnySelect]:
    """The summary's parts for ``shape``.

    ``shape`` holds the lengths of the ``IN`` lists: activities, indicators, series
    periods, round periods.
    """
    activities, indicators, back, wanted = cast("tuple[int, int, int, int]", shape)
    last = (
        select(func.max(col(AuditEntry.at)))
        .where(col(AuditEntry.action) == SUMMARY_POSTED)
        .where(col(AuditEntry.subject) == bindparam("subject"))
    )
    of_rounds = and_(
        col(ControlRound.activity_id).in_(_names("a", activities)),
        col(ControlRound.frequency) == bindparam("frequency"),
        col(ControlRound.period).in_(_names("w", wanted)),
    )
    found = (
        select(
            col(ControlRound.id),
            col(ControlRound.activity_id),
            col(ControlRound.frequency),
            col(ControlRound.period),
            col(ControlRound.due_date),
        )
        .where(of_rounds)
        .cte("summary_round")
    )
    round_ids = select(found.c.id)
    since = func.coalesce(last.scalar_subquery(), bindparam("start", type_=UTCDateTime()))
    return {
        "last": last,
        "rounds": select(*found.c),
        "values": select(*_VALUE_COLUMNS).where(
            col(Measurement.round_id).in_(round_ids),
            col(Measurement.approval) != "rejected",
        ),
        "series": select(*_VALUE_COLUMNS).where(  # kept apart: PostgreSQL scanned an OR
            col(Measurement.indicator_id).in_(_names("i", indicators)),
            col(Measurement.period).in_(_names("p", back)),
            col(Measurement.round_id).not_in(round_ids),
            col(Measurement.approval) != "rejected",
        ),
        "gaps": select(
            col(NotMeasured.id),
            col(NotMeasured.round_id),
            col(NotMeasured.indicator_id),
            col(NotMeasured.reason),
            col(NotMeasured.reported_by),
            col(NotMeasured.reported_at),
        ).where(col(NotMeasured.round_id).in_(round_ids)),
        "absences": select(
            col(Absence.id), col(Absence.person_id), col(Absence.starts), col(Absence.ends)
        ).where(
            col(Absence.ends) >= bindparam("first"),
            col(Absence.starts) <= bindparam("today"),
            col(Absence.cancelled_at).is_(None),
        ),
        "decisions": select(*_DECISION_COLUMNS)
        .join(Measurement, col(Measurement.id) == col(ImprovementDecision.measurement_id))
        .where(
            col(ImprovementDecision.activity_id).in_(_names("a", activities)),
            or_(
                col(ImprovementDecision.status) == "open",
                col(Measurement.period) == bindparam("period"),
                and_(
                    col(ImprovementDecision.status).in_(_listed(["approved", "rejected"])),
                    col(ImprovementDecision.decided_at) > since,
                ),
                and_(
                    col(ImprovementDecision.status) == "approved",
                    col(ImprovementDecision.action_status).in_(_listed(ACTION_STATES)),
                ),
            ),
        ),
    }


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
_DECISION_COLUMNS = (
    col(ImprovementDecision.id),
    col(ImprovementDecision.activity_id),
    col(ImprovementDecision.indicator_id),
    col(ImprovementDecision.status),
    col(ImprovementDecision.trigger),
    col(ImprovementDecision.approver_id),
    col(ImprovementDecision.decide_by),
    col(ImprovementDecision.action),
    col(ImprovementDecision.owner_id),
    col(ImprovementDecision.action_due),
    col(ImprovementDecision.rejection_reason),
    col(ImprovementDecision.decided_at),
    col(ImprovementDecision.action_status),
    col(ImprovementDecision.action_status_at),
    col(Measurement.period),
    col(Measurement.value),
    col(Measurement.status),
    col(Measurement.comment),
)
_MAKERS: dict[str, Callable[[list[Any]], Any]] = {
    "rounds": RoundRow._make,
    "values": ValueRow._make,
    "series": ValueRow._make,
    "gaps": lambda cells: GapRow._make(cells[1:]),  # ordered by id, which it does not keep
    "absences": lambda cells: Away(cells[1], cells[2], cells[3]),
    "decisions": DecisionRow._make,
}
_READ = TaggedRead(_parts)
_by_id = attrgetter("id")
"""The summary's statement, compiled once per dialect and shape (issue 16)."""


def _shape(
    activity_ids: Sequence[str], indicator_ids: Sequence[str], back: Sequence[str], last: object
) -> tuple[int, int, int, int]:
    return (len(activity_ids), len(indicator_ids), len(back), len(back) + (last is not None))


def prepare_channel_read(
    dialect: Dialect,
    activity_ids: Sequence[str],
    indicator_ids: Sequence[str],
    back: Sequence[str],
    last_year: str | None,
) -> None:
    """Compile the statement :func:`channel_data` will run for these arguments, ahead of it.

    For a caller about to read a summary inside a short transaction (a sweep's batch); the
    arguments are :func:`channel_data`'s.
    """
    _READ.prepare(dialect, _shape(activity_ids, indicator_ids, back, last_year))


def channel_data(
    session: Session,
    channel_id: str,
    activity_ids: Sequence[str],
    indicator_ids: Sequence[str],
    frequency: str,
    period: str,
    back: Sequence[str],
    last_year: str | None,
    dates: tuple[date, date, datetime],
) -> ChannelData:
    """Read what a summary of ``period`` shows for the activities (see :class:`ChannelData`).

    Args:
        session: The open session (pending changes are flushed first).
        channel_id: The channel (its previous summary is found in the audit log).
        activity_ids: The channel's activities that measure at ``period``'s frequency.
        indicator_ids: Their indicators of that frequency (charted over ``back``).
        frequency: The period's frequency (``monthly``).
        period: The summarised period's text (``2026-10``).
        back: The last 12 periods' texts up to ``period``, oldest first.
        last_year: The same period a year earlier (``None``: none).
        dates: The period's first day, today's local date (absences, overdue actions),
            and the period's local start (decisions count as new after it without a
            previous summary).
    """
    first, today, start = dates
    wanted = [*back, last_year] if last_year is not None else list(back)
    shape = _shape(activity_ids, indicator_ids, back, last_year)
    params = {
        "subject": f"channel:{channel_id}",
        "frequency": frequency,
        "period": period,
        "first": first,
        "today": today,
        "start": start,
        "a": activity_ids,
        "i": indicator_ids,
        "p": back,
        "w": wanted,
    }
    session.flush()
    read = _READ.run(session.connection(), shape, params, _MAKERS)
    last_summary = read["last"][0][0] if read["last"] else None
    since = last_summary if last_summary is not None else start
    rounds = {(r.activity_id, r.period): r for r in read["rounds"]}
    charted, in_series = set(indicator_ids), set(back)
    values: dict[int, dict[str, ValueRow]] = {}
    series: dict[tuple[str, str], ValueRow] = {}
    for row in read["values"]:
        values.setdefault(row.round_id, {})[row.indicator_id] = row
    for row in sorted([*read["values"], *read["series"]], key=_by_id):
        if row.indicator_id in charted and row.period in in_series:
            series[(row.indicator_id, row.period)] = row
    gaps: dict[int, dict[str, GapRow]] = {}
    for gap in read["gaps"]:
        gaps.setdefault(gap.round_id, {})[gap.indicator_id] = gap
    absences: list[Away] = read["absences"]
    rows: list[DecisionRow] = read["decisions"]
    decisions: dict[str, list[DecisionRow]] = {}
    for d in rows:  # workflows.decisions.summary_decisions, per activity
        if d.status == "open" or d.period == period:
            decisions.setdefault(d.activity_id, []).append(d)
    return ChannelData(
        last_summary=last_summary,
        rounds=rounds,
        values=values,
        series=series,
        gaps=gaps,
        away={a.person_id: a for a in absences if a.starts <= today <= a.ends},
        absences=absences,
        decisions=decisions,
        decided=[  # workflows.decisions.follow_up.decided_since
            d
            for d in rows
            if d.status in ("approved", "rejected")
            and d.decided_at is not None
            and d.decided_at > since
        ],
        actions=listed_actions(
            [d for d in rows if d.status == "approved" and d.action_status in ACTION_STATES],
            today,
            last_summary,
        ),
    )
