"""This module contains the outbound port: :class:`Channel` and :class:`Address`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.messages import Message


@dataclass(frozen=True)
class Address:
    """Where a message goes on one platform.

    Attributes:
        platform: ``console``, ``telegram`` or ``slack``.
        kind: ``dm`` for a direct message to a person, ``channel`` for a team channel.
        target: The platform's id (console: the person or channel id of the plan).
        label: What to call the target when showing it (a display name or ``#channel``).
    """

    platform: str
    kind: Literal["dm", "channel"]
    target: str
    label: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.kind}:{self.target}"


class Channel(Protocol):
    """A chat platform the bot can send through."""

    platform: str

    async def send(self, address: Address, message: Message) -> None:
        """Deliver ``message`` to ``address`` (whose ``platform`` is this channel's)."""
        ...
