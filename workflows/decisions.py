"""This module contains improvement decisions (PU3-3 step 5, "veic pilnveidi").

A critical value, or ``decision_after_warnings`` warning-or-worse values in a row, opens a
decision for the indicator's approver. Only the approver may decide: approve (with an
action, its owner and a due date) or reject (with a reason). The outcome goes to the
activity's team channel and the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import date, timedelta
from itertools import pairwise

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db import rows_touched
from storage.models import FormSession, ImprovementDecision, Measurement
from workflows import audit
from workflows.context import Context
from workflows.evaluation import Status
from workflows.forms.fields import FieldKind, FieldSpec, FormSpec, Option
from workflows.notices import (
    DecisionAlreadyTaken,
    DecisionBrief,
    DecisionProposed,
    DecisionRecorded,
    DecisionRequested,
    DecisionStillOpen,
    DecisionWithdrawn,
    NotApprover,
    Outgoing,
    ToChannel,
    ToPerson,
    problem,
)
from workflows.periods import Period
from workflows.plan.model import UnknownPlanItem

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


def _last_decided_period(session: Session, measurement: Measurement) -> str | None:
    """The period of the value that opened the indicator's latest decision, if any."""
    return session.exec(
        select(Measurement.period)
        .join(ImprovementDecision, col(ImprovementDecision.measurement_id) == col(Measurement.id))
        .where(
            col(ImprovementDecision.indicator_id) == measurement.indicator_id,
            col(ImprovementDecision.activity_id) == measurement.activity_id,
        )
        .order_by(col(Measurement.period).desc())
        .limit(1)
    ).first()


def _warnings_in_a_row(session: Session, measurement: Measurement, needed: int) -> bool:
    """Whether the indicator's latest ``needed`` values are all warning or worse.

    The values must come from consecutive periods ending with the latest one, and
    ``measurement`` must be among them (values may arrive out of period order). Values at or
    before the one that opened the indicator's latest decision do not count again: after a
    decision, a new series has to build up.
    """
    query = select(Measurement.status, Measurement.period).where(
        col(Measurement.indicator_id) == measurement.indicator_id,
        col(Measurement.activity_id) == measurement.activity_id,
    )
    decided = _last_decided_period(session, measurement)
    if decided is not None:
        query = query.where(col(Measurement.period) > decided)
    rows = session.exec(query.order_by(col(Measurement.period).desc()).limit(needed)).all()
    if len(rows) < needed or any(status == Status.OK for status, _period in rows):
        return False
    periods = [Period.parse(period) for _status, period in rows]
    if measurement.period not in {str(p) for p in periods}:
        return False
    return all(newer.previous() == older for newer, older in pairwise(periods))


def maybe_open_decision(
    session: Session, ctx: Context, measurement: Measurement
) -> list[Outgoing]:
    """Open an improvement decision if ``measurement`` calls for one.

    A decision opens when the value is critical, or when the last
    ``decision_after_warnings`` values of the indicator (this one included, by period) are
    all warning or critical — and no decision on the indicator is open yet.

    Returns:
        The request to the approver (with approve/reject) and a notice to the team channel;
        nothing if no decision was opened.
    """
    needed = ctx.plan.plan.decision_after_warnings
    if measurement.status == Status.CRITICAL:
        trigger = TRIGGER_CRITICAL
    elif measurement.status == Status.WARNING:
        if not _warnings_in_a_row(session, measurement, needed):
            return []
        trigger = TRIGGER_WARNINGS
    else:
        return []
    already = session.exec(
        select(ImprovementDecision).where(
            col(ImprovementDecision.activity_id) == measurement.activity_id,
            col(ImprovementDecision.indicator_id) == measurement.indicator_id,
            col(ImprovementDecision.status) == "open",
        )
    ).first()
    if already is not None:
        return _still_open(session, ctx, already, measurement)
    activity, indicator = ctx.plan.indicator(measurement.indicator_id)
    decision = ImprovementDecision(
        activity_id=activity.id,
        indicator_id=indicator.id,
        round_id=measurement.round_id,
        measurement_id=_mid(measurement),
        trigger=trigger,
        approver_id=ctx.plan.approver(activity, indicator),
        decide_by=ctx.calendar.add_working_days(
            ctx.today(), ctx.plan.plan.decision_within_working_days
        ),
        opened_at=ctx.now(),
    )
    try:
        with session.begin_nested():
            session.add(decision)
    except IntegrityError:  # another process opened one for this indicator just now
        return []
    audit.record(
        session,
        ctx,
        "system",
        "decision.opened",
        f"decision:{decision.id}",
        indicator=indicator.id,
        trigger=trigger,
        approver=decision.approver_id,
    )
    summary = brief(decision, measurement)
    return [
        Outgoing(ToPerson(decision.approver_id), DecisionRequested(summary, ask=True)),
        Outgoing(ToChannel(activity.channel), DecisionRequested(summary, ask=False)),
    ]


def withdraw_for(
    session: Session, ctx: Context, measurement: Measurement, why: str
) -> list[Outgoing]:
    """Withdraw the open decision ``measurement`` opened, when its value no longer counts.

    ``why`` is ``returned`` (the approver returned the value) or ``corrected`` (then only
    when the corrected value would not open a decision itself). The change is one
    conditional UPDATE, so a decision taken a moment ago stays taken.

    Returns:
        :class:`DecisionWithdrawn` for the approver and the team channel, or nothing.
    """
    decision = session.exec(
        select(ImprovementDecision).where(
            col(ImprovementDecision.measurement_id) == measurement.id,
            col(ImprovementDecision.status) == "open",
        )
    ).first()
    if decision is None:
        return []
    if why == "corrected":
        needed = ctx.plan.plan.decision_after_warnings
        if measurement.status == Status.CRITICAL or (
            measurement.status == Status.WARNING
            and _warnings_in_a_row(session, measurement, needed)
        ):
            return []  # still called for: it stays open, showing the corrected value
    result = session.execute(
        update(ImprovementDecision)
        .where(
            col(ImprovementDecision.id) == decision.id,
            col(ImprovementDecision.status) == "open",
        )
        .values(status=WITHDRAWN, decided_at=ctx.now())
        .execution_options(synchronize_session=False)
    )
    if not rows_touched(result):
        return []
    session.refresh(decision)
    audit.record(session, ctx, "system", "decision.withdrawn", f"decision:{decision.id}", why=why)
    notice = DecisionWithdrawn(load_brief(session, decision), why)
    out = [Outgoing(ToPerson(decision.approver_id), notice)]
    with suppress(UnknownPlanItem):
        out.append(Outgoing(ToChannel(ctx.plan.activity(decision.activity_id).channel), notice))
    return out


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
        decision.action_status = "planned"  # workflows.actions.PLANNED
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
