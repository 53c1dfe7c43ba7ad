"""This module contains what waits for a person: rounds to measure, decisions, actions."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from storage.models import ControlRound, ImprovementDecision, Measurement
from workflows.context import Context
from workflows.decisions import actions, load_brief, open_decisions
from workflows.forms.conversation import active_form, form_header
from workflows.notices import PendingAction, PendingList, PendingRound, ValueBrief
from workflows.people.absences import Away, away_on, effective_measurers
from workflows.plan.model import UnknownPlanItem
from workflows.rounds import approval
from workflows.rounds.opening import outstanding_for, round_indicators


def pending_for(session: Session, ctx: Context, person_id: str) -> PendingList:
    """What waits for ``person_id``.

    Returns:
        Open rounds where the person still has something to measure, their open decisions,
        values waiting for their approval, the improvement actions they carry out that are
        not done yet, and the form they have in progress (an expired form is not shown as in
        progress).
    """
    rounds: list[PendingRound] = []
    away = away_on(session, ctx.today())
    query = select(ControlRound).where(col(ControlRound.status) == "open")
    for control_round in session.exec(query.order_by(col(ControlRound.due_date))).all():
        try:
            if not _measures_in(ctx, control_round, person_id, away):
                continue  # decided from the plan alone: no queries for others' rounds
            missing, _answered = outstanding_for(session, ctx, control_round, person_id)
        except UnknownPlanItem:  # the activity left the plan
            continue
        if missing and control_round.id is not None:
            rounds.append(
                PendingRound(
                    control_round.id,
                    control_round.activity_id,
                    control_round.period,
                    control_round.due_date,
                    missing,
                    overdue=control_round.due_date < ctx.today(),
                )
            )
    decisions = tuple(load_brief(session, d) for d in open_decisions(session, person_id))
    row = active_form(session, person_id)
    form = form_header(session, row) if row and row.expires_at > ctx.now() else None
    return PendingList(
        tuple(rounds),
        decisions,
        form,
        awaiting_approval(session, ctx, person_id),
        open_actions(session, ctx, person_id),
    )


def open_actions(session: Session, ctx: Context, person_id: str) -> tuple[PendingAction, ...]:
    """Improvement actions ``person_id`` owns, planned or in progress, earliest due first."""
    query = select(ImprovementDecision).where(
        col(ImprovementDecision.owner_id) == person_id,
        col(ImprovementDecision.action_status).in_(sorted(actions.OPEN)),
    )
    rows = session.exec(query).all()
    today = ctx.today()
    return tuple(
        PendingAction(
            row.id,
            row.activity_id,
            row.indicator_id,
            row.action or "",
            row.action_due,
            row.action_status or actions.PLANNED,
            overdue=row.action_due is not None and row.action_due < today,
        )
        for row in sorted(rows, key=lambda d: (d.action_due or date.max, d.id or 0))
        if row.id is not None
    )


def _measures_in(
    ctx: Context, control_round: ControlRound, person_id: str, away: dict[str, Away]
) -> bool:
    """Whether ``person_id`` measures anything in the round today (raises UnknownPlanItem)."""
    activity = ctx.plan.activity(control_round.activity_id)
    return any(
        person_id in effective_measurers(ctx, activity, indicator, away)
        for indicator in round_indicators(activity, control_round.frequency)
    )


def awaiting_approval(session: Session, ctx: Context, person_id: str) -> tuple[ValueBrief, ...]:
    """Values submitted for ``person_id``'s approval and not yet approved or returned."""
    query = select(Measurement).where(col(Measurement.approval) == approval.SUBMITTED)
    out: list[ValueBrief] = []
    for row in session.exec(query.order_by(col(Measurement.submitted_at))).all():
        try:
            if approval.approver_of(ctx, row) == person_id:
                out.append(approval.brief(row))
        except UnknownPlanItem:  # the indicator left the plan
            continue
    return tuple(out)
