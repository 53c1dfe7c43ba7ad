"""This module contains :func:`both`: one message in Latvian and English for a channel.

A team channel whose plan ``language`` is ``both`` gets every post in both languages in one
message (issue 7): the first language is the plan's ``locale``, the other follows under a
rule. Buttons, references and the chart come from the first rendering: a chart is drawn
once, in the first language.
"""

from __future__ import annotations

from dataclasses import replace

from bot.messages import Message

RULE = "— — —"
"""The line between the two languages."""


def both(first: Message, second: Message) -> Message:
    """``first``, then a rule, then ``second``'s title and text.

    Args:
        first: The rendering in the first language (keeps title, choices, refs, image and
            thread).
        second: The rendering in the other language.

    Returns:
        One message; ``first`` alone when both renderings are the same.
    """
    if (first.title, first.text) == (second.title, second.text):
        return first
    other = f"{second.title}\n{second.text}" if second.title else second.text
    return replace(first, text=f"{first.text}\n{RULE}\n{other}")
