"""This module contains a person's home view: what waits for them and recent decisions.

Shown where a platform has a home page of its own (an app's home tab).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import ImprovementDecision
from workflows.context import Context
from workflows.notices import HomeDecision, HomeView
from workflows.rounds.pending import pending_for

RECENT_DECISIONS = 5
"""How many recent decisions the home view lists."""


def home_for(session: Session, ctx: Context, person_id: str) -> HomeView:
    """What waits for ``person_id``, and the latest decisions of their activities."""
    plan = ctx.plan
    mine = [a.id for a in plan.activities if person_id in plan.people_of(a)]
    rows = session.exec(
        select(ImprovementDecision)
        .where(col(ImprovementDecision.activity_id).in_(mine))
        .order_by(col(ImprovementDecision.opened_at).desc(), col(ImprovementDecision.id).desc())
        .limit(RECENT_DECISIONS)
    ).all()
    recent = tuple(
        HomeDecision(
            d.id or 0,
            d.indicator_id,
            d.status,
            d.approver_id,
            d.decided_by,
            d.decided_at,
            d.decide_by,
        )
        for d in rows
    )
    return HomeView(pending_for(session, ctx, person_id), recent, ctx.today())
