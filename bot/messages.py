"""This module contains outgoing, platform-neutral messages: :class:`Message` and :class:`Choice`.

A renderer turns a domain notice into a :class:`Message` in one language; each channel
shows it its own way (the console as numbered options, Telegram as an inline keyboard,
Slack as Block Kit buttons). Only ``text`` is required: a channel that cannot show buttons
degrades them to text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Choice:
    """A button: ``label`` shown, ``token`` sent back when pressed (see :mod:`bot.tokens`)."""

    token: str
    label: str


@dataclass(frozen=True)
class Message:
    """One message.

    Attributes:
        text: Plain text (no markup); one line per line of text.
        title: Optional first line to emphasise (bold where the platform can).
        choices: Buttons, in order.
        free_text: Whether a typed answer is expected besides the buttons (a number or a
            comment); a console then reads digits as the answer, not as a button number.
        ref: What the message is about, when it may later be shown as settled (for example
            ``decision:12``); channels that can edit remember where they posted it.
        replaces: The ``ref`` this message settles: in a team channel the earlier message
            is edited to show this one instead of posting anew; in a DM the earlier
            message loses its buttons and this one is sent.
        image: A PNG picture (a chart) to show with the text, or ``None``.
        thread: The ``ref`` of an earlier message this one follows up: where the platform
            has threads or replies, it is posted under that message in the same chat.
        lang: The language it was rendered in (the first one of a bilingual post), for
            what a channel adds around it (an e-mail's footer); ``None``: not known.
    """

    text: str
    title: str | None = None
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    free_text: bool = False
    ref: str | None = None
    replaces: str | None = None
    image: bytes | None = field(default=None, repr=False)
    thread: str | None = None
    lang: str | None = None

    def plain(self) -> str:
        """Title and text as one plain string."""
        return f"{self.title}\n{self.text}" if self.title else self.text
