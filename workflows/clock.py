"""This module contains the clocks the domain reads the current instant from."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current instant."""

    def now(self) -> datetime:
        """Return the current instant as an aware UTC datetime."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current instant as an aware UTC datetime."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; used by the demo and the tests.

    Args:
        at: The instant to report; must be timezone-aware.

    Raises:
        ValueError: If ``at`` is naive.
    """

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        """Return the fixed instant (UTC)."""
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to ``at`` (aware)."""
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)
