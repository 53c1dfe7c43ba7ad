"""This module contains what a summary reports of PU3-3 step 5: decisions and actions.

It only reads improvement decisions (see :mod:`workflows.decisions` for how they are
taken): which were taken since the channel's last summary, which are still open (and
overdue), and which improvement actions are open or overdue.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage.models import AuditEntry, ImprovementDecision, Measurement
from workflows.decisions import load_brief
from workflows.evaluation import Status
from workflows.notices import SummaryDecision

SUMMARY_POSTED = "summary.posted"
"""The audit verb written when a summary is posted (:func:`workflows.summaries.post_summary`)."""


def last_summary_at(session: Session, channel_id: str) -> datetime | None:
    """When the channel's previous summary was posted (the audit log), or ``None``."""
    return session.exec(
        select(AuditEntry.at)
        .where(
            col(AuditEntry.action) == SUMMARY_POSTED,
            col(AuditEntry.subject) == f"channel:{channel_id}",
        )
        .order_by(col(AuditEntry.at).desc())
    ).first()


def summary_item(
    session: Session, decision: ImprovementDecision, *, overdue: bool = False
) -> SummaryDecision:
    """A decision as a summary shows it."""
    return SummaryDecision(
        decision=load_brief(session, decision),
        status=decision.status,
        action=decision.action,
        owner_id=decision.owner_id,
        action_due=decision.action_due,
        reason=decision.rejection_reason,
        overdue=overdue,
        decided_at=decision.decided_at,
    )


def decided_since(
    session: Session, activity_ids: Collection[str], since: datetime
) -> list[ImprovementDecision]:
    """Decisions on the activities approved or rejected after ``since``, oldest first."""
    return list(
        session.exec(
            select(ImprovementDecision)
            .where(
                col(ImprovementDecision.activity_id).in_(list(activity_ids)),
                col(ImprovementDecision.status).in_(["approved", "rejected"]),
                col(ImprovementDecision.decided_at) > since,
            )
            .order_by(col(ImprovementDecision.id))
        ).all()
    )


def open_decisions(session: Session, activity_ids: Collection[str]) -> list[ImprovementDecision]:
    """Decisions on the activities that nobody has taken yet, oldest first."""
    return list(
        session.exec(
            select(ImprovementDecision)
            .where(
                col(ImprovementDecision.activity_id).in_(list(activity_ids)),
                col(ImprovementDecision.status) == "open",
            )
            .order_by(col(ImprovementDecision.id))
        ).all()
    )


def _latest_status(session: Session, indicator_id: str) -> Status | None:
    found = session.exec(
        select(Measurement.status)
        .where(col(Measurement.indicator_id) == indicator_id)
        .order_by(col(Measurement.submitted_at).desc(), col(Measurement.id).desc())
    ).first()
    return Status(found) if found is not None else None


def improvement_actions(
    session: Session, activity_ids: Collection[str], today: date
) -> list[tuple[ImprovementDecision, bool]]:
    """The open and overdue improvement actions of the activities, oldest first.

    An action is an approved decision's ``action``; per indicator only the latest one
    counts. The bot records no "done" for an action, so the indicator tells: an action
    whose due date has passed is **overdue** while the indicator's latest value is still
    not OK, and no longer listed once it is OK again. One not yet due is **open**.

    Returns:
        ``(decision, overdue)`` pairs.
    """
    rows = session.exec(
        select(ImprovementDecision)
        .where(
            col(ImprovementDecision.activity_id).in_(list(activity_ids)),
            col(ImprovementDecision.status) == "approved",
            col(ImprovementDecision.action).is_not(None),
        )
        .order_by(col(ImprovementDecision.id))
    ).all()
    latest = {(d.activity_id, d.indicator_id): d for d in rows}
    out = []
    for decision in sorted(latest.values(), key=lambda d: d.id or 0):
        if decision.action_due is None or decision.action_due >= today:
            out.append((decision, False))
        elif _latest_status(session, decision.indicator_id) not in (None, Status.OK):
            out.append((decision, True))
    return out
