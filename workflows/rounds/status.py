"""This module contains ``/status``: how the control rounds of a manager's activities stand.

Control of the control process itself (PU3-3 step 4): for each open round of an activity the
person is responsible (A) for, how many indicators have values, who has not answered yet and
whether it is overdue; then the open improvement decisions of those activities.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import ControlRound, ImprovementDecision
from workflows.context import Context
from workflows.notices import Outgoing, RoundStatus, StatusReport, ToPerson, problem
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity, Mark
from workflows.reports import deliveries as delivery_reports
from workflows.rounds.opening import (
    answered,
    measurers_of_round,
    outstanding_for,
    round_indicators,
)


def managed_activities(ctx: Context, person_id: str) -> tuple[Activity, ...]:
    """Activities ``person_id`` answers for.

    That is: A at any scale of the activity, or the organisation's lead; a plan
    administrator answers for all of them.
    """
    plan = ctx.plan
    if plan.is_admin(person_id):
        return tuple(plan.activities)
    return tuple(
        activity
        for activity in plan.activities
        if any(
            holder.person == person_id
            for scale in activity.responsibility
            for holder in plan.holders(activity, scale, Mark.A)
        )
        or (
            plan.plan.organisation.lead is not None
            and plan.plan.organisation.lead.person == person_id
        )
    )


def status_for(session: Session, ctx: Context, person_id: str) -> list[Outgoing]:
    """The ``/status`` report for ``person_id`` (a manager or an administrator).

    Returns:
        One :class:`StatusReport`, or the ``not_a_manager`` problem.
    """
    me = ToPerson(person_id)
    activities = {a.id: a for a in managed_activities(ctx, person_id)}
    if not activities:
        return [Outgoing(me, problem("not_a_manager"))]
    today = ctx.today()
    rounds: list[RoundStatus] = []
    query = select(ControlRound).where(
        col(ControlRound.status) == "open", col(ControlRound.activity_id).in_(list(activities))
    )
    for row in session.exec(query.order_by(col(ControlRound.due_date))).all():
        try:
            indicators = round_indicators(activities[row.activity_id], row.frequency)
            waiting = tuple(
                p
                for p in measurers_of_round(session, ctx, row)
                if outstanding_for(session, ctx, row, p)[0]
            )
        except UnknownPlanItem:
            continue
        done = answered(session, row.id or 0)
        rounds.append(
            RoundStatus(
                row.activity_id,
                row.period,
                row.due_date,
                answered=sum(i.id in done for i in indicators),
                total=len(indicators),
                waiting_for=waiting,
                overdue=row.due_date < today and bool(waiting),
            )
        )
    decisions = session.exec(
        select(ImprovementDecision)
        .where(
            col(ImprovementDecision.status) == "open",
            col(ImprovementDecision.activity_id).in_(list(activities)),
        )
        .order_by(col(ImprovementDecision.decide_by))
    ).all()
    open_decisions = tuple(
        (d.id or 0, d.indicator_id, d.approver_id, d.decide_by) for d in decisions
    )
    people = sorted({p for a in activities.values() for p in ctx.plan.people_of(a)})
    unreachable = delivery_reports.unreachable_people(session, people)
    return [Outgoing(me, StatusReport(tuple(rounds), open_decisions, today, unreachable))]
