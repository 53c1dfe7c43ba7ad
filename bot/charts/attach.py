"""This module contains :func:`chart_or_none`: a summary's chart, never at the text's cost.

matplotlib is imported here only when a chart is drawn, so the command line and the bot
start without it. Any failure to draw is logged and the summary goes out as text alone
(field case C11: a chart problem must never lose the summary).
"""

from __future__ import annotations

import logging

from bot.render.context import RenderContext
from workflows.notices import RollupSummary, Summary

_LOGGER = logging.getLogger(__name__)


def chart_or_none(notice: Summary | RollupSummary, rc: RenderContext) -> bytes | None:
    """The summary's chart as PNG bytes in the reader's language, or ``None`` if it failed."""
    try:
        from bot.charts import figure

        if isinstance(notice, RollupSummary):
            return figure.rollup_chart(notice, rc.plan, rc.t)
        return figure.summary_chart(notice, rc.plan, rc.t)
    except Exception:  # a chart must never cost the summary its text (C11)
        _LOGGER.exception("the chart of the %s summary was not drawn", notice.channel_id)
        return None
