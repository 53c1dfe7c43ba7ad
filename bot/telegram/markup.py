"""This module contains how a :class:`~bot.messages.Message` looks in Telegram.

Text goes out in HTML parse mode with every user-given character escaped (field case C02:
names such as ``Tīrība 9.5/10 (A-kategorija)!`` show exactly as typed). Long texts are split
at line boundaries into parts that fit Telegram's limits (field case C06); buttons become an
inline keyboard on the last part.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.formatting import shorten
from bot.messages import Choice, Message

MESSAGE_LIMIT = 4096
"""Telegram Bot API sendMessage: text is 1-4096 characters after entities parsing."""
CAPTION_LIMIT = 1024
"""Telegram Bot API sendPhoto: caption is 0-1024 characters after entities parsing."""
BUTTON_LABEL_LIMIT = 60
"""Longest button label we send (field case C06 asks for 75 or fewer); longer ones end in …."""
SHORT_LABEL = 14
"""Buttons with labels this short share a keyboard row, two at a time."""


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """An inline keyboard: short labels two to a row, longer ones a row each."""
    if not choices:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    for choice in choices:
        button = InlineKeyboardButton(
            shorten(choice.label, BUTTON_LABEL_LIMIT), callback_data=choice.token
        )
        last = rows[-1] if rows else None
        if (
            last is not None
            and len(last) == 1
            and len(choice.label) <= SHORT_LABEL
            and len(last[0].text) <= SHORT_LABEL
        ):
            last.append(button)
        else:
            rows.append([button])
    return InlineKeyboardMarkup(rows)


def _pieces(raw: str, limit: int) -> Iterator[str]:
    """Escaped pieces of one raw line, each at most ``limit`` long, cut between words.

    Escaping happens before measuring, so no ``&amp;`` is ever cut in two.
    """
    whole = html.escape(raw, quote=False)
    if utf16_length(whole) <= limit:
        yield whole
        return
    piece: str | None = None
    for word in raw.split(" "):
        candidate = word if piece is None else f"{piece} {word}"
        if utf16_length(html.escape(candidate, quote=False)) <= limit:
            piece = candidate
            continue
        if piece is not None:
            yield html.escape(piece, quote=False)
        piece = ""
        for char in word:  # a word longer than a whole message: cut between letters
            if utf16_length(html.escape(piece + char, quote=False)) > limit:
                yield html.escape(piece, quote=False)
                piece = ""
            piece += char
    if piece:
        yield html.escape(piece, quote=False)


def _bold(title: str) -> str:
    return f"<b>{html.escape(shorten(title, 200), quote=False)}</b>"


def split_html(message: Message, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The message as HTML parts of at most ``limit`` UTF-16 units, in order.

    Parts break at line ends; a single line longer than ``limit`` breaks between words.
    The bold title is never cut (it is at most a line).
    """
    raw_lines = [message.text] if not message.text else message.text.split("\n")
    units: list[str] = []
    if message.title:
        units.append(_bold(message.title))
    for raw in raw_lines:
        units.extend(_pieces(raw, limit))
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for unit in units:
        extra = utf16_length(unit) + (1 if current else 0)
        if current and size + extra > limit:
            parts.append("\n".join(current))
            current, size = [], 0
            extra = utf16_length(unit)
        current.append(unit)
        size += extra
    if current:
        parts.append("\n".join(current))
    return [p for p in parts if p.strip()] or ["…"]


@dataclass(frozen=True)
class Rendered:
    """What one message becomes in Telegram.

    Attributes:
        caption: The photo caption (only with an image), at most :data:`CAPTION_LIMIT`.
        texts: The text messages, each at most :data:`MESSAGE_LIMIT`.
        keyboard: Buttons for the last of them (or for the photo, if nothing follows it).
    """

    caption: str | None
    texts: tuple[str, ...]
    keyboard: InlineKeyboardMarkup | None


def render(message: Message) -> Rendered:
    """Split ``message`` for Telegram (field case C06).

    With an image, the text is its caption when the whole text fits 1024 characters; else
    the photo goes with the first part of the text that fits, and the rest follows.
    """
    markup = keyboard(message.choices)
    if message.image is None:
        return Rendered(None, tuple(split_html(message)), markup)
    whole = split_html(message, CAPTION_LIMIT)
    if len(whole) == 1:
        return Rendered(whole[0], (), markup)
    caption = _bold(message.title) if message.title else None
    return Rendered(caption, tuple(split_html(Message(message.text))), markup)
