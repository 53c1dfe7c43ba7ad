"""This module contains form sessions: starting, answering, cancelling and expiring forms.

A person has at most one form in progress. Its state lives in the ``form_session`` table
(``"<form>:<step>"`` plus the answers so far), so a restart in the middle of a form continues
at the same step, and expiry is computed from stored instants, so it still applies after a
restart (field case C01).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    ControlRound,
    FormSession,
    ImprovementDecision,
    Measurement,
    NotMeasured,
)
from workflows import approval, audit, corrections, decisions, measuring, plausibility
from workflows.absences import away_on, effective_measurers
from workflows.context import Context
from workflows.forms import engine
from workflows.forms.engine import (
    Ask,
    Cancelled,
    Completed,
    Confirm,
    FormState,
    Invalid,
    Unclear,
)
from workflows.forms.fields import FormSpec
from workflows.language import Lang
from workflows.notices import (
    AnswerRefused,
    FormCancelled,
    FormExpired,
    FormHeader,
    FormPrompt,
    NothingToCancel,
    NothingToMeasure,
    OthersFilling,
    Outgoing,
    ToPerson,
    problem,
)
from workflows.periods import Period
from workflows.plan.model import UnknownPlanItem
from workflows.rounds import earlier_values, outstanding_for

Finisher = Callable[[Session, Context, FormSession, Mapping[str, str]], list[Outgoing]]

_FINISHERS: dict[str, Finisher] = {
    measuring.FORM: measuring.submit_measurements,
    decisions.FORM: decisions.record_decision,
    corrections.FORM: corrections.record_correction,
    approval.FORM: approval.record_return,
}
_VALUE_FORMS = frozenset({corrections.FORM, approval.FORM})
"""Forms about one stored measurement (their subject is the measurement's id)."""


@dataclass(frozen=True)
class OpenForm:
    """A form session with its rebuilt spec and header."""

    row: FormSession
    spec: FormSpec
    header: FormHeader
    earlier: Mapping[str, tuple[tuple[str, Decimal], ...]] = field(default_factory=dict)


def active_form(session: Session, person_id: str) -> FormSession | None:
    """The person's form in progress, if any (expired or not)."""
    return session.exec(
        select(FormSession)
        .where(col(FormSession.person_id) == person_id, col(FormSession.status) == "active")
        .order_by(col(FormSession.id).desc())
    ).first()


def form_header(session: Session, row: FormSession) -> FormHeader:
    """What a stored form is about; needs only the database, not the plan."""
    if row.form == measuring.FORM:
        control_round = session.get(ControlRound, row.subject_id)
        if control_round is None:  # pragma: no cover - rounds are never deleted
            raise LookupError(f"round {row.subject_id} is gone")
        return FormHeader(
            row.form,
            _sid(row),
            control_round.activity_id,
            control_round.period,
            round_id=row.subject_id,
        )
    if row.form in _VALUE_FORMS:
        measurement = session.get(Measurement, row.subject_id)
        if measurement is None:  # pragma: no cover - measurements are never deleted
            raise LookupError(f"measurement {row.subject_id} is gone")
        return FormHeader(
            row.form,
            _sid(row),
            measurement.activity_id,
            measurement.period,
            round_id=measurement.round_id,
            measurement=approval.brief(measurement),
        )
    decision = session.get(ImprovementDecision, row.subject_id)
    if decision is None:  # pragma: no cover - decisions are never deleted
        raise LookupError(f"decision {row.subject_id} is gone")
    brief = decisions.load_brief(session, decision)
    return FormHeader(row.form, _sid(row), brief.activity_id, brief.period, _sid(decision))


def rebuild(session: Session, ctx: Context, row: FormSession) -> OpenForm:
    """Rebuild the spec and header of a stored form session.

    Raises:
        UnknownPlanItem: If the plan no longer has what the form asks about.
    """
    header = form_header(session, row)
    if row.form == measuring.FORM:
        plausible = {
            key: (Decimal(low), Decimal(high))
            for key, (low, high) in row.context.get("plausible", {}).items()
        }
        spec = measuring.measurement_spec(ctx, tuple(row.context.get("indicators", ())), plausible)
        earlier = earlier_values(session, header.activity_id, Period.parse(header.period))
        return OpenForm(row, spec, header, earlier)
    if row.form == corrections.FORM and header.measurement is not None:
        bounds = row.context.get("plausible")
        usual = (Decimal(bounds[0]), Decimal(bounds[1])) if bounds else None
        spec = corrections.correction_spec(ctx, header.measurement.indicator_id, usual)
        return OpenForm(row, spec, header)
    if row.form == approval.FORM:
        return OpenForm(row, approval.return_spec(), header)
    decision = session.get(ImprovementDecision, row.subject_id)
    if decision is None:  # pragma: no cover - checked by form_header
        raise LookupError(f"decision {row.subject_id} is gone")
    spec = decisions.decision_spec(ctx, decision, str(row.context.get("outcome")))
    return OpenForm(row, spec, header)


def _retire(session: Session, ctx: Context, row: FormSession, verb: str) -> None:
    row.status = "expired"
    row.updated_at = ctx.now()
    session.add(row)
    audit.record(session, ctx, "system", verb, f"form:{row.id}", form=row.form)


def open_or_retire(session: Session, ctx: Context, row: FormSession) -> OpenForm | list[Outgoing]:
    """Rebuild ``row``; if the plan changed under it, close it and say why.

    A form whose indicator (or approver's activity) left the plan cannot go on; it is
    closed instead of failing on every message, and nothing partial is stored.
    """
    try:
        return rebuild(session, ctx, row)
    except UnknownPlanItem:
        _retire(session, ctx, row, "form.retired")
        return [Outgoing(ToPerson(row.person_id), problem("form_plan_changed"))]


def _live(session: Session, ctx: Context, row: FormSession) -> OpenForm | list[Outgoing]:
    """The form ready to continue, or the notices saying it expired or no longer fits."""
    expired = expire_if_stale(session, ctx, row)
    return expired if expired else open_or_retire(session, ctx, row)


def expire_if_stale(session: Session, ctx: Context, row: FormSession) -> list[Outgoing]:
    """Expire ``row`` when its answer is overdue; return the notice, or nothing.

    The partial answers are not stored as measurements (field case C01). Works even when
    the plan no longer has the form's indicators.
    """
    if row.expires_at > ctx.now():
        return []
    header = form_header(session, row)
    _retire(session, ctx, row, "form.expired")
    minutes = int(ctx.form_timeout().total_seconds() // 60)
    draft = row.form == measuring.FORM and bool(row.answers)
    return [Outgoing(ToPerson(row.person_id), FormExpired(header, minutes, draft))]


def _prompt(
    opened: OpenForm, step: Ask | Confirm, answers: Mapping[str, str], resumed: bool = False
) -> Outgoing:
    return Outgoing(
        ToPerson(opened.row.person_id),
        FormPrompt(
            opened.header,
            step,
            opened.spec.fields,
            resumed=resumed,
            answers=answers,
            earlier=opened.earlier,
        ),
    )


def _begin(
    session: Session,
    ctx: Context,
    person_id: str,
    form: str,
    subject_id: int,
    context: dict[str, Any],
    draft: Mapping[str, str] | None = None,
) -> list[Outgoing]:
    now = ctx.now()
    row = FormSession(
        person_id=person_id,
        form=form,
        subject_id=subject_id,
        state="",
        answers={},
        context=context,
        started_at=now,
        updated_at=now,
        expires_at=now + ctx.form_timeout(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another process started a form for this person just now
        resumed = _resume_existing(session, ctx, person_id, form, subject_id)
        return resumed if resumed is not None else []
    opened = open_or_retire(session, ctx, row)
    if not isinstance(opened, OpenForm):
        return opened
    state, outcome = engine.resume(opened.spec, draft) if draft else engine.start(opened.spec)
    row.state = state.encode(opened.spec)
    row.answers = dict(state.answers)
    session.add(row)
    audit.record(
        session,
        ctx,
        person_id,
        "form.started",
        f"form:{row.id}",
        form=form,
        from_draft=bool(draft),
    )
    if isinstance(outcome, Ask | Confirm):
        return [_prompt(opened, outcome, state.answers)]
    return _finish(session, ctx, opened, outcome)  # pragma: no cover - forms have fields


def _expire_stale(session: Session, ctx: Context, person_id: str) -> list[Outgoing]:
    row = active_form(session, person_id)
    if row is None:
        return []
    notices = expire_if_stale(session, ctx, row)
    if notices:
        session.flush()
    return notices


DOUBLE_TAP = timedelta(seconds=5)
"""A start of the form in progress this soon after its last step is the same press again."""


def _resume_existing(
    session: Session, ctx: Context, person_id: str, form: str, subject_id: int
) -> list[Outgoing] | None:
    """Re-ask the form in progress; ``None`` when there is none (or it no longer fits).

    Callers expire a stale form first (:func:`_expire_stale`).
    """
    row = active_form(session, person_id)
    if row is None:
        return None
    opened = open_or_retire(session, ctx, row)
    if not isinstance(opened, OpenForm):
        return None
    current = engine.current(opened.spec, FormState(FormState.decode(row.state), row.answers))
    out: list[Outgoing] = []
    same = (row.form, row.subject_id) == (form, subject_id)
    if same and ctx.now() - row.updated_at < DOUBLE_TAP:  # the same button pressed twice
        return [Outgoing(ToPerson(person_id), problem("form_already_started"))]
    if not same:
        out.append(Outgoing(ToPerson(person_id), problem("finish_current_form_first")))
    if isinstance(current, Ask | Confirm):
        out.append(_prompt(opened, current, row.answers, resumed=True))
    return out


def latest_draft(session: Session, person_id: str, round_id: int) -> dict[str, str]:
    """The answers of the person's last expired measurement form for the round (a draft)."""
    row = session.exec(
        select(FormSession)
        .where(
            col(FormSession.person_id) == person_id,
            col(FormSession.form) == measuring.FORM,
            col(FormSession.subject_id) == round_id,
            col(FormSession.status) == "expired",
        )
        .order_by(col(FormSession.id).desc())
        .limit(1)
    ).first()
    return dict(row.answers) if row is not None else {}


def start_measurement(
    session: Session, ctx: Context, person_id: str, round_id: int, *, from_draft: bool = False
) -> list[Outgoing]:
    """Start (or resume) the person's measurement form for a round.

    ``from_draft``: continue from the answers of the form that expired (still checked again
    and confirmed before anything is stored).
    """
    me = ToPerson(person_id)
    notes = _expire_stale(session, ctx, person_id)
    resumed = _resume_existing(session, ctx, person_id, measuring.FORM, round_id)
    if resumed is not None:
        return notes + resumed
    measurable = _measurable(session, ctx, person_id, round_id)
    if isinstance(measurable, list):
        return notes + measurable
    control_round, missing = measurable
    ranges = plausibility.ranges_for(session, missing, control_round.period)
    context = {
        "indicators": list(missing),
        "plausible": {key: [str(low), str(high)] for key, (low, high) in ranges.items()},
    }
    draft = latest_draft(session, person_id, round_id) if from_draft else {}
    started = _begin(session, ctx, person_id, measuring.FORM, round_id, context, draft)
    others = _others_filling(session, ctx, person_id, round_id, missing)
    if others:
        started.insert(0, Outgoing(me, OthersFilling(others)))
    return notes + started


def _measurable(
    session: Session, ctx: Context, person_id: str, round_id: int
) -> tuple[ControlRound, tuple[str, ...]] | list[Outgoing]:
    """The open round and what the person still measures in it, or why there is nothing."""
    me = ToPerson(person_id)
    control_round = session.get(ControlRound, round_id)
    if control_round is None or control_round.status != "open":
        return [Outgoing(me, problem("unknown_round", round=round_id))]
    try:
        missing, answered = outstanding_for(session, ctx, control_round, person_id)
    except UnknownPlanItem:  # the activity left the plan
        return [Outgoing(me, problem("unknown_round", round=round_id))]
    if not missing and not answered:
        return [Outgoing(me, problem("not_a_measurer", round=round_id))]
    if not missing:
        notice = NothingToMeasure(
            round_id, control_round.activity_id, control_round.period, answered
        )
        return [Outgoing(me, notice)]
    return control_round, missing


def _others_filling(
    session: Session, ctx: Context, person_id: str, round_id: int, indicators: tuple[str, ...]
) -> tuple[str, ...]:
    """Who else has a live form open for some of ``indicators`` of the round."""
    rows = session.exec(
        select(FormSession).where(
            col(FormSession.form) == measuring.FORM,
            col(FormSession.subject_id) == round_id,
            col(FormSession.status) == "active",
            col(FormSession.person_id) != person_id,
            col(FormSession.expires_at) > ctx.now(),
        )
    ).all()
    wanted = set(indicators)
    return tuple(
        dict.fromkeys(r.person_id for r in rows if wanted & set(r.context.get("indicators", ())))
    )


def start_decision(
    session: Session, ctx: Context, person_id: str, decision_id: int, outcome: str
) -> list[Outgoing]:
    """Start the approver's decision form (approve or reject); others are refused."""
    if outcome not in decisions.OUTCOMES:
        return [Outgoing(ToPerson(person_id), problem("unknown_choice"))]
    checked = decisions.check_can_decide(session, ctx, person_id, decision_id)
    if not isinstance(checked, ImprovementDecision):
        return checked
    notes = _expire_stale(session, ctx, person_id)
    row = active_form(session, person_id)
    same = row is not None and (row.form, row.subject_id) == (decisions.FORM, decision_id)
    if same and row is not None and row.context.get("outcome") != outcome:
        # the first input wins (a button in the group and another in the DM): the later,
        # conflicting one changes nothing; to change their mind the approver cancels first
        started = str(row.context.get("outcome", ""))
        refused = problem("decision_form_started", decision=decision_id, outcome=started)
        return [*notes, Outgoing(ToPerson(person_id), refused)]
    resumed = _resume_existing(session, ctx, person_id, decisions.FORM, decision_id)
    if resumed is not None:
        return notes + resumed
    context = {"outcome": outcome}
    return notes + _begin(session, ctx, person_id, decisions.FORM, decision_id, context)


def start_correction(
    session: Session,
    ctx: Context,
    person_id: str,
    *,
    indicator_id: str | None = None,
    round_id: int | None = None,
    measurement_id: int | None = None,
) -> list[Outgoing]:
    """Start correcting a submitted value (``/correct``, "Correct a value").

    With ``measurement_id`` (a pressed choice) that value; else :func:`corrections.choose`
    picks it or lists the choices.
    """
    me = ToPerson(person_id)
    if indicator_id is not None and ctx.plan.has_indicator(indicator_id):
        gap = corrections.newest_gap(session, indicator_id)
        if gap is not None:  # its latest answer is "not measured": give the value instead
            return start_gap_value(session, ctx, person_id, gap.id or 0)
    if measurement_id is not None:
        found = session.get(Measurement, measurement_id)
        if found is None:
            return [Outgoing(me, problem("nothing_to_correct"))]
        chosen: Measurement | list[Outgoing] = found
    else:
        chosen = corrections.choose(
            session, ctx, person_id, indicator_id=indicator_id, round_id=round_id
        )
    if not isinstance(chosen, Measurement):
        return chosen
    refused = corrections.check_can_correct(session, ctx, person_id, chosen, chosen.version)
    if refused:
        return refused
    return _begin_value_form(session, ctx, person_id, corrections.FORM, chosen)


def start_return(
    session: Session, ctx: Context, person_id: str, measurement_id: int, version: int
) -> list[Outgoing]:
    """The approver pressed Return: ask the reason (only the approver; once)."""
    checked = approval.check_can_review(session, ctx, person_id, measurement_id, version)
    if not isinstance(checked, Measurement):
        return checked
    return _begin_value_form(session, ctx, person_id, approval.FORM, checked)


def _begin_value_form(
    session: Session, ctx: Context, person_id: str, form: str, row: Measurement
) -> list[Outgoing]:
    subject = row.id or 0
    notes = _expire_stale(session, ctx, person_id)
    resumed = _resume_existing(session, ctx, person_id, form, subject)
    if resumed is not None:
        return notes + resumed
    context: dict[str, Any] = {"version": row.version}
    if form == corrections.FORM:
        ranges = plausibility.ranges_for(session, (row.indicator_id,), row.period)
        if row.indicator_id in ranges:
            low, high = ranges[row.indicator_id]
            context["plausible"] = [str(low), str(high)]
    return notes + _begin(session, ctx, person_id, form, subject, context)


def start_gap_value(
    session: Session, ctx: Context, person_id: str, report_id: int
) -> list[Outgoing]:
    """Give the value of an indicator reported as not measured ("Give the value").

    A measurement form for that one indicator; the report is replaced only when the value is
    submitted (cancelling keeps it).
    """
    me = ToPerson(person_id)
    gap = session.get(NotMeasured, report_id)
    control_round = session.get(ControlRound, gap.round_id) if gap is not None else None
    if gap is None or control_round is None or control_round.status != "open":
        return [Outgoing(me, problem("nothing_to_correct"))]
    try:
        activity, indicator = ctx.plan.indicator(gap.indicator_id)
    except UnknownPlanItem:
        return [Outgoing(me, problem("form_plan_changed"))]
    away = away_on(session, ctx.today())
    if person_id != gap.reported_by and person_id not in effective_measurers(
        ctx, activity, indicator, away
    ):
        return [Outgoing(me, problem("not_a_measurer_of_value"))]
    notes = _expire_stale(session, ctx, person_id)
    resumed = _resume_existing(session, ctx, person_id, measuring.FORM, gap.round_id)
    if resumed is not None:
        return notes + resumed
    ranges = plausibility.ranges_for(session, (gap.indicator_id,), gap.period)
    context = {
        "indicators": [gap.indicator_id],
        "replaces_not_measured": [gap.indicator_id],
        "plausible": {key: [str(low), str(high)] for key, (low, high) in ranges.items()},
    }
    return notes + _begin(session, ctx, person_id, measuring.FORM, gap.round_id, context)


def answer_form(
    session: Session,
    ctx: Context,
    person_id: str,
    text: str,
    lang: Lang,
    session_id: int | None = None,
) -> list[Outgoing] | None:
    """Apply typed text (or a pressed option's value) to the person's form in progress.

    Args:
        session: The open session.
        ctx: Plan, clock, calendar.
        person_id: Who answered.
        text: The answer.
        lang: The person's language (number parsing).
        session_id: When the answer came from a button of a specific form, its id; a
            button of an older form is refused instead of answering the current one.

    Returns:
        What to tell the person, or ``None`` if they have no form in progress.
    """
    row = active_form(session, person_id)
    if row is None:
        return None
    if session_id is not None and row.id != session_id:
        return [Outgoing(ToPerson(person_id), problem("stale_button"))]
    opened = _live(session, ctx, row)
    if not isinstance(opened, OpenForm):
        return opened
    state = FormState(FormState.decode(row.state), row.answers)
    new_state, outcomes = engine.answer(opened.spec, state, text, lang)
    row.state = new_state.encode(opened.spec)
    row.answers = dict(new_state.answers)
    row.updated_at = ctx.now()
    row.expires_at = row.updated_at + ctx.form_timeout()
    session.add(row)
    out: list[Outgoing] = []
    for outcome in outcomes:
        if isinstance(outcome, Ask | Confirm):
            out.append(_prompt(opened, outcome, new_state.answers))
        elif isinstance(outcome, Invalid):
            out.append(
                Outgoing(
                    ToPerson(person_id), AnswerRefused(opened.header, outcome.field, outcome.error)
                )
            )
        elif isinstance(outcome, Unclear):
            out.append(Outgoing(ToPerson(person_id), problem("confirm_choice")))
        elif isinstance(outcome, Completed | Cancelled):
            out.extend(_finish(session, ctx, opened, outcome))
    return out


def _finish(
    session: Session, ctx: Context, opened: OpenForm, outcome: Completed | Cancelled
) -> list[Outgoing]:
    row = opened.row
    if isinstance(outcome, Cancelled):
        row.status = "cancelled"
        session.add(row)
        audit.record(session, ctx, row.person_id, "form.cancelled", f"form:{row.id}")
        return [Outgoing(ToPerson(row.person_id), FormCancelled(row.form))]
    row.status = "completed"
    session.add(row)
    session.flush()
    return _FINISHERS[row.form](session, ctx, row, outcome.answers)


def back_form(session: Session, ctx: Context, person_id: str) -> list[Outgoing]:
    """Go back one question in the person's form (``/back``); answers are kept."""
    row = active_form(session, person_id)
    if row is None:
        return [Outgoing(ToPerson(person_id), problem("no_form"))]
    opened = _live(session, ctx, row)
    if not isinstance(opened, OpenForm):
        return opened
    state = FormState(FormState.decode(row.state), row.answers)
    new_state, asked = engine.back(opened.spec, state)
    if asked is None:
        current = engine.current(opened.spec, state)
        notes = [Outgoing(ToPerson(person_id), problem("at_first_question"))]
        if isinstance(current, Ask | Confirm):
            notes.append(_prompt(opened, current, row.answers))
        return notes
    row.state = new_state.encode(opened.spec)
    row.updated_at = ctx.now()
    row.expires_at = row.updated_at + ctx.form_timeout()
    session.add(row)
    previous = row.answers.get(asked.field.id)
    prompt = _prompt(opened, asked, row.answers)
    return (
        [prompt]
        if previous is None
        else [
            Outgoing(ToPerson(person_id), problem("previous_answer", answer=previous)),
            prompt,
        ]
    )


def cancel_form(session: Session, ctx: Context, person_id: str) -> list[Outgoing]:
    """Cancel the person's form in progress (``/cancel``); nothing is stored."""
    row = active_form(session, person_id)
    if row is None:
        return [Outgoing(ToPerson(person_id), NothingToCancel())]
    expired = expire_if_stale(session, ctx, row)
    if expired:
        return expired
    row.status = "cancelled"
    row.updated_at = ctx.now()
    session.add(row)
    audit.record(session, ctx, person_id, "form.cancelled", f"form:{row.id}")
    return [Outgoing(ToPerson(person_id), FormCancelled(row.form))]


def current_prompt(session: Session, ctx: Context, person_id: str) -> list[Outgoing]:
    """Show the person's form in progress again (after a restart, ``/pending`` …)."""
    row = active_form(session, person_id)
    if row is None:
        return []
    opened = _live(session, ctx, row)
    if not isinstance(opened, OpenForm):
        return opened
    current = engine.current(opened.spec, FormState(FormState.decode(row.state), row.answers))
    if isinstance(current, Ask | Confirm):
        return [_prompt(opened, current, row.answers, resumed=True)]
    return []


def _sid(row: FormSession | ImprovementDecision) -> int:
    if row.id is None:  # pragma: no cover
        raise ValueError("row has no id yet")
    return row.id


@dataclass(frozen=True)
class MeasurementPreview:
    """What a whole-form UI (Slack's modal) shows for a round, before anything is stored.

    Attributes:
        round_id: The round.
        activity_id: Its activity.
        period: Its period.
        indicators: What the person measures and has not submitted yet, in plan order.
        earlier: Earlier values per indicator (trend hints).
        answers: Answers the person already gave in chat, to start from.
        plausible: The usual range of each indicator with enough history
            (:mod:`workflows.plausibility`), to warn before submitting.
    """

    round_id: int
    activity_id: str
    period: str
    indicators: tuple[str, ...]
    earlier: Mapping[str, tuple[tuple[str, Decimal], ...]]
    answers: Mapping[str, str]
    plausible: Mapping[str, tuple[Decimal, Decimal]] = field(default_factory=dict)


def preview_measurement(
    session: Session, ctx: Context, person_id: str, round_id: int
) -> MeasurementPreview | list[Outgoing]:
    """What to ask in a whole-form UI for ``round_id``; stores nothing.

    Returns:
        The preview, or what to tell the person instead (round closed, nothing to measure,
        another form in progress).
    """
    me = ToPerson(person_id)
    measurable = _measurable(session, ctx, person_id, round_id)
    if isinstance(measurable, list):
        return measurable
    control_round, missing = measurable
    row = active_form(session, person_id)
    given: Mapping[str, str] = latest_draft(session, person_id, round_id)
    if row is not None and row.expires_at > ctx.now():
        if (row.form, row.subject_id) != (measuring.FORM, round_id):
            return [Outgoing(me, problem("finish_current_form_first"))]
        given = dict(row.answers)
    earlier = earlier_values(
        session, control_round.activity_id, Period.parse(control_round.period)
    )
    return MeasurementPreview(
        round_id,
        control_round.activity_id,
        control_round.period,
        missing,
        earlier,
        given,
        plausibility.ranges_for(session, missing, control_round.period),
    )


def fill_measurement(
    session: Session,
    ctx: Context,
    person_id: str,
    round_id: int,
    answers: Mapping[str, str],
    lang: Lang,
) -> list[Outgoing]:
    """Store a whole form's answers (by field id) for ``round_id`` at once, then submit.

    Whatever the person did in chat meanwhile, the answers start from the first question of
    a fresh state, so each lands on its own field; they pass the same engine (parsing in
    ``lang``, the language they were typed in) and the same storing as chat answers. A form
    that expired while the UI was open is started again rather than lost.

    Returns:
        What was stored (and decisions it opened), or why nothing was.
    """
    me = ToPerson(person_id)
    notes = _expire_stale(session, ctx, person_id)
    row = active_form(session, person_id)
    if row is not None and (row.form, row.subject_id) != (measuring.FORM, round_id):
        return [*notes, Outgoing(me, problem("finish_current_form_first"))]
    if row is None:
        started = start_measurement(session, ctx, person_id, round_id)
        row = active_form(session, person_id)
        if row is None:
            return [i for i in started if not isinstance(i.notice, FormPrompt)]
    opened = open_or_retire(session, ctx, row)
    if not isinstance(opened, OpenForm):
        return opened
    state, outcome = engine.start(opened.spec)
    while isinstance(outcome, Ask):
        text = answers.get(outcome.field.id)
        if text is None and not outcome.field.required:
            text = "-"  # left empty in the form UI: skipped
        if text is None and outcome.field.reask_on_no is not None:
            text = "yes"  # the form UI showed the value back before it was submitted
        if text is None:  # the UI did not ask it (the plan changed meanwhile): ask in chat
            row.state, row.answers = state.encode(opened.spec), dict(state.answers)
            session.add(row)
            return [_prompt(opened, outcome, state.answers)]
        state, outcomes = engine.answer(opened.spec, state, text, lang)
        refused = [o for o in outcomes if isinstance(o, Invalid)]
        if refused:
            row.state, row.answers = state.encode(opened.spec), dict(state.answers)
            session.add(row)
            error = refused[0]
            return [
                Outgoing(me, AnswerRefused(opened.header, error.field, error.error)),
                *[_prompt(opened, o, state.answers) for o in outcomes if isinstance(o, Ask)],
            ]
        outcome = outcomes[-1]  # type: ignore[assignment]
    if isinstance(outcome, Confirm):
        state, outcomes = engine.answer(opened.spec, state, engine.SUBMIT, lang)
        outcome = outcomes[-1]  # type: ignore[assignment]
    row.state, row.answers = state.encode(opened.spec), dict(state.answers)
    row.updated_at = ctx.now()
    session.add(row)
    if isinstance(outcome, Completed):
        return [*notes, *_finish(session, ctx, opened, outcome)]
    return notes  # pragma: no cover - a measurement form always ends in Completed
