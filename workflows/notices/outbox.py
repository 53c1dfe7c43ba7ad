"""This module contains the outbox: every notice is queued durably before it is sent.

:func:`enqueue` writes the notices a domain operation returned in the same transaction as
the operation itself, so a committed change always has its messages, and a rolled-back one
none. A sender (``bot``) then :func:`claim` s queued rows one at a time, delivers them and
records the outcome with :func:`delivered`, :func:`undeliverable` or :func:`retry_later`.

Guarantees (see the README's delivery paragraph):

* a row is claimed by one sender at a time, under a lease (:data:`LEASE`); a sender that
  dies mid-send leaves the row ``sending`` until the lease runs out, then it is sent again —
  the one window where a message may repeat, at most one message per crash because a sender
  has one message in flight;
* one recipient's messages go out in the order they were queued: a row waits while an
  earlier row to the same recipient is still queued or being sent;
* a message is retried with back-off until its kind's lifetime (:data:`LIFETIMES`) runs
  out, then it is ``expired``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, func, insert, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.db import rows_touched
from storage.messages import OutboxMessage
from workflows.context import Context
from workflows.notices import (
    Outgoing,
    ToChannel,
    ToPerson,
)
from workflows.notices import codec as notice_codec
from workflows.notices.outbox_settle import delivered, held, retry_later, undeliverable
from workflows.notices.outbox_states import (
    BACKOFF,
    BATCH,
    DELIVERED,
    EXPIRED,
    FINAL,
    LEASE,
    LIFETIMES,
    OPEN,
    QUEUED,
    REPLY_LIFETIME,
    SENDING,
    STATUSES,
    SUMMARY_KINDS,
    UNDELIVERABLE,
)

_LOGGER = logging.getLogger(__name__)

__all__ = [  # re-exported: callers use workflows.notices.outbox as the outbox's one name
    "BACKOFF",
    "BATCH",
    "DELIVERED",
    "EXPIRED",
    "FINAL",
    "LEASE",
    "LIFETIMES",
    "OPEN",
    "QUEUED",
    "REPLY_LIFETIME",
    "SENDING",
    "STATUSES",
    "SUMMARY_KINDS",
    "UNDELIVERABLE",
    "delivered",
    "retry_later",
    "undeliverable",
]


def enqueue(
    session: Session,
    ctx: Context,
    items: Iterable[Outgoing],
    *,
    origin: str | None = None,
    via: str | None = None,
    batch: str | None = None,
    hold: timedelta | None = None,
) -> list[int]:
    """Queue ``items`` in the caller's transaction, in order.

    The rows are written with one ``INSERT … RETURNING`` for all of them (a sweep queues a
    few hundred at once; building an ORM object per message was most of a batch's time,
    issue 16).

    Args:
        session: The transaction of the change that produced the items.
        ctx: For the clock.
        items: What to send.
        origin: Who caused them (a person id, ``scheduler``, ``system``).
        via: The platform ``origin`` wrote on: replies to them go back there.
        batch: A fan-out's id, when its outcome is to be reported to ``origin``.
        hold: Keep the rows back this long (an acknowledgement waiting for its fan-out's
            outcome, :func:`release`).

    Returns:
        The new rows' ids, in the order of ``items``.
    """
    return _insert(session, _rows(ctx.now(), items, origin, via, batch, hold))


def enqueue_claimed(
    session: Session, ctx: Context, items: Iterable[Outgoing], *, origin: str, via: str | None
) -> list[OutboxMessage]:
    """Queue replies that this sender delivers itself right after the commit.

    The rows are written already claimed (``sending`` under a :data:`LEASE`, one attempt
    counted), as :func:`claim` would leave them, so no other sender takes them and no
    separate claim is needed; if the process dies before recording the outcome, the lease
    runs out and another sender delivers them (the one repeat a crash may cause). The
    caller must know that no earlier row to the same recipient is still open (per-recipient
    order); replies to ``origin`` only.

    Returns:
        The rows (detached, with their ids), in the order of ``items``.
    """
    now = ctx.now()
    rows = _rows(now, items, origin, via, None, None)
    for row in rows:
        if row["status"] == QUEUED:
            row.update(status=SENDING, lease_until=now + LEASE, attempts=1)
    ids = _insert(session, rows)
    return [OutboxMessage(id=row_id, **row) for row_id, row in zip(ids, rows, strict=True)]


def _rows(
    now: datetime,
    items: Iterable[Outgoing],
    origin: str | None,
    via: str | None,
    batch: str | None,
    hold: timedelta | None,
) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        notice = item.notice
        kind = type(notice).__name__
        try:
            payload = notice_codec.encode(notice)
        except TypeError:  # a programming error: recorded as such, the others still go
            _LOGGER.exception("cannot queue %s: the notice cannot be stored", kind)
            payload = "null"
        to_person = isinstance(item.to, ToPerson)
        recipient = item.to.person_id if isinstance(item.to, ToPerson) else item.to.channel_id
        rows.append(
            {
                "key": None,
                "recipient_kind": "person" if to_person else "channel",
                "recipient": recipient,
                "kind": kind,
                "activity_id": _text(getattr(notice, "activity_id", None)),
                "period": _text(getattr(notice, "period", None)),
                "payload": payload,
                "via": via if to_person and recipient == origin else None,
                "platform": None,
                "origin": origin,
                "batch": batch,
                "status": QUEUED if payload != "null" else UNDELIVERABLE,
                "reason": None if payload != "null" else "render_failed",
                "created_at": now,
                "not_before": now + (hold or timedelta()),
                "expires_at": now + (hold or timedelta()) + LIFETIMES.get(kind, REPLY_LIFETIME),
                "lease_until": None,
                "delivered_at": None,
                "attempts": 0,
                "last_error": None,
                "address": None,
                "platform_message_id": None,
            }
        )
    return rows


def _insert(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    table: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
    found = session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    ).scalars()
    return list(found)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def outgoing(row: OutboxMessage) -> Outgoing:
    """The :class:`Outgoing` a row holds.

    Raises:
        workflows.notices.codec.CodecError: If the notice cannot be rebuilt.
    """
    to = ToPerson(row.recipient) if row.recipient_kind == "person" else ToChannel(row.recipient)
    return Outgoing(to, notice_codec.decode(row.payload))


def claim(
    session: Session, now: datetime, *, ids: Sequence[int] | None = None, limit: int = 1
) -> list[OutboxMessage]:
    """Take up to ``limit`` rows that may be sent now, oldest first, under a lease.

    A row may be sent when it is queued and due (or its sender's lease ran out) and no
    earlier row to the same recipient is still open. Rows past their lifetime are closed as
    ``expired`` first; a caller naming its rows (``ids``) takes them without that pass when
    they are claimable anyway (one statement less per reply; issue 16).

    Args:
        session: A transaction of the sender's own.
        now: The current time.
        ids: Only these rows (a caller delivering what it just queued).
        limit: The most rows to take.

    Returns:
        The claimed rows, now ``sending`` with ``attempts`` counted.
    """
    query = _claimable(ids is not None, limit)
    params: dict[str, object] = {"now": now} | ({"ids": list(ids)} if ids is not None else {})
    candidates = session.exec(query, params=params).all() if ids is not None else []
    if not candidates:  # rows past their lifetime may hold a recipient's turn: close them
        expire(session, now)
        candidates = session.exec(query, params=params).all()
    if not candidates:
        return []
    taken = session.execute(  # one statement; a row another sender took meanwhile is skipped
        _TAKE, {"now": now, "taken": [r.id for r in candidates], "lease": now + LEASE}
    )
    got = set(taken.scalars().all())
    claimed = []
    for row in candidates:
        if row.id in got:
            session.expunge(row)  # as the UPDATE left it, without reading it again
            row.status, row.lease_until, row.attempts = SENDING, now + LEASE, row.attempts + 1
            claimed.append(row)
    return claimed


_READY = or_(  # queued and due, or claimed by a sender whose lease ran out
    and_(col(OutboxMessage.status) == QUEUED, col(OutboxMessage.not_before) <= bindparam("now")),
    and_(col(OutboxMessage.status) == SENDING, col(OutboxMessage.lease_until) < bindparam("now")),
)
_HEADS = (  # each recipient's oldest open row: only it may go (per-recipient order)
    select(func.min(OutboxMessage.id))
    .where(col(OutboxMessage.status).in_(OPEN))
    .group_by(col(OutboxMessage.recipient_kind), col(OutboxMessage.recipient))
)
_TAKE = (  # statements built once (issue 16): a claim per reply was 1-2 ms of building them
    update(OutboxMessage)
    .where(col(OutboxMessage.id).in_(bindparam("taken", expanding=True)), _READY)
    .values(status=SENDING, lease_until=bindparam("lease"), attempts=OutboxMessage.attempts + 1)
    .returning(col(OutboxMessage.id))
    .execution_options(synchronize_session=False)
)
_EXPIRE = (
    update(OutboxMessage)
    .where(col(OutboxMessage.status) == QUEUED, col(OutboxMessage.expires_at) < bindparam("now"))
    .values(status=EXPIRED, lease_until=None)
    .execution_options(synchronize_session=False)
)


@functools.cache
def _claimable(only_ids: bool, limit: int) -> SelectOfScalar[OutboxMessage]:
    """The claim's candidates (``:now``; ``:ids`` when ``only_ids``), built once per shape."""
    query = select(OutboxMessage).where(col(OutboxMessage.id).in_(_HEADS), _READY)
    if only_ids:  # the rows named, none past its lifetime (those :func:`expire` closes)
        query = query.where(
            col(OutboxMessage.id).in_(bindparam("ids", expanding=True)),
            or_(
                col(OutboxMessage.status) == SENDING,
                col(OutboxMessage.expires_at) >= bindparam("now"),
            ),
        )
    return query.order_by(col(OutboxMessage.id)).limit(limit)


def busy(session: Session, *, ids: Sequence[int], now: datetime) -> bool:
    """Whether any of ``ids`` is due but held: behind another row, or being sent elsewhere."""
    if not ids:
        return False
    due = and_(col(OutboxMessage.status) == QUEUED, col(OutboxMessage.not_before) <= now)
    held = and_(col(OutboxMessage.status) == SENDING, col(OutboxMessage.lease_until) >= now)
    query = select(OutboxMessage.id).where(col(OutboxMessage.id).in_(list(ids)), or_(due, held))
    return session.exec(query.limit(1)).first() is not None


def give_back(session: Session, *, rows: Sequence[OutboxMessage]) -> None:
    """Return claimed rows that were not attempted (a sender stopping) to the queue.

    Only rows still under the lease this sender wrote (``row.lease_until``): a row whose
    lease ran out may be another sender's now, in flight there, and must stay its own.
    """
    for row in rows:
        session.execute(
            update(OutboxMessage)
            .where(held(row.id, row.lease_until))
            .values(status=QUEUED, lease_until=None, attempts=OutboxMessage.attempts - 1)
            .execution_options(synchronize_session=False)
        )


def lease_short(row: OutboxMessage, now: datetime) -> bool:
    """Whether half of a claimed row's lease has passed (:func:`keep_claim` it first)."""
    return row.lease_until is not None and row.lease_until - now <= LEASE / 2


def keep_claim(session: Session, rows: Sequence[OutboxMessage], now: datetime) -> bool:
    """Extend this sender's lease on ``rows`` it claimed and has not sent yet.

    A batch is sent one row at a time under one :data:`LEASE`; a slow platform (an SMTP
    server, a chat API's limits) can take longer than that, and another sender would take
    the rows whose lease ran out and send them a second time. A row is still this sender's
    while it is ``sending`` with the very lease this sender wrote (``row.lease_until``);
    its lease becomes ``now + LEASE`` (also set on ``row``).

    Returns:
        Whether the first row is still this sender's (else another sender's now).
    """
    lease = now + LEASE
    for row in rows:
        renew = (
            update(OutboxMessage).where(held(row.id, row.lease_until)).values(lease_until=lease)
        )
        if rows_touched(session.execute(renew.execution_options(synchronize_session=False))):
            row.lease_until = lease
    return bool(rows) and rows[0].lease_until == lease


def expire(session: Session, now: datetime) -> int:
    """Close queued rows whose lifetime ran out; returns how many."""
    return rows_touched(session.execute(_EXPIRE, {"now": now}))


def by_ids(session: Session, ids: Sequence[int]) -> list[OutboxMessage]:
    """The rows with these ids, in id order."""
    if not ids:
        return []
    query = select(OutboxMessage).where(col(OutboxMessage.id).in_(list(ids)))
    return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def open_count(session: Session) -> int:
    """How many rows are still queued or being sent."""
    rows = session.exec(select(OutboxMessage.id).where(col(OutboxMessage.status).in_(OPEN)))
    return len(rows.all())
