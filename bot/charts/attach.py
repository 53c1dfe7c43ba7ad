"""This module contains :func:`chart_or_none`: a summary's chart, never at the text's cost.

Charts are drawn in a worker process (one, started on first use with ``spawn``): matplotlib
holds the GIL for most of a chart's second or two, so drawing it in a thread of the bot's
process would still stall the event loop (Slack's 3-second acknowledgements, every other
person's reply; issue 12 item 7, figures in BENCHMARKS.md). The caller blocks until the PNG
is back, so call it from a worker thread (the outbox renders there), never on the loop. If
the worker cannot be started the chart is drawn here instead.

matplotlib is imported only where a chart is drawn, so the command line and the bot start
without it. Any failure to draw is logged and the summary goes out as text alone (field
case C11: a chart problem must never lose the summary).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.charts.worker import draw
from bot.render.context import RenderContext
from workflows.notices import RollupSummary, Summary

_LOGGER = logging.getLogger(__name__)

DRAW_TIMEOUT_SECONDS = 60.0
"""A chart not drawn by then is given up (the summary goes out as text)."""
IN_PROCESS = False
"""Draw in the calling thread instead of the worker process (tests that patch the drawing)."""

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _worker() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")  # no fork of a threaded process
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return _pool


def shutdown() -> None:
    """Stop the worker process without waiting for a chart being drawn (shutdown)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _drawn(notice: Summary | RollupSummary, rc: RenderContext) -> bytes:
    if IN_PROCESS:
        return draw(notice, rc.plan, rc.t.lang)
    try:
        future = _worker().submit(draw, notice, rc.plan, rc.t.lang)
    except (BrokenProcessPool, OSError, RuntimeError) as exc:  # cannot start or stopped
        _LOGGER.warning("no chart worker process (%s); drawing here", exc)
        shutdown()
        return draw(notice, rc.plan, rc.t.lang)
    try:
        return future.result(timeout=DRAW_TIMEOUT_SECONDS)
    except BrokenProcessPool:  # the worker died (killed, out of memory): start anew next time
        shutdown()
        raise


def chart_or_none(notice: Summary | RollupSummary, rc: RenderContext) -> bytes | None:
    """The summary's chart as PNG bytes in the reader's language, or ``None`` if it failed."""
    try:
        return _drawn(notice, rc)
    except Exception:  # a chart must never cost the summary its text (C11)
        _LOGGER.exception("the chart of the %s summary was not drawn", notice.channel_id)
        return None
