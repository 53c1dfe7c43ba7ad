"""This module contains opening many rounds at once: one statement, however many rounds.

An import opens the rounds of its values (4,208 for a national file) and a catch-up sweep's
batch the rounds it reminds of. One at a time, each round was a savepoint, an insert and an
audit entry, so that a round another process opens at the same moment is reused (issue 16:
~30 % of a catch-up batch's time). :func:`open_rounds` inserts them all with
``INSERT … ON CONFLICT DO NOTHING RETURNING`` (:func:`storage.bulk.insert_new`): a round
someone else opened meanwhile is skipped by the database instead of failing the statement,
and only the rounds this call opened come back, so only they are audited. The rounds'
columns are those of :func:`workflows.rounds.opening.round_values`, their audit entries
those of :func:`workflows.rounds.opening.ensure_round`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from storage.bulk import insert_many, insert_new
from storage.models import AuditEntry, ControlRound
from workflows import audit
from workflows.context import Context
from workflows.periods import Period
from workflows.rounds.opening import round_values

_UNIQUE = ("activity_id", "frequency", "period")
_COLUMNS = ("id", "activity_id", "frequency", "period", "due_date")


@dataclass(frozen=True)
class RoundRow:
    """A round as plain columns (what a bulk write needs of it; no ORM object).

    Attributes:
        id: The round's id.
        activity_id: Its activity.
        frequency: Its frequency (``monthly``).
        period: Its period text (``2026-10``).
        due_date: The working day its values are due.
    """

    id: int
    activity_id: str
    frequency: str
    period: str
    due_date: date


def open_rounds(
    session: Session, ctx: Context, missing: Sequence[tuple[str, Period]], actor: str
) -> list[RoundRow]:
    """Open the rounds of ``missing`` (activity id, period) pairs that nobody has opened.

    Args:
        session: The caller's transaction.
        ctx: Plan, clock and calendar (the due dates).
        missing: Rounds the caller read as not open; in the order their ids are to follow.
        actor: Who opens them (``opened_by``).

    Returns:
        The rounds this call opened, in ``missing`` order; a pair absent from it was opened
        by another process meanwhile (read it again). Nothing is audited here: see
        :func:`opened_audit`.
    """
    rows = [round_values(ctx, activity_id, period, actor) for activity_id, period in missing]
    found = {
        (r.activity_id, r.period): r
        for r in (
            RoundRow(*values)
            for values in insert_new(session.connection(), ControlRound, rows, _UNIQUE, _COLUMNS)
        )
    }
    return [r for a, p in missing if (r := found.get((a, str(p)))) is not None]


def opened_audit(
    ctx: Context, actor: str, opened: Sequence[RoundRow], **extra: object
) -> list[dict[str, Any]]:
    """The ``round.opened`` audit entries of ``opened`` as rows (what ``ensure_round`` audits).

    ``extra``: further details of every entry (``by="import"``).
    """
    at = ctx.now()
    return [
        {
            "at": at,
            "actor": actor,
            "action": "round.opened",
            "subject": f"round:{r.id}",
            "details": audit.safe_details(
                {
                    "activity": r.activity_id,
                    "period": r.period,
                    "due": r.due_date.isoformat(),
                    **extra,
                }
            ),
        }
        for r in opened
    ]


def open_and_audit(
    session: Session, ctx: Context, missing: Sequence[tuple[str, Period]], actor: str
) -> list[RoundRow]:
    """:func:`open_rounds`, and their audit entries written in one ``executemany``."""
    opened = open_rounds(session, ctx, missing, actor)
    if opened:
        insert_many(session.connection(), AuditEntry, opened_audit(ctx, actor, opened))
    return opened
