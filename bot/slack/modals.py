"""This module contains the Slack measurement modal: views, and checking what was typed.

The modal has up to three steps, each a ``view_submission`` answered in the ack (Slack waits
3 seconds, so nothing here does I/O; the plan is in memory and the person's language travels
in ``private_metadata``):

1. ``values``: one ``plain_text_input`` per indicator (never ``number_input``: it would refuse a
   Latvian ``12,5``), unit, thresholds and earlier values as the hint; a yes/no or choice
   indicator gets a ``static_select`` of its options (and "not measured"). A value our parser
   refuses comes back as ``response_action: errors`` next to its field (field case C08).
2. ``comments``: for each value off target, a comment (``response_action: update``).
3. ``confirm``: the values with their status; *Submit* closes the modal, and the answers go
   through the same form engine as in chat, after the ack.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.formatting import shorten
from bot.i18n import Lang, translator
from bot.render.context import RenderContext
from bot.render.errors import answer_error
from bot.render.forms import answer_lines, form_title, option_label, question_lines
from bot.render.hints import input_hint
from bot.slack.blocks import bold, plain
from workflows.context import Context
from workflows.forms.fields import NOT_MEASURED, FieldKind, FieldSpec, FormSpec
from workflows.forms.parsing import AnswerError, parse_answer
from workflows.notices import FormHeader
from workflows.rounds.measuring import measurement_spec
from workflows.rounds.plausibility import is_implausible

CALLBACK_ID = "controlbot-measure"
INPUT_ACTION = "answer"
TITLE_LIMIT = 24
"""Block Kit: a modal's title is at most 24 characters (field case C06)."""
LABEL_LIMIT = 2000
"""Block Kit: an input block's label and hint are at most 2,000 characters."""
VALUE_LIMIT = 3000
"""Block Kit: a plain-text input takes at most 3,000 characters."""
OPTION_LIMIT = 75
"""Block Kit: a select option's text is at most 75 characters (field case C06)."""
View = dict[str, Any]


@dataclass
class ModalState:
    """What the modal carries between steps (``private_metadata``, at most 3,000 characters).

    Attributes:
        round_id: The control round.
        activity_id: For the title.
        period: For the title.
        lang: The person's language (parsing and messages without a database read).
        indicators: The indicator ids of the form.
        step: ``values``, ``comments`` or ``confirm``.
        answers: Typed answers so far, by field id (as typed; parsed again on submit).
        plausible: The usual range per indicator (decimal texts), to warn in step 3.
    """

    round_id: int
    activity_id: str
    period: str
    lang: Lang
    indicators: tuple[str, ...]
    step: str = "values"
    answers: dict[str, str] = field(default_factory=dict)
    plausible: dict[str, tuple[str, str]] = field(default_factory=dict)

    def dump(self) -> str:
        """The ``private_metadata`` text."""
        return json.dumps(
            {
                "r": self.round_id,
                "a": self.activity_id,
                "p": self.period,
                "l": self.lang,
                "i": list(self.indicators),
                "t": self.step,
                "v": self.answers,
                "b": self.plausible,
            },
            ensure_ascii=False,
        )

    @classmethod
    def load(cls, text: str) -> ModalState:
        """Read ``private_metadata`` back.

        Raises:
            ValueError: If it is not ours.
        """
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a controlbot modal")
        lang: Lang = "en" if data.get("l") == "en" else "lv"
        return cls(
            int(data["r"]),
            str(data["a"]),
            str(data["p"]),
            lang,
            tuple(str(i) for i in data["i"]),
            str(data["t"]),
            {str(k): str(v) for k, v in dict(data["v"]).items()},
            {str(k): (str(v[0]), str(v[1])) for k, v in dict(data.get("b") or {}).items()},
        )

    def header(self) -> FormHeader:
        """The form's header (for its title)."""
        return FormHeader("measurement", 0, self.activity_id, self.period, round_id=self.round_id)


def _rc(ctx: Context, lang: Lang) -> RenderContext:
    return RenderContext(translator(lang), ctx.plan, ctx.timezone)


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": shorten(text, limit) or "…"}


def _view(ctx: Context, state: ModalState, blocks: list[dict[str, Any]], submit: str) -> View:
    t = translator(state.lang)
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(t.gettext("Measurements"), TITLE_LIMIT),
        "submit": _plain(submit, TITLE_LIMIT),
        "close": _plain(t.gettext("Cancel"), TITLE_LIMIT),
        "private_metadata": state.dump(),
        "blocks": [
            bold(shorten(form_title(state.header(), _rc(ctx, state.lang)), 600)),
            *blocks,
        ],
    }


def loading_view(lang: Lang | None) -> View:
    """Shown at once, before anything is looked up (field case C09: the trigger expires).

    Args:
        lang: The person's language when it is already known without a lookup; ``None``:
            the view says it in Latvian and English.
    """
    langs: tuple[Lang, ...] = (lang,) if lang is not None else ("lv", "en")
    title = " / ".join(translator(one).gettext("Measurements") for one in langs)
    close = " / ".join(translator(one).gettext("Cancel") for one in langs)
    text = " / ".join(translator(one).gettext("Loading…") for one in langs)
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID + "-loading",
        "title": _plain(title, TITLE_LIMIT),
        "close": _plain(close, TITLE_LIMIT),
        "blocks": [plain(text)],
    }


def message_view(lang: Lang, text: str) -> View:
    """A modal that only says something (nothing to measure, another form in progress)."""
    t = translator(lang)
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID + "-note",
        "title": _plain(t.gettext("Measurements"), TITLE_LIMIT),
        "close": _plain(t.gettext("Close"), TITLE_LIMIT),
        "blocks": [plain(shorten(text, 2900))],
    }


def _select(f: FieldSpec, rc: RenderContext, initial: str | None) -> dict[str, Any]:
    """A ``static_select`` of a check's options (values: the option numbers)."""
    options = [
        {"text": _plain(option_label(f, option, rc), OPTION_LIMIT), "value": option.value}
        for option in f.options
    ]
    if f.not_measured:
        not_measured = _plain(rc.t.gettext("Not measured"), OPTION_LIMIT)
        options.append({"text": not_measured, "value": NOT_MEASURED})
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": INPUT_ACTION,
        "placeholder": _plain(rc.t.gettext("Choose"), 150),
        "options": options,
    }
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _input(
    f: FieldSpec, label: str, hint: str, initial: str | None, rc: RenderContext | None = None
) -> dict[str, Any]:
    if f.kind is FieldKind.CHOICE and rc is not None:
        block = _input(f, label, hint, None)
        block["element"] = _select(f, rc, initial)
        return block
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "multiline": f.indicator_id is None,
        "max_length": min(f.max_length or VALUE_LIMIT, VALUE_LIMIT),
    }
    if initial:
        element["initial_value"] = initial
    return {
        "type": "input",
        "block_id": f.id,
        "optional": not f.required,
        "label": _plain(label, LABEL_LIMIT),
        "hint": _plain(hint, LABEL_LIMIT),
        "element": element,
    }


def spec_of(ctx: Context, state: ModalState) -> FormSpec:
    """The form's fields, rebuilt from the plan (the modal carries only ids)."""
    return measurement_spec(ctx, state.indicators)


def values_view(
    ctx: Context,
    state: ModalState,
    earlier: Mapping[str, tuple[tuple[str, Decimal], ...]] | None = None,
) -> View:
    """Step 1: one input per indicator."""
    rc = _rc(ctx, state.lang)
    inputs = []
    for f in spec_of(ctx, state).fields:
        if f.ask_if is not None or f.indicator_id is None:
            continue
        lines = question_lines(f, rc, state.answers, earlier or {})
        how = [] if f.kind is FieldKind.CHOICE else [input_hint(f, rc)]
        hint = "\n".join([*lines[1:], *how])  # one line each
        inputs.append(_input(f, lines[0], hint, state.answers.get(f.id), rc))
    return _view(ctx, state, inputs, translator(state.lang).gettext("Next"))


def comment_fields(spec: FormSpec, answers: Mapping[str, str]) -> list[FieldSpec]:
    """The comment fields the parsed values call for (off target)."""
    return [f for f in spec.fields if f.ask_if is not None and f.ask_if(answers)]


def comments_view(ctx: Context, state: ModalState, parsed: Mapping[str, str]) -> View:
    """Step 2: a comment for each value off target."""
    rc = _rc(ctx, state.lang)
    inputs = []
    for f in comment_fields(spec_of(ctx, state), parsed):
        lines = question_lines(f, rc, parsed, {})
        inputs.append(_input(f, lines[-1], lines[0], state.answers.get(f.id)))
    return _view(ctx, state, inputs, translator(state.lang).gettext("Next"))


def confirm_view(ctx: Context, state: ModalState, parsed: Mapping[str, str]) -> View:
    """Step 3: the values with their status, to submit."""
    rc = _rc(ctx, state.lang)
    t = rc.t
    lines = [
        t.gettext("Please check your answers:"),
        *answer_lines(spec_of(ctx, state).fields, parsed, rc),
        *_implausible_lines(state, parsed, rc),
    ]
    return _view(ctx, state, [plain(shorten("\n".join(lines), 2900))], t.gettext("Submit"))


def _implausible_lines(
    state: ModalState, parsed: Mapping[str, str], rc: RenderContext
) -> list[str]:
    """A warning per value far from its history (chat asks "is it correct?" instead)."""
    lines = []
    for indicator_id, (low, high) in state.plausible.items():
        raw = parsed.get(indicator_id)
        if not raw or raw == NOT_MEASURED:
            continue
        if is_implausible(Decimal(raw), (Decimal(low), Decimal(high))):
            lines.append(
                "⚠️ "
                + rc.t.gettext(
                    "{indicator}: this value is far from the earlier ones (they suggest "
                    "{low} … {high}). Check it before you submit.",
                    indicator=rc.indicator(indicator_id),
                    low=rc.value(indicator_id, Decimal(low)),
                    high=rc.value(indicator_id, Decimal(high)),
                )
            )
    return lines


def typed(view: Mapping[str, Any]) -> dict[str, str]:
    """What was typed in the modal's inputs, by block id (field id)."""
    found: dict[str, str] = {}
    values = (view.get("state") or {}).get("values") or {}
    for block_id, actions in values.items():
        answer = (actions or {}).get(INPUT_ACTION) or {}
        value = answer.get("value")
        if answer.get("type") == "static_select":  # a check: the chosen option's number
            value = (answer.get("selected_option") or {}).get("value")
        if isinstance(value, str):
            found[str(block_id)] = value
    return found


def check(
    ctx: Context, state: ModalState, fields: list[FieldSpec], given: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Parse ``given`` for ``fields`` in the person's language.

    Returns:
        ``(parsed values by field id, translated errors by field id)``.
    """
    rc = _rc(ctx, state.lang)
    parsed: dict[str, str] = {}
    errors: dict[str, str] = {}
    for f in fields:
        raw = given.get(f.id, "")
        if not raw.strip() and not f.required:
            continue
        try:
            parsed[f.id] = parse_answer(f, raw, state.lang)
        except AnswerError as exc:
            errors[f.id] = shorten(answer_error(exc, f, rc), LABEL_LIMIT)
    return parsed, errors


def value_fields(ctx: Context, state: ModalState) -> list[FieldSpec]:
    """The fields of step 1."""
    return [f for f in spec_of(ctx, state).fields if f.ask_if is None]
