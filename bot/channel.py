"""This module contains the outbound port: :class:`Channel` and :class:`Address`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bot.messages import Message


@dataclass(frozen=True)
class Address:
    """Where a message goes on one platform.

    Attributes:
        platform: ``console``, ``telegram``, ``slack`` or ``email``.
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


class Unreachable(Exception):
    """The platform refused to deliver to ``address`` for good (field case C03).

    For example the user blocked the bot, or left the chat. Retrying will not help until
    the user writes to the bot again.

    Args:
        address: Where the message was going.
        reason: The platform's own words, for the log.
        code: The outbox's reason code, when the platform knows better than the default
            (``blocked`` for a person, ``not_in_channel``/``channel_gone`` for a chat): e-mail
            says ``address_refused`` or ``message_refused``.
    """

    def __init__(self, address: Address, reason: str, code: str | None = None) -> None:
        super().__init__(f"{address} is unreachable: {reason}")
        self.address = address
        self.reason = reason
        self.code = code


class TemporaryFailure(Exception):
    """The platform could not be reached just now (network, timeouts, server errors, 429).

    The channel has already retried; a later attempt may succeed. The message stays queued:
    the outbox tries again after a back-off, not before
    ``retry_after`` seconds when the platform said how long to wait (a 429 longer than a
    channel waits out itself, so that no channel sleeps long while holding anything).

    Args:
        message: What failed, for the log.
        retry_after: Seconds to wait before the next attempt, if the platform said so;
            ``None`` when it did not (network, server error) or the process is stopping.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PartlyDelivered(Exception):
    """The text went out, but part of the message did not (a chart upload failed; C11).

    Args:
        address: Where the message went.
        reason: What failed, for the log.
    """

    def __init__(self, address: Address, reason: str) -> None:
        super().__init__(f"{address}: {reason}")
        self.address = address
        self.reason = reason


class Channel(Protocol):
    """A chat platform the bot can send through."""

    platform: str

    async def send(self, address: Address, message: Message) -> str | None:
        """Deliver ``message`` to ``address`` (whose ``platform`` is this channel's).

        Returns:
            The platform's id of the message, where it gives one (the outbox records it).

        Raises:
            Unreachable: If the platform refuses the recipient for good.
            TemporaryFailure: If the platform cannot be reached now (after retries), or
                rate-limits for longer than the channel waits itself (``retry_after`` set):
                the caller keeps the message and tries again later.
            PartlyDelivered: If the text went out but an attached chart did not.
        """
        ...


@runtime_checkable
class PlanAddressed(Protocol):
    """A notify-only platform whose addresses the plan gives (e-mail), nobody links in chat.

    The router reaches a person on it when they prefer it (``/platform``, the plan's
    ``platform``) or when no chat account reaches them; a team channel on it when the plan
    gives the channel an address there. Replies to what someone typed never go there.
    """

    platform: str

    def person_target(self, person_id: str) -> str | None:
        """The person's address on this platform, from the plan (``None``: none)."""
        ...

    def channel_target(self, channel_id: str) -> str | None:
        """The team channel's address(es) on this platform, from the plan (``None``: none)."""
        ...
