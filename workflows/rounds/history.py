"""This module contains an indicator's history: its last values with their status."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import Measurement, NotMeasured
from workflows.context import Context
from workflows.notices import History, HistoryRow, Outgoing, ToPerson
from workflows.plan import finding as indicators
from workflows.rounds.evaluation import Status, stored_value

DEFAULT_PERIODS = 6
MOST_PERIODS = 36


def history(
    session: Session, ctx: Context, person_id: str, indicator_id: str, count: int = DEFAULT_PERIODS
) -> list[Outgoing]:
    """The last ``count`` values of an indicator (newest first), as stored.

    ``indicator_id`` may also be a number of the person's ``/indicators`` list, a label or
    its unambiguous beginning; otherwise the candidates (or the whole list) are offered.

    Each value keeps the status it was judged with when it was measured, even if the plan's
    thresholds changed since; corrected values, values waiting for approval or returned, and
    periods reported as not measured (with the reason) are marked.
    """
    me = ToPerson(person_id)
    found = indicators.resolve(ctx, person_id, indicator_id)
    if len(found) != 1:
        return indicators.listing(ctx, person_id, indicator_id)
    indicator_id = found[0]
    _activity, indicator = ctx.plan.indicator(indicator_id)
    limit = max(1, min(count, MOST_PERIODS))
    rows = session.exec(
        select(Measurement)
        .where(col(Measurement.indicator_id) == indicator_id)
        .order_by(col(Measurement.period).desc())
        .limit(limit)
    ).all()
    gaps = session.exec(
        select(NotMeasured)
        .where(col(NotMeasured.indicator_id) == indicator_id)
        .order_by(col(NotMeasured.period).desc())
        .limit(limit)
    ).all()
    periods = sorted({m.period for m in rows} | {g.period for g in gaps}, reverse=True)[:limit]
    shown = set(periods)
    items = tuple(
        HistoryRow(
            period=m.period,
            value=stored_value(indicator, m.value, m.choice),
            status=Status(m.status),
            target_met=m.target_met,
            comment=m.comment,
            submitted_by=m.submitted_by,
            version=m.version,
            correction_reason=m.correction_reason,
            approval=m.approval,
        )
        for m in rows
        if m.period in shown
    )
    reported = tuple((g.period, g.reason) for g in gaps if g.period in shown)
    return [Outgoing(me, History(indicator_id, items, reported))]
