"""The export's gathering as it was before issue 16's set-based reads: ORM objects.

Kept verbatim (``gather`` and ``_row`` of ``workflows/exchange/outgoing.py`` as of main
691b840) so that tests can check that the column reads give exactly the same export rows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal

from sqlmodel import Session, col, select

from storage.models import ImprovementDecision, Measurement
from workflows.context import Context
from workflows.exchange.outgoing import (
    CHUNK,
    DecisionFacts,
    ExportRow,
    _plan_order,
    _responsible,
)
from workflows.periods import Period
from workflows.plan.model import UnknownPlanItem
from workflows.rounds.evaluation import stored_value


def _chunks(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def gather(
    session: Session,
    ctx: Context,
    periods: Sequence[Period],
    indicator_ids: Collection[str] | None = None,
) -> list[ExportRow]:
    """Every stored measurement of ``periods`` with its decision, in a stable order.

    Args:
        session: The open session.
        ctx: The plan.
        periods: The periods to export.
        indicator_ids: Only these indicators' measurements (``None``: every indicator), as
            the web view downloads one indicator's or one activity's values: read by the
            index rather than every value of the periods (at 1,000 activities an activity's
            download read 54,060 values for its 60).

    Order: period start, then the activity's and the indicator's place in the plan (items
    that left the plan last, by id).
    """
    texts = [str(p) for p in periods]
    if not texts or (indicator_ids is not None and not indicator_ids):
        return []
    stored = select(Measurement).where(col(Measurement.period).in_(texts))
    wanted = None if indicator_ids is None else set(indicator_ids)
    if wanted is not None and len(wanted) <= CHUNK:
        stored = stored.where(col(Measurement.indicator_id).in_(sorted(wanted)))
    found = [m for m in session.exec(stored).all() if wanted is None or m.indicator_id in wanted]
    ids = [m.id for m in found if m.id is not None]
    decisions: dict[int, ImprovementDecision] = {}
    for chunk in _chunks(ids):
        query = select(ImprovementDecision).where(
            col(ImprovementDecision.measurement_id).in_(chunk)
        )
        for decision in session.exec(query).all():
            decisions[decision.measurement_id] = decision
    place = _plan_order(ctx)
    starts = {str(p): p.start for p in periods}
    found.sort(
        key=lambda m: (starts[m.period], *place.get(m.indicator_id, (1 << 30, 0)), m.indicator_id)
    )
    responsible = _responsible(ctx)
    return [_row(m, ctx, decisions.get(m.id or 0), responsible) for m in found]


def _value(ctx: Context, m: Measurement) -> Decimal:
    """The value as the plan numbers it now (a check's option found by its stored id)."""
    try:
        indicator = ctx.plan.indicator(m.indicator_id)[1]
    except UnknownPlanItem:
        return m.value
    return stored_value(indicator, m.value, m.choice)


def _decimals(ctx: Context, indicator_id: str) -> int | None:
    try:
        return ctx.plan.indicator(indicator_id)[1].decimals
    except UnknownPlanItem:
        return None


def _row(
    m: Measurement,
    ctx: Context,
    decision: ImprovementDecision | None,
    responsible: dict[str, tuple[str, str]],
) -> ExportRow:
    facts = None
    if decision is not None and decision.id is not None:
        facts = DecisionFacts(
            id=decision.id,
            status=decision.status,
            trigger=decision.trigger,
            approver_id=decision.approver_id,
            decide_by=decision.decide_by,
            opened_at=decision.opened_at,
            action=decision.action,
            owner_id=decision.owner_id,
            action_due=decision.action_due,
            decided_by=decision.decided_by,
            decided_at=decision.decided_at,
            rejection_reason=decision.rejection_reason,
            action_status=decision.action_status,
        )
    return ExportRow(
        activity_id=m.activity_id,
        indicator_id=m.indicator_id,
        period=m.period,
        value=_value(ctx, m),
        unit=m.unit,
        decimals=_decimals(ctx, m.indicator_id),
        direction=m.direction,
        target=m.target,
        warning=m.warning,
        critical=m.critical,
        status=m.status,
        target_met=m.target_met,
        comment=m.comment,
        source=m.source,
        submitted_by=m.submitted_by,
        submitted_at=m.submitted_at,
        responsible=responsible.get(m.activity_id),
        decision=facts,
        version=m.version,
        approval=m.approval,
        correction_reason=m.correction_reason,
        choice=m.choice,
    )
