"""This module contains the series a summary charts: indicator values and participation.

Both look back over the last :data:`SERIES_LENGTH` periods of one frequency, ending with the
summarised period (PU3-3 step 4: results are read in their context, not one value alone).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage.models import ControlRound, Measurement, NotMeasured
from workflows.evaluation import Status, stored_value
from workflows.notices import Participation, PeriodParticipation, SeriesPoint
from workflows.periods import Period, PeriodError
from workflows.plan.schema import Activity, Indicator
from workflows.rounds import round_indicators

SERIES_LENGTH = 12
"""How many periods a trend covers (a year of months)."""


def periods_back(period: Period, count: int = SERIES_LENGTH) -> tuple[Period, ...]:
    """``count`` periods ending with ``period``, oldest first (fewer before year 1)."""
    out = [period]
    while len(out) < count:
        try:
            out.append(out[-1].previous())
        except PeriodError:
            break
    return tuple(reversed(out))


def late(measurement: Measurement, control_round: ControlRound, zone: ZoneInfo) -> bool:
    """Whether ``measurement`` was submitted after ``control_round``'s due date (local)."""
    return _after_due(measurement.submitted_at, control_round, zone)


def _after_due(at: datetime, control_round: ControlRound, zone: ZoneInfo) -> bool:
    return at.astimezone(zone).date() > control_round.due_date


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


Answer = tuple[str, datetime]
"""An indicator answered in a round, and when: a value that counts, or "not measured"."""


def _share(
    activity: Activity, control_round: ControlRound, answers: Iterable[Answer], zone: ZoneInfo
) -> Participation:
    expected = {i.id for i in round_indicators(activity, control_round.frequency)}
    mine = {indicator: at for indicator, at in answers if indicator in expected}
    tardy = sum(1 for at in mine.values() if _after_due(at, control_round, zone))
    return Participation(len(mine) - tardy, tardy, len(expected) - len(mine))


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
