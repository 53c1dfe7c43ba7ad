"""This module contains who may take a decision, and whether it can still be taken."""

from __future__ import annotations

from contextlib import suppress

from sqlmodel import Session

from storage.models import ImprovementDecision, Measurement
from workflows import audit
from workflows.context import Context
from workflows.decisions.briefs import load_brief
from workflows.notices import (
    DecisionAlreadyTaken,
    DecisionStillOpen,
    NotApprover,
    Outgoing,
    ToChannel,
    ToPerson,
    problem,
)
from workflows.plan.model import UnknownPlanItem
from workflows.rounds.evaluation import Status


def _still_open(
    session: Session, ctx: Context, decision: ImprovementDecision, measurement: Measurement
) -> list[Outgoing]:
    """Tell the approver and the channel of a new off-target value while a decision is open."""
    notice = DecisionStillOpen(
        decision=load_brief(session, decision),
        period=measurement.period,
        value=measurement.value,
        status=Status(measurement.status),
        comment=measurement.comment,
    )
    out = [Outgoing(ToPerson(decision.approver_id), notice)]
    with suppress(UnknownPlanItem):
        out.append(Outgoing(ToChannel(ctx.plan.activity(decision.activity_id).channel), notice))
    return out


def check_can_decide(
    session: Session, ctx: Context, person_id: str, decision_id: int, *, lock: bool = False
) -> ImprovementDecision | list[Outgoing]:
    """The open decision ``person_id`` may take, or the notices that say why not.

    Refusals change nothing but are recorded in the audit log. With ``lock`` the row is
    locked until the transaction ends (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
    serialises writers anyway), so two simultaneous approvals cannot both succeed.
    """
    me = ToPerson(person_id)
    decision = session.get(
        ImprovementDecision, decision_id, with_for_update=lock, populate_existing=lock
    )
    if decision is None:
        return [Outgoing(me, problem("unknown_decision", decision=decision_id))]
    current = _current_approver(ctx, decision)
    if decision.proposed_by:
        current = _proposed_approver(ctx, decision, current)
    if current is not None and current != decision.approver_id:
        audit.record(
            session,
            ctx,
            "system",
            "decision.reassigned",
            f"decision:{decision_id}",
            previous=decision.approver_id,
            approver=current,
        )
        decision.approver_id = current
        session.add(decision)
    if decision.approver_id != person_id:
        audit.record(
            session,
            ctx,
            person_id,
            "decision.refused",
            f"decision:{decision_id}",
            reason="not_approver",
        )
        return [Outgoing(me, NotApprover(decision_id, decision.approver_id))]
    if decision.status != "open":
        return [
            Outgoing(
                me,
                DecisionAlreadyTaken(
                    decision_id, decision.status, decision.decided_by, decision.decided_at
                ),
            )
        ]
    return decision


def _proposed_approver(
    ctx: Context, decision: ImprovementDecision, planned: str | None
) -> str | None:
    """Who decides a decision proposed upwards.

    The one it was proposed to, while they are in the plan; else the one above the proposer
    now; else the plan's approver, who then owns it again.
    """
    if ctx.plan.has_person(decision.approver_id):
        return decision.approver_id
    above: str | None = None
    with suppress(UnknownPlanItem):
        if decision.proposed_by and ctx.plan.has_person(decision.proposed_by):
            activity = ctx.plan.activity(decision.activity_id)
            above = ctx.plan.manager_of(decision.proposed_by, activity)
    if above is None:
        decision.proposed_by = None
    return above or planned


def _current_approver(ctx: Context, decision: ImprovementDecision) -> str | None:
    """Who decides under the plan as it is now (the plan may have changed since opening)."""
    try:
        activity, indicator = ctx.plan.indicator(decision.indicator_id)
        return ctx.plan.approver(activity, indicator)
    except UnknownPlanItem:
        return None
