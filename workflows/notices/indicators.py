"""This module contains the notice of a person's indicators to pick from (``/indicators``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndicatorList:
    """A person's indicators to pick from (``/indicators``, or a ``/history`` not yet clear).

    ``items``: ``(number in the person's list, or 0 for someone else's, indicator id)``;
    ``query``: what ``/history`` was given, if anything; ``matched``: the items are what the
    query fits (several), not the whole list shown because nothing fitted.
    """

    items: tuple[tuple[int, str], ...]
    query: str = ""
    matched: bool = False
