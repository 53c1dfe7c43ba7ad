"""This module contains :func:`build` and :class:`EmailPlatform`: e-mail as a platform.

E-mail is send-only: nothing comes in, nothing is mounted, started or linked; it is shown
the other platforms (:class:`bot.platform.Guide`) so that its e-mails can send people there
to answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.email import email_channel
from bot.email.channel import PLATFORM, EmailChannel
from bot.email.doors import ChatDoors
from bot.http import HttpServer
from bot.settings import Settings
from storage.db import Database
from workflows.context import Context

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher
    from bot.platform import Doorway


def build(settings: Settings, ctx: Context, db: Database) -> EmailPlatform | None:
    """E-mail when ``CONTROLBOT_SMTP_HOST`` is set (no I/O until it sends)."""
    channel = email_channel(settings, db, ctx)
    return EmailPlatform(channel) if channel is not None else None


class EmailPlatform:
    """The e-mail platform (a :class:`bot.platform.Platform` and :class:`bot.platform.Guide`).

    Args:
        channel: The e-mail channel the outbox sends through.
    """

    name = PLATFORM
    ordered = True
    start_errors: tuple[type[Exception], ...] = ()

    def __init__(self, channel: EmailChannel) -> None:
        self._channel = channel

    @property
    def channel(self) -> EmailChannel:
        """Where the outbox sends e-mail."""
        return self._channel

    def show(self, doorways: Sequence[Doorway]) -> None:
        """E-mails send people to these platforms to answer."""
        self._channel.doors = ChatDoors(list(doorways))

    def connect(self, dispatcher: Dispatcher) -> None:
        """Nothing comes in by e-mail (replies are not read)."""

    def mount(self, server: HttpServer) -> None:
        """E-mail has no routes."""

    async def start(self) -> None:
        """Nothing to start: each e-mail is one SMTP session."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def open(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close."""

    def health(self) -> str:
        """Always ``ok``: the SMTP server is asked only when a message goes out."""
        return "ok"

    async def link_people(self) -> list[str]:
        """Nobody is linked: addresses come from the plan."""
        return []

    def on_rate_limit(self, report: Callable[[float], None]) -> None:
        """SMTP servers say "not now" with 4yz replies, retried by the outbox."""

    def start_failure(self, exc: Exception) -> str | None:
        """Starting cannot fail."""
        return None
