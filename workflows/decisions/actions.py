"""This module contains the improvement action lifecycle (PU3-3 step 5, "plāno un īsteno").

An approved decision's action is ``planned``; its owner moves it to ``in_progress`` and
``done`` in chat (buttons on the follow-ups, or ``/action N STATUS``); the approver may also
``cancel`` it. A done action is judged by the indicator's next value: ``verified`` when that
value is ok and meets the target, else ``not_verified`` (the loop closes, or the approver
sees that the action did not move the indicator). Every change is audited.

Follow-ups (scheduled by
:func:`workflows.decisions.action_follow_ups.action_follow_ups`): the owner a few
working days before the due date and on it; the approver one working day after it while the
action is still open (escalation).
"""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.db import rows_touched
from storage.models import ImprovementDecision, Measurement
from workflows import audit
from workflows.context import Context
from workflows.decisions import load_brief
from workflows.notices import (
    ActionUpdated,
    ActionVerified,
    Outgoing,
    Recipient,
    ToChannel,
    ToPerson,
    problem,
)
from workflows.people.absences import away_on, deputy_for
from workflows.plan.model import UnknownPlanItem
from workflows.rounds.evaluation import Status

PLANNED = "planned"
IN_PROGRESS = "in_progress"
DONE = "done"
VERIFIED = "verified"
NOT_VERIFIED = "not_verified"
CANCELLED = "cancelled"
OPEN = frozenset({PLANNED, IN_PROGRESS})
"""Statuses that still get follow-ups."""
OWNER_MOVES = {PLANNED: frozenset({IN_PROGRESS, DONE}), IN_PROGRESS: frozenset({DONE})}
"""What the owner may set from each status."""
SOON_WORKING_DAYS = 3
"""The owner is reminded this many working days before the due date."""
OVERDUE_WORKING_DAYS = 1
"""The approver is told this many working days after the due date if it is still open."""


def approver_of(decision: ImprovementDecision) -> str:
    """Who decided the action (the approver), to whom overdue actions escalate."""
    return decision.decided_by or decision.approver_id


def _audience(ctx: Context, decision: ImprovementDecision) -> list[Recipient]:
    people = dict.fromkeys(p for p in (decision.owner_id, approver_of(decision)) if p)
    out: list[Recipient] = [ToPerson(p) for p in people]
    with suppress(UnknownPlanItem):  # an activity that left the plan has no channel
        out.append(ToChannel(ctx.plan.activity(decision.activity_id).channel))
    return out


def _deputises(
    session: Session, ctx: Context, decision: ImprovementDecision, person_id: str
) -> bool:
    """Whether ``person_id`` stands in for the action's owner, who is away today."""
    away = away_on(session, ctx.today())
    if decision.owner_id is None or decision.owner_id not in away:
        return False
    try:
        activity = ctx.plan.activity(decision.activity_id)
    except UnknownPlanItem:
        return False
    return deputy_for(ctx, activity, decision.owner_id, away) == person_id


def update_status(
    session: Session, ctx: Context, person_id: str, decision_id: int, status: str
) -> list[Outgoing]:
    """Set the status of decision ``decision_id``'s action.

    Only the owner (or their deputy while they are away) moves it forwards (planned → in
    progress → done); the approver, unless also the owner, may only cancel it (README
    "Improvement actions"; domain.md §2.1 D4: the responsible person carries the action
    out). Verified / not verified are set only by the next measurement.

    Returns:
        :class:`ActionUpdated` for the owner, the approver and the team channel; or a
        problem (``unknown_action``, ``not_action_owner``, ``action_owner_moves``: the
        approver tried to move it forwards, ``action_status_not_allowed``), and then
        nothing changed.
    """
    me = ToPerson(person_id)
    decision = session.get(ImprovementDecision, decision_id)
    if decision is None or decision.action_status is None:
        return [Outgoing(me, problem("unknown_action", decision=decision_id))]
    current = decision.action_status
    is_owner = person_id == decision.owner_id or _deputises(session, ctx, decision, person_id)
    is_approver = person_id == approver_of(decision)
    if not (is_owner or is_approver):
        return [Outgoing(me, problem("not_action_owner", decision=decision_id))]
    allowed = set(OWNER_MOVES.get(current, ())) if is_owner else set()
    if is_approver and current in OPEN | {DONE}:
        allowed |= {CANCELLED}
    if status == current:
        return [Outgoing(me, problem("action_status_same", decision=decision_id))]
    if not is_owner and status in OWNER_MOVES.get(current, ()):
        owner = decision.owner_id or ""
        refusal = problem("action_owner_moves", decision=decision_id, person=owner)
        return [Outgoing(me, refusal)]
    if status not in allowed:
        return [Outgoing(me, problem("action_status_not_allowed", decision=decision_id))]
    result = session.execute(
        update(ImprovementDecision)
        .where(
            col(ImprovementDecision.id) == decision_id,
            col(ImprovementDecision.action_status) == current,
        )
        .values(action_status=status, action_status_at=ctx.now())
        .execution_options(synchronize_session=False)
    )
    if not rows_touched(result):  # someone changed it a moment ago
        return [Outgoing(me, problem("action_status_not_allowed", decision=decision_id))]
    session.refresh(decision)
    audit.record(
        session,
        ctx,
        person_id,
        "action.status",
        f"decision:{decision_id}",
        previous=current,
        status=status,
    )
    notice = ActionUpdated(load_brief(session, decision), decision.action or "", status, person_id)
    return [Outgoing(to, notice) for to in _audience(ctx, decision)]


def has_done_actions(session: Session, indicator_id: str) -> bool:
    """Whether the indicator has a done action waiting to be verified (a cheap check)."""
    found = session.exec(
        select(ImprovementDecision.id).where(
            col(ImprovementDecision.indicator_id) == indicator_id,
            col(ImprovementDecision.action_status) == DONE,
        )
    ).first()
    return found is not None


def verify_after(session: Session, ctx: Context, row: Measurement) -> list[Outgoing]:
    """Judge the done actions of ``row``'s indicator by this newer value.

    An action is verified when the value is ok and meets its target (the thresholds in
    force, stored with the value); otherwise not verified. Only actions decided on an
    earlier period's value are judged, and only by a value that counts: one waiting for
    approval is judged once approved.

    Returns:
        :class:`ActionVerified` for the owner, the approver and the team channel.
    """
    if row.approval in ("submitted", "rejected"):
        return []  # not final yet: judged when approved (workflows.rounds.approval.approve)
    decisions = session.exec(
        select(ImprovementDecision).where(
            col(ImprovementDecision.indicator_id) == row.indicator_id,
            col(ImprovementDecision.action_status) == DONE,
        )
    ).all()
    out: list[Outgoing] = []
    for decision in decisions:
        brief = load_brief(session, decision)
        if brief.period >= row.period:
            continue
        worked = row.status == Status.OK.value and row.target_met
        decision.action_status = VERIFIED if worked else NOT_VERIFIED
        decision.action_status_at = ctx.now()
        decision.verified_by = row.id
        session.add(decision)
        audit.record(
            session,
            ctx,
            "system",
            "action.verified" if worked else "action.not_verified",
            f"decision:{decision.id}",
            measurement=row.id,
            period=row.period,
            value=str(row.value),
        )
        notice = ActionVerified(
            brief,
            decision.action or "",
            row.value,
            row.period,
            Status(row.status),
            row.target_met,
            worked,
        )
        out.extend(Outgoing(to, notice) for to in _audience(ctx, decision))
    return out


def reconsider(session: Session, ctx: Context, row: Measurement) -> list[Outgoing]:
    """The value that verified actions changed (corrected or returned): judge them again.

    A returned value no longer counts: its actions are ``done`` again, waiting for the next
    value. A corrected one is judged anew (:func:`verify_after`).
    """
    judged = session.exec(
        select(ImprovementDecision).where(col(ImprovementDecision.verified_by) == row.id)
    ).all()
    if not judged:
        return []
    for decision in judged:
        decision.action_status, decision.verified_by = DONE, None
        decision.action_status_at = ctx.now()
        session.add(decision)
        audit.record(
            session,
            ctx,
            "system",
            "action.verification_withdrawn",
            f"decision:{decision.id}",
            measurement=row.id,
        )
    session.flush()
    return verify_after(session, ctx, row)
