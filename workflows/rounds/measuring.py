"""This module contains the measurement form: building it and storing what it collects.

PU3-3 step 4 ("mēra, uzskaita, analizē"): each indicator the person measures is asked for
in turn, an off-target value asks for a short comment (interpretation in context), and on
confirmation the values are stored with the thresholds in force and evaluated. The first
submission of an indicator counts; later ones are refused and told who answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import ControlRound, FormSession, Measurement, NotMeasured
from workflows import audit
from workflows.context import Context
from workflows.decisions import actions, maybe_open_decision
from workflows.forms.check_answers import check_field
from workflows.forms.fields import NOT_MEASURED, FieldKind, FieldSpec, FormSpec
from workflows.notices import (
    AnsweredBy,
    MeasurementResult,
    MeasurementsRecorded,
    Outgoing,
    ToPerson,
)
from workflows.plan.schema import Indicator, ValueType
from workflows.rounds import approval, revisions
from workflows.rounds.evaluation import Status, Thresholds, evaluate
from workflows.rounds.opening import reported_not_measured
from workflows.rounds.plausibility import is_implausible

FORM = "measurement"
COMMENT_SUFFIX = ".comment"
COMMENT_PROMPT = "comment_off_target"
COMMENT_MAX_LENGTH = 500
REASON_SUFFIX = ".reason"
REASON_PROMPT = "not_measured_reason"
SURE_SUFFIX = ".sure"
SURE_PROMPT = "implausible_value"

_KIND = {
    ValueType.NUMBER: FieldKind.NUMBER,
    ValueType.PERCENT: FieldKind.PERCENT,
    ValueType.INTEGER: FieldKind.INTEGER,
}


def _number(indicator_id: str, answers: Mapping[str, str]) -> Decimal | None:
    raw = answers.get(indicator_id)
    return None if not raw or raw == NOT_MEASURED else Decimal(raw)


def _off_target(indicator_id: str, thresholds: Thresholds, answers: Mapping[str, str]) -> bool:
    value = _number(indicator_id, answers)
    return value is not None and evaluate(value, thresholds).off_target


def _not_measured(indicator_id: str, answers: Mapping[str, str]) -> bool:
    return answers.get(indicator_id) == NOT_MEASURED


def _implausible(
    indicator_id: str, bounds: tuple[Decimal, Decimal], answers: Mapping[str, str]
) -> bool:
    value = _number(indicator_id, answers)
    return value is not None and is_implausible(value, bounds)


def measurement_spec(
    ctx: Context,
    indicator_ids: tuple[str, ...],
    plausible: Mapping[str, tuple[Decimal, Decimal]] | None = None,
) -> FormSpec:
    """The form for ``indicator_ids``.

    Per indicator: its value (or "not measured"), then as they apply: "are you sure?" when
    the value is outside ``plausible[indicator]`` (see :mod:`workflows.rounds.plausibility`), the
    reason when not measured, and a comment when off target (PU3-3 step 4).
    """
    fields: list[FieldSpec] = []
    for indicator_id in indicator_ids:
        _activity, indicator = ctx.plan.indicator(indicator_id)
        fields.append(value_field(indicator))
        bounds = (plausible or {}).get(indicator_id)
        if bounds is not None and not indicator.is_choice:
            fields.append(sure_field(indicator_id, bounds))
        fields.append(
            FieldSpec(
                id=indicator_id + REASON_SUFFIX,
                kind=FieldKind.TEXT,
                prompt=REASON_PROMPT,
                subject=indicator_id,
                max_length=COMMENT_MAX_LENGTH,
                ask_if=partial(_not_measured, indicator_id),
            )
        )
        fields.append(comment_field(indicator))
    return FormSpec(name=FORM, fields=tuple(fields), confirm=True)


def sure_field(indicator_id: str, bounds: tuple[Decimal, Decimal]) -> FieldSpec:
    """The "is it correct?" question after a value outside ``bounds`` (its history).

    Answered no, the value is asked again.
    """
    return FieldSpec(
        id=indicator_id + SURE_SUFFIX,
        kind=FieldKind.YES_NO,
        prompt=SURE_PROMPT,
        subject=indicator_id,
        reask_on_no=indicator_id,
        ask_if=partial(_implausible, indicator_id, bounds),
        params=(("low", str(bounds[0])), ("high", str(bounds[1]))),
    )


def comment_field(indicator: Indicator) -> FieldSpec:
    """The comment asked when ``indicator``'s value is off target."""
    return FieldSpec(
        id=indicator.id + COMMENT_SUFFIX,
        kind=FieldKind.TEXT,
        prompt=COMMENT_PROMPT,
        subject=indicator.id,
        max_length=COMMENT_MAX_LENGTH,
        ask_if=partial(_off_target, indicator.id, Thresholds.of(indicator)),
    )


def value_field(indicator: Indicator, *, not_measured: bool = True) -> FieldSpec:
    """The question for ``indicator``'s value: bounds and decimals, or a check's options."""
    if indicator.is_choice:
        return check_field(indicator, not_measured=not_measured)
    return FieldSpec(
        id=indicator.id,
        kind=_KIND[indicator.effective_value_type],
        indicator_id=indicator.id,
        minimum=indicator.minimum,
        maximum=indicator.maximum,
        decimals=indicator.decimals,
        required=not indicator.allow_skip,
        not_measured=not_measured,
    )


def new_measurement(
    ctx: Context,
    control_round: ControlRound,
    indicator_id: str,
    value: Decimal,
    comment: str | None,
    person_id: str,
) -> Measurement:
    """A measurement row for ``value``, evaluated, with the thresholds in force now.

    Raises:
        workflows.plan.model.UnknownPlanItem: If the indicator is not in the plan.
    """
    activity, indicator = ctx.plan.indicator(indicator_id)
    evaluation = evaluate(value, Thresholds.of(indicator))
    option = indicator.option_at(value)
    if control_round.id is None:  # pragma: no cover - rounds are flushed first
        raise ValueError("round has no id yet")
    return Measurement(
        round_id=control_round.id,
        activity_id=activity.id,
        indicator_id=indicator_id,
        period=control_round.period,
        value=value,
        unit=indicator.unit.code,
        direction=indicator.direction.value,
        target=indicator.target,
        warning=indicator.warning,
        critical=indicator.critical,
        status=evaluation.status.value,
        target_met=evaluation.target_met,
        comment=comment,
        submitted_by=person_id,
        submitted_at=ctx.now(),
        choice=option.id if option is not None else None,
    )


def submit_measurements(
    session: Session, ctx: Context, form: FormSession, answers: Mapping[str, str]
) -> list[Outgoing]:
    """Store a completed measurement form and evaluate each value.

    Per indicator: a value is stored (the first submission counts; a value the approver
    returned is replaced as the measurement's next version); "not measured" is stored with
    its reason; a skip stores nothing.

    Returns:
        A :class:`MeasurementsRecorded` for the person, approval requests for approvers
        (plan ``requires_approval``) and any improvement decision requests the values opened
        (see :func:`workflows.decisions.maybe_open_decision`).
    """
    control_round = session.get(ControlRound, form.subject_id)
    if control_round is None:  # pragma: no cover - rounds are never deleted
        raise LookupError(f"round {form.subject_id} is gone")
    results: list[MeasurementResult] = []
    refused: list[AnsweredBy] = []
    follow_up: list[Outgoing] = []
    skipped: list[str] = []
    gaps: list[tuple[str, str]] = []
    gap_ids: list[int] = []
    awaiting: list[str] = []
    for indicator_id in form.context.get("indicators", ()):
        if indicator_id not in answers:
            continue
        if answers[indicator_id] == "":  # skipped: stays outstanding (plan allow_skip)
            skipped.append(indicator_id)
            continue
        if answers[indicator_id] == NOT_MEASURED:
            reason = answers.get(indicator_id + REASON_SUFFIX, "")
            taken = _store_not_measured(
                session, ctx, control_round, indicator_id, reason, form.person_id
            )
            if isinstance(taken, NotMeasured):
                gaps.append((indicator_id, reason))
                gap_ids.append(taken.id or 0)
            else:
                refused.append(taken)
            continue
        value = Decimal(answers[indicator_id])
        comment = answers.get(indicator_id + COMMENT_SUFFIX) or None
        row = _store_value(session, ctx, control_round, indicator_id, value, comment, form)
        if isinstance(row, AnsweredBy):
            refused.append(row)
            continue
        follow_up.extend(approval.settle(session, ctx, row))
        if row.approval == approval.SUBMITTED:
            awaiting.append(indicator_id)
        results.append(
            MeasurementResult(indicator_id, value, Status(row.status), row.target_met, comment)
        )
        follow_up.extend(maybe_open_decision(session, ctx, row))
        follow_up.extend(actions.verify_after(session, ctx, row))
    recorded = MeasurementsRecorded(
        round_id=form.subject_id,
        activity_id=control_round.activity_id,
        period=control_round.period,
        results=tuple(results),
        already_answered=tuple(refused),
        skipped=tuple(skipped),
        not_measured=tuple(gaps),
        not_measured_ids=tuple(gap_ids),
        awaiting_approval=tuple(awaiting),
    )
    return [Outgoing(ToPerson(form.person_id), recorded), *follow_up]


def _store_value(
    session: Session,
    ctx: Context,
    control_round: ControlRound,
    indicator_id: str,
    value: Decimal,
    comment: str | None,
    form: FormSession,
) -> Measurement | AnsweredBy:
    """Store one value; the stored row, or who answered first when it was refused.

    A "not measured" report answers the indicator like a value (the first answer counts),
    unless this form was started to replace it (``replaces_not_measured`` in its context).
    """
    gap = reported_not_measured(session, form.subject_id).get(indicator_id)
    if gap is not None and indicator_id not in form.context.get("replaces_not_measured", ()):
        first = AnsweredBy(indicator_id, gap.reported_by, gap.reported_at)
        return _refused(session, ctx, form, value, first, "reported_not_measured")
    row = new_measurement(ctx, control_round, indicator_id, value, comment, form.person_id)
    earlier = _first(session, form.subject_id, indicator_id)
    if earlier is None:
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            earlier = _first(session, form.subject_id, indicator_id)
    if earlier is not None and earlier.approval == approval.REJECTED:
        reason = earlier.approval_reason or ""
        returned = frozenset({approval.REJECTED})
        if revisions.replace(session, ctx, earlier, row, form.person_id, reason, None, returned):
            row = earlier
            earlier = None
        else:
            session.refresh(earlier)
    if earlier is not None:
        first = AnsweredBy(indicator_id, earlier.submitted_by, earlier.submitted_at)
        return _refused(session, ctx, form, value, first, "already_answered")
    if gap is not None:
        drop_not_measured(session, ctx, gap, form.person_id)
    audit.record(
        session,
        ctx,
        form.person_id,
        "measurement.submitted",
        f"round:{form.subject_id}/{indicator_id}",
        value=str(value),
        status=row.status,
        target_met=row.target_met,
        version=row.version,
    )
    return row


def _store_not_measured(
    session: Session,
    ctx: Context,
    control_round: ControlRound,
    indicator_id: str,
    reason: str,
    person_id: str,
) -> NotMeasured | AnsweredBy:
    """Record "not measured"; who answered first when a value or report exists already."""
    round_id = control_round.id or 0
    earlier = _first(session, round_id, indicator_id)
    if earlier is not None and earlier.approval != approval.REJECTED:
        return AnsweredBy(indicator_id, earlier.submitted_by, earlier.submitted_at)
    gap = NotMeasured(
        round_id=round_id,
        activity_id=control_round.activity_id,
        indicator_id=indicator_id,
        period=control_round.period,
        reason=reason,
        reported_by=person_id,
        reported_at=ctx.now(),
    )
    try:
        with session.begin_nested():
            session.add(gap)
    except IntegrityError:
        other = reported_not_measured(session, round_id).get(indicator_id)
        if other is None:  # pragma: no cover - the row that collided exists
            raise
        return AnsweredBy(indicator_id, other.reported_by, other.reported_at)
    audit.record(
        session,
        ctx,
        person_id,
        "measurement.not_measured",
        f"round:{round_id}/{indicator_id}",
        reason=reason,
    )
    return gap


def _refused(
    session: Session,
    ctx: Context,
    form: FormSession,
    value: Decimal,
    first: AnsweredBy,
    reason: str,
) -> AnsweredBy:
    """Audit a value refused because ``first`` answered the indicator already."""
    audit.record(
        session,
        ctx,
        form.person_id,
        "measurement.refused",
        f"round:{form.subject_id}/{first.indicator_id}",
        value=str(value),
        reason=reason,
        answered_by=first.person_id,
    )
    return first


def drop_not_measured(
    session: Session, ctx: Context, gap: NotMeasured, person_id: str, **details: str
) -> None:
    """A value given after all replaces a "not measured" report: the report goes (audited)."""
    session.delete(gap)
    audit.record(
        session,
        ctx,
        person_id,
        "measurement.not_measured_replaced",
        f"round:{gap.round_id}/{gap.indicator_id}",
        reason=gap.reason,
        reported_by=gap.reported_by,
        **details,
    )


def _first(session: Session, round_id: int, indicator_id: str) -> Measurement | None:
    return session.exec(
        select(Measurement).where(
            col(Measurement.round_id) == round_id, col(Measurement.indicator_id) == indicator_id
        )
    ).first()
