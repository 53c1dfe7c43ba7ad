"""This module contains the notice of the web view's one-time sign-in link (``/web``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WebLink:
    """A one-time sign-in link to the web view (``/web``), working until ``expires_at``."""

    url: str
    expires_at: datetime
