"""This module contains whole summary charts as PNG bytes (matplotlib, Agg, no screen).

A team channel's chart has one panel per indicator (its last 12 periods, target line,
warning and critical zones; a yes/no or choice indicator gets a status strip instead, see
:mod:`bot.charts.strip`) and a participation panel; a roll-up's chart has the covered
channels' indicators by status, the participation, and the indicators furthest off target.
At most :data:`MAX_PANELS` indicator panels are drawn (field case C06: a summary of 120
controls still gets a readable chart): the worst ones first.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bot.charts.bars import participation_panel, status_panel
from bot.charts.palette import (
    BLUE,
    CRITICAL_HATCH,
    GREEN,
    INK,
    ORANGE,
    STATUS_MARKER,
    VERMILLION,
    WARNING_HATCH,
)
from bot.charts.panels import indicator_panel
from bot.charts.strip import status_strip_panel
from bot.formatting import fmt_period
from bot.i18n import Translator
from workflows.notices import PeriodParticipation, RollupSummary, Summary, SummaryLine
from workflows.periods import Period
from workflows.plan.model import LoadedPlan, UnknownPlanItem
from workflows.reports.trends import periods_back
from workflows.rounds.evaluation import Status

MAX_PANELS = 8
"""Indicator panels per chart at most."""
WIDTH = 10.0
"""Figure width in inches (at 100 dpi: 1000 pixels, fits Telegram and Slack previews)."""
DPI = 100
# the fixed layout, in inches
TITLE_HEIGHT = 0.5
LEGEND_HEIGHT = 0.5
PANEL_TITLE = 0.35
AXES_HEIGHT = 1.75
TICKS = 0.5
BOTTOM = 0.05
NOTE_HEIGHT = 0.3
LEFT = 0.8
RIGHT = 0.25
GAP = 0.85

_ORDER = {Status.CRITICAL: 0, Status.WARNING: 1, Status.OK: 2, None: 3}


def pick_lines(lines: Sequence[SummaryLine], limit: int = MAX_PANELS) -> list[SummaryLine]:
    """The lines to chart: all when they fit, else the worst ``limit`` (plan order kept)."""
    charted = [line for line in lines if line.series]
    if len(charted) <= limit:
        return charted
    ranked = sorted(range(len(charted)), key=lambda i: (_ORDER[charted[i].status], i))
    return [charted[i] for i in sorted(ranked[:limit])]


def _legend(ax: Axes, t: Translator) -> None:
    handles = [
        Line2D([], [], color=BLUE, lw=2, label=t.gettext("value")),
        Line2D([], [], color=INK, lw=1.4, ls="--", label=t.gettext("target")),
        Patch(facecolor=ORANGE, alpha=0.35, hatch=WARNING_HATCH, label=t.gettext("warning zone")),
        Patch(
            facecolor=VERMILLION,
            alpha=0.35,
            hatch=CRITICAL_HATCH,
            label=t.gettext("critical zone"),
        ),
        Line2D(
            [],
            [],
            ls="",
            marker=STATUS_MARKER[Status.OK],
            color=GREEN,
            mec=INK,
            label=t.gettext("OK"),
        ),
        Line2D(
            [],
            [],
            ls="",
            marker=STATUS_MARKER[Status.WARNING],
            color=ORANGE,
            mec=INK,
            label=t.gettext("warning"),
        ),
        Line2D(
            [],
            [],
            ls="",
            marker=STATUS_MARKER[Status.CRITICAL],
            color=VERMILLION,
            mec=INK,
            label=t.gettext("critical"),
        ),
    ]
    ax.legend(handles=handles, loc="upper center", ncol=7, fontsize=8, frameon=False)


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)  # the Agg canvas: no screen needed
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


class _Layout:
    """Rows of panels placed in inches from the top.

    A fixed layout: matplotlib's layout engines measure every label first, which cost more
    time than the drawing itself.
    """

    def __init__(self, fig: Figure, height: float) -> None:
        self.fig = fig
        self.height = height
        self.top = TITLE_HEIGHT

    def add(self, height: float, column: int | None = None) -> Axes:
        """An axes in the current row: full width (``column`` ``None``) or column 0/1."""
        inner = WIDTH - LEFT - RIGHT
        if column is None:
            left, width = LEFT, inner
        else:
            width = (inner - GAP) / 2
            left = LEFT + column * (width + GAP)
        bottom = self.height - self.top - PANEL_TITLE - height
        return self.fig.add_axes(
            (left / WIDTH, bottom / self.height, width / WIDTH, height / self.height)
        )

    def next_row(self, height: float) -> None:
        """Move below a row whose axes were ``height`` tall."""
        self.top += PANEL_TITLE + height + TICKS


def _draw(
    plan: LoadedPlan,
    t: Translator,
    title: str,
    period: str,
    lines: Sequence[tuple[SummaryLine, str | None]],
    participation: Sequence[PeriodParticipation],
    note: str | None,
    statuses: tuple[list[str], list[tuple[int, int, int, int]]] | None = None,
) -> bytes:
    periods = [str(p) for p in periods_back(Period.parse(period))]
    known = []
    for line, owner in lines:
        try:
            known.append((plan.indicator(line.indicator_id)[1], line, owner))
        except UnknownPlanItem:
            continue  # the indicator left the plan: no thresholds to draw against
    rows = math.ceil(len(known) / 2)
    status_height = 0.55 * len(statuses[0]) + 0.2 if statuses else 0.0
    height = TITLE_HEIGHT + (LEGEND_HEIGHT if known else 0.0) + BOTTOM
    height += rows * (PANEL_TITLE + AXES_HEIGHT + TICKS)
    if participation:
        height += PANEL_TITLE + AXES_HEIGHT + TICKS
    if statuses:
        height += PANEL_TITLE + status_height + TICKS
    if note and known:
        height += NOTE_HEIGHT
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    fig.text(LEFT / WIDTH / 3, 1 - 0.12 / height, title, fontsize=12, fontweight="bold", va="top")
    layout = _Layout(fig, height)
    if statuses:
        status_panel(layout.add(status_height), statuses[0], statuses[1], t)
        layout.next_row(status_height)
    if note and known:
        fig.text(LEFT / WIDTH, 1 - (layout.top + 0.05) / height, note, fontsize=10, va="top")
        layout.top += NOTE_HEIGHT
    if known:  # the key to the indicator panels, right above them
        bottom = 1 - (layout.top + LEGEND_HEIGHT) / height
        legend_ax = fig.add_axes((0, bottom, 1, LEGEND_HEIGHT / height))
        legend_ax.axis("off")
        _legend(legend_ax, t)
        layout.top += LEGEND_HEIGHT
    for position, (indicator, line, owner) in enumerate(known):
        ax = layout.add(AXES_HEIGHT, position % 2)
        panel = status_strip_panel if indicator.is_choice else indicator_panel
        panel(ax, indicator, periods, line.series, t, owner)
        if position % 2 == 1 or position == len(known) - 1:
            layout.next_row(AXES_HEIGHT)
    if participation:
        participation_panel(layout.add(AXES_HEIGHT), participation, t)
    return _png(fig)


def summary_chart(notice: Summary, plan: LoadedPlan, t: Translator) -> bytes:
    """The chart of a team channel's summary, as PNG bytes.

    Raises:
        Exception: Whatever matplotlib raises; the caller keeps the text without a chart.
    """
    lines = [line for part in notice.activities for line in part.lines]
    chosen = pick_lines(lines)
    charted = sum(1 for line in lines if line.series)
    note = None
    if len(chosen) < charted:
        note = t.gettext(
            "{shown} of {total} indicators shown: those furthest off target first",
            shown=len(chosen),
            total=charted,
        )
    title = t.gettext(
        "{channel} — {period}",
        channel=plan.channel(notice.channel_id).label.get(t.lang),
        period=fmt_period(notice.period, t),
    )
    pairs = [(line, None) for line in chosen]
    return _draw(plan, t, title, notice.period, pairs, notice.participation, note)


def _activity_label(plan: LoadedPlan, activity_id: str, t: Translator) -> str:
    try:
        return plan.activity(activity_id).label.get(t.lang)
    except UnknownPlanItem:
        return activity_id


def rollup_chart(notice: RollupSummary, plan: LoadedPlan, t: Translator) -> bytes:
    """The chart of a roll-up summary, as PNG bytes (see :func:`summary_chart`)."""
    labels = [plan.channel(p.channel_id).label.get(t.lang) for p in notice.parts]
    counts = [p.statuses for p in notice.parts]
    worst = [
        (r.line, _activity_label(plan, r.activity_id, t)) for r in notice.worst if r.line.series
    ][: MAX_PANELS - 2]
    note = t.gettext("The indicators furthest off target") if worst else None
    title = t.gettext(
        "{channel} — {period}",
        channel=plan.channel(notice.channel_id).label.get(t.lang),
        period=fmt_period(notice.period, t),
    )
    return _draw(
        plan, t, title, notice.period, worst, notice.participation, note, (labels, counts)
    )
