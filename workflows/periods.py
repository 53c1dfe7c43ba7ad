"""This module contains measurement periods: a month, quarter, ISO week, half-year or year.

A period is written in one canonical text form that is also accepted as input:

==========  ================  ==================
Frequency   Form              Example
==========  ================  ==================
monthly     ``YYYY-MM``       ``2026-11``
quarterly   ``YYYY-Qn``       ``2026-Q4``
weekly      ``YYYY-Www``      ``2026-W05`` (ISO 8601 week, Monday–Sunday, domain.md §5.2)
half-yearly ``YYYY-Hn``       ``2026-H2``
yearly      ``YYYY``          ``2026``
==========  ================  ==================

For weekly periods ``year`` is the ISO week-numbering year, which differs from the calendar
year around New Year (``2026-W01`` starts on Monday 29 December 2025).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from workflows.plan.schema import Frequency

PeriodErrorCode = Literal["malformed", "out_of_range"]

_PATTERN = re.compile(
    r"(?P<year>[0-9]{4})"
    r"(?:-(?:(?P<month>[0-9]{2})|[Qq](?P<quarter>[0-9])|[Ww](?P<week>[0-9]{2})|[Hh](?P<half>[0-9])))?"
)

_PER_YEAR: dict[Frequency, int] = {
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
    Frequency.HALF_YEARLY: 2,
    Frequency.YEARLY: 1,
}
"""Periods per calendar year for the frequencies aligned to months."""

_MONTHS: dict[Frequency, int] = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}
"""Length in months of the frequencies aligned to months."""


class PeriodError(ValueError):
    """A period text or value is not valid.

    Attributes:
        code: ``malformed`` (not one of the accepted forms) or ``out_of_range`` (the form is
            right but the month, quarter, week, half or year does not exist).
        text: The offending text, or a description of the offending value.
    """

    def __init__(self, code: PeriodErrorCode, text: str) -> None:
        super().__init__(f"{code}: {text!r}")
        self.code: PeriodErrorCode = code
        self.text = text


def iso_weeks_in_year(year: int) -> int:
    """Return the number of ISO 8601 weeks (52 or 53) in the ISO week-numbering ``year``."""
    return date(year, 12, 28).isocalendar().week


@dataclass(frozen=True, order=True)
class Period:
    """One measurement period.

    Ordering (``order=True``) compares ``frequency`` (by its string value) first, then
    ``year`` and ``index``, so it is chronological within one frequency only; sort mixed
    frequencies by :attr:`start`.

    Attributes:
        frequency: The measurement frequency.
        year: The calendar year (the ISO week-numbering year for weekly periods), 1–9999.
        index: Month 1–12, quarter 1–4, ISO week 1–52/53, half 1–2, or 1 for yearly.

    Raises:
        PeriodError: ``out_of_range`` if ``year`` or ``index`` is out of range.
    """

    frequency: Frequency
    year: int
    index: int

    def __post_init__(self) -> None:
        if not isinstance(self.frequency, Frequency):
            raise PeriodError("malformed", f"frequency {self.frequency!r}")
        for value in (self.year, self.index):
            if isinstance(value, bool) or not isinstance(value, int):
                raise PeriodError("malformed", f"{value!r} is not an int")
        if not 1 <= self.year <= 9999:
            raise PeriodError("out_of_range", f"year {self.year}")
        if not 1 <= self.index <= self._count(self.frequency, self.year):
            raise PeriodError("out_of_range", f"{self.frequency.value} {self.year} #{self.index}")

    @staticmethod
    def _count(frequency: Frequency, year: int) -> int:
        if frequency is Frequency.WEEKLY:
            return iso_weeks_in_year(year)
        return _PER_YEAR[frequency]

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse a canonical period text such as ``2026-11``, ``2026-Q4`` or ``2026-W48``.

        Surrounding whitespace is ignored and the letters ``Q``, ``W`` and ``H`` may be lower
        case. The year must have four digits and months and weeks two (``2026-W05``).

        Args:
            text: The period text (forms in the module docstring).

        Returns:
            The period; its frequency follows from the form (``2026-11`` is monthly).

        Raises:
            PeriodError: ``malformed`` for anything that is not one of the forms (``26-11``,
                ``2026-1``, empty text); ``out_of_range`` for a month, quarter, half or week
                that does not exist (``2026-13``, ``2026-Q5``, ``2025-W53``).
        """
        match = _PATTERN.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise PeriodError("malformed", str(text))
        year = int(match["year"])
        frequency, index = Frequency.YEARLY, 1
        if match["month"] is not None:
            frequency, index = Frequency.MONTHLY, int(match["month"])
        elif match["quarter"] is not None:
            frequency, index = Frequency.QUARTERLY, int(match["quarter"])
        elif match["week"] is not None:
            frequency, index = Frequency.WEEKLY, int(match["week"])
        elif match["half"] is not None:
            frequency, index = Frequency.HALF_YEARLY, int(match["half"])
        try:
            return cls(frequency, year, index)
        except PeriodError as error:
            raise PeriodError(error.code, text) from None

    def __str__(self) -> str:
        """Return the canonical text form (``2026-11``, ``2026-Q4``, ``2026-W05``…)."""
        match self.frequency:
            case Frequency.MONTHLY:
                return f"{self.year:04d}-{self.index:02d}"
            case Frequency.QUARTERLY:
                return f"{self.year:04d}-Q{self.index}"
            case Frequency.WEEKLY:
                return f"{self.year:04d}-W{self.index:02d}"
            case Frequency.HALF_YEARLY:
                return f"{self.year:04d}-H{self.index}"
        return f"{self.year:04d}"

    @property
    def start(self) -> date:
        """The first day of the period (inclusive; a Monday for weeks)."""
        if self.frequency is Frequency.WEEKLY:
            return date.fromisocalendar(self.year, self.index, 1)
        return date(self.year, (self.index - 1) * _MONTHS[self.frequency] + 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period (inclusive; a Sunday for weeks)."""
        if self.frequency is Frequency.WEEKLY:
            return date.fromisocalendar(self.year, self.index, 7)
        last_month = self.index * _MONTHS[self.frequency]
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    @property
    def key(self) -> int:
        """An integer ``year * 100 + index`` (``2026-Q4`` → 202604) for sorting and storage.

        It is chronological across years within one frequency; it does not encode the
        frequency, so store or compare it together with :attr:`frequency`.
        """
        return self.year * 100 + self.index

    def contains(self, day: date) -> bool:
        """Return whether ``day`` lies within the period (both ends inclusive)."""
        return self.start <= day <= self.end

    def next(self) -> Period:
        """Return the following period of the same frequency (rolls over the year).

        Raises:
            PeriodError: ``out_of_range`` after the last period of year 9999.
        """
        if self.index < self._count(self.frequency, self.year):
            return Period(self.frequency, self.year, self.index + 1)
        return Period(self.frequency, self.year + 1, 1)

    def previous(self) -> Period:
        """Return the preceding period of the same frequency (rolls over the year).

        Raises:
            PeriodError: ``out_of_range`` before the first period of year 1.
        """
        if self.index > 1:
            return Period(self.frequency, self.year, self.index - 1)
        year = self.year - 1
        if year < 1:
            raise PeriodError("out_of_range", f"before {self}")
        return Period(self.frequency, year, self._count(self.frequency, year))

    @classmethod
    def containing(cls, frequency: Frequency, day: date) -> Period:
        """Return the period of ``frequency`` that contains ``day``.

        Weeks are ISO 8601 weeks, so 2025-12-29 lies in ``2026-W01``.
        """
        if frequency is Frequency.WEEKLY:
            iso = day.isocalendar()
            return cls(frequency, iso.year, iso.week)
        return cls(frequency, day.year, (day.month - 1) // _MONTHS[frequency] + 1)


def last_closed(frequency: Frequency, today: date) -> Period:
    """Return the latest period of ``frequency`` whose last day is before ``today``.

    This is the period whose measurements are collected now: on 2026-04-01 the last closed
    monthly period is ``2026-03`` and on 2026-03-31 it is ``2026-02``.

    Args:
        frequency: The measurement frequency.
        today: The local (Europe/Riga) calendar date.

    Returns:
        The period immediately before the one containing ``today``.
    """
    return Period.containing(frequency, today).previous()
