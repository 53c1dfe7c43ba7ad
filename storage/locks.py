"""This module contains the PostgreSQL advisory locks that let several replicas share one bot.

Advisory locks are PostgreSQL's own named locks (PostgreSQL manual, "Advisory Locks"): a
lock taken with ``pg_advisory_xact_lock`` ends with its transaction, one taken with
``pg_try_advisory_lock`` with its session (also when the process holding it is killed, since
the server ends the session when the connection closes). Our keys are pairs of 32-bit
integers; the first says what the lock is for, so they do not meet other applications' keys.

* :data:`LEADER_KEY`: held by the leader replica for as long as it leads
  (:mod:`bot.leadership`).
* :func:`hold_person`: one person's inbound events are applied by one replica at a time, in
  the transaction of the effect (:mod:`bot.inbox`).

On SQLite there is one process (``controlbot run`` refuses a second one), whose inbox keeps
an in-process lock per person; :func:`hold_person` only takes SQLite's one write lock early.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, text
from sqlmodel import Session

LEADER_SPACE = 0x6362_0001
"""First half of the leader lock's key (``cb`` and 1)."""
PERSON_SPACE = 0x6362_0002
"""First half of a person's lock key; the second half is ``hashtext(person_id)``."""
LEADER_KEY = (LEADER_SPACE, 0)
"""The session advisory lock the leader holds."""


def is_postgres(session: Session) -> bool:
    """Whether ``session`` talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def hold_person(session: Session, person_id: str) -> bool:
    """Take ``person_id``'s lock until commit, unless another transaction holds it.

    PostgreSQL: ``pg_try_advisory_xact_lock`` (the caller waits without holding a worker
    thread, and tries again); two people whose ids hash alike merely take turns. SQLite has
    one writer at a time: the transaction takes the write lock now (waiting its busy timeout),
    so that it does not read first and then find its snapshot stale when it writes.

    Returns:
        Whether this transaction now holds the person's lock (always, on SQLite).
    """
    if not is_postgres(session):
        session.execute(text("UPDATE inbox_event SET id = id WHERE 0 = 1"))  # the write lock
        return True
    got = session.execute(
        text("SELECT pg_try_advisory_xact_lock(:space, hashtext(:person))"),
        {"space": PERSON_SPACE, "person": person_id},
    ).scalar()
    return bool(got)


def person_lock_column(person_id: ColumnElement[str]) -> ColumnElement[bool]:
    """:func:`hold_person` as a column of a PostgreSQL statement that reads a person's id.

    The inbox takes the lock in the statement that identifies the sender (one round trip
    less); evaluated once per row, all for one person, it is taken or refused as a whole
    (a transaction may take an advisory lock it holds again).
    """
    return func.pg_try_advisory_xact_lock(PERSON_SPACE, func.hashtext(person_id))
