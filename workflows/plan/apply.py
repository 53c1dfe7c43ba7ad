"""This module contains ``controlbot plan apply``: the plan in force, changed deliberately.

The plan in force is the latest :class:`~storage.models.PlanSnapshot`. Applying a new plan shows
what changes (:mod:`workflows.plan.changes`), then records it: people are synchronised (leavers
stop getting sends, their duties pass on, their managers are told), open rounds of activities
(or frequencies) no longer in the plan are closed with a note, and the snapshot is stored.
Measurements keep the targets they were judged against (they carry their thresholds).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from storage.models import ControlRound, PlanSnapshot
from workflows import audit
from workflows.context import Context
from workflows.notices import Outgoing
from workflows.people.sync import sync_people
from workflows.plan.changes import PlanChange, diff
from workflows.rounds import approval
from workflows.rounds.opening import round_indicators


@dataclass(frozen=True)
class Applied:
    """What an apply did: the changes, notices to send, rounds closed and who joined."""

    changes: tuple[PlanChange, ...]
    notices: tuple[Outgoing, ...]
    closed_rounds: tuple[int, ...]
    joiners: tuple[str, ...]


def plan_json(ctx: Context) -> dict[str, Any]:
    """The plan's validated JSON form (what a snapshot stores)."""
    return ctx.plan.plan.model_dump(mode="json")


def _digest(content: dict[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def in_force(session: Session) -> PlanSnapshot | None:
    """The latest applied plan, if any."""
    return session.exec(
        select(PlanSnapshot).order_by(col(PlanSnapshot.id).desc()).limit(1)
    ).first()


def pending_changes(session: Session, ctx: Context) -> list[PlanChange]:
    """What applying ``ctx``'s plan would change (everything, when none was applied yet)."""
    current = in_force(session)
    return diff(current.content if current is not None else None, plan_json(ctx))


def apply_plan(session: Session, ctx: Context, by: str) -> Applied:
    """Make ``ctx``'s plan the plan in force (see the module docstring)."""
    changes = tuple(pending_changes(session, ctx))
    notices = tuple(sync_people(session, ctx))
    approval.release_unrequired(session, ctx)
    closed: list[int] = []
    open_rounds = session.exec(select(ControlRound).where(col(ControlRound.status) == "open"))
    for control_round in open_rounds.all():
        activity = next(
            (a for a in ctx.plan.activities if a.id == control_round.activity_id), None
        )
        if activity is not None and round_indicators(activity, control_round.frequency):
            continue
        control_round.status = "closed"
        session.add(control_round)
        reason = "activity_removed" if activity is None else "indicators_removed"
        audit.record(session, ctx, by, "round.closed", f"round:{control_round.id}", reason=reason)
        closed.append(control_round.id or 0)
    content = plan_json(ctx)
    session.add(
        PlanSnapshot(applied_at=ctx.now(), applied_by=by, digest=_digest(content), content=content)
    )
    audit.record(
        session, ctx, by, "plan.applied", "plan", changes=len(changes), closed_rounds=closed
    )
    joiners = tuple(c.subject for c in changes if c.kind == "person_added")
    return Applied(changes, notices, tuple(closed), joiners)
