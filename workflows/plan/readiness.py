"""This module contains the control readiness report (PU3-3 steps 1–3).

For each activity it lists what control still lacks: a responsible (A) holder, indicators of
all three control types (process, result, efficiency), data sources, graded thresholds (for a
check: an option that is a warning or critical), and the capabilities and resources of step 3
(competences, processes and methods, information, digital technologies), and values that ask
for approval by the only person who measures them. Nothing here is an error — a plan with
gaps still runs — it is what an institution should complete.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from workflows.plan.model import LoadedPlan
from workflows.plan.schema import Activity, ControlType, Indicator, Mark, OptionStatus


@dataclass(frozen=True)
class Gap:
    """One thing an activity's control lacks: ``code`` and its details (ids or names)."""

    code: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Readiness:
    """An activity and its gaps (none: ready for control)."""

    activity_id: str
    gaps: tuple[Gap, ...]


def activity_readiness(
    loaded: LoadedPlan, activity: Activity, linked: Collection[str] | None = None
) -> Readiness:
    """What ``activity`` lacks for control (see the module docstring).

    Args:
        loaded: The plan.
        activity: The activity.
        linked: People with a chat account (on any platform); ``None`` when unknown (no
            database), so that gap is not checked.
    """
    gaps: list[Gap] = []
    if not loaded.holders(activity, activity.scale, Mark.A):
        gaps.append(Gap("no_responsible"))
    types = {ControlType(i.control_type) for i in activity.indicators}
    missing_types = tuple(t.value for t in ControlType if t not in types)
    if missing_types:
        gaps.append(Gap("missing_control_types", missing_types))
    no_source = tuple(i.id for i in activity.indicators if i.data_source is None)
    if no_source:
        gaps.append(Gap("no_data_source", no_source))
    flat = tuple(i.id for i in activity.indicators if _ungraded(i) and not i.is_choice)
    if flat:
        gaps.append(Gap("no_graded_thresholds", flat))
    all_ok = tuple(i.id for i in activity.indicators if _ungraded(i) and i.is_choice)
    if all_ok:
        gaps.append(Gap("no_graded_options", all_ok))
    capabilities = activity.capabilities
    missing = tuple(
        name
        for name, given in (
            ("competences", capabilities.competences),
            ("processes", capabilities.processes),
            ("information", capabilities.information),
            ("technologies", capabilities.technologies),
        )
        if not given
    )
    if missing:
        gaps.append(Gap("capabilities_not_recorded", missing))
    self_approved = tuple(
        i.id
        for i in activity.indicators
        if i.requires_approval
        and set(loaded.measurers(activity, i)) <= {loaded.approver(activity, i)}
    )
    if self_approved:
        gaps.append(Gap("approval_by_the_measurer", self_approved))
    if linked is not None:
        unreachable = tuple(p for p in loaded.people_of(activity) if p not in linked)
        if unreachable:
            gaps.append(Gap("no_chat_account", unreachable))
    return Readiness(activity.id, tuple(gaps))


def plan_readiness(loaded: LoadedPlan, linked: Collection[str] | None = None) -> list[Readiness]:
    """The readiness of every activity, in plan order (``linked``: see above)."""
    return [activity_readiness(loaded, a, linked) for a in loaded.activities]


def _ungraded(indicator: Indicator) -> bool:
    """Whether nothing the indicator can show would ever be a warning or critical."""
    if indicator.is_choice:
        return all(o.status is OptionStatus.OK for o in indicator.options)
    return indicator.target == indicator.warning == indicator.critical
