"""This module contains the delivery ledger: one row per planned send, by idempotency key.

Every planned send (:mod:`workflows.schedule`) has an idempotency key. A sweep
(:mod:`workflows.deliveries`) records what it decided for each key here: ``queued`` (handed to
the outbox, in the same transaction as the outbox row that carries it), ``skipped`` with the
reason. A key marked ``queued``, ``sent`` or ``skipped`` is never sent again. (``sending`` rows
of earlier releases, written before the platform call, are taken up again after
:data:`STALE_SENDING`.) Postponed reminders are ledger rows too (:data:`SNOOZE`, ``planned``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import AuditEntry, Delivery
from workflows import audit
from workflows.context import Context
from workflows.schedule import PlannedSend
from workflows.sweep_memo import ClosedKeys

EPOCH_ACTION = "scheduler.started"
"""Audit action of the scheduler's first start: nothing planned before it is caught up."""
STALE_SENDING = timedelta(minutes=10)
"""A ``sending`` row older than this was left by a crash, not by a sweep in progress."""
QUEUED = "queued"
"""Ledger state of a send handed to the outbox: its delivery state is the outbox row's."""
CLOSED = ("sent", "skipped", "failed", QUEUED)
"""Ledger states never sent again. A failed delivery is logged and not retried on every
sweep (field case C03: no endless retries); ``sending`` is retried once after a crash."""
SNOOZE = "snooze"
"""Ledger kind of a reminder its recipient postponed (key ``snooze:activity:period:person:n``)."""
_KEYS_PER_QUERY = 5000
"""Ledger keys asked for in one query (SQLite allows 32,766 parameters)."""


def scheduler_epoch(session: Session, ctx: Context) -> datetime:
    """When the scheduler first ran on this database (recorded on the first call)."""
    first = session.exec(
        select(AuditEntry.at)
        .where(col(AuditEntry.action) == EPOCH_ACTION)
        .order_by(col(AuditEntry.at))
        .limit(1)
    ).first()
    if first is not None:
        return first
    audit.record(session, ctx, "system", EPOCH_ACTION, "scheduler")
    return ctx.now()


def taken_keys(session: Session, closed: ClosedKeys, keys: list[str], now: datetime) -> set[str]:
    """Keys closed in the ledger, or being sent right now by a live sweep.

    A ``sending`` row older than :data:`STALE_SENDING` was left by a crash and is taken up
    again (the documented one-message window); a fresh one belongs to a sweep in progress.
    Keys read as closed are remembered in ``closed``: the caller need not ask for them again.
    """
    taken: set[str] = set()
    found: list[str] = []
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        rows = session.exec(
            select(Delivery.key, Delivery.status, Delivery.attempted_at).where(
                col(Delivery.key).in_(keys[start : start + _KEYS_PER_QUERY])
            )
        ).all()
        taken.update(key for key, status, attempted in rows if is_taken(status, attempted, now))
        found.extend(key for key, status, _attempted in rows if status in CLOSED)
    closed.learn(found)
    return taken


def record(session: Session, send: PlannedSend, status: str, now: datetime, note: str) -> bool:
    """Record ``status`` for a send; ``False`` if another sweep has claimed the key meanwhile.

    The row is read again here, not trusted from the start of the sweep: a concurrent sweep
    may have committed its claim in between (a unique key stops two inserts).
    """
    row = session.exec(select(Delivery).where(col(Delivery.key) == send.key)).first()
    if row is not None and is_taken(row.status, row.attempted_at, now):
        return False
    if row is None:
        row = Delivery(
            key=send.key,
            kind=send.kind.value,
            subject=send.subject,
            period=send.period,
            recipient=send.recipient,
            step=send.step,
            planned_at=send.at,
            status=status,
            attempted_at=now,
        )
    row.status = status
    row.attempted_at = now
    row.late_seconds = max(0, int((now - send.at).total_seconds()))
    row.note = note or None
    if status == "skipped":
        row.done_at = now
    session.add(row)
    session.flush()
    return True


def is_taken(status: str, attempted: datetime, now: datetime) -> bool:
    """Whether a ledger row's key is closed, or being sent right now by a live sweep."""
    return status in CLOSED or (status == "sending" and now - attempted < STALE_SENDING)


def link(session: Session, keys: tuple[str, ...], outbox_id: int) -> None:
    """Point ledger rows at the outbox row that carries them (same transaction)."""
    session.execute(
        update(Delivery)
        .where(col(Delivery.key).in_(keys))
        .values(outbox_id=outbox_id)
        .execution_options(synchronize_session=False)
    )
