"""This module contains taking a decision: its form, the record, or passing it up a scale."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import date, timedelta

from sqlmodel import Session

from storage.models import FormSession, ImprovementDecision
from workflows import audit
from workflows.context import Context
from workflows.decisions.approvers import check_can_decide
from workflows.decisions.briefs import ACTION_HORIZON_DAYS, APPROVE, FORM, REJECT, load_brief
from workflows.forms.fields import FieldKind, FieldSpec, FormSpec, Option
from workflows.notices import (
    DecisionProposed,
    DecisionRecorded,
    DecisionRequested,
    Outgoing,
    ToChannel,
    ToPerson,
    problem,
)
from workflows.plan.model import UnknownPlanItem


def decision_spec(ctx: Context, decision: ImprovementDecision, outcome: str) -> FormSpec:
    """The form that completes a decision: action, owner and due date, or a reason."""
    if outcome == REJECT:
        fields: tuple[FieldSpec, ...] = (
            FieldSpec(id="reason", kind=FieldKind.TEXT, prompt="decision_reason"),
        )
    else:
        activity = ctx.plan.activity(decision.activity_id)
        owners = tuple(
            Option(value=p, label=ctx.plan.person(p).name, translate=False)
            for p in ctx.plan.people_of(activity)
        )
        fields = (
            FieldSpec(id="action", kind=FieldKind.TEXT, prompt="decision_action"),
            FieldSpec(id="owner", kind=FieldKind.CHOICE, prompt="decision_owner", options=owners),
            FieldSpec(
                id="due",
                kind=FieldKind.DATE,
                prompt="decision_due",
                not_before=ctx.today() + timedelta(days=1),
                not_after=ctx.today() + timedelta(days=ACTION_HORIZON_DAYS),
            ),
        )
    return FormSpec(name=FORM, fields=fields, confirm=True)


def record_decision(
    session: Session, ctx: Context, form: FormSession, answers: Mapping[str, str]
) -> list[Outgoing]:
    """Store a completed decision form and announce the outcome.

    Returns:
        The outcome for the team channel and the approver, and for the action's owner when
        that is someone else; or a refusal if the decision was taken meanwhile.
    """
    checked = check_can_decide(session, ctx, form.person_id, form.subject_id, lock=True)
    if not isinstance(checked, ImprovementDecision):
        return checked
    decision = checked
    outcome = str(form.context.get("outcome", APPROVE))
    now = ctx.now()
    decision.status = "approved" if outcome == APPROVE else "rejected"
    decision.decided_by = form.person_id
    decision.decided_at = now
    if outcome == APPROVE:
        decision.action = answers["action"]
        decision.owner_id = answers["owner"]
        decision.action_due = date.fromisoformat(answers["due"])
        decision.action_status = "planned"  # workflows.decisions.actions.PLANNED
        decision.action_status_at = now
    else:
        decision.rejection_reason = answers["reason"]
    session.add(decision)
    audit.record(
        session,
        ctx,
        form.person_id,
        f"decision.{decision.status}",
        f"decision:{decision.id}",
        action=decision.action,
        owner=decision.owner_id,
        due=decision.action_due.isoformat() if decision.action_due else None,
        reason=decision.rejection_reason,
    )
    notice = DecisionRecorded(
        decision=load_brief(session, decision),
        outcome=decision.status,
        decided_by=form.person_id,
        decided_at=now,
        action=decision.action,
        owner_id=decision.owner_id,
        action_due=decision.action_due,
        reason=decision.rejection_reason,
    )
    out = [Outgoing(ToPerson(form.person_id), notice)]
    with suppress(UnknownPlanItem):  # an activity that left the plan has no channel to tell
        channel = ctx.plan.activity(decision.activity_id).channel
        out.insert(0, Outgoing(ToChannel(channel), notice))
    if decision.owner_id and decision.owner_id != form.person_id:
        out.append(Outgoing(ToPerson(decision.owner_id), notice))
    return out


PROPOSE = "propose"
"""Token value of "propose upwards" (PU3-3 step 5: the approver ensures or proposes)."""


def propose_upwards(
    session: Session, ctx: Context, person_id: str, decision_id: int
) -> list[Outgoing]:
    """Pass an open decision to the responsible (A) one scale up, who decides the same way.

    Returns:
        The request to the new approver, a note to the proposer and the team channel; or why
        not (not the approver, decided already, nobody above).
    """
    checked = check_can_decide(session, ctx, person_id, decision_id, lock=True)
    if not isinstance(checked, ImprovementDecision):
        return checked
    decision = checked
    me = ToPerson(person_id)
    try:
        activity = ctx.plan.activity(decision.activity_id)
    except UnknownPlanItem:
        return [Outgoing(me, problem("plan_item_gone", item=decision.activity_id))]
    above = ctx.plan.manager_of(person_id, activity)
    if above is None or above == person_id:
        return [Outgoing(me, problem("nobody_above", decision=decision_id))]
    decision.approver_id = above
    decision.proposed_by = person_id
    session.add(decision)
    audit.record(
        session,
        ctx,
        person_id,
        "decision.proposed_upwards",
        f"decision:{decision_id}",
        approver=above,
    )
    summary = load_brief(session, decision)
    note = DecisionProposed(summary, person_id, above)
    out = [
        Outgoing(ToPerson(above), DecisionRequested(summary, ask=True)),
        Outgoing(me, note),
    ]
    with suppress(UnknownPlanItem):
        out.append(Outgoing(ToChannel(activity.channel), note))
    return out
