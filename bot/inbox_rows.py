"""This module contains the inbox's rows: recording an event, finding and claiming pending ones.

:func:`record` writes an event with the platform's id of the update (``key``) and its order
(``seq``); a second delivery of the same key finds the row and has no effect.
:func:`next_pending` gives a person's oldest unapplied event by the platform's order, and
:func:`claim` marks it applied in the transaction of its effect. :class:`bot.inbox.Inbox`
uses them; an API request is recorded with its answer (:func:`record_request`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.events import Event, encode
from storage.db import rows_touched
from storage.messages import InboxEvent
from workflows.context import Context

PENDING, DONE = "pending", "done"


@dataclass(frozen=True)
class Recorded:
    """An event in the inbox: its row, and whether it was new."""

    id: int
    new: bool
    status: str
    result: str | None = None


def record(
    session: Session,
    ctx: Context,
    event: Event,
    *,
    key: str | None,
    seq: int,
    person_id: str | None,
) -> Recorded:
    """Record ``event`` unless its ``key`` is known; returns the row and whether it is new."""
    if key is not None:
        found = session.exec(select(InboxEvent).where(col(InboxEvent.key) == key)).first()
        if found is not None:
            return Recorded(found.id or 0, False, found.status, found.result)
    row = InboxEvent(
        key=key,
        platform=event.sender.platform,
        sender=event.sender.user_id,
        person_id=person_id,
        seq=seq,
        payload=encode(event),
        status=PENDING,
        received_at=ctx.now(),
    )
    try:
        with session.begin_nested():  # two deliveries racing: the unique key lets one in
            session.add(row)
    except IntegrityError:
        return record(session, ctx, event, key=key, seq=seq, person_id=person_id)
    return Recorded(row.id or 0, True, PENDING)


def next_pending(session: Session, person_id: str) -> InboxEvent | None:
    """The person's oldest unapplied event, in the platform's order."""
    return session.exec(
        select(InboxEvent)
        .where(col(InboxEvent.person_id) == person_id, col(InboxEvent.status) == PENDING)
        .order_by(col(InboxEvent.platform), col(InboxEvent.seq), col(InboxEvent.id))
        .limit(1)
    ).first()


def pending_events(session: Session) -> list[tuple[int, str]]:
    """Events recorded but not applied, as (id, person), oldest first (a crash between)."""
    rows = session.exec(
        select(InboxEvent.id, InboxEvent.person_id)
        .where(col(InboxEvent.status) == PENDING, col(InboxEvent.person_id).is_not(None))
        .order_by(col(InboxEvent.id))
    ).all()
    return [(row_id or 0, person) for row_id, person in rows if person is not None]


def claim(session: Session, ctx: Context, row_id: int, result: str | None = None) -> bool:
    """Mark an event applied, in its effect's transaction; ``False`` if it already was."""
    done = session.execute(
        update(InboxEvent)
        .where(col(InboxEvent.id) == row_id, col(InboxEvent.status) == PENDING)
        .values(status=DONE, done_at=ctx.now(), result=result)
        .execution_options(synchronize_session=False)
    )
    return rows_touched(done) == 1


def replayed(session: Session, key: str) -> InboxEvent | None:
    """The request recorded under ``key`` (an API client's ``Idempotency-Key``), if any."""
    return session.exec(select(InboxEvent).where(col(InboxEvent.key) == key)).first()


def record_request(
    session: Session, ctx: Context, *, key: str, sender: str, digest: str, result: str
) -> None:
    """Record an applied API request and its answer, in the transaction of its effect."""
    now = ctx.now()
    session.add(
        InboxEvent(
            key=key,
            platform="api",
            sender=sender,
            seq=time.time_ns(),
            payload=digest,
            status=DONE,
            received_at=now,
            done_at=now,
            result=result,
        )
    )
