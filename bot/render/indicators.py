"""This module contains the rendering of a person's indicators to pick from (``/indicators``)."""

from __future__ import annotations

from bot import tokens
from bot.messages import Choice, Message
from bot.render.context import RenderContext
from workflows.notices import IndicatorList

MOST_BUTTONS = 20
"""Buttons shown at most; the numbered list in the text always has every indicator."""


def render_indicators(notice: IndicatorList, rc: RenderContext) -> Message:
    """The indicators, numbered, each with its activity and a button showing its history."""
    t = rc.t
    if notice.query and notice.matched:
        title = t.gettext("Several indicators fit “{query}”: which one?", query=notice.query)
    elif notice.query:
        title = t.gettext("No indicator fits “{query}”. Your indicators:", query=notice.query)
    else:
        title = t.gettext("Your indicators")
    positions = {i.id: n for n, (_a, i) in enumerate(rc.plan.all_indicators())}
    lines: list[str] = []
    choices: list[Choice] = []
    picking = bool(notice.query and notice.matched)
    for number, indicator_id in notice.items:
        activity, _indicator = rc.plan.indicator(indicator_id)
        label = rc.indicator(indicator_id)
        pressable = len(choices) < MOST_BUTTONS
        if pressable:
            choices.append(Choice(tokens.history(positions[indicator_id], indicator_id), label))
        # a list to pick from is numbered as its buttons are (the console's [1] [2] …): the
        # person's /indicators numbers would skip, and someone else's indicator has none
        if picking:
            number = len(choices) if pressable else 0
        mark = f"{number}." if number else "•"
        lines.append(f"{mark} {label} — {activity.label.get(t.lang)}")
    lines.append("")
    if picking:
        lines.append(
            t.gettext(
                "Press an indicator, or type /history and more of its name "
                "(e.g. /history {label}).",
                label=rc.indicator(notice.items[0][1]),
            )
        )
    else:
        lines.append(
            t.gettext(
                "Press an indicator, or type /history and its number, its name or the beginning "
                "of its name (e.g. /history 1, or /history 1 12 for the last 12 values)."
            )
        )
    return Message("\n".join(lines), title=title, choices=tuple(choices))
