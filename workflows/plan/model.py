"""This module contains :class:`LoadedPlan`, a validated plan with the lookups the domain needs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workflows.plan.schema import (
    SCALE_ORDER,
    Activity,
    Channel,
    Frequency,
    FrequencySchedule,
    Holder,
    Indicator,
    Mark,
    Person,
    Plan,
    Scale,
    ScaleResponsibility,
    scale_above,
)


class UnknownPlanItem(KeyError):
    """Raised when an id is not in the plan; ``kind`` says what was looked up."""

    def __init__(self, kind: str, item_id: str) -> None:
        super().__init__(f"{kind} {item_id!r} is not in the plan")
        self.kind = kind
        self.item_id = item_id


@dataclass(frozen=True)
class LoadedPlan:
    """A validated plan plus where it came from.

    Attributes:
        plan: The validated plan.
        sources: The YAML files it was read from, in load order.
    """

    plan: Plan
    sources: tuple[Path, ...] = ()
    _people: dict[str, Person] = field(init=False, repr=False, compare=False)
    _activities: dict[str, Activity] = field(init=False, repr=False, compare=False)
    _indicators: dict[str, tuple[Activity, Indicator]] = field(
        init=False, repr=False, compare=False
    )
    _channels: dict[str, Channel] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        acts = (*self.plan.services, *self.plan.resources)
        object.__setattr__(self, "_people", {p.id: p for p in self.plan.people})
        object.__setattr__(self, "_activities", {a.id: a for a in acts})
        object.__setattr__(self, "_indicators", {i.id: (a, i) for a in acts for i in a.indicators})
        object.__setattr__(self, "_channels", {c.id: c for c in self.plan.channels})

    # --- lookups -------------------------------------------------------------------------

    @property
    def activities(self) -> tuple[Activity, ...]:
        """Services first, then resources, in plan order."""
        return (*self.plan.services, *self.plan.resources)

    def is_service(self, activity: Activity) -> bool:
        """Whether ``activity`` is listed under ``services`` (else ``resources``)."""
        return any(a.id == activity.id for a in self.plan.services)

    def person(self, person_id: str) -> Person:
        """Return a person. Raises :class:`UnknownPlanItem`."""
        try:
            return self._people[person_id]
        except KeyError:
            raise UnknownPlanItem("person", person_id) from None

    def has_person(self, person_id: str) -> bool:
        """Whether ``person_id`` is in the plan."""
        return person_id in self._people

    def activity(self, activity_id: str) -> Activity:
        """Return an activity. Raises :class:`UnknownPlanItem`."""
        try:
            return self._activities[activity_id]
        except KeyError:
            raise UnknownPlanItem("activity", activity_id) from None

    def indicator(self, indicator_id: str) -> tuple[Activity, Indicator]:
        """Return ``(activity, indicator)``. Raises :class:`UnknownPlanItem`."""
        try:
            return self._indicators[indicator_id]
        except KeyError:
            raise UnknownPlanItem("indicator", indicator_id) from None

    def activity_label(self, activity_id: str, lang: str) -> str:
        """An activity's label in ``lang``; its id when the plan no longer has it."""
        found = self._activities.get(activity_id)
        return found.label.get(lang) if found is not None else activity_id

    def indicator_label(self, indicator_id: str, lang: str) -> str:
        """An indicator's label in ``lang``; its id when the plan no longer has it."""
        found = self._indicators.get(indicator_id)
        return found[1].label.get(lang) if found is not None else indicator_id

    def has_indicator(self, indicator_id: str) -> bool:
        """Whether ``indicator_id`` is in the plan."""
        return indicator_id in self._indicators

    def all_indicators(self) -> tuple[tuple[Activity, Indicator], ...]:
        """Every indicator with its activity, in plan order."""
        return tuple(self._indicators.values())

    def channel(self, channel_id: str) -> Channel:
        """Return a team channel. Raises :class:`UnknownPlanItem`."""
        try:
            return self._channels[channel_id.lstrip("#")]
        except KeyError:
            raise UnknownPlanItem("channel", channel_id) from None

    def activities_in_channel(self, channel_id: str) -> tuple[Activity, ...]:
        """The activities whose summaries go to ``channel_id``."""
        wanted = channel_id.lstrip("#")
        return tuple(a for a in self.activities if a.channel == wanted)

    def activities_under(self, channel_id: str) -> tuple[Activity, ...]:
        """The activities a channel reports on, in plan order, each once.

        A team channel's own activities; for a roll-up channel those of every channel it
        covers, through nested roll-ups. Raises :class:`UnknownPlanItem`.
        """
        channel = self.channel(channel_id)
        if channel.rollup is None:
            return self.activities_in_channel(channel.id)
        found: dict[str, Activity] = {}
        for covered in channel.rollup.covers:
            found.update((a.id, a) for a in self.activities_under(covered))
        return tuple(a for a in self.activities if a.id in found)

    def role_label(self, role_id: str, lang: str) -> str:
        """The role's name in ``lang``, or its id if the catalogue lacks it."""
        label = self.plan.roles.get(role_id)
        return label.get(lang) if label is not None else role_id

    def is_admin(self, person_id: str) -> bool:
        """Whether the person may run administrative commands (plan ``admins``)."""
        return person_id in self.plan.admins

    def schedule(self, frequency: Frequency) -> FrequencySchedule:
        """The dates of ``frequency`` (plan ``schedule``, else the defaults)."""
        return self.plan.schedule.of(frequency)

    # --- responsibility ------------------------------------------------------------------

    def holders(self, activity: Activity, scale: Scale, mark: Mark) -> tuple[Holder, ...]:
        """The holders with ``mark`` at ``scale`` for ``activity``.

        The organisation's ``lead`` counts as A at the organisation's scale for every
        activity that does not name its own A there.
        """
        resp = activity.responsibility.get(scale)
        found = tuple(getattr(resp, mark.value)) if resp is not None else ()
        org = self.plan.organisation
        if not found and mark is Mark.A and org.lead is not None and scale == org.scale:
            return (org.lead,)
        return found

    def measurers(self, activity: Activity, indicator: Indicator) -> tuple[str, ...]:
        """Person ids who measure ``indicator``: its ``measured_by`` holders at the scale.

        Each person appears once, in plan order.
        """
        holders = self.holders(activity, activity.scale, indicator.measured_by)
        return tuple(dict.fromkeys(h.person for h in holders))

    def approver(self, activity: Activity, indicator: Indicator) -> str:
        """The person who decides on improvement for ``indicator`` (PU3-3 step 5).

        ``approved_by: A`` means the first A holder at the activity's scale; a role id means
        the first holder of that role at any scale of the activity (narrowest first), then
        the organisation lead.

        Raises:
            UnknownPlanItem: If nobody holds that role (the validator prevents this).
        """
        if indicator.approved_by == "A":
            holders = self.holders(activity, activity.scale, Mark.A)
            if holders:
                return holders[0].person
            raise UnknownPlanItem("approver", f"{activity.id}/{indicator.id}")
        for holder in self._all_holders(activity):
            if holder.role == indicator.approved_by:
                return holder.person
        lead = self.plan.organisation.lead
        if lead is not None and lead.role == indicator.approved_by:
            return lead.person
        raise UnknownPlanItem("approver", f"{activity.id}/{indicator.id}")

    def manager_of(self, person_id: str, activity: Activity) -> str | None:
        """The person's manager for ``activity``.

        A person's manager is the A holder at the same scale; for an A, the A one scale up
        (issue #2, domain.md §2.3). ``None`` when there is nobody above.
        """
        for scale, resp in self._scales_narrow_first(activity):
            if any(h.person == person_id for h in resp.L):
                a_holders = self.holders(activity, scale, Mark.A)
                if a_holders:
                    return a_holders[0].person
            if any(h.person == person_id for h in resp.A):
                return self._a_above(activity, scale, person_id)
        org = self.plan.organisation
        if org.lead is not None and org.lead.person == person_id:
            return self._a_above(activity, org.scale, person_id)
        return None

    def people_of(self, activity: Activity) -> tuple[str, ...]:
        """Everyone named in the activity's responsibility, narrowest scale first, once each."""
        return tuple(dict.fromkeys(h.person for h in self._all_holders(activity)))

    def _a_above(self, activity: Activity, scale: Scale, person_id: str) -> str | None:
        above = scale_above(scale)
        while above is not None:
            for holder in self.holders(activity, above, Mark.A):
                if holder.person != person_id:
                    return holder.person
            above = scale_above(above)
        return None

    def _scales_narrow_first(
        self, activity: Activity
    ) -> Iterator[tuple[Scale, ScaleResponsibility]]:
        for scale in reversed(SCALE_ORDER):
            resp = activity.responsibility.get(scale)
            if resp is not None:
                yield scale, resp

    def _all_holders(self, activity: Activity) -> Iterator[Holder]:
        for _scale, resp in self._scales_narrow_first(activity):
            yield from resp.A
            yield from resp.L
