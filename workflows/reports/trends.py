"""This module contains the series a summary charts: indicator values and participation.

Both look back over the last :data:`SERIES_LENGTH` periods of one frequency, ending with the
summarised period (PU3-3 step 4: results are read in their context, not one value alone).
What they are computed from is read once per channel (:mod:`workflows.reports.summary_data`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from workflows.notices import Participation, PeriodParticipation, SeriesPoint
from workflows.periods import Period, PeriodError
from workflows.plan.schema import Activity, Indicator
from workflows.rounds.evaluation import Status, stored_value
from workflows.rounds.opening import round_indicators

SERIES_LENGTH = 12
"""How many periods a trend covers (a year of months)."""


class RoundDue(Protocol):
    """A round's frequency and due date (a ``ControlRound`` or a row read for a summary)."""

    @property
    def frequency(self) -> str:
        """The round's frequency."""

    @property
    def due_date(self) -> date:
        """The local date values are due."""


class Submitted(Protocol):
    """When a value was submitted."""

    @property
    def submitted_at(self) -> datetime:
        """The aware instant."""


class Charted(Submitted, Protocol):
    """A stored value with its status (and a check's option id)."""

    @property
    def value(self) -> Decimal:
        """The value."""

    @property
    def status(self) -> str:
        """``ok``, ``warning`` or ``critical``."""

    @property
    def choice(self) -> str | None:
        """A check's option id, ``None`` for a number."""


def periods_back(period: Period, count: int = SERIES_LENGTH) -> tuple[Period, ...]:
    """``count`` periods ending with ``period``, oldest first (fewer before year 1)."""
    out = [period]
    while len(out) < count:
        try:
            out.append(out[-1].previous())
        except PeriodError:
            break
    return tuple(reversed(out))


def late(measurement: Submitted, control_round: RoundDue, zone: ZoneInfo) -> bool:
    """Whether ``measurement`` was submitted after ``control_round``'s due date (local)."""
    return _after_due(measurement.submitted_at, control_round, zone)


def _after_due(at: datetime, control_round: RoundDue, zone: ZoneInfo) -> bool:
    return at.astimezone(zone).date() > control_round.due_date


def series_of(
    found: Mapping[tuple[str, str], Charted], indicator: Indicator, back: Sequence[str]
) -> tuple[SeriesPoint, ...]:
    """The indicator's stored values of the periods ``back`` (texts, oldest first).

    ``found`` holds the values by (indicator id, period); periods without a value are left
    out (the chart shows a gap there). ``back`` is ``periods_back(period)`` as texts (found
    once per summary). A check's values are its options' numbers now
    (:func:`workflows.rounds.evaluation.stored_value`).
    """
    points = []
    key = indicator.id
    for p in back:
        value = found.get((key, p))
        if value is not None:
            number = stored_value(indicator, value.value, value.choice)
            points.append(SeriesPoint(p, number, Status(value.status)))
    return tuple(points)


Answer = tuple[str, datetime]
"""An indicator answered in a round, and when: a value that counts, or "not measured"."""


def share(
    activity: Activity,
    control_round: RoundDue,
    answers: Iterable[Answer],
    zone: ZoneInfo,
    expected: Collection[str] | None = None,
) -> Participation:
    """How the controls of one round were answered: on time, late, missing.

    Args:
        activity: The round's activity (its indicators of the round's frequency are the
            controls expected; indicators that left the plan since are not counted).
        control_round: The round (its due date is local).
        answers: Its values that count, then its "not measured" reports (a later answer
            of the same indicator wins).
        zone: The plan's zone.
        expected: The ids of the activity's indicators of the round's frequency, when the
            caller has them already.
    """
    if expected is None:
        expected = {i.id for i in round_indicators(activity, control_round.frequency)}
    mine = {indicator: at for indicator, at in answers if indicator in expected}
    return tally(len(expected), mine, control_round.due_date, zone)


def tally(
    expected: int, answered: Mapping[str, datetime], due_date: date, zone: ZoneInfo
) -> Participation:
    """:func:`share` of a round whose expected indicators' answers are known already.

    Args:
        expected: How many controls the round expects.
        answered: When each expected indicator was answered (the answer that counts).
        due_date: The round's local due date.
        zone: The plan's zone.
    """
    tardy = sum(1 for at in answered.values() if at.astimezone(zone).date() > due_date)
    return Participation(len(answered) - tardy, tardy, expected - len(answered))


def history(
    period: Period | Sequence[str], shares: Iterable[tuple[str, Participation]]
) -> tuple[PeriodParticipation, ...]:
    """Participation per period of the last 12 up to ``period``, summed over rounds.

    ``period`` may be given as the texts of :func:`periods_back` already.

    ``shares`` holds each round's (period, participation); a period in which no round was
    opened is left out (control had not started then).
    """
    totals: dict[str, Participation] = {}
    for round_period, part in shares:
        totals[round_period] = totals.get(round_period, Participation()) + part
    wanted = [str(p) for p in periods_back(period)] if isinstance(period, Period) else period
    return tuple(PeriodParticipation(p, totals[p]) for p in wanted if p in totals)
