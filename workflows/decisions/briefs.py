"""This module contains a decision's words and how it is shown: statuses, briefs, lists."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import ImprovementDecision, Measurement
from workflows.notices import DecisionBrief
from workflows.rounds.evaluation import Status

FORM = "decision"

APPROVE = "approve"

REJECT = "reject"

WITHDRAWN = "withdrawn"
"""A decision's status when its triggering value was corrected or returned before it was taken."""

OUTCOMES = (APPROVE, REJECT)

TRIGGER_CRITICAL = "critical"

TRIGGER_WARNINGS = "warnings"

ACTION_HORIZON_DAYS = 3 * 366
"""An improvement action's due date may lie at most about three years ahead."""


def brief(decision: ImprovementDecision, measurement: Measurement) -> DecisionBrief:
    """The :class:`DecisionBrief` of a decision and the value that opened it."""
    return DecisionBrief(
        decision_id=_id(decision),
        activity_id=decision.activity_id,
        indicator_id=decision.indicator_id,
        period=measurement.period,
        value=measurement.value,
        status=Status(measurement.status),
        trigger=decision.trigger,
        approver_id=decision.approver_id,
        decide_by=decision.decide_by,
        comment=measurement.comment,
    )


def load_brief(session: Session, decision: ImprovementDecision) -> DecisionBrief:
    """:func:`brief` with the triggering measurement loaded."""
    measurement = session.get(Measurement, decision.measurement_id)
    if measurement is None:  # pragma: no cover - measurements are never deleted
        raise LookupError(f"measurement {decision.measurement_id} is gone")
    return brief(decision, measurement)


def open_decisions(session: Session, approver_id: str) -> list[ImprovementDecision]:
    """The open decisions ``approver_id`` has to take, oldest first."""
    query = select(ImprovementDecision).where(
        col(ImprovementDecision.status) == "open",
        col(ImprovementDecision.approver_id) == approver_id,
    )
    return list(session.exec(query.order_by(col(ImprovementDecision.id))).all())


def summary_decisions(
    session: Session, activity_id: str, period: str
) -> list[ImprovementDecision]:
    """An activity's open decisions, plus those taken on values of ``period``, oldest first."""
    rows = session.exec(
        select(ImprovementDecision)
        .join(Measurement, col(Measurement.id) == col(ImprovementDecision.measurement_id))
        .where(
            col(ImprovementDecision.activity_id) == activity_id,
            (col(ImprovementDecision.status) == "open") | (col(Measurement.period) == period),
        )
        .order_by(col(ImprovementDecision.id))
    ).all()
    return list(rows)


def _id(decision: ImprovementDecision) -> int:
    if decision.id is None:  # pragma: no cover
        raise ValueError("decision has no id yet")
    return decision.id


def _mid(measurement: Measurement) -> int:
    if measurement.id is None:  # pragma: no cover
        raise ValueError("measurement has no id yet")
    return measurement.id
