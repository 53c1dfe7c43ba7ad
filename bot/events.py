"""This module contains incoming, platform-neutral events.

Each chat channel translates what its platform delivers (a Telegram update, a Slack
action, a console line) into one of these and hands it to :class:`bot.dispatch.Dispatcher`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeAlias


@dataclass(frozen=True)
class Sender:
    """Who sent an event: a platform account, with the language its client reports.

    ``chat`` is the group chat the event came from, or ``None`` in a DM.
    """

    platform: str
    user_id: str
    client_language: str | None = None
    chat: str | None = None


@dataclass(frozen=True)
class TextReceived:
    """Typed text that is not a command."""

    sender: Sender
    text: str


@dataclass(frozen=True)
class CommandReceived:
    """A command such as ``/pending`` (``name`` without the slash, lower-case)."""

    sender: Sender
    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChoiceSelected:
    """A pressed button; ``token`` is the :class:`~bot.messages.Choice` token."""

    sender: Sender
    token: str


@dataclass(frozen=True)
class UnsupportedMessage:
    """Something the bot cannot read as an answer.

    ``kind`` is ``media`` (a photo, a sticker, a voice message…) or ``edit`` (a change to an
    earlier message).
    """

    sender: Sender
    kind: str


@dataclass(frozen=True)
class FormSubmitted:
    """A whole measurement form typed in a platform's own UI (Slack's modal).

    ``answers`` are the typed answers by field id, ``lang`` the language they were typed in.
    """

    sender: Sender
    round_id: int
    answers: dict[str, str]
    lang: str


Event: TypeAlias = (
    TextReceived | CommandReceived | ChoiceSelected | UnsupportedMessage | FormSubmitted
)


def readable(text: str) -> str:
    """``text`` with what cannot be encoded (lone UTF-16 surrogates) replaced by ``?``."""
    return text.encode("utf-8", "replace").decode("utf-8")


# --- stored form (the inbox) -------------------------------------------------------------


def encode(event: Event) -> str:
    """The JSON text of ``event`` (as the inbox stores it)."""
    data: dict[str, Any] = {"type": type(event).__name__, "sender": vars(event.sender)}
    data.update({k: v for k, v in vars(event).items() if k != "sender"})
    return json.dumps(data, ensure_ascii=False)


_TYPES: dict[str, type] = {
    t.__name__: t
    for t in (TextReceived, CommandReceived, ChoiceSelected, UnsupportedMessage, FormSubmitted)
}


def decode(text: str) -> Event:
    """The event :func:`encode` stored.

    Raises:
        ValueError: If the text is not a stored event.
    """
    data = json.loads(text)
    cls = _TYPES[data.pop("type")]
    sender = Sender(**data.pop("sender"))
    if cls is CommandReceived:
        data["args"] = tuple(data.get("args", ()))
    event: Event = cls(sender=sender, **data)
    return event
