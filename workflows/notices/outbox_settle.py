"""This module records a claimed outbox row's outcome: delivered, undeliverable or retried.

Each function settles a row only while it is still ``sending`` (its sender's claim), so an
outcome is recorded once even when a lease ran out and another sender took the row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import Session, col

from storage.db import rows_touched
from storage.messages import OutboxMessage
from workflows import audit
from workflows.context import Context
from workflows.decisions.follow_up import SUMMARY_POSTED
from workflows.notices.outbox_states import (
    BACKOFF,
    DELIVERED,
    EXPIRED,
    QUEUED,
    SENDING,
    SUMMARY_KINDS,
    UNDELIVERABLE,
)


def held(row_id: int | None, lease: datetime | None) -> ColumnElement[bool]:
    """The row ``row_id`` while it is ``sending`` under the very ``lease`` its sender wrote.

    A sender's claim is the lease it wrote: once that ran out and another sender claimed the
    row, the row carries the other's lease, so the first may no longer renew, give back or
    re-queue it.
    """
    return and_(
        col(OutboxMessage.id) == row_id,
        col(OutboxMessage.status) == SENDING,
        col(OutboxMessage.lease_until) == lease,
    )


def _settle(
    session: Session, row_id: int, lease: datetime | None = None, **values: object
) -> bool:
    """Settle a row still ``sending``; with ``lease``, only under that very lease.

    A delivery is recorded whoever delivered; a retry or a refusal only by the sender that
    still holds the row (``lease``): one whose lease ran out must not put back in the queue
    a row another sender has taken and may be delivering.
    """
    sending = and_(col(OutboxMessage.id) == row_id, col(OutboxMessage.status) == SENDING)
    result = session.execute(
        update(OutboxMessage)
        .where(held(row_id, lease) if lease is not None else sending)
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return rows_touched(result) == 1


def delivered(
    session: Session,
    ctx: Context,
    row: OutboxMessage,
    *,
    platform: str,
    address: str,
    message_id: str | None,
) -> bool:
    """Record a delivery (``platform`` may list several, comma-separated, for a channel).

    A summary counts as posted only now (audit ``summary.posted``, which the next summary's
    "since the last summary" reads), never when it was merely queued.
    """
    settled = _settle(
        session,
        row.id or 0,
        status=DELIVERED,
        delivered_at=ctx.now(),
        platform=platform[:16],
        address=address[:160],
        platform_message_id=(message_id or "")[:128] or None,
    )
    if settled and row.kind in SUMMARY_KINDS and row.recipient_kind == "channel":
        audit.record(
            session,
            ctx,
            row.origin or "system",
            SUMMARY_POSTED,
            f"channel:{row.recipient}",
            period=row.period or "",
        )
    return settled


def undeliverable(
    session: Session,
    row_id: int,
    now: datetime,
    *,
    reason: str,
    error: str = "",
    lease: datetime | None = None,
) -> bool:
    """Record that a row cannot be delivered, with the ``reason`` code.

    ``lease``: the sender's claim (:func:`_settle`); ``None`` settles any ``sending`` row.
    """
    return _settle(
        session,
        row_id,
        lease,
        status=UNDELIVERABLE,
        delivered_at=None,
        reason=reason[:32],
        last_error=error[:300] or None,
    )


def retry_later(
    session: Session,
    row: OutboxMessage,
    now: datetime,
    *,
    error: str,
    retry_after: float | None = None,
    done_platforms: str | None = None,
) -> str:
    """Put a row back in the queue after a temporary failure, or expire it.

    Args:
        session: The sender's transaction.
        row: The claimed row.
        now: The current time.
        error: What failed (for ``controlbot deliveries``).
        retry_after: The platform's ``Retry-After`` in seconds, if it gave one.
        done_platforms: Platforms a team-channel row already reached (not sent again).

    Returns:
        The row's new status: ``queued`` or ``expired``.
    """
    step = BACKOFF[min(row.attempts, len(BACKOFF)) - 1] if row.attempts else BACKOFF[0]
    wait = max(float(step), retry_after or 0.0)
    when = now + timedelta(seconds=wait)
    status = EXPIRED if when > row.expires_at else QUEUED
    _settle(
        session,
        row.id or 0,
        row.lease_until,
        status=status,
        not_before=when,
        last_error=error[:300] or None,
        platform=(done_platforms or row.platform or "")[:16] or None,
    )
    return status
