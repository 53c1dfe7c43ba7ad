"""This module contains answering the form in progress: a typed value, /back, /cancel.

Each answer goes through the form engine (:mod:`workflows.forms.engine`); the step and
answers so far are stored on the form session, and a completed form is handed to its
finisher (:mod:`workflows.forms.conversation.session`).
"""

from __future__ import annotations

from sqlmodel import Session

from workflows import audit
from workflows.context import Context
from workflows.forms import engine
from workflows.forms.conversation.session import (
    OpenForm,
    active_form,
    expire_if_stale,
    finish,
    live,
    prompt_for,
)
from workflows.forms.engine import (
    Ask,
    Cancelled,
    Completed,
    Confirm,
    FormState,
    Invalid,
    Unclear,
)
from workflows.forms.fields import NUMERIC_KINDS, FieldSpec
from workflows.language import Lang
from workflows.notices import (
    AnswerRefused,
    FormCancelled,
    NothingToCancel,
    Outgoing,
    Problem,
    ToPerson,
    problem,
)


def _previous_answer(field: FieldSpec, answer: str) -> Problem:
    """``previous_answer`` for ``/back``, the earlier answer to the question asked again.

    A number field's stored value is shown in the reader's number format (``12,5``); any
    other answer (a comment, even "12.5") exactly as it was typed.
    """
    if field.kind in NUMERIC_KINDS:
        return problem("previous_answer", answer=answer, number="yes")
    return problem("previous_answer", answer=answer)


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
    opened = live(session, ctx, row)
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
            out.append(prompt_for(opened, outcome, new_state.answers))
        elif isinstance(outcome, Invalid):
            out.append(
                Outgoing(
                    ToPerson(person_id), AnswerRefused(opened.header, outcome.field, outcome.error)
                )
            )
        elif isinstance(outcome, Unclear):
            out.append(Outgoing(ToPerson(person_id), problem("confirm_choice")))
        elif isinstance(outcome, Completed | Cancelled):
            out.extend(finish(session, ctx, opened, outcome))
    return out


def back_form(session: Session, ctx: Context, person_id: str) -> list[Outgoing]:
    """Go back one question in the person's form (``/back``); answers are kept."""
    row = active_form(session, person_id)
    if row is None:
        return [Outgoing(ToPerson(person_id), problem("no_form"))]
    opened = live(session, ctx, row)
    if not isinstance(opened, OpenForm):
        return opened
    state = FormState(FormState.decode(row.state), row.answers)
    new_state, asked = engine.back(opened.spec, state)
    if asked is None:
        current = engine.current(opened.spec, state)
        notes = [Outgoing(ToPerson(person_id), problem("at_first_question"))]
        if isinstance(current, Ask | Confirm):
            notes.append(prompt_for(opened, current, row.answers))
        return notes
    row.state = new_state.encode(opened.spec)
    row.updated_at = ctx.now()
    row.expires_at = row.updated_at + ctx.form_timeout()
    session.add(row)
    previous = row.answers.get(asked.field.id)
    prompt = prompt_for(opened, asked, row.answers)
    return (
        [prompt]
        if previous is None
        else [
            Outgoing(ToPerson(person_id), _previous_answer(asked.field, previous)),
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
    opened = live(session, ctx, row)
    if not isinstance(opened, OpenForm):
        return opened
    current = engine.current(opened.spec, FormState(FormState.decode(row.state), row.answers))
    if isinstance(current, Ask | Confirm):
        return [prompt_for(opened, current, row.answers, resumed=True)]
    return []
