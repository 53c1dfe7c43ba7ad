"""This module contains :func:`draw`: what the chart worker process runs.

It imports nothing of the renderers, so the worker (started with ``spawn``) loads only
matplotlib, the chart modules, the catalogues and the domain types it unpickles.
"""

from __future__ import annotations

from bot.i18n import translator
from workflows.notices import RollupSummary, Summary
from workflows.plan.model import LoadedPlan

CHARTED = (Summary, RollupSummary)
"""The notices drawn with a chart: rendering one may wait seconds, so never on the loop."""


def draw(notice: Summary | RollupSummary, plan: LoadedPlan, lang: str) -> bytes:
    """The chart of ``notice`` as PNG bytes, labelled in ``lang``."""
    from bot.charts import figure

    t = translator(lang)
    if isinstance(notice, RollupSummary):
        return figure.rollup_chart(notice, plan, t)
    return figure.summary_chart(notice, plan, t)
