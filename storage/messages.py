"""This module contains the tables of every message in and out: the outbox and the inbox.

:class:`OutboxMessage` is the one record of what the bot sent or could not send: every
notice to a person or a team channel is written in the same transaction as the change that
caused it, then delivered by a sender, and ends ``delivered`` (with the platform's message
id), ``undeliverable`` (with the reason) or ``expired``. :class:`InboxEvent` records every
inbound update before its effect, so a re-delivery has no second effect and one person's
inputs are applied in the platform's order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _utc(nullable: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


class OutboxMessage(SQLModel, table=True):
    """One notice to deliver to one recipient (on one platform once it is split).

    ``status``: ``queued`` (waiting, ``not_before`` says when it may be tried), ``sending``
    (claimed by a sender until ``lease_until``), ``delivered``, ``undeliverable`` (``reason``
    says why: ``no_account``, ``blocked``, ``not_in_channel``, ``channel_gone``,
    ``not_bound``, ``render_failed``), ``expired`` (retried until ``expires_at`` without
    success) or ``split`` (a team channel bound on several platforms: one row per platform
    took its place).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_recipient", "recipient_kind", "recipient", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=300, unique=True)
    """Idempotency key (a scheduled send's ledger key), or ``None``."""
    recipient_kind: str = Field(max_length=8)
    """``person`` or ``channel``."""
    recipient: str = Field(max_length=80)
    kind: str = Field(max_length=40)
    """The notice's class name (``Reminder``, ``SummaryPosted``…)."""
    activity_id: str | None = Field(default=None, max_length=64)
    period: str | None = Field(default=None, max_length=16)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    """The notice as JSON (:mod:`workflows.notices.codec`)."""
    via: str | None = Field(default=None, max_length=16)
    """The platform a reply goes back to (the one the person wrote on), if any."""
    platform: str | None = Field(default=None, max_length=16)
    """Fixed platform (a split team-channel row), or where it was delivered."""
    origin: str | None = Field(default=None, max_length=80)
    """Who caused it: a person id, ``scheduler`` or ``system``."""
    batch: str | None = Field(default=None, max_length=64, index=True)
    """Groups a fan-out whose outcome is reported to the person who started it."""
    status: str = Field(default="queued", max_length=16, index=True)
    created_at: datetime = _utc()
    not_before: datetime = _utc()
    expires_at: datetime = _utc()
    lease_until: datetime | None = _utc(nullable=True)
    delivered_at: datetime | None = _utc(nullable=True)
    attempts: int = 0
    reason: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=300)
    address: str | None = Field(default=None, max_length=160)
    """Where it went (``platform:kind:target``)."""
    platform_message_id: str | None = Field(default=None, max_length=128)


class InboxEvent(SQLModel, table=True):
    """One inbound update, recorded before its effect.

    ``status``: ``pending`` (recorded, not yet applied), ``done`` (applied: its effect and
    its replies were committed in one transaction) or ``failed`` (applying it raised; the
    person was told). ``seq`` is the platform's own order (Telegram ``update_id``, Slack's
    event time in microseconds); one sender's events are applied in ``seq`` order.
    """

    __tablename__ = "inbox_event"
    __table_args__ = (Index("ix_inbox_sender", "platform", "sender", "status", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=200, unique=True)
    """The platform's id of the update (``telegram:<update_id>``, ``slack:<event_id>``,
    ``api:<Idempotency-Key>``), or ``None`` where the platform gives none (the console)."""
    platform: str = Field(max_length=16)
    sender: str = Field(max_length=128)
    person_id: str | None = Field(default=None, max_length=64, index=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=16)
    received_at: datetime = _utc()
    done_at: datetime | None = _utc(nullable=True)
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """What the effect answered, for a caller that repeats the request (the API)."""
