"""This module contains the inbox's short path: an event recorded and applied in one transaction.

When this process may apply a person's event straight away, one transaction identifies the
sender, records the event as already applied, applies it and queues its replies; the
replies to the person are queued already claimed and delivered right after the commit,
each outcome recorded in one statement (issue 16: a typed value was 8 transactions and 24
statements through the inbox and the outbox; see BENCHMARKS.md, "Form step").

"Straight away" means: the platform delivers one person's updates in order (no hold), the
update's key is not recorded yet, no event of the person is pending in the database, and on
PostgreSQL the person's advisory lock is free (:mod:`storage.locks`; on SQLite the
transaction holds the one write lock). All of it but the first is read in the one statement
that identifies the sender (:func:`workflows.people.accounts.identify_at_once`), so no
in-process lock is needed: a drain of the same person in this process applies its events in
transactions of its own under the same database lock, and while any is pending this one
waits behind it. Otherwise the same transaction records
the event as pending and :class:`bot.inbox.Inbox` applies it the usual way, as it does when
the effect raises here (the transaction is undone and the event recorded and applied again,
in a savepoint that turns the failure into a message).

The inbox's promises hold: the event and its effect commit together, so a re-delivered key
finds it and has no second effect, and kill -9 loses nothing committed; one person's events
take effect in order (a pending one sends the event the usual way, behind it). The outbox's
too: replies are claimed in the transaction only when no earlier message to the person is
open; a process killed before recording the outcome leaves them ``sending`` until the lease
runs out, and another sender delivers them — a row ends ``delivered`` only once delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Table, func, insert, literal, select, true
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bot.events import Event, encode
from bot.inbox_rows import DONE, PENDING
from bot.outbox import Outbox
from bot.outbox_rows import Claimed, Queued
from storage.locks import is_postgres, person_lock_column
from storage.messages import InboxEvent, OutboxMessage
from workflows.context import Context
from workflows.notices import Outgoing
from workflows.notices import outbox as queue
from workflows.people import accounts
from workflows.reports import deliveries as reports

_INBOX: Table = InboxEvent.__table__  # type: ignore[attr-defined]
_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]


class EffectFailed(Exception):
    """The effect raised on the short path: the transaction is undone, the usual path runs."""


@dataclass(frozen=True)
class Applied:
    """An event applied on the short path: its notices and what to send after the commit.

    Attributes:
        person_id: Whose event it was.
        items: Every notice the event produced.
        shown: Those shown as an alert where the button was pressed.
        claimed: Replies queued already claimed, with their routes: delivered at once.
        queued: The fan-out, its held acknowledgements, and replies that had to queue.
    """

    person_id: str
    items: list[Outgoing]
    shown: list[Outgoing]
    claimed: list[Claimed]
    queued: Queued


@dataclass(frozen=True)
class Deferred:
    """An event recorded as pending for the usual path (``new``: not a repeated key)."""

    person_id: str
    row_id: int
    new: bool


Record = Callable[[Session, Event, str], Deferred]
"""Records an event as pending the usual way (:func:`bot.inbox.record`)."""


def _extra(person: ColumnElement[str], *, key: str | None, postgres: bool) -> list[Any]:
    """What the identifying statement also reads: pending events, open messages, key, lock."""
    pending = (
        select(func.count())
        .where(_INBOX.c.person_id == person, _INBOX.c.status == PENDING)
        .scalar_subquery()
    )
    open_rows = (
        select(func.count())
        .where(
            _OUTBOX.c.recipient_kind == "person",
            _OUTBOX.c.recipient == person,
            _OUTBOX.c.status.in_(queue.OPEN),
        )
        .scalar_subquery()
    )
    known = (
        select(func.count()).where(_INBOX.c.key == key).scalar_subquery()
        if key is not None
        else literal(0)
    )
    return [pending, open_rows, known, person_lock_column(person) if postgres else true()]


def apply_now(
    session: Session,
    *,
    ctx: Context,
    outbox: Outbox,
    apply: Callable[[Session, str, Event], list[Outgoing]],
    shows: Callable[[Outgoing, str], bool],
    record: Record,
    event: Event,
    key: str | None,
    seq: int,
) -> Applied | Deferred | None:
    """The short path's transaction for ``event``; ``None`` when the sender is not enrolled.

    Args:
        session: The transaction.
        ctx: Plan and clock.
        outbox: Queues the replies and gives their routes.
        apply: The dispatcher's routing of one event.
        shows: Whether a notice is shown as an alert (only when the platform gave one).
        record: Records the event as pending when it cannot be applied at once.
        event: What arrived.
        key: The platform's id of the update, if any.
        seq: The platform's order of the update.

    Raises:
        EffectFailed: If applying the event raised (the caller undoes the transaction).
    """
    sender = event.sender
    extra = partial(_extra, key=key, postgres=is_postgres(session))
    seen = accounts.identify_at_once(
        session,
        ctx,
        sender.platform,
        sender.user_id,
        private=sender.chat is None,
        client_language=sender.client_language,
        extra=extra,
    )
    if seen is None:
        return None
    person_id = seen.person_id
    pending, open_rows, known, locked = seen.extra
    if pending or known or not locked:
        return record(session, event, person_id)
    now = ctx.now()
    session.execute(
        insert(_INBOX).values(
            key=key,
            platform=sender.platform,
            sender=sender.user_id,
            person_id=person_id,
            seq=seq,
            payload=encode(event),
            status=DONE,
            received_at=now,
            done_at=now,
        )
    )
    try:
        items = apply(session, person_id, event)
    except OperationalError:
        raise  # the database is busy: the whole transaction is tried again
    except Exception as exc:
        raise EffectFailed from exc
    shown = [i for i in items if shows(i, person_id)]
    rest = [i for i in items if all(i is not s for s in shown)]
    replies, _fanout, _acks = reports.split_reported(rest, person_id)
    via = sender.platform
    if open_rows or not replies:
        queued = outbox.enqueue_reported(session, rest, person_id, via)
        return Applied(person_id, items, shown, [], queued)
    rows = queue.enqueue_claimed(session, ctx, replies, origin=person_id, via=via)
    route = outbox.router.person_routes(session, [(person_id, via)])[0]
    claimed = [
        Claimed(row, item, [route] if route is not None else [])
        for row, item in zip(rows, replies, strict=True)
        if row.status == queue.SENDING
    ]
    others = [i for i in rest if all(i is not r for r in replies)]
    queued = outbox.enqueue_reported(session, others, person_id, via)
    return Applied(person_id, items, shown, claimed, queued)
