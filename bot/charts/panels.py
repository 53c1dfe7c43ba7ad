"""This module contains the indicator panel: one indicator's trend against its thresholds.

It draws on one matplotlib ``Axes``; :mod:`bot.charts.figure` lays the panels out and
:mod:`bot.charts.bars` has the bar panels.
Numbers on the axes go through Babel in the reader's language (decimal comma in Latvian).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.charts.palette import (
    BLUE,
    CRITICAL_HATCH,
    GREY,
    INK,
    ORANGE,
    STATUS_COLOUR,
    STATUS_MARKER,
    VERMILLION,
    WARNING_HATCH,
)
from bot.formatting import fmt_number, fmt_period_tick, shorten
from bot.i18n import Translator
from workflows.notices import SeriesPoint
from workflows.periods import Period
from workflows.plan.schema import Direction, Indicator

TITLE_CHARACTERS = 48
"""Longer indicator names are shortened in a panel's title (the text lists them in full)."""
OWNER_CHARACTERS = 70
"""Room for the activity's name above an indicator's name in a roll-up panel."""
LABEL_BOX = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
"""A white box behind numbers drawn over hatching, so they stay legible."""


def period_ticks(periods: Sequence[str], t: Translator) -> list[str]:
    """Axis labels for ``periods``: short names, the year under the first and each January."""
    out = []
    for index, text in enumerate(periods):
        period = Period.parse(text)
        with_year = index == 0 or period.index == 1
        out.append(fmt_period_tick(text, t, with_year=with_year))
    return out


def _limits(indicator: Indicator, values: Sequence[float]) -> tuple[float, float]:
    """Y limits that show the values and all three thresholds, with a margin."""
    marks = [float(indicator.target), float(indicator.warning), float(indicator.critical)]
    low, high = min([*values, *marks]), max([*values, *marks])
    margin = (high - low) * 0.15 or max(abs(high) * 0.1, 1.0)
    low, high = low - margin, high + margin
    # values cannot pass the bounds (0..100 for a percentage): keep only a sliver beyond,
    # so a value or target on the bound is not cut in half by the frame
    bottom, top = indicator.bounds
    sliver = (high - low) * 0.04
    if bottom is not None:
        low = max(low, float(bottom) - sliver)
    if top is not None:
        high = min(high, float(top) + sliver)
    if values:  # a value stored under older bounds still shows
        low, high = min(low, min(values) - sliver), max(high, max(values) + sliver)
    return low, high


def indicator_panel(
    ax: Axes,
    indicator: Indicator,
    periods: Sequence[str],
    points: Sequence[SeriesPoint],
    t: Translator,
    owner: str | None = None,
) -> None:
    """An indicator's values over ``periods`` with its target line and threshold zones.

    The warning zone is orange with ``//`` hatching, the critical zone vermillion with
    ``xx``; each value's marker has its status's shape (circle, triangle, cross). Periods
    without a value leave a gap in the line.

    Args:
        ax: Where to draw.
        indicator: Gives thresholds, direction, unit and decimals (as the plan has them now).
        periods: The x axis, oldest first (e.g. the last 12 months).
        points: The values that exist, each for one of ``periods``.
        t: The reader's language.
        owner: The activity's name, shown small above the title (roll-ups, where indicators
            of several activities stand side by side).
    """
    index = {p: i for i, p in enumerate(periods)}
    shown = [p for p in points if p.period in index]
    xs = [index[p.period] for p in shown]
    ys = [float(p.value) for p in shown]
    low, high = _limits(indicator, ys)
    ax.set_ylim(low, high)
    warning, critical = float(indicator.warning), float(indicator.critical)
    if indicator.direction is Direction.HIGHER_IS_BETTER:
        zones = (
            (critical, warning, ORANGE, WARNING_HATCH),
            (low, critical, VERMILLION, CRITICAL_HATCH),
        )
    else:
        zones = (
            (warning, critical, ORANGE, WARNING_HATCH),
            (critical, high, VERMILLION, CRITICAL_HATCH),
        )
    for bottom_, top_, colour, hatch in zones:
        ax.axhspan(
            bottom_,
            top_,
            facecolor=to_rgba(colour, 0.16),
            edgecolor=to_rgba(colour, 0.55),
            hatch=hatch,
            lw=0,
            zorder=1,
        )
    ax.axhline(float(indicator.target), color=INK, lw=1.4, ls="--", zorder=2)
    # a line through consecutive values only: a missing period breaks it
    run_x: list[int] = []
    run_y: list[float] = []
    for x, y in zip(xs, ys, strict=True):
        if run_x and x != run_x[-1] + 1:
            ax.plot(run_x, run_y, color=BLUE, lw=2, zorder=3)
            run_x, run_y = [], []
        run_x.append(x)
        run_y.append(y)
    if run_x:
        ax.plot(run_x, run_y, color=BLUE, lw=2, zorder=3)
    for status, marker in STATUS_MARKER.items():  # one call per status: cheap to draw
        mine = [(x, y) for p, x, y in zip(shown, xs, ys, strict=True) if p.status is status]
        if mine:
            ax.plot(
                [x for x, _y in mine],
                [y for _x, y in mine],
                ls="",
                marker=marker,
                ms=8.5,
                mfc=STATUS_COLOUR[status],
                mec=INK,
                mew=0.8,
                zorder=4,
            )
    current = len(periods) - 1
    if shown and index[shown[-1].period] == current:
        last = shown[-1]
        ax.annotate(
            fmt_number(last.value, indicator.decimals, t),
            (current, float(last.value)),
            textcoords="offset points",
            # above the point, or below it when it sits in the top quarter
            xytext=(0, -17 if float(last.value) > high - (high - low) / 4 else 9),
            ha="center",
            fontsize=9,
            fontweight="bold",
            color=INK,
            bbox=LABEL_BOX,
            zorder=5,
        )
    elif shown:  # this period's value is missing: say so where it would be
        ax.text(
            current,
            (low + high) / 2,
            t.gettext("no data"),
            rotation=90,
            ha="center",
            va="center",
            fontsize=8,
            color=INK,
            bbox=LABEL_BOX,
            zorder=5,
        )
    ax.set_xlim(-0.5, len(periods) - 0.5)
    ax.set_xticks(range(len(periods)), period_ticks(periods, t), fontsize=6.5)
    decimals = indicator.decimals
    # ticks never finer than the indicator's precision: 0 decimals → whole-number ticks only
    # (else 4.5 and 5 would both print as "5")
    step = 10.0**-decimals
    ax.yaxis.set_major_locator(MaxNLocator(5, integer=decimals == 0, min_n_ticks=2))
    low, high = ax.get_ylim()
    if high - low < 2 * step:
        ax.set_ylim(low - step, high + step)
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _pos: fmt_number(Decimal(str(round(v, 6))), decimals, t))
    )
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(shorten(indicator.label.get(t.lang), TITLE_CHARACTERS), fontsize=9, loc="left")
    if owner is not None:  # the activity, small and grey, above the indicator's name
        ax.annotate(
            shorten(owner, OWNER_CHARACTERS),
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 19),
            textcoords="offset points",
            fontsize=7.5,
            color="#555555",
            va="bottom",
        )
    ax.set_ylabel(indicator.unit.get(t.lang), fontsize=8)
    ax.grid(axis="y", color="#dddddd", lw=0.6, zorder=0)
    if not shown:
        ax.text(0.5, 0.5, t.gettext("no data"), transform=ax.transAxes, ha="center", color=GREY)
