"""This module contains the plausibility check of a typed value against its history.

PU3-3 guidance asks for reliable data; the usual slip is a misplaced decimal separator or
an extra zero. A value far from an indicator's history is therefore questioned ("are you
sure?") before it is stored — never refused, since real values do jump.

Rule: with at least :data:`MIN_HISTORY` earlier values (up to :data:`HISTORY` periods, the
newest first), let ``m`` be their median and ``s`` a robust spread: the larger of
1.4826 × the median absolute deviation and 10 % of ``|m|`` (1 when ``m`` is 0). A value is
implausible when it lies outside ``m ± 5 s``.
"""

from __future__ import annotations

from decimal import Decimal
from statistics import median

from sqlmodel import Session, col, select

from storage.models import Measurement

HISTORY = 12
"""How many earlier values the range is computed from (the newest ones)."""
MIN_HISTORY = 3
"""Fewer earlier values than this give no range: nothing is questioned."""
WIDTH = Decimal(5)
RELATIVE_FLOOR = Decimal("0.1")
MAD_SCALE = Decimal("1.4826")


def plausible_range(values: list[Decimal]) -> tuple[Decimal, Decimal] | None:
    """The range ``(low, high)`` a new value is expected in, from earlier ``values``.

    Returns:
        ``None`` when there are fewer than :data:`MIN_HISTORY` values.
    """
    if len(values) < MIN_HISTORY:
        return None
    middle = Decimal(median(values))
    mad = Decimal(median(abs(v - middle) for v in values))
    floor = abs(middle) * RELATIVE_FLOOR if middle else Decimal(1)
    spread = max(mad * MAD_SCALE, floor)
    return middle - WIDTH * spread, middle + WIDTH * spread


def ranges_for(
    session: Session, indicator_ids: tuple[str, ...], before_period: str
) -> dict[str, tuple[Decimal, Decimal]]:
    """The plausible range of each indicator, from values of periods before ``before_period``.

    Returned values (approval ``rejected``) do not count. Indicators with too little
    history are left out, and so are yes/no and choice indicators (their values are options,
    never far from anything).
    """
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for indicator_id in indicator_ids:
        rows = session.exec(
            select(Measurement)
            .where(
                col(Measurement.indicator_id) == indicator_id,
                col(Measurement.period) < before_period,
                col(Measurement.approval) != "rejected",
            )
            .order_by(col(Measurement.period).desc())
            .limit(HISTORY)
        ).all()
        if any(row.choice is not None for row in rows):
            continue
        found = plausible_range([row.value for row in rows])
        if found is not None:
            out[indicator_id] = found
    return out


def is_implausible(value: Decimal, bounds: tuple[Decimal, Decimal] | None) -> bool:
    """Whether ``value`` lies outside ``bounds`` (never when there are none)."""
    return bounds is not None and not bounds[0] <= value <= bounds[1]
