"""This module contains the outbox's row states and timing rules.

Shared by queueing and claiming (:mod:`workflows.notices.outbox`) and settling
(:mod:`workflows.notices.outbox_settle`).
"""

from __future__ import annotations

from datetime import timedelta

QUEUED, SENDING, DELIVERED = "queued", "sending", "delivered"
UNDELIVERABLE, EXPIRED = "undeliverable", "expired"
OPEN = (QUEUED, SENDING)
FINAL = (DELIVERED, UNDELIVERABLE, EXPIRED)
STATUSES = (QUEUED, SENDING, DELIVERED, UNDELIVERABLE, EXPIRED)

SUMMARY_KINDS = ("Summary", "RollupSummary")
LEASE = timedelta(seconds=30)
"""How long a claimed row belongs to its sender; after that another sender may take it."""
BATCH = 25
"""Rows a sender claims at once (at most one per recipient), then sends one at a time: a
crash leaves the unsent ones to wait out their lease, never to be sent twice."""
REPLY_LIFETIME = timedelta(minutes=15)
"""How long a reply (anything not listed in :data:`LIFETIMES`) is retried."""
LIFETIMES: dict[str, timedelta] = {
    "Reminder": timedelta(hours=12),
    "Digest": timedelta(hours=12),
    "ActionDue": timedelta(days=1),
    "DecisionRequested": timedelta(days=3),
    "ApprovalRequested": timedelta(days=3),
    "Summary": timedelta(days=1),
    "RollupSummary": timedelta(days=1),
    "PersonUnreachable": timedelta(days=1),
    "ChannelUnreachable": timedelta(days=1),
    "DeliveryProblems": timedelta(days=1),
}
"""How long each kind of notice is retried: a reminder until about its round's next step,
a summary and an admin alert a day, a decision request three days."""
BACKOFF = (2, 5, 15, 30, 60, 120, 300, 600)
"""Seconds to wait before the n-th retry after a temporary failure (the last repeats)."""
