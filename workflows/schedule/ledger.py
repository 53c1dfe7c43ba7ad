"""This module contains the delivery ledger: one row per planned send, by idempotency key.

Every planned send (:mod:`workflows.schedule.planned`) has an idempotency key. A sweep
(:mod:`workflows.schedule.sweep`) records what it decided for each key here: ``queued`` (handed to
the outbox, in the same transaction as the outbox row that carries it), ``skipped`` with the
reason. A key marked ``queued``, ``sent`` or ``skipped`` is never sent again. (``sending`` rows
of earlier releases, written before the platform call, are taken up again after
:data:`STALE_SENDING`.) Postponed reminders are ledger rows too (:data:`SNOOZE`, ``planned``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, bindparam, insert, update
from sqlmodel import Session, col, select

from storage.models import AuditEntry, Delivery
from workflows import audit
from workflows.context import Context
from workflows.schedule.memo import ClosedKeys
from workflows.schedule.planned import PlannedSend

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


def open_keys(session: Session, keys: list[str], now: datetime) -> dict[str, int | None]:
    """Of ``keys``, those neither closed nor being sent by a live sweep, with their row's id.

    Read again by each batch, not trusted from the start of the sweep: another process's
    sweep may have queued some in between (and a unique key stops two inserts of one key).

    Returns:
        Key to its ledger row id, or ``None`` when the key has no row yet.
    """
    found: dict[str, int | None] = dict.fromkeys(keys)
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        rows = session.exec(
            select(Delivery.id, Delivery.key, Delivery.status, Delivery.attempted_at).where(
                col(Delivery.key).in_(keys[start : start + _KEYS_PER_QUERY])
            )
        ).all()
        for row_id, key, status, attempted in rows:
            if is_taken(status, attempted, now):
                found.pop(key, None)
            else:
                found[key] = row_id
    return found


@dataclass(frozen=True)
class Decided:
    """What a sweep decided for one planned send: ``queued``, or ``skipped`` and why."""

    send: PlannedSend
    status: str
    note: str = ""


def record_many(
    session: Session, decided: list[Decided], rows: Mapping[str, int | None], now: datetime
) -> None:
    """Record each decision in the ledger: new keys in one insert, earlier rows updated.

    ``decided`` are decisions on keys :func:`open_keys` returned in this transaction, at
    ``now``; ``rows`` is its answer (the existing row of a key, if any).
    """
    table: Table = Delivery.__table__  # type: ignore[attr-defined]
    new, again = [], []
    for item in decided:
        send = item.send
        values = {
            "status": item.status,
            "attempted_at": now,
            "late_seconds": max(0, int((now - send.at).total_seconds())),
            "note": item.note or None,
            "done_at": now if item.status == "skipped" else None,
        }
        row_id = rows.get(send.key)
        if row_id is None:
            new.append(
                values
                | {
                    "key": send.key,
                    "kind": send.kind.value,
                    "subject": send.subject,
                    "period": send.period,
                    "recipient": send.recipient,
                    "step": send.step,
                    "planned_at": send.at,
                }
            )
        else:
            again.append({f"new_{k}": v for k, v in values.items()} | {"row_id": row_id})
    if new:
        session.execute(insert(table), new)
    for done in (True, False):  # a row taken up again keeps its done_at unless now skipped
        params = [p for p in again if (p["new_done_at"] is not None) is done]
        columns = ("status", "attempted_at", "late_seconds", "note") + (
            ("done_at",) if done else ()
        )
        if params:
            session.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values({c: bindparam(f"new_{c}") for c in columns}),
                params,
            )


def is_taken(status: str, attempted: datetime, now: datetime) -> bool:
    """Whether a ledger row's key is closed, or being sent right now by a live sweep."""
    return status in CLOSED or (status == "sending" and now - attempted < STALE_SENDING)


def link(session: Session, carried: list[tuple[tuple[str, ...], int]]) -> None:
    """Point ledger rows at the outbox rows that carry them (same transaction).

    ``carried`` gives each outbox row's ledger keys and its id; one statement for all.
    """
    table: Table = Delivery.__table__  # type: ignore[attr-defined]
    params = [{"ledger_key": key, "outbox": row_id} for keys, row_id in carried for key in keys]
    if params:
        session.execute(
            update(table)
            .where(table.c.key == bindparam("ledger_key"))
            .values(outbox_id=bindparam("outbox")),
            params,
        )
