"""This module contains outbox rows a sender holds: claimed ones, one action's queued ones."""

from __future__ import annotations

from dataclasses import dataclass

from bot.routes import Route
from storage.messages import OutboxMessage
from workflows.notices import Outgoing
from workflows.notices.codec import CodecError


@dataclass(frozen=True)
class Claimed:
    """A claimed row, its notice (or why it cannot be read) and where it goes."""

    row: OutboxMessage
    item: Outgoing | CodecError
    routes: list[Route]


@dataclass(frozen=True)
class Queued:
    """Outbox rows of one action: replies, a fan-out (``batch``) and held acknowledgements."""

    replies: list[int]
    fanout: list[int]
    acks: list[int]
    batch: str | None
