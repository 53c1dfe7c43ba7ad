"""This module contains read-only overviews for looking back: an indicator's record, decisions.

They read what chat wrote: every stored value of an indicator with its marks (late,
corrected, waiting for approval), the periods reported as not measured, and the improvement
decisions with their actions, filtered as a list page asks. Who may see them is decided by
:mod:`workflows.people.visibility`; these functions take the activity ids already allowed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session, col, func, select

from storage.models import ControlRound, ImprovementDecision, Measurement, NotMeasured
from workflows.context import Context
from workflows.plan.model import UnknownPlanItem
from workflows.reports.trends import late
from workflows.rounds.evaluation import Status
from workflows.rounds.opening import round_indicators

FEW_INDICATORS = 500
"""Up to this many indicators are looked up by id; more are read in one pass over all."""
OPEN_ACTION_STATES = ("planned", "in_progress")
"""Improvement actions still to be carried out."""


@dataclass(frozen=True)
class RecordRow:
    """One period of an indicator: its value (or why it was not measured) and its marks."""

    period: str
    value: Decimal | None
    status: Status | None
    target: Decimal | None
    comment: str | None
    by: str
    at: datetime
    version: int = 1
    late: bool = False
    approval: str = "none"
    not_measured: str | None = None
    """The reason given when the period was reported as not measured."""


def indicator_record(session: Session, ctx: Context, indicator_id: str) -> list[RecordRow]:
    """Every stored period of ``indicator_id``, oldest first."""
    rows = session.exec(
        select(Measurement, ControlRound)
        .join(ControlRound, col(ControlRound.id) == col(Measurement.round_id))
        .where(col(Measurement.indicator_id) == indicator_id)
    ).all()
    out = [
        RecordRow(
            period=m.period,
            value=m.value,
            status=Status(m.status),
            target=m.target,
            comment=m.comment,
            by=m.submitted_by,
            at=m.submitted_at,
            version=m.version,
            late=late(m, r, ctx.timezone),
            approval=m.approval,
        )
        for m, r in rows
    ]
    measured = {row.period for row in out}
    gaps = session.exec(select(NotMeasured).where(col(NotMeasured.indicator_id) == indicator_id))
    out.extend(
        RecordRow(
            g.period, None, None, None, None, g.reported_by, g.reported_at, not_measured=g.reason
        )
        for g in gaps.all()
        if g.period not in measured
    )
    return sorted(out, key=lambda row: row.period)


@dataclass(frozen=True)
class DecisionFilter:
    """What a decision list shows; ``None`` means any."""

    status: str | None = None
    """``open``, ``approved``, ``rejected``, … (the decision's status)."""
    overdue: bool = False
    owner: str | None = None
    period: str | None = None
    action_status: str | None = None
    """``planned``, ``in_progress``, ``done``, … (the improvement action's state)."""


def is_overdue(decision: ImprovementDecision, today: date) -> bool:
    """An open decision past its date, or an action not done by its due date."""
    if decision.status == "open":
        return decision.decide_by < today
    return (
        decision.action_status in OPEN_ACTION_STATES
        and decision.action_due is not None
        and decision.action_due < today
    )


def decision_list(
    session: Session,
    ctx: Context,
    activity_ids: Collection[str],
    wanted: DecisionFilter = DecisionFilter(),
) -> list[tuple[ImprovementDecision, Measurement]]:
    """Decisions of ``activity_ids`` that pass ``wanted``, newest first, with their value."""
    if not activity_ids:
        return []
    query = (
        select(ImprovementDecision, Measurement)
        .join(Measurement, col(Measurement.id) == col(ImprovementDecision.measurement_id))
        .where(col(ImprovementDecision.activity_id).in_(list(activity_ids)))
    )
    if wanted.status:
        query = query.where(col(ImprovementDecision.status) == wanted.status)
    if wanted.owner:
        query = query.where(
            (col(ImprovementDecision.owner_id) == wanted.owner)
            | (col(ImprovementDecision.approver_id) == wanted.owner)
        )
    if wanted.period:
        query = query.where(col(Measurement.period) == wanted.period)
    if wanted.action_status:
        query = query.where(col(ImprovementDecision.action_status) == wanted.action_status)
    rows = session.exec(query.order_by(col(ImprovementDecision.id).desc())).all()
    today = ctx.today()
    return [(d, m) for d, m in rows if not wanted.overdue or is_overdue(d, today)]


def actions_of(session: Session, person_id: str) -> list[ImprovementDecision]:
    """Improvement actions ``person_id`` carries out that are not done yet, earliest due first."""
    query = select(ImprovementDecision).where(
        col(ImprovementDecision.owner_id) == person_id,
        col(ImprovementDecision.action_status).in_(OPEN_ACTION_STATES),
    )
    return sorted(session.exec(query).all(), key=lambda d: (d.action_due or date.max, d.id or 0))


def latest_statuses(session: Session, indicator_ids: Collection[str]) -> dict[str, str]:
    """Each indicator's status at its latest stored period, for ``indicator_ids``.

    Two columns, no objects: at 1,000 activities a roll-up reads 4,500 indicators' latest
    values (issue 17: a page under 200 ms).
    """
    wanted = set(indicator_ids)
    if not wanted:
        return {}
    newest_query = select(
        col(Measurement.indicator_id), func.max(Measurement.period).label("period")
    )
    if len(wanted) <= FEW_INDICATORS:  # a person's few: let the index find them
        newest_query = newest_query.where(col(Measurement.indicator_id).in_(sorted(wanted)))
    newest = newest_query.group_by(col(Measurement.indicator_id)).subquery()
    query = select(col(Measurement.indicator_id), col(Measurement.status)).join(
        newest,
        (col(Measurement.indicator_id) == newest.c.indicator_id)
        & (col(Measurement.period) == newest.c.period),
    )
    return {i: status for i, status in session.exec(query).all() if i in wanted}


@dataclass(frozen=True)
class OpenRound:
    """An open control round: how many of its indicators are answered, and whether it is late."""

    round_id: int
    activity_id: str
    period: str
    due: date
    answered: int
    expected: int
    overdue: bool


def open_rounds(session: Session, ctx: Context, activity_ids: Collection[str]) -> list[OpenRound]:
    """The open rounds of ``activity_ids``, overdue first, then by due date.

    Three queries whatever the number of rounds: the rounds, and the values and "not
    measured" reports counted per round.
    """
    wanted = set(activity_ids)
    rounds = [
        r
        for r in session.exec(select(ControlRound).where(col(ControlRound.status) == "open"))
        if r.activity_id in wanted and r.id is not None
    ]
    answered: dict[int, int] = {}
    for model in (Measurement, NotMeasured):
        query = select(col(model.round_id), func.count()).where(
            col(model.round_id).in_(
                select(ControlRound.id).where(col(ControlRound.status) == "open")
            )
        )
        for round_id, count in session.exec(query.group_by(col(model.round_id))).all():
            answered[round_id] = answered.get(round_id, 0) + count
    today = ctx.today()
    out = []
    for r in rounds:
        try:
            activity = ctx.plan.activity(r.activity_id)
        except UnknownPlanItem:
            continue
        expected = len(round_indicators(activity, r.frequency))
        done = min(answered.get(r.id or 0, 0), expected)
        out.append(
            OpenRound(
                r.id or 0,
                r.activity_id,
                r.period,
                r.due_date,
                done,
                expected,
                overdue=r.due_date < today and done < expected,
            )
        )
    return sorted(out, key=lambda r: (not r.overdue, r.due, r.activity_id))
