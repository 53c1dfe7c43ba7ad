"""This module contains the Latvian working-day calendar used for deadlines (domain.md §5.6).

The public holidays and the Saturdays that Cabinet orders turn into working days come from the
``holidays`` package (``holidays.country_holidays("LV")``). A day is a working day when it is a
Monday–Friday that is not a public holiday or a transferred day off, or when it is one of the
package's ``weekend_workdays`` (for example Saturday 17.01.2026). The data must be refreshed
every year by upgrading ``holidays``, because transfers are decided by Cabinet order.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import holidays

from workflows.periods import Period

_ONE_DAY = timedelta(days=1)
_MARGIN = 1
"""Years loaded on either side of a requested year, so walks across New Year stay cached."""


@lru_cache(maxsize=16)
def _latvian_holidays(first_year: int, last_year: int) -> Any:
    """Return the ``holidays`` LV calendar for ``first_year``–``last_year`` (cached).

    ``expand`` is off, so a year outside the range is never silently treated as holiday-free;
    :class:`WorkingCalendar` widens the range before asking about another year.
    """
    return holidays.country_holidays("LV", years=range(first_year, last_year + 1), expand=False)


class WorkingCalendar:
    """Latvian working days: weekends, public holidays and Cabinet-ordered transfers.

    Years are loaded lazily; the underlying ``holidays`` object is cached per year range and
    shared between instances. All arguments and results are calendar dates (Europe/Riga).
    """

    def __init__(self) -> None:
        self._range: tuple[int, int, Any] | None = None
        self._lock = threading.Lock()
        self._working: dict[date, bool] = {}
        self._due: dict[tuple[Period, int], date] = {}

    def _calendar(self, year: int) -> Any:
        # One immutable (first, last, holidays) triple, replaced under a lock: database work
        # runs in worker threads, and a reader must never see a range without its holidays.
        known = self._range
        if known is not None and known[0] <= year <= known[1]:
            return known[2]
        with self._lock:
            known = self._range
            if known is not None and known[0] <= year <= known[1]:
                return known[2]
            first, last = year - _MARGIN, year + _MARGIN
            if known is not None:
                first, last = min(known[0], first), max(known[1], last)
            first, last = max(first, 1), min(last, 9999)
            found = _latvian_holidays(first, last)
            self._range = (first, last, found)
            return found

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is a Latvian working day (domain.md §5.6).

        Saturdays that a Cabinet order made working days count as working days (17.01.2026);
        the weekdays given off in exchange do not (02.01.2026).
        """
        known = self._working.get(day)
        if known is None:  # the holidays package's answer costs ~10 µs; a day never changes
            known = self._working[day] = bool(self._calendar(day.year).is_working_day(day))
        return known

    def holiday_name(self, day: date) -> str | None:
        """Return the ``holidays`` package's name of the day off on ``day``, or ``None``."""
        name = self._calendar(day.year).get(day)
        return None if name is None else str(name)

    def nth_working_day_from(self, start: date, n: int) -> date:
        """Return the ``n``-th working day counting ``start`` itself as the first candidate.

        If ``start`` is a working day it is working day 1; otherwise working day 1 is the
        next working day after ``start``.

        Args:
            start: The first candidate day.
            n: The ordinal, 1 or more.

        Returns:
            The ``n``-th working day on or after ``start``.

        Raises:
            ValueError: If ``n`` is less than 1.
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        day, counted = start, 0
        while True:
            if self.is_working_day(day):
                counted += 1
                if counted == n:
                    return day
            day += _ONE_DAY

    def due_date(self, period: Period, n: int) -> date:
        """Return the deadline: the ``n``-th working day of the period after ``period``.

        PU3-3 measurements are "due on the N-th working day of the next period" (domain.md
        §3.1): for March 2026 (monthly) and ``n=5`` this is 09.04.2026, because 03.04 (Good
        Friday) and 06.04 (Easter Monday) are holidays. The count starts at the first day of
        the next period of the same frequency; a Monday for weekly periods.

        Args:
            period: The measured period.
            n: The working-day ordinal, 1 or more (``FrequencySchedule.due_working_day``).

        Returns:
            The due date. It may fall after the next period if ``n`` is larger than the
            number of working days in it.

        Raises:
            ValueError: If ``n`` is less than 1.
        """
        known = self._due.get((period, n))
        if known is None:  # an import opens thousands of rounds of a few periods
            known = self._due[(period, n)] = self.nth_working_day_from(period.next().start, n)
        return known

    def add_working_days(self, day: date, n: int) -> date:
        """Move ``n`` working days forwards (``n > 0``) or backwards (``n < 0``) from ``day``.

        ``day`` itself is never counted: one working day after Friday 10.04.2026 is Monday
        13.04.2026, and 10 working days after 13.04.2026 is 27.04.2026 (domain.md §3.1).
        ``n == 0`` returns ``day`` unchanged even if it is not a working day.

        Args:
            day: The starting date.
            n: The number of working days to move; may be negative.

        Returns:
            A working day, or ``day`` itself when ``n`` is 0.
        """
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Return the signed number of working days from ``a`` to ``b``.

        For ``b >= a`` this counts the working days in the half-open range ``(a, b]``; for
        ``b < a`` it is minus the count in ``[b, a)``. The definition makes it the inverse of
        :meth:`add_working_days`: ``working_days_between(d, add_working_days(d, n)) == n``.
        Use it for "overdue by N working days" (``a`` = due date, ``b`` = today).

        Args:
            a: The reference date.
            b: The other date.

        Returns:
            The number of working days, negative when ``b`` is before ``a``; 0 when equal.
        """
        if b >= a:
            first, last, sign = a + _ONE_DAY, b, 1
        else:
            first, last, sign = b, a - _ONE_DAY, -1
        count, day = 0, first
        while day <= last:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return sign * count

    def working_days_in(self, first: date, last: date) -> int:
        """Return the number of working days from ``first`` to ``last``, both inclusive.

        Returns 0 when ``last`` is before ``first``.
        """
        return max(0, self.working_days_between(first - _ONE_DAY, last))
