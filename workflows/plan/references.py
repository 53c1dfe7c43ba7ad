"""This module checks a schema-valid plan's cross-references (ids, roles, people, channels).

The pydantic schema checks each model on its own; this module checks what spans the plan:
unique ids, that every reference names something defined, that ``approved_by`` and
``measured_by`` have someone to act, the control-depth caps, the time zones and that
roll-up channels cover narrower scales.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

from workflows.plan.errors import PathTuple, PlanIssue, format_path
from workflows.plan.schema import (
    MAX_INDICATORS,
    Activity,
    Channel,
    Holder,
    Mark,
    Plan,
    Scale,
    wider,
)

Locate = Callable[[tuple[str | int, ...]], tuple[Path, int]]
"""Maps a key path to the file and line where it is written."""

_ALLOWED_SHOWN = 12


@cache
def _zones() -> frozenset[str]:
    # "localtime" and the posix/right copies exist on some hosts but name no fixed zone
    return frozenset(
        z
        for z in available_timezones()
        if z != "localtime" and not z.startswith(("posix/", "right/"))
    )


def _allowed(values: Iterable[str]) -> str:
    items = sorted(set(values))
    shown = ", ".join(items[:_ALLOWED_SHOWN])
    return shown + (", ..." if len(items) > _ALLOWED_SHOWN else "")


class _Checker:
    def __init__(self, plan: Plan, locate: Locate) -> None:
        self.plan = plan
        self.locate = locate
        self.issues: list[PlanIssue] = []
        self.people = {p.id for p in plan.people}
        self.channels = {c.id for c in plan.channels}
        self.roles = set(plan.roles)

    def add(self, path: PathTuple, code: str, **params: str) -> None:
        file, line = self.locate(path)
        self.issues.append(PlanIssue(file, line, format_path(path), code, params))

    def unique(self, items: Iterable[tuple[PathTuple, str]]) -> None:
        first: dict[str, PathTuple] = {}
        for path, value in items:
            if value in first:
                file, line = self.locate(first[value])
                self.add(path, "duplicate_id", value=value, first=f"{file}:{line}")
            else:
                first[value] = path

    def ref(self, path: PathTuple, kind: str, value: str, known: set[str]) -> None:
        if value not in known:
            self.add(path, "unknown_reference", kind=kind, value=value, allowed=_allowed(known))

    def holder(self, path: PathTuple, holder: Holder) -> None:
        self.ref((*path, "role"), "role", holder.role, self.roles)
        self.ref((*path, "person"), "person", holder.person, self.people)

    def timezone(self, path: PathTuple, zone: str | None) -> None:
        if zone is not None and zone not in _zones():
            self.add(path, "unknown_timezone", value=zone)

    def activities(self) -> Iterator[tuple[PathTuple, Activity]]:
        for key, acts in (("services", self.plan.services), ("resources", self.plan.resources)):
            for index, activity in enumerate(acts):
                yield (key, index), activity

    def activity(self, path: PathTuple, activity: Activity) -> None:
        self.ref((*path, "channel"), "channel", activity.channel, self.channels)
        held: set[str] = set()
        for scale, resp in activity.responsibility.items():
            for mark in (Mark.A, Mark.L):
                for index, holder in enumerate(getattr(resp, mark.value)):
                    self.holder((*path, "responsibility", scale.value, mark.value, index), holder)
                    held.add(holder.role)
        lead = self.plan.organisation.lead
        if lead is not None:
            held.add(lead.role)
        cap = MAX_INDICATORS[activity.control_depth]
        if len(activity.indicators) > cap:
            self.add(
                (*path, "indicators"),
                "too_many_indicators",
                depth=activity.control_depth.value,
                max=str(cap),
                count=str(len(activity.indicators)),
            )
        for index, indicator in enumerate(activity.indicators):
            ind_path = (*path, "indicators", index)
            self.has_holder((*ind_path, "measured_by"), activity, indicator.measured_by)
            if indicator.approved_by == "A":
                self.has_holder((*ind_path, "approved_by"), activity, Mark.A)
            elif indicator.approved_by not in self.roles:
                self.ref((*ind_path, "approved_by"), "role", indicator.approved_by, self.roles)
            elif indicator.approved_by not in held:
                self.add(
                    (*ind_path, "approved_by"),
                    "approver_not_held",
                    role=indicator.approved_by,
                    allowed=_allowed(held),
                )

    def has_holder(self, path: PathTuple, activity: Activity, mark: Mark) -> None:
        resp = activity.responsibility.get(activity.scale)
        holders = getattr(resp, mark.value) if resp is not None else ()
        org = self.plan.organisation
        lead_counts = mark is Mark.A and org.lead is not None and org.scale == activity.scale
        if not holders and not lead_counts:
            self.add(path, "no_holder", mark=mark.value, scale=activity.scale.value)


def check_references(plan: Plan, locate: Locate) -> list[PlanIssue]:
    """Check the references and plan-wide rules of a schema-valid plan.

    Args:
        plan: The validated plan.
        locate: Gives the file and line of a key path (the nearest located key).

    Returns:
        One issue per problem (duplicate ids, dangling references, approvers and measurers
        nobody can act as, indicator counts over the control-depth cap, unknown time zones),
        each at the offending key.
    """
    check = _Checker(plan, locate)
    check.unique((("people", i, "id"), p.id) for i, p in enumerate(plan.people))
    check.unique((("channels", i, "id"), c.id) for i, c in enumerate(plan.channels))
    check.unique(((*path, "id"), a.id) for path, a in check.activities())
    check.unique(
        ((*path, "indicators", i, "id"), ind.id)
        for path, a in check.activities()
        for i, ind in enumerate(a.indicators)
    )
    for index, admin in enumerate(plan.admins):
        check.ref(("admins", index), "person", admin, check.people)
    check.ref(("admin_channel",), "channel", plan.admin_channel, check.channels)
    if plan.organisation.lead is not None:
        check.holder(("organisation", "lead"), plan.organisation.lead)
    check.timezone(("timezone",), plan.timezone)
    for index, person in enumerate(plan.people):
        check.timezone(("people", index, "timezone"), person.timezone)
        if person.deputy is not None:
            others = check.people - {person.id}
            check.ref(("people", index, "deputy"), "person", person.deputy, others)
    for path, activity in check.activities():
        check.activity(path, activity)
    _check_rollups(check)
    return check.issues


def _part_scales(plan: Plan, channel: Channel) -> set[Scale]:
    """The scales a channel reports at: its roll-up scale, or its activities' scales."""
    if channel.rollup is not None:
        return {channel.rollup.scale}
    return {a.scale for a in (*plan.services, *plan.resources) if a.channel == channel.id}


def _check_rollups(check: _Checker) -> None:
    """Roll-up channels cover known channels of narrower scales and own no activities.

    Covered scales must be strictly narrower, so a roll-up can never cover itself, even
    through other roll-ups.
    """
    plan = check.plan
    by_id = {c.id: c for c in plan.channels}
    for index, channel in enumerate(plan.channels):
        if channel.rollup is None:
            continue
        path: PathTuple = ("channels", index, "rollup")
        for path_, activity in check.activities():
            if activity.channel == channel.id:
                check.add((*path_, "channel"), "rollup_with_activities", channel=channel.id)
        for position, covered in enumerate(channel.rollup.covers):
            where = (*path, "covers", position)
            check.ref(where, "channel", covered, check.channels - {channel.id})
            part = by_id.get(covered)
            if part is None or part.id == channel.id:
                continue
            for scale in sorted(_part_scales(plan, part)):
                if not wider(channel.rollup.scale, scale):
                    check.add(
                        where,
                        "rollup_not_wider",
                        scale=channel.rollup.scale.value,
                        channel=covered,
                        covered=scale.value,
                    )
