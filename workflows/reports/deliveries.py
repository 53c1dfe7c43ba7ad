"""This module contains what the outbox record tells people: outcomes, digests, the listing.

The acknowledgement of a fan-out (``RoundOpened``, ``SummaryPosted``) is held until its
rows have an outcome (:func:`outcome`, :func:`release`), so the bot's word holds; the admin
channel gets at most one digest a day of what could not be delivered
(:func:`problems_digest`); ``/status`` names the people the robot cannot reach
(:func:`unreachable_people`); ``controlbot deliveries`` lists the record (:func:`listing`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from storage.messages import OutboxMessage
from storage.models import Delivery
from workflows.context import Context
from workflows.notices import (
    DeliveryOutcome,
    DeliveryProblems,
    Outgoing,
    ToPerson,
    Unreached,
)
from workflows.notices import codec as notice_codec
from workflows.notices.outbox import DELIVERED, EXPIRED, FINAL, OPEN, QUEUED, UNDELIVERABLE, by_ids
from workflows.people import reachability

REPORTED = ("RoundOpened", "SummaryPosted")
"""Acknowledgements that say what became of the fan-out they came with (``delivery``)."""
HELD = timedelta(minutes=2)
"""How long an acknowledgement waits for its fan-out's outcome before it goes out as it is
(a sender that died before reporting)."""


def split_reported(
    items: Sequence[Outgoing], actor: str
) -> tuple[list[Outgoing], list[Outgoing], list[Outgoing]]:
    """``items`` as (replies to ``actor``, the fan-out to others, reported acknowledgements).

    The acknowledgements are only set apart when there is a fan-out to report on.
    """
    me = ToPerson(actor)
    fanout = [i for i in items if i.to != me]
    acks = [i for i in items if i.to == me and type(i.notice).__name__ in REPORTED]
    if not fanout or not acks:
        return [i for i in items if i.to == me], fanout, []
    return [i for i in items if i.to == me and i not in acks], fanout, acks


def outcome(session: Session, batch: str) -> DeliveryOutcome:
    """What became of the rows of ``batch``: who was reached, who not and why."""
    rows = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.batch) == batch)
        .order_by(col(OutboxMessage.id))
    ).all()
    delivered = tuple(dict.fromkeys(r.recipient for r in rows if r.status == DELIVERED))
    unreached = tuple(
        Unreached(r.recipient, r.recipient_kind, _reason(r))
        for r in rows
        if r.status != DELIVERED and r.recipient not in delivered
    )
    return DeliveryOutcome(delivered, unreached)


def _reason(row: OutboxMessage) -> str:
    if row.status in OPEN:
        return "queued"
    if row.status == EXPIRED:
        return EXPIRED
    return row.reason or "render_failed"


def release(session: Session, ctx: Context, ids: Sequence[int], found: DeliveryOutcome) -> None:
    """Put the fan-out's ``found`` outcome into held acknowledgements and let them go now."""
    for row in by_ids(session, ids):
        if row.status != QUEUED:
            continue
        notice = notice_codec.decode(row.payload)
        if hasattr(notice, "delivery"):
            row.payload = notice_codec.encode(replace(notice, delivery=found))
        row.not_before = ctx.now()
        session.add(row)


def listing(
    session: Session,
    *,
    person: str | None = None,
    status: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[OutboxMessage]:
    """The record of messages (``controlbot deliveries``), oldest first.

    Args:
        session: A session.
        person: Only messages to this person (or team channel) id.
        status: Only rows in this state (one of :data:`STATUSES`).
        start: Only messages queued at or after this instant.
        end: Only messages queued before this instant.
    """
    query = select(OutboxMessage)
    if person is not None:
        query = query.where(col(OutboxMessage.recipient) == person)
    if status is not None:
        query = query.where(col(OutboxMessage.status) == status)
    if start is not None:
        query = query.where(col(OutboxMessage.created_at) >= start)
    if end is not None:
        query = query.where(col(OutboxMessage.created_at) < end)
    return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


DIGEST_KIND = "digest"
"""Ledger kind of the admin channel's daily digest of what could not be delivered."""


def problems_digest(session: Session, ctx: Context, now: datetime) -> list[Outgoing]:
    """At most once a (local) day: who and what could not be reached in the last day.

    Returns:
        A :class:`DeliveryProblems` for the plan's admin channel, or nothing (already sent
        today, nothing failed, or no admin channel).
    """
    day = now.astimezone(ctx.timezone).date()
    key = f"{DIGEST_KIND}:undelivered:{day.isoformat()}"
    if session.exec(select(Delivery.id).where(col(Delivery.key) == key)).first() is not None:
        return []
    rows = session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.status).in_((UNDELIVERABLE, EXPIRED)),
            col(OutboxMessage.created_at) >= now - timedelta(days=1),
            col(OutboxMessage.kind) != "DeliveryProblems",
        )
        .order_by(col(OutboxMessage.id))
    ).all()
    found = tuple(
        dict.fromkeys(Unreached(r.recipient, r.recipient_kind, _reason(r)) for r in rows)
    )
    if not found:
        return []
    items = reachability.to_admin_channel(ctx, None, DeliveryProblems(found))
    if items:
        session.add(
            Delivery(
                key=key,
                kind=DIGEST_KIND,
                subject="admin",
                period=day.isoformat(),
                recipient=ctx.plan.plan.admin_channel,
                step=0,
                planned_at=now,
                status="queued",
                attempted_at=now,
            )
        )
    return items


def unreachable_people(session: Session, people: Sequence[str]) -> tuple[Unreached, ...]:
    """Of ``people``, those whose latest message could not be delivered, with the reason."""
    if not people:
        return ()
    rows = session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.recipient_kind) == "person",
            col(OutboxMessage.recipient).in_(list(people)),
            col(OutboxMessage.status).in_(FINAL),
        )
        .order_by(col(OutboxMessage.id).desc())
    ).all()
    latest: dict[str, OutboxMessage] = {}
    for row in rows:
        latest.setdefault(row.recipient, row)
    return tuple(
        Unreached(p, "person", _reason(latest[p]))
        for p in people
        if p in latest and latest[p].status != DELIVERED
    )
