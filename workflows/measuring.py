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

from storage.models import ControlRound, FormSession, Measurement
from workflows import audit
from workflows.context import Context
from workflows.decisions import maybe_open_decision
from workflows.evaluation import Status, Thresholds, evaluate
from workflows.forms.fields import FieldKind, FieldSpec, FormSpec
from workflows.notices import (
    AnsweredBy,
    MeasurementResult,
    MeasurementsRecorded,
    Outgoing,
    ToPerson,
)
from workflows.plan.schema import Indicator, ValueType

FORM = "measurement"
COMMENT_SUFFIX = ".comment"
COMMENT_PROMPT = "comment_off_target"
COMMENT_MAX_LENGTH = 500

_KIND = {
    ValueType.NUMBER: FieldKind.NUMBER,
    ValueType.PERCENT: FieldKind.PERCENT,
    ValueType.INTEGER: FieldKind.INTEGER,
}


def _off_target(indicator_id: str, thresholds: Thresholds, answers: Mapping[str, str]) -> bool:
    raw = answers.get(indicator_id)
    return bool(raw) and evaluate(Decimal(raw or "0"), thresholds).off_target


def measurement_spec(ctx: Context, indicator_ids: tuple[str, ...]) -> FormSpec:
    """The form for ``indicator_ids``: a value field each, plus a comment when off target."""
    fields: list[FieldSpec] = []
    for indicator_id in indicator_ids:
        _activity, indicator = ctx.plan.indicator(indicator_id)
        fields.append(_value_field(indicator))
        fields.append(
            FieldSpec(
                id=indicator_id + COMMENT_SUFFIX,
                kind=FieldKind.TEXT,
                prompt=COMMENT_PROMPT,
                subject=indicator_id,
                max_length=COMMENT_MAX_LENGTH,
                ask_if=partial(_off_target, indicator_id, Thresholds.of(indicator)),
            )
        )
    return FormSpec(name=FORM, fields=tuple(fields), confirm=True)


def _value_field(indicator: Indicator) -> FieldSpec:
    return FieldSpec(
        id=indicator.id,
        kind=_KIND[indicator.effective_value_type],
        indicator_id=indicator.id,
        minimum=indicator.minimum,
        maximum=indicator.maximum,
        decimals=indicator.decimals,
        required=not indicator.allow_skip,
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
    )


def submit_measurements(
    session: Session, ctx: Context, form: FormSession, answers: Mapping[str, str]
) -> list[Outgoing]:
    """Store a completed measurement form and evaluate each value.

    Returns:
        A :class:`MeasurementsRecorded` for the person, and any improvement decision
        requests the values opened (see :func:`workflows.decisions.maybe_open_decision`).
    """
    control_round = session.get(ControlRound, form.subject_id)
    if control_round is None:  # pragma: no cover - rounds are never deleted
        raise LookupError(f"round {form.subject_id} is gone")
    results: list[MeasurementResult] = []
    refused: list[AnsweredBy] = []
    follow_up: list[Outgoing] = []
    skipped: list[str] = []
    for indicator_id in form.context.get("indicators", ()):
        if indicator_id not in answers:
            continue
        if answers[indicator_id] == "":  # skipped: stays outstanding (plan allow_skip)
            skipped.append(indicator_id)
            continue
        value = Decimal(answers[indicator_id])
        comment = answers.get(indicator_id + COMMENT_SUFFIX) or None
        row = new_measurement(ctx, control_round, indicator_id, value, comment, form.person_id)
        earlier = _first(session, form.subject_id, indicator_id)
        if earlier is None:
            try:
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:
                earlier = _first(session, form.subject_id, indicator_id)
        if earlier is not None:
            refused.append(AnsweredBy(indicator_id, earlier.submitted_by, earlier.submitted_at))
            audit.record(
                session,
                ctx,
                form.person_id,
                "measurement.refused",
                f"round:{form.subject_id}/{indicator_id}",
                value=str(value),
                reason="already_answered",
                answered_by=earlier.submitted_by,
            )
            continue
        audit.record(
            session,
            ctx,
            form.person_id,
            "measurement.submitted",
            f"round:{form.subject_id}/{indicator_id}",
            value=str(value),
            status=row.status,
            target_met=row.target_met,
        )
        results.append(
            MeasurementResult(indicator_id, value, Status(row.status), row.target_met, comment)
        )
        follow_up.extend(maybe_open_decision(session, ctx, row))
    recorded = MeasurementsRecorded(
        round_id=form.subject_id,
        activity_id=control_round.activity_id,
        period=control_round.period,
        results=tuple(results),
        already_answered=tuple(refused),
        skipped=tuple(skipped),
    )
    return [Outgoing(ToPerson(form.person_id), recorded), *follow_up]


def _first(session: Session, round_id: int, indicator_id: str) -> Measurement | None:
    return session.exec(
        select(Measurement).where(
            col(Measurement.round_id) == round_id, col(Measurement.indicator_id) == indicator_id
        )
    ).first()
