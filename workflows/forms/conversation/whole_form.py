"""This module contains the whole measurement form at once (the web view's form).

A preview of what the person measures in a round, with earlier values and the usual range,
and filling every answer in one go through the same form engine and finisher as the chat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session

from workflows.context import Context
from workflows.forms import engine
from workflows.forms.conversation.session import (
    OpenForm,
    active_form,
    expire_stale,
    finish,
    latest_draft,
    open_or_retire,
    prompt_for,
)
from workflows.forms.conversation.starters import start_measurement, what_to_measure
from workflows.forms.engine import (
    Ask,
    Completed,
    Confirm,
    Invalid,
)
from workflows.language import Lang
from workflows.notices import (
    AnswerRefused,
    FormPrompt,
    Outgoing,
    ToPerson,
    problem,
)
from workflows.periods import Period
from workflows.rounds import measuring, plausibility
from workflows.rounds.opening import earlier_values


@dataclass(frozen=True)
class MeasurementPreview:
    """What a whole-form UI (a platform's modal) shows for a round, before anything is stored.

    Attributes:
        round_id: The round.
        activity_id: Its activity.
        period: Its period.
        indicators: What the person measures and has not submitted yet, in plan order.
        earlier: Earlier values per indicator (trend hints).
        answers: Answers the person already gave in chat, to start from.
        plausible: The usual range of each indicator with enough history
            (:mod:`workflows.rounds.plausibility`), to warn before submitting.
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
    measurable = what_to_measure(session, ctx, person_id, round_id)
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
    notes = expire_stale(session, ctx, person_id)
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
            return [prompt_for(opened, outcome, state.answers)]
        state, outcomes = engine.answer(opened.spec, state, text, lang)
        refused = [o for o in outcomes if isinstance(o, Invalid)]
        if refused:
            row.state, row.answers = state.encode(opened.spec), dict(state.answers)
            session.add(row)
            error = refused[0]
            return [
                Outgoing(me, AnswerRefused(opened.header, error.field, error.error)),
                *[prompt_for(opened, o, state.answers) for o in outcomes if isinstance(o, Ask)],
            ]
        outcome = outcomes[-1]  # type: ignore[assignment]
    if isinstance(outcome, Confirm):
        state, outcomes = engine.answer(opened.spec, state, engine.SUBMIT, lang)
        outcome = outcomes[-1]  # type: ignore[assignment]
    row.state, row.answers = state.encode(opened.spec), dict(state.answers)
    row.updated_at = ctx.now()
    session.add(row)
    if isinstance(outcome, Completed):
        return [*notes, *finish(session, ctx, opened, outcome)]
    return notes  # pragma: no cover - a measurement form always ends in Completed
