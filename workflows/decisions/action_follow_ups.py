"""This module contains action follow-ups: the sends that chase an open improvement action.

Per action still planned or in progress the owner hears of it a few working days before its
due date and on it, and the approver a working day after it (escalation); the sweep
(:mod:`workflows.schedule.sweep`) decides at send time whether each still matters.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from storage.models import ImprovementDecision
from workflows.context import Context
from workflows.decisions import actions, load_brief
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Frequency
from workflows.schedule.planned import PlannedSend, SendKind, action_follow_up

SOON = actions.SOON_WORKING_DAYS
LATE = actions.OVERDUE_WORKING_DAYS


def action_follow_ups(
    session: Session, ctx: Context, first: date, last: date
) -> list[PlannedSend]:
    """Follow-ups of open improvement actions on local dates ``first``..``last``.

    Per action still planned or in progress: the owner :data:`actions.SOON_WORKING_DAYS`
    working days before its due date and on it (on the working day before, when it falls on
    a weekend or holiday); the approver
    :data:`actions.OVERDUE_WORKING_DAYS` working day after it (escalation).
    """
    calendar = ctx.calendar
    rows = session.exec(
        select(ImprovementDecision).where(
            col(ImprovementDecision.status) == "approved",
            col(ImprovementDecision.action_status).in_(sorted(actions.OPEN)),
            col(ImprovementDecision.action_due) >= first - timedelta(days=14),
            col(ImprovementDecision.action_due) <= last + timedelta(days=14),
        )
    ).all()
    out = []
    for row in rows:
        if row.owner_id is None or row.action_due is None or row.id is None:
            continue
        try:
            _activity, indicator = ctx.plan.indicator(row.indicator_id)
        except UnknownPlanItem:
            continue
        brief = load_brief(session, row)
        due = row.action_due
        # due on a weekend or holiday: the owner hears of it on the working day before
        due_day = due if calendar.is_working_day(due) else calendar.add_working_days(due, -1)
        stages = (
            (SendKind.ACTION_SOON, row.owner_id, calendar.add_working_days(due, -SOON)),
            (SendKind.ACTION, row.owner_id, due_day),
            (
                SendKind.ACTION_OVERDUE,
                actions.approver_of(row),
                calendar.add_working_days(due, LATE),
            ),
        )
        decided = (row.decided_at or row.opened_at).astimezone(ctx.timezone).date()
        for kind, recipient, day in stages:
            if first <= day <= last and (kind is not SendKind.ACTION_SOON or day > decided):
                out.append(
                    action_follow_up(
                        ctx,
                        row.activity_id,
                        Frequency(indicator.frequency),
                        brief.period,
                        row.id,
                        recipient,
                        day,
                        kind,
                    )
                )
    return out
