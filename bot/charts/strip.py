"""This module contains the status strip: a yes/no or choice indicator's periods as cells.

A check has no scale to draw a line on, so each period is one cell coloured by the status
of the option chosen (with the status's hatching and marker shape, for colour-blind readers
and greyscale), the option's label written upwards in it; a period without a value stays
blank (dotted), and the target option is named under the cells.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle

from bot.charts.palette import (
    CRITICAL_HATCH,
    GREY,
    INK,
    NO_DATA_HATCH,
    STATUS_COLOUR,
    STATUS_MARKER,
    WARNING_HATCH,
)
from bot.charts.panels import LABEL_BOX, TITLE_CHARACTERS, period_ticks
from bot.formatting import fmt_option, fmt_target, shorten
from bot.i18n import Translator
from workflows.notices import SeriesPoint
from workflows.plan.schema import Indicator
from workflows.rounds.evaluation import Status

CELL_CHARACTERS = 14
"""An option's label, written upwards in its cell, is cut to this many characters."""
CELL_BOTTOM, CELL_HEIGHT, MARKER_Y = 0.14, 0.7, 0.92
"""Where the cells lie in the panel (axes fraction), and the status markers above them."""
_HATCH = {Status.OK: "", Status.WARNING: WARNING_HATCH, Status.CRITICAL: CRITICAL_HATCH}


def status_strip_panel(
    ax: Axes,
    indicator: Indicator,
    periods: Sequence[str],
    points: Sequence[SeriesPoint],
    t: Translator,
    owner: str | None = None,
) -> None:
    """A check's chosen options over ``periods``, one cell per period, coloured by status.

    Args:
        ax: Where to draw.
        indicator: The yes/no or choice indicator (its options and target, as the plan
            has them now).
        periods: The x axis, oldest first (e.g. the last 12 months).
        points: The values that exist (option numbers), each for one of ``periods``.
        t: The reader's language.
        owner: The activity's name, shown small above the title (roll-ups).
    """
    index = {p: i for i, p in enumerate(periods)}
    by_x = {index[p.period]: p for p in points if p.period in index}
    for x in range(len(periods)):
        point = by_x.get(x)
        box = (x - 0.45, CELL_BOTTOM)
        if point is None:
            ax.add_patch(
                Rectangle(
                    box,
                    0.9,
                    CELL_HEIGHT,
                    facecolor="white",
                    edgecolor=GREY,
                    hatch=NO_DATA_HATCH,
                    lw=0.6,
                    zorder=1,
                )
            )
            continue
        colour = STATUS_COLOUR[point.status]
        ax.add_patch(
            Rectangle(
                box,
                0.9,
                CELL_HEIGHT,
                facecolor=to_rgba(colour, 0.35),
                edgecolor=colour,
                hatch=_HATCH[point.status],
                lw=1.0,
                zorder=1,
            )
        )
        ax.plot(
            [x],
            [MARKER_Y],
            ls="",
            marker=STATUS_MARKER[point.status],
            ms=7,
            mfc=colour,
            mec=INK,
            mew=0.8,
            zorder=3,
        )
        option = indicator.option_at(point.value)
        if option is not None:  # upright text would not fit 12 cells side by side
            ax.text(
                x,
                CELL_BOTTOM + CELL_HEIGHT / 2,
                shorten(fmt_option(option, t), CELL_CHARACTERS),
                rotation=90,
                ha="center",
                va="center",
                fontsize=6.5,
                color=INK,
                bbox=LABEL_BOX,
                zorder=4,
            )
    ax.set_xlim(-0.5, len(periods) - 0.5)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_xticks(range(len(periods)), period_ticks(periods, t), fontsize=6.5)
    ax.set_title(shorten(indicator.label.get(t.lang), TITLE_CHARACTERS), fontsize=9, loc="left")
    ax.text(
        0.005,
        0.015,
        t.gettext("target: {option}", option=fmt_target(indicator, t)),
        transform=ax.transAxes,
        fontsize=7.5,
        va="bottom",
        color="#555555",
    )
    if owner is not None:
        ax.annotate(
            shorten(owner, 70),
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 19),
            textcoords="offset points",
            fontsize=7.5,
            color="#555555",
            va="bottom",
        )
    if not by_x:
        ax.text(0.5, 0.5, t.gettext("no data"), transform=ax.transAxes, ha="center", color=GREY)
