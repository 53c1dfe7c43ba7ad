"""This module contains the administrators' lists as sheets: people, channels, deliveries.

Like :mod:`bot.web.sheets`, each takes what its page rendered and makes one row per row of
the page's table; a list that the page splits into pages downloads whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.exchange.sheet import Cell, Sheet
from bot.render import ledger
from bot.render.context import RenderContext
from storage.messages import OutboxMessage
from storage.models import ChannelBinding
from workflows.plan.schema import Channel
from workflows.reports.reach import PersonReach

PEOPLE = (
    "person",
    "name",
    "in_plan",
    "platforms",
    "last_seen_at",
    "refused_platforms",
    "refused_since",
    "reachable",
    "open_invites",
    "invites_until",
)
"""One row per person: their chat accounts (space-separated platforms), the latest time
they wrote on any, the platforms that refused them and since when (the earliest)."""
CHANNELS = (
    "channel",
    "channel_label",
    "telegram_chat_id",
    "slack_channel_id",
    "bound_in_chat",
    "bound_at",
    "refused_since",
)
"""One row per team channel of the plan; ``bound_in_chat`` lists ``platform target`` pairs."""
DELIVERIES = (
    "id",
    "queued_at",
    "kind",
    "kind_label",
    "activity",
    "period",
    "recipient_kind",
    "recipient",
    "recipient_name",
    "status",
    "status_label",
    "delivered_at",
    "note",
)
"""One row per message of the delivery record, newest first: ``kind`` and ``status`` as
stored, their ``*_label`` and ``note`` (the reason, else the last error) in the reader's
language."""
WIDE = {"name": 24, "channel_label": 28, "recipient_name": 24, "note": 48}


def people_sheet(people: Sequence[PersonReach]) -> Sheet:
    """The people page's people, in its order (every page of them)."""
    rows: list[list[Cell]] = []
    for p in people:
        seen = [a.last_seen_at for a in p.accounts if a.last_seen_at is not None]
        refused = [a for a in p.accounts if a.unreachable_since is not None]
        since = [a.unreachable_since for a in refused if a.unreachable_since is not None]
        rows.append(
            [
                p.person_id,
                p.name,
                p.active,
                " ".join(a.platform for a in p.accounts),
                max(seen, default=None),
                " ".join(a.platform for a in refused),
                min(since, default=None),
                p.reachable,
                Decimal(p.open_invites),
                p.invite_expires_at,
            ]
        )
    return Sheet("people", PEOPLE, rows, widths=WIDE)


def channels_sheet(
    channels: Sequence[Channel], bindings: Sequence[ChannelBinding], rc: RenderContext
) -> Sheet:
    """The team channels of the plan and the chats they were bound to."""
    rows: list[list[Cell]] = []
    for c in channels:
        bound = [b for b in bindings if b.channel_id == c.id]
        refused = [b.unreachable_since for b in bound if b.unreachable_since is not None]
        rows.append(
            [
                c.id,
                c.label.get(rc.t.lang),
                None if c.telegram_chat_id is None else str(c.telegram_chat_id),
                c.slack_channel_id,
                "; ".join(f"{b.platform} {b.target}" for b in bound),
                max((b.bound_at for b in bound), default=None),
                min(refused, default=None),
            ]
        )
    return Sheet("channels", CHANNELS, rows, widths=WIDE)


def deliveries_sheet(messages: Sequence[OutboxMessage], rc: RenderContext) -> Sheet:
    """The delivery record's entries the page lists, newest first."""
    rows: list[list[Cell]] = [
        [
            None if m.id is None else str(m.id),
            m.created_at,
            m.kind,
            ledger.kind_name(m.kind, rc.t),
            m.activity_id,
            m.period,
            m.recipient_kind,
            m.recipient,
            rc.person(m.recipient) if m.recipient_kind == "person" else rc.channel(m.recipient),
            m.status,
            ledger.state_name(m.status, rc.t),
            m.delivered_at,
            ledger.note(m.reason, m.last_error, rc.t),
        ]
        for m in messages
    ]
    return Sheet("deliveries", DELIVERIES, rows, widths=WIDE)
