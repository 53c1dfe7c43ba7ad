"""Who sees which activity outside chat, role by role, on the bundled plan (issue 17).

A (at the activity's scale or any wider one, so an A of the institution or the municipality
sees the services below), L, the measurers and the approver of an indicator see the
activity; the administrators and the organisation's lead see every activity; anyone else
sees none of it. The web view's pages and downloads ask exactly this
(tests/bot/web/test_web_pages.py, test_web_downloads.py).
"""

from __future__ import annotations

from workflows.context import Context
from workflows.people.visibility import can_see_activity, visible_activities, visible_activity_ids
from workflows.plan.schema import Mark, Scale


def _holders(ctx: Context, mark: Mark, *, wider: bool) -> set[tuple[str, str]]:
    """``(person, activity)`` pairs of ``mark`` holders at the activity's scale or wider."""
    order = list(Scale)
    found: set[tuple[str, str]] = set()
    for activity in ctx.plan.activities:
        for scale in activity.responsibility:
            if (order.index(scale) < order.index(activity.scale)) == wider:
                found |= {(h.person, activity.id) for h in ctx.plan.holders(activity, scale, mark)}
    return found


def test_issue17_each_role_sees_its_activities(ctx: Context) -> None:
    plan = ctx.plan
    roles = {
        "A": _holders(ctx, Mark.A, wider=False),
        "A wider": _holders(ctx, Mark.A, wider=True),
        "L": _holders(ctx, Mark.L, wider=False) | _holders(ctx, Mark.L, wider=True),
        "measures": {
            (p, a.id) for a in plan.activities for i in a.indicators for p in plan.measurers(a, i)
        },
        "approves": {(plan.approver(a, i), a.id) for a in plan.activities for i in a.indicators},
    }
    for role, pairs in roles.items():
        assert pairs, f"the bundled plan has no {role}"
        for person_id, activity_id in pairs:
            assert can_see_activity(ctx, person_id, activity_id), (role, person_id, activity_id)


def test_issue17_no_role_no_activity_and_admins_and_the_lead_see_all(ctx: Context) -> None:
    plan = ctx.plan
    everyone = frozenset(a.id for a in plan.activities)
    lead = plan.plan.organisation.lead
    assert lead is not None
    for person_id in (*plan.plan.admins, lead.person):
        assert visible_activity_ids(ctx, person_id) == everyone
    unseen = 0
    for person in plan.plan.people:
        if person.id in plan.plan.admins or person.id == lead.person:
            continue
        seen = visible_activity_ids(ctx, person.id)
        for activity in plan.activities:
            takes_part = person.id in plan.people_of(activity) or any(
                person.id in plan.measurers(activity, i) or plan.approver(activity, i) == person.id
                for i in activity.indicators
            )
            assert (activity.id in seen) == takes_part, (person.id, activity.id)
            unseen += not takes_part
    assert unseen > 0  # someone is refused something, or the test proves nothing
    assert not can_see_activity(ctx, plan.plan.people[0].id, "no-such-activity")
    assert [a.id for a in visible_activities(ctx, lead.person)] == [a.id for a in plan.activities]
