"""This module contains how to type an answer: the hint and an example the parser accepts.

Both the question (:mod:`bot.render.forms`) and the refusal (:mod:`bot.render.errors`)
show the same example, so it lives apart from both.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.formatting import fmt_number
from bot.render.context import RenderContext
from workflows.forms.fields import FieldKind, FieldSpec
from workflows.forms.parsing import AnswerError, parse_answer

DATE_EXAMPLE = date(2026, 12, 31)


def number_example(f: FieldSpec, rc: RenderContext) -> str:
    """An example value for a numeric field in the person's format, one the field accepts.

    The indicator's target, grouped as the person's language groups it (``2 000``,
    ``2,000``); should the grouped text not be accepted, it is shown without grouping, so a
    person who types the example is never refused (issue 13 item 1).
    """
    decimals = 0 if f.kind is FieldKind.INTEGER else f.decimals if f.decimals is not None else 1
    value = Decimal("12.5")
    if f.indicator_id is not None:
        value = rc.plan.indicator(f.indicator_id)[1].target
    grouped = fmt_number(value, decimals, rc.t)
    try:
        parse_answer(f, grouped, rc.t.lang)
    except AnswerError:
        return grouped.replace("," if rc.t.lang == "en" else "\u00a0", "")
    return grouped


def date_example(rc: RenderContext) -> str:
    """The example date typed the way the parser accepts it (``31.12.2026.``)."""
    text = DATE_EXAMPLE.strftime("%d.%m.%Y")
    return f"{text}." if rc.t.lang == "lv" else text


def input_hint(f: FieldSpec, rc: RenderContext) -> str:
    """How to type an answer to ``f`` (with an example in the person's number format)."""
    t = rc.t
    example = number_example(f, rc)
    if f.kind is FieldKind.INTEGER:
        return t.gettext("Type a whole number, e.g. {example}.", example=example)
    if f.kind is FieldKind.PERCENT:
        return t.gettext("Type a percentage, e.g. {example}.", example=example)
    if f.kind is FieldKind.NUMBER and not f.required and f.indicator_id is not None:
        return t.gettext(
            "Type a number, e.g. {example}, or - to skip it for now.", example=example
        )
    if f.kind is FieldKind.NUMBER:
        return t.gettext("Type a number, e.g. {example}.", example=example)
    if f.kind is FieldKind.DATE:
        return t.gettext("Type a date as dd.mm.yyyy, e.g. {example}.", example=date_example(rc))
    if not f.required:
        return t.gettext("Type your answer, or - to leave it empty.")
    return t.gettext("Type your answer.")
