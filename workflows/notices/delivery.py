"""This module contains the notices that report delivery: who a message reached and who not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unreached:
    """A recipient a message did not reach, and why.

    ``reason``: ``no_account``, ``blocked``, ``not_in_channel``, ``channel_gone``,
    ``not_bound``, ``render_failed``, ``expired`` or ``queued`` (still being retried).
    """

    recipient: str
    kind: str
    reason: str


@dataclass(frozen=True)
class DeliveryOutcome:
    """What became of a fan-out when its sender reported back (issue 12: honest reports)."""

    delivered: tuple[str, ...]
    unreached: tuple[Unreached, ...]


@dataclass(frozen=True)
class DeliveryProblems:
    """The admin channel's daily digest: who and what the robot could not reach, and why."""

    unreached: tuple[Unreached, ...]
