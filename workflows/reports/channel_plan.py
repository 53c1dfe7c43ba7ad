"""This module contains what a summary takes from the plan for a channel, kept per plan.

A channel's activities, their indicators of a frequency and who measures them do not
change while a plan is loaded; a summary used to find them again at every post (the
activities under a channel scan every activity of the plan: 1,001 in the national plan).
They are kept per loaded plan (by identity, weakly: a reload brings a new plan object, whose
entries start empty, and the old plan's go when it does).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from workflows.plan.model import LoadedPlan
from workflows.plan.schema import Activity, Indicator
from workflows.rounds.opening import round_indicators


@dataclass(frozen=True)
class ChannelPlan:
    """A channel's activities measured at one frequency, as the plan has them.

    Attributes:
        frequency: The frequency (``monthly``).
        activities: The activities under the channel with indicators of the frequency, in
            plan order.
        indicators: Per activity id, its indicators of the frequency (plan order).
        activity_ids: The ids of ``activities``.
        indicator_ids: The ids of every activity's indicators of the frequency.
        measurers: Per indicator id, the plan's measurers
            (:meth:`workflows.plan.model.LoadedPlan.measurers`).
        everyone: Per activity id, who measures any of its indicators (any frequency).
        expected: Per activity id, the ids of its indicators of the frequency.
    """

    frequency: str
    activities: tuple[Activity, ...]
    indicators: dict[str, tuple[Indicator, ...]]
    activity_ids: tuple[str, ...]
    indicator_ids: tuple[str, ...]
    measurers: dict[str, tuple[str, ...]]
    everyone: dict[str, frozenset[str]]
    expected: dict[str, frozenset[str]]


_Entries = dict[tuple[str, str | None], object]
_KEPT: dict[int, tuple[weakref.ref[LoadedPlan], _Entries]] = {}
"""By the plan object's identity (a plan compares by value, and hashing it is costly)."""
_LOCK = threading.Lock()


def _kept(plan: LoadedPlan) -> _Entries:
    key = id(plan)
    found = _KEPT.get(key)
    if found is not None and found[0]() is plan:
        return found[1]
    with _LOCK:
        entries: _Entries = {}
        _KEPT[key] = (weakref.ref(plan, lambda _ref: _KEPT.pop(key, None)), entries)
        return entries


def activities_under(plan: LoadedPlan, channel_id: str) -> tuple[Activity, ...]:
    """:meth:`LoadedPlan.activities_under`, found once per plan. Raises ``UnknownPlanItem``."""
    kept = _kept(plan)
    key = (channel_id, None)
    found = kept.get(key)
    if found is None:
        found = plan.activities_under(channel_id)
        kept[key] = found
    return found  # type: ignore[return-value]


def channel_plan(plan: LoadedPlan, channel_id: str, frequency: str) -> ChannelPlan:
    """The channel's activities and indicators at ``frequency``, found once per plan.

    Raises:
        UnknownPlanItem: If the plan has no such channel.
    """
    kept = _kept(plan)
    key = (channel_id, frequency)
    found = kept.get(key)
    if found is None:
        measured = tuple(
            a for a in activities_under(plan, channel_id) if round_indicators(a, frequency)
        )
        indicators = {a.id: round_indicators(a, frequency) for a in measured}
        found = ChannelPlan(
            frequency=frequency,
            activities=measured,
            indicators=indicators,
            activity_ids=tuple(a.id for a in measured),
            indicator_ids=tuple(i.id for a in measured for i in indicators[a.id]),
            measurers={i.id: plan.measurers(a, i) for a in measured for i in indicators[a.id]},
            expected={a.id: frozenset(i.id for i in indicators[a.id]) for a in measured},
            everyone={
                a.id: frozenset(p for i in a.indicators for p in plan.measurers(a, i))
                for a in measured
            },
        )
        kept[key] = found
    return found  # type: ignore[return-value]
