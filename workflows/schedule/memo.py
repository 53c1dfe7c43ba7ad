"""This module contains what the scheduler's sweeps remember between minutes (issue 16).

A sweep runs every minute and needs the planned sends of about 57 days (the catch-up window
behind, the next instant ahead). They depend only on the plan, the calendar and the zone,
which do not change while the process runs (a new plan needs a restart), so each local day's
sends are computed once and kept until the day falls out of the window. The delivery ledger's
closed keys (``sent``, ``skipped``, ``failed``) are never reopened, so keys read as closed
are remembered per database and not asked for again.

Nothing here is written from a transaction that may still roll back: closed keys are learned
only from what the ledger returned (committed rows), and planned sends come from the plan.
"""

from __future__ import annotations

import bisect
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from workflows.calendar import WorkingCalendar
from workflows.context import Context
from workflows.plan.model import LoadedPlan
from workflows.schedule.planned import PlannedSend, planned_by_day

_CHUNK_DAYS = 8
"""Days computed at once when the window moves (one pass over the plan's periods)."""
_SPANS_KEPT = 4
"""Spans kept: a sweep asks for its look-back window and, to arm its trigger, the days ahead."""
_AFTER_BEST = timedelta(days=3)
"""Days past the first send found that :meth:`SendWindow.first_after` still looks at."""
_KEEP_DAYS = 120
"""Days kept before the last one asked for (a sweep looks back 2 × ``catch_up_days`` + 2)."""


@dataclass(frozen=True)
class Span:
    """The planned sends of a range of local days, in time order, with their instants.

    Attributes:
        sends: What :func:`workflows.schedule.planned.planned_sends` returns for the range.
        ats: Each send's instant (for :mod:`bisect`).
    """

    sends: tuple[PlannedSend, ...]
    ats: tuple[datetime, ...]

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """Each send's idempotency key (made when first asked for: only sweeps need them)."""
        return tuple(s.key for s in self.sends)

    def between(self, first: datetime, last: datetime) -> tuple[int, int]:
        """The slice of sends whose instant lies in ``first``..``last`` (both included)."""
        return bisect.bisect_left(self.ats, first), bisect.bisect_right(self.ats, last)


def _order(send: PlannedSend) -> tuple[object, ...]:
    """:class:`PlannedSend`'s own order as one tuple (its generated ``<`` is far slower)."""
    return tuple(getattr(send, f.name) for f in fields(send))


class SendWindow:
    """Planned sends by local day for one plan, calendar and zone, computed once per day.

    Args:
        ctx: The context whose plan, calendar and zone the window is for.
    """

    def __init__(self, ctx: Context) -> None:
        self.plan: LoadedPlan = ctx.plan
        self.zone: ZoneInfo = ctx.timezone
        self._by_day: dict[date, tuple[PlannedSend, ...]] = {}
        self._spans: dict[tuple[date, date], Span] = {}
        self._instants: dict[date, tuple[datetime, ...]] = {}
        self._lock = threading.Lock()

    def fits(self, ctx: Context) -> bool:
        """Whether the window was computed for ``ctx``'s plan and zone."""
        return ctx.plan is self.plan and ctx.timezone == self.zone

    def span(self, ctx: Context, first: date, last: date) -> Span:
        """Every send planned for local dates ``first``..``last``, in time order.

        The same sends :func:`workflows.schedule.planned.planned_sends` returns; days not seen
        before
        are computed (a few at a time), days long past are forgotten, and the last few spans
        asked for are kept (a sweep asks for the same two ranges all day).
        """
        with self._lock:
            found = self._spans.get((first, last))
            if found is not None:
                return found
            days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
            missing = [d for d in days if d not in self._by_day]
            while missing:
                start = missing[0]
                end = min(missing[-1], start + timedelta(days=_CHUNK_DAYS - 1))
                for day, sends in planned_by_day(ctx, start, end).items():
                    self._by_day.setdefault(day, tuple(sends))
                missing = [d for d in missing if d not in self._by_day]
            for day in [d for d in self._by_day if d < last - timedelta(days=_KEEP_DAYS)]:
                del self._by_day[day]
            ordered = tuple(sorted((s for d in days for s in self._by_day[d]), key=_order))
            found = Span(ordered, tuple(s.at for s in ordered))
            if len(self._spans) >= _SPANS_KEPT:
                del self._spans[next(iter(self._spans))]
            self._spans[(first, last)] = found
            return found

    def first_after(
        self, ctx: Context, moment: datetime, first: date, last: date
    ) -> datetime | None:
        """The instant of the first send planned for ``first``..``last`` after ``moment``.

        The same as the earliest of :func:`workflows.schedule.planned.planned_sends` after
        ``moment``, but only each day's instants are kept (not the sends), and only days up
        to three past the first one found are looked at: a send of a later local day cannot
        come sooner in any zone (offsets lie within ±14 hours; quiet hours only delay).
        """
        best: datetime | None = None
        day = first
        with self._lock:
            while day <= last:
                if best is not None and day > best.astimezone(self.zone).date() + _AFTER_BEST:
                    break
                instants = self._instants.get(day)
                if instants is None:
                    self._instants_from(ctx, day, last)
                    instants = self._instants[day]
                index = bisect.bisect_right(instants, moment)
                if index < len(instants) and (best is None or instants[index] < best):
                    best = instants[index]
                day += timedelta(days=1)
            for old in [d for d in self._instants if d < first - timedelta(days=1)]:
                del self._instants[old]
        return best

    def _instants_from(self, ctx: Context, day: date, last: date) -> None:
        end = min(last, day + timedelta(days=_CHUNK_DAYS - 1))
        for found_day, sends in planned_by_day(ctx, day, end).items():
            self._instants.setdefault(found_day, tuple(sorted(s.at for s in sends)))


class ClosedKeys:
    """Ledger keys read as closed on one database; they are never sent again."""

    def __init__(self) -> None:
        self._keys: set[str] = set()
        self._lock = threading.Lock()
        self._since: date | None = None

    def keep_window(self, since: date, keys: Iterable[str]) -> None:
        """Forget keys not among ``keys`` (the window's), once its first day ``since`` moves.

        A sweep never asks again for a key that left its look-back window: without this a
        process running for months would keep every key it ever closed. A key forgotten and
        asked for again (a clock set back) is read from the ledger again.
        """
        with self._lock:
            if since == self._since:
                return
            self._since = since
            self._keys &= set(keys)

    def learn(self, keys: Iterable[str]) -> None:
        """Remember ``keys``, read from the ledger as closed (committed rows only)."""
        with self._lock:
            self._keys.update(keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys


_WINDOWS: weakref.WeakKeyDictionary[WorkingCalendar, SendWindow] = weakref.WeakKeyDictionary()
_CLOSED: weakref.WeakKeyDictionary[Any, ClosedKeys] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def window_for(ctx: Context) -> SendWindow:
    """The send window of ``ctx`` (one per calendar object; a new plan or zone starts over)."""
    with _GUARD:
        window = _WINDOWS.get(ctx.calendar)
        if window is None or not window.fits(ctx):
            window = _WINDOWS[ctx.calendar] = SendWindow(ctx)
        return window


def closed_keys_for(engine: Any) -> ClosedKeys:
    """The closed keys remembered for the database behind ``engine`` (a SQLAlchemy engine)."""
    with _GUARD:
        found = _CLOSED.get(engine)
        if found is None:
            found = _CLOSED[engine] = ClosedKeys()
        return found
