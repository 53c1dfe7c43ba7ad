"""This module contains the approval of submitted values by the indicator's approver.

PU3-3 step 4 with the plan's ``requires_approval``: a submitted value waits (``submitted``)
until the indicator's approver (``approved_by``) approves it or returns it with a reason
(``rejected``, domain.md measurement statuses). A returned value no longer counts: the
indicator is outstanding again, the measurer is told why and asked to measure again, and
the next submission becomes the measurement's next version. A value the approver submits
themselves counts as approved.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.db import rows_touched
from storage.models import FormSession, Measurement
from workflows import audit
from workflows.context import Context
from workflows.decisions import actions, withdraw_for
from workflows.forms.fields import FieldKind, FieldSpec, FormSpec
from workflows.notices import (
    ApprovalAlreadyGiven,
    ApprovalRequested,
    NotValueApprover,
    Outgoing,
    ToPerson,
    ValueApproved,
    ValueBrief,
    ValueReturned,
    problem,
)
from workflows.plan.model import UnknownPlanItem
from workflows.rounds.evaluation import Status

NONE = "none"
SUBMITTED = "submitted"
APPROVED = "approved"
REJECTED = "rejected"

APPROVE = "approve"
RETURN = "return"
FORM = "return_value"
"""The approver's form for returning a value: its one question is the reason."""
REASON_FIELD = "reason"
REASON_MAX_LENGTH = 500


def brief(row: Measurement) -> ValueBrief:
    """The facts of a stored measurement for approvers, correctors and receipts."""
    if row.id is None:  # pragma: no cover - rows are flushed before
        raise ValueError("measurement has no id yet")
    return ValueBrief(
        measurement_id=row.id,
        version=row.version,
        round_id=row.round_id,
        activity_id=row.activity_id,
        indicator_id=row.indicator_id,
        period=row.period,
        value=row.value,
        status=Status(row.status),
        target_met=row.target_met,
        comment=row.comment,
        submitted_by=row.submitted_by,
        correction_reason=row.correction_reason,
    )


def approver_of(ctx: Context, row: Measurement) -> str | None:
    """The approver of ``row``'s indicator when the plan asks for approval, else ``None``.

    Raises:
        UnknownPlanItem: If the indicator left the plan.
    """
    activity, indicator = ctx.plan.indicator(row.indicator_id)
    if not indicator.requires_approval:
        return None
    return ctx.plan.approver(activity, indicator)


def settle(
    session: Session, ctx: Context, row: Measurement, *, always_ask: bool = False
) -> list[Outgoing]:
    """Set the approval state of a value just stored (new, corrected or resubmitted).

    Args:
        session: The open session.
        ctx: Plan and clock.
        row: The stored value.
        always_ask: Ask the approver even when they are the submitter (imported values:
            the accountable person did not see the value).

    Returns:
        The approval request for the approver, when one is needed.
    """
    approver = approver_of(ctx, row)
    if approver is None:
        row.approval = NONE
        session.add(row)
        return []
    if approver == row.submitted_by and not always_ask:
        row.approval, row.approval_by, row.approval_at = APPROVED, approver, ctx.now()
        session.add(row)
        session.flush()
        audit.record(session, ctx, approver, "measurement.approved", _subject(row), by="submitter")
        return []
    row.approval, row.approval_by, row.approval_at, row.approval_reason = (
        SUBMITTED,
        None,
        None,
        None,
    )
    session.add(row)
    session.flush()
    return [Outgoing(ToPerson(approver), ApprovalRequested(brief(row)))]


def release_unrequired(session: Session, ctx: Context) -> int:
    """Values still waiting for approval although the plan no longer asks for it: released.

    Called when the plan is loaded (start-up, ``plan apply``). Each release is audited.

    Returns:
        How many values were released.
    """
    released = 0
    waiting = session.exec(select(Measurement).where(col(Measurement.approval) == SUBMITTED))
    for row in waiting.all():
        try:
            needed = approver_of(ctx, row) is not None
        except UnknownPlanItem:  # the indicator left the plan: nobody can approve it
            needed = False
        if needed:
            continue
        row.approval = NONE
        session.add(row)
        audit.record(
            session,
            ctx,
            "system",
            "measurement.approval_released",
            _subject(row),
            reason="plan_no_longer_requires_approval",
        )
        released += 1
    return released


def _subject(row: Measurement) -> str:
    return f"round:{row.round_id}/{row.indicator_id}"


def check_can_review(
    session: Session, ctx: Context, person_id: str, measurement_id: int, version: int
) -> Measurement | list[Outgoing]:
    """The value ``person_id`` may approve or return now, or what to tell them instead.

    Refused: an unknown value, someone who is not the indicator's approver, a value already
    approved or returned, or one replaced by a newer version (whose own request counts).
    """
    me = ToPerson(person_id)
    row = session.get(Measurement, measurement_id)
    if row is None:
        return [Outgoing(me, problem("unknown_value", value=measurement_id))]
    try:
        approver = approver_of(ctx, row)
    except UnknownPlanItem:
        return [Outgoing(me, problem("form_plan_changed"))]
    if approver is None:
        return [Outgoing(me, problem("approval_not_required"))]
    if approver != person_id:
        audit.record(
            session,
            ctx,
            person_id,
            "measurement.review_refused",
            _subject(row),
            reason="not_approver",
        )
        return [Outgoing(me, NotValueApprover(measurement_id, approver))]
    if row.approval != SUBMITTED or row.version != version:
        return _taken_meanwhile(person_id, row, version)
    return row


def approve(
    session: Session, ctx: Context, person_id: str, measurement_id: int, version: int
) -> list[Outgoing]:
    """Approve version ``version`` of a value (the approver pressed Approve).

    The change is one conditional UPDATE, so of two simultaneous presses (or a press and a
    correction) only one wins; the other is told what happened.
    """
    checked = check_can_review(session, ctx, person_id, measurement_id, version)
    if not isinstance(checked, Measurement):
        return checked
    if not _claim(session, ctx, checked, person_id, APPROVED, None):
        return _taken_meanwhile(person_id, checked, version)
    audit.record(session, ctx, person_id, "measurement.approved", _subject(checked))
    notice = ValueApproved(brief(checked), person_id)
    out = [Outgoing(ToPerson(person_id), notice)]
    if checked.submitted_by != person_id:
        out.append(Outgoing(ToPerson(checked.submitted_by), notice))
    return out + actions.verify_after(session, ctx, checked)


def _taken_meanwhile(person_id: str, row: Measurement, version: int) -> list[Outgoing]:
    """Nothing changed: the value was approved or returned already, or replaced meanwhile."""
    notice = ApprovalAlreadyGiven(
        brief(row), row.approval, row.approval_by, row.approval_at, row.version != version
    )
    return [Outgoing(ToPerson(person_id), notice)]


def _claim(
    session: Session,
    ctx: Context,
    row: Measurement,
    person_id: str,
    approval: str,
    reason: str | None,
) -> bool:
    result = session.execute(
        update(Measurement)
        .where(
            col(Measurement.id) == row.id,
            col(Measurement.approval) == SUBMITTED,
            col(Measurement.version) == row.version,
        )
        .values(
            approval=approval,
            approval_by=person_id,
            approval_at=ctx.now(),
            approval_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    won = rows_touched(result) > 0
    session.refresh(row)
    return won


def return_spec() -> FormSpec:
    """The approver's form for returning a value: the reason (required), no confirmation."""
    reason = FieldSpec(
        id=REASON_FIELD,
        kind=FieldKind.TEXT,
        prompt="return_reason",
        max_length=REASON_MAX_LENGTH,
    )
    return FormSpec(name=FORM, fields=(reason,), confirm=False)


def record_return(
    session: Session, ctx: Context, form: FormSession, answers: Mapping[str, str]
) -> list[Outgoing]:
    """Finish the return form: mark the value ``rejected`` and ask the measurer again.

    ``form`` is the completed form session (subject: the measurement; context: the version
    the approver saw).
    """
    version = int(form.context.get("version", 0))
    checked = check_can_review(session, ctx, form.person_id, form.subject_id, version)
    if not isinstance(checked, Measurement):
        return checked
    reason = answers[REASON_FIELD]
    if not _claim(session, ctx, checked, form.person_id, REJECTED, reason):
        return _taken_meanwhile(form.person_id, checked, version)
    audit.record(
        session, ctx, form.person_id, "measurement.returned", _subject(checked), reason=reason
    )
    notice = ValueReturned(brief(checked), form.person_id, reason)
    return [
        Outgoing(ToPerson(form.person_id), notice),
        Outgoing(ToPerson(checked.submitted_by), notice),
        *withdraw_for(session, ctx, checked, "returned"),
        *actions.reconsider(session, ctx, checked),
    ]
