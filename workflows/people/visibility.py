"""This module contains who may see what outside chat: the activities a person's roles show.

A person sees the activities they take part in — responsible (A) or co-responsible (L) at any
scale (an A at a wider scale thereby sees the scales below), measuring, or approving an
indicator — and the organisation's lead and the plan's administrators see every activity.
Everything else (indicators, decisions, roll-ups) is visible through its activity.
"""

from __future__ import annotations

from workflows.context import Context
from workflows.plan.schema import Activity


def visible_activities(ctx: Context, person_id: str) -> tuple[Activity, ...]:
    """The activities ``person_id`` may see, in plan order."""
    plan = ctx.plan
    lead = plan.plan.organisation.lead
    if plan.is_admin(person_id) or (lead is not None and lead.person == person_id):
        return plan.activities
    return tuple(a for a in plan.activities if _takes_part(ctx, a, person_id))


def _takes_part(ctx: Context, activity: Activity, person_id: str) -> bool:
    plan = ctx.plan
    if person_id in plan.people_of(activity):
        return True
    return any(
        person_id in plan.measurers(activity, indicator)
        or plan.approver(activity, indicator) == person_id
        for indicator in activity.indicators
    )


def visible_activity_ids(ctx: Context, person_id: str) -> frozenset[str]:
    """The ids of :func:`visible_activities`."""
    return frozenset(a.id for a in visible_activities(ctx, person_id))


def can_see_activity(ctx: Context, person_id: str, activity_id: str) -> bool:
    """Whether ``person_id`` may see ``activity_id`` (an unknown id: no)."""
    return activity_id in visible_activity_ids(ctx, person_id)
