"""This module contains what a summary reports of PU3-3 step 5: decisions and actions.

It only reads improvement decisions (see :mod:`workflows.decisions` for how they are
taken): which were taken since the channel's last summary, which are still open (and
overdue), and where the improvement actions stand (open, overdue, done, verified or not).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, Protocol, TypeVar

from sqlmodel import Session, col, select

from storage.models import AuditEntry, ImprovementDecision
from workflows.decisions import actions, load_brief
from workflows.notices import DecisionBrief, SummaryDecision
from workflows.rounds.evaluation import Status

SUMMARY_POSTED = "summary.posted"
"""The audit verb written when a summary is posted
(:func:`workflows.reports.summaries.post_summary`)."""


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
        action_status=decision.action_status,
    )


class DecisionRow(NamedTuple):
    """A decision's columns and its triggering value's, as a summary reads them.

    Issue 16: no ORM object a decision; :func:`row_item` makes the same item as
    :func:`summary_item`.
    """

    id: int
    activity_id: str
    indicator_id: str
    status: str
    trigger: str
    approver_id: str
    decide_by: date
    action: str | None
    owner_id: str | None
    action_due: date | None
    rejection_reason: str | None
    decided_at: datetime | None
    action_status: str | None
    action_status_at: datetime | None
    period: str
    """The triggering value's period."""
    value: Decimal
    """The triggering value."""
    value_status: str
    """The triggering value's status."""
    comment: str | None
    """The triggering value's comment."""


def row_item(row: DecisionRow, *, overdue: bool = False) -> SummaryDecision:
    """:func:`summary_item` of a decision read as columns."""
    return SummaryDecision(
        decision=DecisionBrief(
            decision_id=row.id,
            activity_id=row.activity_id,
            indicator_id=row.indicator_id,
            period=row.period,
            value=row.value,
            status=Status(row.value_status),
            trigger=row.trigger,
            approver_id=row.approver_id,
            decide_by=row.decide_by,
            comment=row.comment,
        ),
        status=row.status,
        action=row.action,
        owner_id=row.owner_id,
        action_due=row.action_due,
        reason=row.rejection_reason,
        overdue=overdue,
        decided_at=row.decided_at,
        action_status=row.action_status,
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


def improvement_actions(
    session: Session, activity_ids: Collection[str], today: date, since: datetime | None = None
) -> list[tuple[ImprovementDecision, bool]]:
    """The improvement actions a summary lists, oldest first.

    Listed: actions planned or in progress (**overdue** once their due date has passed),
    done ones waiting for the indicator's next value, and those the next value verified or
    not since ``since`` (the channel's previous summary; ``None``: there was none), so the
    summary says whether the indicator moved (:mod:`workflows.decisions.actions`).

    Returns:
        ``(decision, overdue)`` pairs.
    """
    rows = session.exec(
        select(ImprovementDecision)
        .where(
            col(ImprovementDecision.activity_id).in_(list(activity_ids)),
            col(ImprovementDecision.status) == "approved",
            col(ImprovementDecision.action_status).in_(ACTION_STATES),
        )
        .order_by(col(ImprovementDecision.id))
    ).all()
    return listed_actions(rows, today, since)


ACTION_STATES = (*actions.OPEN, actions.DONE, actions.VERIFIED, actions.NOT_VERIFIED)
"""Action states a summary may list (see :func:`improvement_actions`)."""


class ActionState(Protocol):
    """What :func:`listed_actions` reads of a decision (an ORM row or a :class:`DecisionRow`)."""

    @property
    def action_status(self) -> str | None:
        """The action's status."""

    @property
    def action_status_at(self) -> datetime | None:
        """When it last changed."""

    @property
    def action_due(self) -> date | None:
        """Its due date."""


D = TypeVar("D", bound=ActionState)


def listed_actions(rows: Iterable[D], today: date, since: datetime | None) -> list[tuple[D, bool]]:
    """Of approved decisions whose action is in :data:`ACTION_STATES`, those a summary lists.

    The pure half of :func:`improvement_actions`, for callers that read the decisions in a
    statement of their own.
    """
    closed = (actions.VERIFIED, actions.NOT_VERIFIED)
    out = []
    for decision in rows:
        if (
            decision.action_status in closed
            and since is not None
            and (decision.action_status_at is None or decision.action_status_at <= since)
        ):
            continue  # told in an earlier summary
        overdue = (
            decision.action_status in actions.OPEN
            and decision.action_due is not None
            and decision.action_due < today
        )
        out.append((decision, overdue))
    return out
