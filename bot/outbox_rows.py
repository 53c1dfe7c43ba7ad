"""This module contains outbox rows a sender holds, and what a caller is told of a row.

Claimed rows, one action's queued rows, and a delivering caller's outcome of each row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.routes import Route
from storage.messages import OutboxMessage
from workflows.notices import Outgoing
from workflows.notices import outbox as queue
from workflows.notices.codec import CodecError

Outcome = Literal["sent", "retry", "failed"]
SENT: Outcome = "sent"
RETRY: Outcome = "retry"
FAILED: Outcome = "failed"


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


def outcome_of(row: OutboxMessage) -> Outcome:
    """What a caller delivering ``row`` is told: sent, to be retried, or failed for good."""
    if row.status == queue.DELIVERED:
        return SENT
    if row.status in queue.OPEN:
        return RETRY
    return FAILED
