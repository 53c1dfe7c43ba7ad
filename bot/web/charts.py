"""This module contains the web view's indicator chart: a PNG drawn off the event loop, cached.

The chart is the summaries' indicator panel (:func:`bot.charts.panels.indicator_panel`):
values over the periods, the target line, the warning and critical zones; a check (yes/no or
choice) gets the summaries' status strip instead. Drawing takes
tens of milliseconds, so it runs in a thread pool of its own and the PNG is kept by content: the
same values, thresholds and language give the same picture without drawing again.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.charts.panels import indicator_panel
from bot.charts.strip import status_strip_panel
from bot.i18n import Translator
from workflows.notices import SeriesPoint
from workflows.plan.schema import Indicator

_DRAWING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="web-chart")
"""Charts are drawn here, not in the default executor every ``Database.run`` uses: pages
waiting for a chart must not hold up anyone's transaction (as the outbox's rendering pool)."""
CACHE_SIZE = 256
"""PNGs kept at most (about 40 KB each)."""
WIDTH_INCHES = 10.0
HEIGHT_INCHES = 3.4
DPI = 100


def draw(
    indicator: Indicator, periods: Sequence[str], points: Sequence[SeriesPoint], t: Translator
) -> bytes:
    """The chart of ``points`` over ``periods`` as PNG bytes (no screen needed)."""
    fig = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.08, 0.2, 0.9, 0.68))
    panel = status_strip_panel if indicator.is_choice else indicator_panel
    panel(ax, indicator, periods, points, t)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def content_key(
    indicator: Indicator, periods: Sequence[str], points: Sequence[SeriesPoint], lang: str
) -> str:
    """What the picture depends on, as a digest: the same key, the same PNG."""
    parts = [
        lang,
        indicator.model_dump_json(),
        "|".join(periods),
        "|".join(f"{p.period}={p.value}:{p.status.value}" for p in points),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class ChartCache:
    """PNGs by content key, the least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._pngs: OrderedDict[str, bytes] = OrderedDict()
        self.drawn = 0
        """How many charts were actually drawn (the rest came from the cache)."""

    async def chart(
        self,
        indicator: Indicator,
        periods: Sequence[str],
        points: Sequence[SeriesPoint],
        t: Translator,
    ) -> tuple[str, bytes]:
        """The key and PNG for these values, drawn in the chart pool when not cached."""
        key = content_key(indicator, periods, points, t.lang)
        cached = self._pngs.get(key)
        if cached is None:
            loop = asyncio.get_running_loop()
            cached = await loop.run_in_executor(_DRAWING, draw, indicator, periods, points, t)
            self.drawn += 1
            self._pngs[key] = cached
            while len(self._pngs) > self.size:
                self._pngs.popitem(last=False)
        self._pngs.move_to_end(key)
        return key, cached
