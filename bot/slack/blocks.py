"""This module contains how a :class:`~bot.messages.Message` looks in Slack (Block Kit).

A message's text is plain (it has no markup of ours), so it goes into ``plain_text`` section
blocks and its title into a bold ``rich_text`` element: Slack formats neither, so names and
comments show exactly as typed — ``*slimoja*`` stays with its asterisks, ``<!channel>`` and
``<@U123>`` form no mention, and ``&``, ``<``, ``>`` need no entities (field case C02). Long texts
are split at line ends into sections of at most 3,000 characters and into several messages
of at most 50 blocks (field case C06); buttons go into actions blocks on the last message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from bot.command_table import COMMANDS
from bot.formatting import shorten
from bot.messages import Choice, Message

SECTION_LIMIT = 3000
"""Block Kit: a section's text is at most 3,000 characters."""
BLOCKS_PER_MESSAGE = 50
"""Block Kit: a message has at most 50 blocks."""
BUTTON_TEXT_LIMIT = 75
"""Block Kit: a button's text is at most 75 characters."""
HOME_BLOCKS = 100
"""Block Kit: a Home tab view has at most 100 blocks."""
BUTTONS_PER_ACTIONS = 25
"""Block Kit: an actions block has at most 25 elements."""
FALLBACK_LIMIT = 3000
"""Our cap on the notification text that goes with the blocks (``text``)."""
ACTION_PREFIX = "controlbot"
"""Every button's ``action_id`` starts with this; the ``value`` carries our token."""
Block = dict[str, Any]
SLASH_COMMAND = "/control"
"""Slack has one slash command; our commands are its sub-commands (``/control pending``)."""
_COMMAND = re.compile(r"(?<![\w/])/(" + "|".join(c.name for c in COMMANDS) + r")\b")
"""Our commands in a text (any of :data:`bot.command_table.COMMANDS`), not a path's part."""


def slack_commands(text: str) -> str:
    """Our commands as Slack users type them: ``/pending`` → ``/control pending``."""
    return _COMMAND.sub(lambda m: f"{SLASH_COMMAND} {m.group(1)}", text)


def escape(text: str) -> str:
    """Slack's three control characters as entities (Slack API, formatting text)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pieces(line: str, limit: int) -> Iterator[str]:
    """A line cut into pieces of at most ``limit`` characters."""
    for start in range(0, len(line), limit):
        yield line[start : start + limit]


def plain(text: str) -> Block:
    """A section showing ``text`` exactly as it is: no formatting, links or mentions.

    ``plain_text`` with ``emoji``: codes such as ``:warning:`` still show as emoji.
    """
    return {"type": "section", "text": {"type": "plain_text", "text": text, "emoji": True}}


def bold(text: str) -> Block:
    """A ``rich_text`` block showing ``text`` in bold, exactly as it is (no mrkdwn parsing)."""
    element = {"type": "text", "text": text, "style": {"bold": True}}
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": [element]}],
    }


def sections(text: str, limit: int = SECTION_LIMIT) -> list[Block]:
    """``text`` as plain-text sections of at most ``limit`` characters, cut at line ends."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        pieces = list(_pieces(line, limit)) if len(line) > limit else [line]
        for piece in pieces:
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) > limit and current:
                out.append(current)
                candidate = piece
            current = candidate
    if current.strip():
        out.append(current)
    return [plain(part) for part in out]


def buttons(choices: tuple[Choice, ...]) -> list[Block]:
    """Actions blocks of buttons, 25 to a block; each carries its token as ``value``."""
    blocks: list[Block] = []
    for start in range(0, len(choices), BUTTONS_PER_ACTIONS):
        elements = [
            {
                "type": "button",
                "action_id": f"{ACTION_PREFIX}:{start + index}",
                "text": {
                    "type": "plain_text",
                    "text": shorten(choice.label, BUTTON_TEXT_LIMIT) or "…",
                },
                "value": choice.token,
            }
            for index, choice in enumerate(choices[start : start + BUTTONS_PER_ACTIONS])
        ]
        blocks.append({"type": "actions", "elements": elements})
    return blocks


@dataclass(frozen=True)
class SlackMessage:
    """One ``chat.postMessage``: the notification ``text`` and its ``blocks``."""

    text: str
    blocks: list[Block]


def render(message: Message) -> list[SlackMessage]:
    """``message`` as one or more Slack messages (50 blocks each), buttons on the last.

    Commands in the text are written the Slack way (``/control pending``).
    """
    message = replace(
        message,
        text=slack_commands(message.text),
        title=slack_commands(message.title) if message.title else None,
    )
    body: list[Block] = []
    if message.title:
        body.append(bold(shorten(message.title, SECTION_LIMIT // 5)))
    body.extend(sections(message.text))
    actions = buttons(message.choices)
    room = BLOCKS_PER_MESSAGE - len(actions)
    chunks = [body[i : i + BLOCKS_PER_MESSAGE] for i in range(0, len(body), BLOCKS_PER_MESSAGE)]
    if not chunks:
        chunks = [[]]
    if len(chunks[-1]) > room:
        chunks.append(chunks[-1][room:])
        chunks[-2] = chunks[-2][:room]
    chunks[-1] = chunks[-1] + actions
    fallback = shorten(message.plain(), FALLBACK_LIMIT) or "…"
    return [
        SlackMessage(escape(fallback) if n == 0 else "…", blocks)
        for n, blocks in enumerate(chunks)
    ]
