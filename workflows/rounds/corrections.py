"""This module contains corrections of submitted values (edit after submit).

A measurer who notices a mistake corrects the value with a reason; the corrected value is a
new version of the measurement, the old one is kept (``measurement_revision``) and the
summary shows that the value was corrected. Once the approver has approved a value it can
no longer be corrected (PU3-3 step 4, data quality): the approver's word is final.

Who may correct: whoever submitted the value, or anyone who measures the indicator now.
What: the newest answer of each indicator (its latest round), unless it was approved (by
someone else than whoever submitted it) or returned (a returned value is measured again
instead). A "not measured" report is replaced by a value through the measurement form
(:func:`workflows.forms.conversation.start_gap_value`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlmodel import Session, col, select

from storage.models import ControlRound, FormSession, Measurement, NotMeasured
from workflows import audit, decisions
from workflows.context import Context
from workflows.decisions import actions
from workflows.forms.fields import FieldKind, FieldSpec, FormSpec
from workflows.notices import (
    ApprovalAlreadyGiven,
    CorrectionChoices,
    Outgoing,
    ToPerson,
    ValueCorrected,
    problem,
)
from workflows.people.absences import away_on, effective_measurers
from workflows.plan import finding as indicators
from workflows.plan.model import UnknownPlanItem
from workflows.rounds import approval, revisions
from workflows.rounds.measuring import (
    COMMENT_SUFFIX,
    comment_field,
    new_measurement,
    sure_field,
    value_field,
)

FORM = "correction"
REASON_FIELD = "correction_reason"
REASON_MAX_LENGTH = 500


def correction_spec(
    ctx: Context, indicator_id: str, plausible: tuple[Decimal, Decimal] | None = None
) -> FormSpec:
    """The correction form: the new value, a comment when off target, the reason, confirm.

    A value far from ``plausible`` (its history) asks "is it correct?" as in the
    measurement form.

    Raises:
        UnknownPlanItem: If the indicator left the plan.
    """
    _activity, indicator = ctx.plan.indicator(indicator_id)
    reason = FieldSpec(
        id=REASON_FIELD,
        kind=FieldKind.TEXT,
        prompt=REASON_FIELD,
        subject=indicator_id,
        max_length=REASON_MAX_LENGTH,
    )
    fields = [value_field(indicator, not_measured=False)]
    if plausible is not None:
        fields.append(sure_field(indicator_id, plausible))
    fields += [comment_field(indicator), reason]
    return FormSpec(name=FORM, fields=tuple(fields), confirm=True)


def self_approved(row: Measurement, person_id: str) -> bool:
    """A value its approver submitted (approved at once) may still be corrected by them."""
    return row.approval == approval.APPROVED and row.approval_by == row.submitted_by == person_id


def _may_measure(session: Session, ctx: Context, person_id: str, row: Measurement) -> bool:
    if row.submitted_by == person_id:
        return True
    try:
        activity, indicator = ctx.plan.indicator(row.indicator_id)
    except UnknownPlanItem:
        return False
    away = away_on(session, ctx.today())
    return person_id in effective_measurers(ctx, activity, indicator, away)


def latest_value(session: Session, indicator_id: str) -> Measurement | None:
    """The indicator's newest value (latest period), whatever its approval.

    ``None`` when it has none, or when its latest answer is a "not measured" report.
    """
    row = session.exec(
        select(Measurement)
        .where(col(Measurement.indicator_id) == indicator_id)
        .order_by(col(Measurement.period).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    report = session.exec(
        select(NotMeasured.id).where(
            col(NotMeasured.indicator_id) == indicator_id,
            col(NotMeasured.period) >= row.period,
        )
    ).first()
    return row if report is None else None


def newest_gap(session: Session, indicator_id: str) -> NotMeasured | None:
    """The indicator's latest "not measured" report, when it is its latest answer."""
    gap = session.exec(
        select(NotMeasured)
        .where(col(NotMeasured.indicator_id) == indicator_id)
        .order_by(col(NotMeasured.period).desc())
        .limit(1)
    ).first()
    if gap is None:
        return None
    later = session.exec(
        select(Measurement).where(
            col(Measurement.indicator_id) == indicator_id, col(Measurement.period) > gap.period
        )
    ).first()
    return gap if later is None else None


def is_newest(session: Session, row: Measurement) -> bool:
    """Whether ``row`` is its indicator's latest answer (only that one is corrected)."""
    found = latest_value(session, row.indicator_id)
    return found is not None and found.id == row.id


def candidates(
    session: Session, ctx: Context, person_id: str, round_id: int | None = None
) -> list[Measurement]:
    """The values ``person_id`` may correct now (optionally of one round), in plan order."""
    order = {i.id: n for n, (_a, i) in enumerate(ctx.plan.all_indicators())}
    newest = (latest_value(session, indicator_id) for indicator_id in order)
    rows = [
        row
        for row in newest
        if row is not None
        and (row.approval in (approval.NONE, approval.SUBMITTED) or self_approved(row, person_id))
        and (round_id is None or row.round_id == round_id)
        and row.indicator_id in order
        and _may_measure(session, ctx, person_id, row)
    ]
    return sorted(rows, key=lambda row: order[row.indicator_id])


def choose(
    session: Session,
    ctx: Context,
    person_id: str,
    *,
    indicator_id: str | None = None,
    round_id: int | None = None,
) -> Measurement | list[Outgoing]:
    """The one value to correct, or the choices / the reason there is none.

    Args:
        session: The open session.
        ctx: Plan, clock.
        person_id: Who wants to correct.
        indicator_id: ``/correct INDICATOR``: that indicator's newest value.
        round_id: The "Correct a value" button of a receipt: values of that round.
    """
    me = ToPerson(person_id)
    if indicator_id is not None:
        found = indicators.resolve(ctx, person_id, indicator_id)
        if len(found) > 1:  # a beginning several labels share: only one of them may be yours
            mine = set(indicators.visible(ctx, person_id))
            found = tuple(i for i in found if i in mine) or found
        if len(found) > 1:
            return [Outgoing(me, problem("indicator_ambiguous", indicator=indicator_id))]
        if not found:
            return [Outgoing(me, problem("unknown_indicator", indicator=indicator_id))]
        indicator_id = found[0]
        row = latest_value(session, indicator_id)
        if row is None or not _may_measure(session, ctx, person_id, row):
            return [Outgoing(me, problem("nothing_to_correct"))]
        return row
    rows = candidates(session, ctx, person_id, round_id)
    if not rows:
        return [Outgoing(me, problem("nothing_to_correct"))]
    if len(rows) == 1:
        return rows[0]
    return [Outgoing(me, CorrectionChoices(tuple(approval.brief(row) for row in rows)))]


def check_can_correct(
    session: Session, ctx: Context, person_id: str, row: Measurement, version: int
) -> list[Outgoing]:
    """Why ``person_id`` may not correct version ``version`` of ``row`` now; empty if they may."""
    me = ToPerson(person_id)
    if not _may_measure(session, ctx, person_id, row):
        return [Outgoing(me, problem("not_a_measurer_of_value"))]
    if row.approval == approval.REJECTED:
        return [Outgoing(me, problem("value_returned_measure_again"))]
    if not is_newest(session, row):
        return [Outgoing(me, problem("nothing_to_correct"))]
    mine = self_approved(row, person_id)
    if (row.approval == approval.APPROVED and not mine) or row.version != version:
        notice = ApprovalAlreadyGiven(
            approval.brief(row),
            row.approval,
            row.approval_by,
            row.approval_at,
            replaced=row.version != version,
            correction=True,
        )
        return [Outgoing(me, notice)]
    return []


def record_correction(
    session: Session, ctx: Context, form: FormSession, answers: Mapping[str, str]
) -> list[Outgoing]:
    """Finish a correction form: store the new version and ask for approval again.

    Returns:
        A :class:`ValueCorrected` receipt, the approval request when the plan asks for one,
        and a decision request when the new value opens one; or why nothing changed (the
        value was approved or changed meanwhile).
    """
    row = session.get(Measurement, form.subject_id)
    control_round = session.get(ControlRound, row.round_id) if row is not None else None
    if row is None or control_round is None:  # pragma: no cover - never deleted
        raise LookupError(f"measurement {form.subject_id} is gone")
    refused = check_can_correct(session, ctx, form.person_id, row, int(form.context["version"]))
    if refused:
        return refused
    previous = row.value
    reason = answers[REASON_FIELD]
    comment = answers.get(row.indicator_id + COMMENT_SUFFIX) or None
    new = new_measurement(
        ctx,
        control_round,
        row.indicator_id,
        Decimal(answers[row.indicator_id]),
        comment,
        form.person_id,
    )
    allowed = {approval.NONE, approval.SUBMITTED}
    if self_approved(row, form.person_id):
        allowed.add(approval.APPROVED)
    if not revisions.replace(
        session, ctx, row, new, form.person_id, reason, reason, frozenset(allowed)
    ):
        session.refresh(row)
        return check_can_correct(session, ctx, form.person_id, row, row.version - 1)
    audit.record(
        session,
        ctx,
        form.person_id,
        "measurement.corrected",
        f"round:{row.round_id}/{row.indicator_id}",
        previous=str(previous),
        value=str(row.value),
        version=row.version,
        reason=reason,
    )
    follow_up = [
        *decisions.withdraw_for(session, ctx, row, "corrected"),
        *approval.settle(session, ctx, row),
        *actions.reconsider(session, ctx, row),
    ]
    receipt = ValueCorrected(
        approval.brief(row), previous, awaiting_approval=row.approval == approval.SUBMITTED
    )
    return [
        Outgoing(ToPerson(form.person_id), receipt),
        *follow_up,
        *decisions.maybe_open_decision(session, ctx, row),
    ]
