"""This module contains starting a form: measurements, decisions, corrections, returns.

Each starter checks that the person may fill the form, expires a stale one, resumes the one
in progress (a double tap re-asks it) and otherwise begins the form at its first question.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from storage.models import (
    ControlRound,
    FormSession,
    ImprovementDecision,
    Measurement,
    NotMeasured,
)
from workflows import decisions
from workflows.context import Context
from workflows.forms.conversation.session import (
    active_form,
    begin,
    expire_stale,
    latest_draft,
    resume_existing,
)
from workflows.notices import (
    NothingToMeasure,
    OthersFilling,
    Outgoing,
    ToPerson,
    problem,
)
from workflows.people.absences import away_on, effective_measurers
from workflows.plan.model import UnknownPlanItem
from workflows.rounds import approval, corrections, measuring, plausibility
from workflows.rounds.opening import outstanding_for


def start_measurement(
    session: Session, ctx: Context, person_id: str, round_id: int, *, from_draft: bool = False
) -> list[Outgoing]:
    """Start (or resume) the person's measurement form for a round.

    ``from_draft``: continue from the answers of the form that expired (still checked again
    and confirmed before anything is stored).
    """
    me = ToPerson(person_id)
    notes = expire_stale(session, ctx, person_id)
    resumed = resume_existing(session, ctx, person_id, measuring.FORM, round_id)
    if resumed is not None:
        return notes + resumed
    measurable = what_to_measure(session, ctx, person_id, round_id)
    if isinstance(measurable, list):
        return notes + measurable
    control_round, missing = measurable
    ranges = plausibility.ranges_for(session, missing, control_round.period)
    context = {
        "indicators": list(missing),
        "plausible": {key: [str(low), str(high)] for key, (low, high) in ranges.items()},
    }
    draft = latest_draft(session, person_id, round_id) if from_draft else {}
    started = begin(session, ctx, person_id, measuring.FORM, round_id, context, draft)
    others = _others_filling(session, ctx, person_id, round_id, missing)
    if others:
        started.insert(0, Outgoing(me, OthersFilling(others)))
    return notes + started


def what_to_measure(
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
    notes = expire_stale(session, ctx, person_id)
    row = active_form(session, person_id)
    same = row is not None and (row.form, row.subject_id) == (decisions.FORM, decision_id)
    if same and row is not None and row.context.get("outcome") != outcome:
        # the first input wins (a button in the group and another in the DM): the later,
        # conflicting one changes nothing; to change their mind the approver cancels first
        started = str(row.context.get("outcome", ""))
        refused = problem("decision_form_started", decision=decision_id, outcome=started)
        return [*notes, Outgoing(ToPerson(person_id), refused)]
    resumed = resume_existing(session, ctx, person_id, decisions.FORM, decision_id)
    if resumed is not None:
        return notes + resumed
    context = {"outcome": outcome}
    return notes + begin(session, ctx, person_id, decisions.FORM, decision_id, context)


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
    notes = expire_stale(session, ctx, person_id)
    resumed = resume_existing(session, ctx, person_id, form, subject)
    if resumed is not None:
        return notes + resumed
    context: dict[str, Any] = {"version": row.version}
    if form == corrections.FORM:
        ranges = plausibility.ranges_for(session, (row.indicator_id,), row.period)
        if row.indicator_id in ranges:
            low, high = ranges[row.indicator_id]
            context["plausible"] = [str(low), str(high)]
    return notes + begin(session, ctx, person_id, form, subject, context)


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
    notes = expire_stale(session, ctx, person_id)
    resumed = resume_existing(session, ctx, person_id, measuring.FORM, gap.round_id)
    if resumed is not None:
        return notes + resumed
    ranges = plausibility.ranges_for(session, (gap.indicator_id,), gap.period)
    context = {
        "indicators": [gap.indicator_id],
        "replaces_not_measured": [gap.indicator_id],
        "plausible": {key: [str(low), str(high)] for key, (low, high) in ranges.items()},
    }
    return notes + begin(session, ctx, person_id, measuring.FORM, gap.round_id, context)
