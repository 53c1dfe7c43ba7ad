"""This module contains the one place where an imported measurement is created.

Every value that arrives from a file (``controlbot import``) or a monitoring system
(``POST /api/measurements``) is stored by :func:`record_imported`: evaluated like a chat value
with the thresholds in force, marked with its source, audited, and checked for an improvement
decision; when the plan asks for approval (``requires_approval``) the indicator's approver
is asked in chat whoever the accountable actor is (an import is never approved by itself);
a "not measured" report of the same round is replaced; done improvement actions of the
indicator are verified. No import path can skip any of it.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from storage.models import ControlRound, Measurement
from workflows import actions, approval, audit, revisions
from workflows.actions import has_done_actions
from workflows.context import Context
from workflows.decisions import maybe_open_decision
from workflows.evaluation import Status
from workflows.measuring import drop_not_measured, new_measurement
from workflows.notices import Outgoing
from workflows.rounds import reported_not_measured


def record_imported(
    session: Session,
    ctx: Context,
    control_round: ControlRound,
    indicator_id: str,
    value: Decimal,
    comment: str | None,
    source: str,
    actor: str,
    *,
    quiet: bool = False,
) -> tuple[Measurement, list[Outgoing]]:
    """Store one imported value in ``control_round`` and evaluate it.

    The caller has validated the value (bounds, decimals, period) and checked that the round
    has no value of the indicator yet.

    Args:
        session: The open session (the import's one transaction).
        ctx: Plan and clock.
        control_round: The round of the indicator's activity and period (opened if needed).
        indicator_id: The indicator.
        value: The validated value.
        comment: The comment, or ``None``.
        source: The import source's name (never ``chat``).
        actor: The person accountable for the import (``submitted_by``).
        quiet: History (``controlbot import --history-before``): stored, evaluated and
            audited, but no approval is asked, no decision opened and no action verified,
            so nothing is sent about a period long closed.

    Returns:
        The stored measurement, and the notices to deliver after the commit: the approval
        request, any improvement decision it opened (see
        :func:`workflows.decisions.maybe_open_decision`) and action verifications.

    Raises:
        sqlalchemy.exc.IntegrityError: At this or a later flush, if the round got a value of
            the indicator meanwhile (another process); the transaction is then unusable and
            must be rolled back. Rows are written in batches at the session's flushes, so
            ten thousand values do not cost ten thousand round trips.
    """
    row = new_measurement(ctx, control_round, indicator_id, value, comment, actor)
    row.source = source
    session.add(row)
    audit.record(
        session,
        ctx,
        actor,
        "measurement.imported",
        f"round:{control_round.id}/{indicator_id}",
        value=str(value),
        status=row.status,
        target_met=row.target_met,
        source=source,
        **({"history": True} if quiet else {}),
    )
    follow_up: list[Outgoing] = []
    gap = reported_not_measured(session, control_round.id or 0).get(indicator_id)
    if gap is not None:  # the data arrived after all: the value replaces the report
        drop_not_measured(session, ctx, gap, actor, source=source)
    if quiet:
        return row, follow_up
    if approval.approver_of(ctx, row) is not None:
        session.flush()  # a conflict surfaces here, before the approver is asked
        follow_up += approval.settle(session, ctx, row, always_ask=True)
    if row.status != Status.OK:
        session.flush()  # a conflict surfaces here, not inside the decision's savepoint
        follow_up += maybe_open_decision(session, ctx, row)
    if has_done_actions(session, indicator_id):
        session.flush()
        follow_up += actions.verify_after(session, ctx, row)
    return row, follow_up


def replace_returned(
    session: Session,
    ctx: Context,
    earlier: Measurement,
    value: Decimal,
    comment: str | None,
    source: str,
    actor: str,
) -> tuple[Measurement, list[Outgoing]] | None:
    """Store an imported value as the next version of one the approver returned.

    A returned value no longer counts (:mod:`workflows.approval`): the new one takes its
    place and is asked for approval again, as a measurement after a return in chat is.

    Returns:
        The measurement and the notices to deliver, or ``None`` if it changed meanwhile.
    """
    control_round = session.get(ControlRound, earlier.round_id)
    if control_round is None:  # pragma: no cover - rounds are never deleted
        raise LookupError(f"round {earlier.round_id} is gone")
    new = new_measurement(ctx, control_round, earlier.indicator_id, value, comment, actor)
    new.source = source
    reason = earlier.approval_reason or ""
    returned = frozenset({approval.REJECTED})
    if not revisions.replace(session, ctx, earlier, new, actor, reason, None, returned):
        return None
    audit.record(
        session,
        ctx,
        actor,
        "measurement.imported",
        f"round:{earlier.round_id}/{earlier.indicator_id}",
        value=str(value),
        status=earlier.status,
        target_met=earlier.target_met,
        source=source,
        version=earlier.version,
    )
    follow_up = approval.settle(session, ctx, earlier, always_ask=True)
    follow_up += maybe_open_decision(session, ctx, earlier)
    follow_up += actions.verify_after(session, ctx, earlier)
    return earlier, follow_up
