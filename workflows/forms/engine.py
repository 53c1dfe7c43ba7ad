"""This module contains the form state machine: pure functions from (spec, state, input).

A form's persisted state is ``"<form name>:<step>"`` where the step is a field id or
``confirm`` (string states, never integers; style.md rule 3). The functions here touch no
database and send nothing: they return the new :class:`FormState` and what to tell the
person, as outcome objects.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from workflows.forms.fields import CONFIRM_STEP, FieldKind, FieldSpec, FormSpec
from workflows.forms.parsing import YES_WORDS, AnswerError, parse_answer

SUBMIT = "submit"
CANCEL = "cancel"
CONFIRM_ACCEPT = frozenset({"1", SUBMIT, "iesniegt", *YES_WORDS})
CONFIRM_REJECT = frozenset({CANCEL, "atcelt"})
"""Only an explicit cancel discards a whole form; a bare "no" is asked again."""


@dataclass(frozen=True)
class FormState:
    """Where a form stands: the current step and the answers given so far."""

    step: str
    answers: Mapping[str, str] = field(default_factory=dict)

    def encode(self, spec: FormSpec) -> str:
        """The persisted state string, ``"<form>:<step>"``."""
        return f"{spec.name}:{self.step}"

    @staticmethod
    def decode(state: str) -> str:
        """The step of a persisted state string."""
        return state.split(":", 1)[1] if ":" in state else state


@dataclass(frozen=True)
class Ask:
    """Ask ``field``: question ``number`` of ``total``.

    Only unconditional fields are counted, so the total never grows while a form is filled
    in; a conditional follow-up (a comment) shares the number of the question before it.
    """

    field: FieldSpec
    number: int
    total: int


@dataclass(frozen=True)
class Invalid:
    """The answer to ``field`` was refused with ``error``; nothing was stored."""

    field: FieldSpec
    error: AnswerError


@dataclass(frozen=True)
class Confirm:
    """Show the answers and ask to submit or cancel."""

    answers: Mapping[str, str]


@dataclass(frozen=True)
class Unclear:
    """The answer at the confirmation step was neither submit nor cancel."""


@dataclass(frozen=True)
class Completed:
    """The form is done; ``answers`` are final."""

    answers: Mapping[str, str]


@dataclass(frozen=True)
class Cancelled:
    """The form was cancelled; nothing is kept."""


Outcome: TypeAlias = Ask | Invalid | Unclear | Confirm | Completed | Cancelled


def _applies(f: FieldSpec, answers: Mapping[str, str]) -> bool:
    return f.ask_if is None or f.ask_if(answers)


def _ask(spec: FormSpec, f: FieldSpec, answers: Mapping[str, str]) -> Ask:
    number = 0
    total = sum(1 for other in spec.fields if other.ask_if is None)
    for other in spec.fields:
        if other.ask_if is None:
            number += 1
        if other.id == f.id:
            break
    return Ask(field=f, number=max(number, 1), total=max(total, 1))


def _next_after(spec: FormSpec, step: str | None, answers: Mapping[str, str]) -> FieldSpec | None:
    fields = spec.fields
    start = (
        0
        if step is None
        else next((i + 1 for i, f in enumerate(fields) if f.id == step), len(fields))
    )
    return next((f for f in fields[start:] if _applies(f, answers)), None)


def _advance(
    spec: FormSpec, step: str | None, answers: Mapping[str, str]
) -> tuple[FormState, Ask | Confirm | Completed]:
    nxt = _next_after(spec, step, answers)
    if nxt is not None:
        return FormState(nxt.id, answers), _ask(spec, nxt, answers)
    if spec.confirm:
        return FormState(CONFIRM_STEP, answers), Confirm(answers)
    return FormState(CONFIRM_STEP, answers), Completed(answers)


def start(spec: FormSpec) -> tuple[FormState, Ask | Confirm | Completed]:
    """Begin ``spec``: the first applicable question (or straight to confirmation)."""
    return _advance(spec, None, {})


def resume(
    spec: FormSpec, answers: Mapping[str, str]
) -> tuple[FormState, Ask | Confirm | Completed]:
    """Begin ``spec`` from a draft, keeping its answers.

    The form continues at the first applicable unanswered question, or at the confirmation
    when none is left.
    """
    known = _known(spec, answers)
    known = {k: v for k, v in known.items() if _applies(_field(spec, k), known)}
    for f in spec.fields:
        if f.id not in known and _applies(f, known):
            return FormState(f.id, known), _ask(spec, f, known)
    if spec.confirm:
        return FormState(CONFIRM_STEP, known), Confirm(known)
    return FormState(CONFIRM_STEP, known), Completed(known)


def current(spec: FormSpec, state: FormState) -> Outcome:
    """What to show for ``state`` again, e.g. after a restart or ``/pending``."""
    if state.step == CONFIRM_STEP:
        return Confirm(state.answers)
    f = spec.field(state.step)
    if f is None:  # the spec changed under a stored state: continue with what applies
        return _advance(spec, None, _known(spec, state.answers))[1]
    return _ask(spec, f, state.answers)


def _known(spec: FormSpec, answers: Mapping[str, str]) -> dict[str, str]:
    ids = {f.id for f in spec.fields}
    return {k: v for k, v in answers.items() if k in ids}


def answer(
    spec: FormSpec, state: FormState, text: str, lang: Literal["lv", "en"]
) -> tuple[FormState, list[Outcome]]:
    """Apply one typed answer (or a pressed choice's value) to ``state``.

    Args:
        spec: The form.
        state: Its current state.
        text: The typed text, an option value, or at the confirmation step ``submit`` /
            ``cancel`` (also ``1``/``2``, yes/no words and the Latvian button labels).
        lang: The person's language, for numbers.

    Returns:
        The new state and the outcomes to show. A refused answer gives ``[Invalid, Ask]``
        with the state unchanged, so nothing typed so far is lost.
    """
    if state.step == CONFIRM_STEP:
        word = unicodedata.normalize("NFC", text.strip()).casefold()
        if word in CONFIRM_ACCEPT:
            return state, [Completed(state.answers)]
        if word in CONFIRM_REJECT:
            return state, [Cancelled()]
        return state, [Unclear(), Confirm(state.answers)]
    f = spec.field(state.step)
    if f is None:
        new_state, outcome = _advance(spec, None, _known(spec, state.answers))
        return new_state, [outcome]
    try:
        value = parse_answer(f, text, lang)
    except AnswerError as exc:
        return state, [Invalid(f, exc), _ask(spec, f, state.answers)]
    if f.reask_on_no is not None and value == "no":
        again = _field(spec, f.reask_on_no)
        answers = {
            k: v for k, v in _known(spec, state.answers).items() if k not in (f.id, again.id)
        }
        return FormState(again.id, answers), [_ask(spec, again, answers)]
    answers = {**_known(spec, state.answers), f.id: value}
    # a changed answer may switch conditional fields off: drop their stale answers
    answers = {k: v for k, v in answers.items() if _applies(_field(spec, k), answers)}
    new_state, outcome = _advance(spec, f.id, answers)
    return new_state, [outcome]


def _field(spec: FormSpec, field_id: str) -> FieldSpec:
    found = spec.field(field_id)
    if found is None:  # pragma: no cover - _known() filtered unknown ids
        raise KeyError(field_id)
    return found


def back(spec: FormSpec, state: FormState) -> tuple[FormState, Ask | None]:
    """Go back to the previous question that applies, keeping every answer given.

    From the confirmation step this is the last question. ``None`` (state unchanged) at the
    first question.
    """
    fields = [f for f in spec.fields if _applies(f, state.answers)]
    ids = [f.id for f in fields]
    position = (
        len(fields)
        if state.step == CONFIRM_STEP
        else ids.index(state.step)
        if state.step in ids
        else 0
    )
    if position == 0:
        return state, None
    previous = fields[position - 1]
    return FormState(previous.id, state.answers), _ask(spec, previous, state.answers)


def cancel() -> Cancelled:
    """Cancel a form from any step (``/cancel`` or the Cancel button)."""
    return Cancelled()


def is_choice(f: FieldSpec) -> bool:
    """Whether ``f`` is answered by picking an option (choice or yes/no)."""
    return f.kind in (FieldKind.CHOICE, FieldKind.YES_NO)
