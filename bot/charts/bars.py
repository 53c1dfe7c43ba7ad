"""This module contains the bar panels: participation per period and indicators by status.

Counts are written on the bars in a white box, so they stay legible over hatching; every
segment has its own colour and hatching (Okabe-Ito, :mod:`bot.charts.palette`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.charts.palette import (
    CRITICAL_HATCH,
    GREEN,
    INK,
    NO_DATA_HATCH,
    ORANGE,
    VERMILLION,
    WARNING_HATCH,
)
from bot.charts.panels import LABEL_BOX, period_ticks
from bot.formatting import fmt_number, shorten
from bot.i18n import Translator
from workflows.notices import PeriodParticipation


def participation_panel(ax: Axes, history: Sequence[PeriodParticipation], t: Translator) -> None:
    """Stacked bars per period: controls answered on time, late and not at all (in %).

    On time is solid bluish green, late orange with ``//``, not answered vermillion with
    ``xx``; the counts are written in each bar's segments that are large enough.
    """
    periods = [h.period for h in history]
    bottoms = [0.0] * len(history)
    kinds = (
        ("on_time", GREEN, "", t.gettext("on time")),
        ("late", ORANGE, WARNING_HATCH, t.gettext("late")),
        ("missing", VERMILLION, CRITICAL_HATCH, t.gettext("not answered")),
    )
    for attribute, colour, hatch, label in kinds:
        counts = [getattr(h.participation, attribute) for h in history]
        shares = [
            100.0 * c / h.participation.total if h.participation.total else 0.0
            for c, h in zip(counts, history, strict=True)
        ]
        ax.bar(
            range(len(history)),
            shares,
            bottom=bottoms,
            color=colour,
            hatch=hatch,
            edgecolor=INK,
            linewidth=0.6,
            label=label,
            zorder=2,
        )
        for x, (count, share, bottom) in enumerate(zip(counts, shares, bottoms, strict=True)):
            if count and share >= 12:
                ax.text(
                    x,
                    bottom + share / 2,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=INK,
                    fontweight="bold",
                    bbox=LABEL_BOX,
                    zorder=3,
                )
        bottoms = [b + s for b, s in zip(bottoms, shares, strict=True)]
    ax.set_ylim(0, 100)
    ax.set_xlim(-0.5, max(len(history), 1) - 0.5)
    ax.set_xticks(range(len(history)), period_ticks(periods, t), fontsize=7)
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _pos: fmt_number(Decimal(int(v)), 0, t) + "%")
    )
    ax.tick_params(axis="y", labelsize=8)
    title = t.gettext("Controls answered on time, late and not at all")
    ax.set_title(title, fontsize=9, loc="left")
    ax.legend(
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncol=3,
        fontsize=8,
        frameon=False,
        borderaxespad=0.1,
    )


def status_panel(
    ax: Axes, labels: Sequence[str], counts: Sequence[tuple[int, int, int, int]], t: Translator
) -> None:
    """Horizontal stacked bars per covered channel: indicators OK, warning, critical, no data."""
    kinds = (
        (GREEN, "", t.gettext("OK")),
        (ORANGE, WARNING_HATCH, t.gettext("warning")),
        (VERMILLION, CRITICAL_HATCH, t.gettext("critical")),
        ("#ffffff", NO_DATA_HATCH, t.gettext("no data")),
    )
    ys = list(range(len(labels)))[::-1]
    for y, label in zip(ys, labels, strict=True):  # names above the bars: no wide margin
        ax.text(0, y + 0.3, shorten(label, 90), fontsize=8, va="bottom", color=INK)
    lefts = [0] * len(labels)
    for position, (colour, hatch, label) in enumerate(kinds):
        widths = [c[position] for c in counts]
        ax.barh(
            ys,
            widths,
            height=0.5,
            left=lefts,
            color=colour,
            hatch=hatch,
            edgecolor=INK,
            linewidth=0.6,
            label=label,
            zorder=2,
        )
        for y, width, left in zip(ys, widths, lefts, strict=True):
            if width:
                ax.text(
                    left + width / 2,
                    y,
                    str(width),
                    ha="center",
                    va="center",
                    fontsize=8,
                    fontweight="bold",
                    color=INK,
                    bbox=LABEL_BOX,
                    zorder=3,
                )
        lefts = [a + b for a, b in zip(lefts, widths, strict=True)]
    ax.set_yticks([])
    ax.set_ylim(-0.45, len(labels) - 0.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title(t.gettext("Indicators by status"), fontsize=9, loc="left")
    ax.legend(
        handles=[Patch(facecolor=c, hatch=h, edgecolor=INK, label=label) for c, h, label in kinds],
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncol=4,
        fontsize=8,
        frameon=False,
        borderaxespad=0.1,
    )
