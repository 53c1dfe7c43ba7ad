"""This module contains enrolment: one-time invite codes that link a chat account to a person.

An administrator makes a code per person (``controlbot invite``); the person opens the
deep link (a platform's ``/start <code>``) and their chat account is linked
(:func:`workflows.people.accounts.link`). A code works once
and expires; only its SHA-256 digest is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.db import rows_touched
from storage.models import Invite, Person
from workflows import audit
from workflows.context import Context
from workflows.people.accounts import is_linked, link

DEFAULT_VALIDITY = timedelta(days=14)
"""How long an invite code works unless the administrator says otherwise."""
CODE_BYTES = 12
"""Random bytes per code: 16 URL-safe characters, short enough for any platform's deep link
(the shortest limit today is 64 characters)."""


class UnknownPerson(LookupError):
    """No active person of the plan has this id."""


@dataclass(frozen=True)
class Issued:
    """A fresh invite: the code to hand out once, and when it stops working."""

    person_id: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Linked:
    """A chat account is now linked to ``person_id`` (``already``: it was linked before)."""

    person_id: str
    already: bool = False


@dataclass(frozen=True)
class Refused:
    """A code that cannot be used: ``unknown``, ``used`` or ``expired``."""

    reason: Literal["unknown", "used", "expired"]


def digest(code: str) -> str:
    """The stored form of a code: hex SHA-256 of its text (any text, even broken Unicode)."""
    return hashlib.sha256(code.strip().encode("utf-8", "replace")).hexdigest()


def issue(
    session: Session, ctx: Context, person_id: str, valid_for: timedelta = DEFAULT_VALIDITY
) -> Issued:
    """Make a one-time code for ``person_id``.

    Earlier unused codes of the person keep working until they expire.

    Raises:
        UnknownPerson: If the person is not in the plan (or has left it).
    """
    person = session.get(Person, person_id)
    if person is None or not person.active:
        raise UnknownPerson(person_id)
    code = secrets.token_urlsafe(CODE_BYTES)
    now = ctx.now()
    invite = Invite(
        code_digest=digest(code), person_id=person_id, created_at=now, expires_at=now + valid_for
    )
    session.add(invite)
    audit.record(session, ctx, "system", "invite.issued", f"person:{person_id}")
    return Issued(person_id, code, invite.expires_at)


def redeem(
    session: Session,
    ctx: Context,
    code: str,
    platform: str,
    external_id: str,
    client_language: str | None = None,
) -> Linked | Refused:
    """Link the chat account ``platform``/``external_id`` to the person of ``code``.

    The person's earlier account on the same platform is unlinked (DMs go to the new one).
    The code is claimed with one conditional ``UPDATE … WHERE used_at IS NULL``, so of two
    accounts sending the same code at once exactly one wins, on SQLite as on PostgreSQL.
    The account that used the code, still linked to its person, is told it is linked
    already; anyone else gets ``used``.
    """
    invite = session.exec(select(Invite).where(col(Invite.code_digest) == digest(code))).first()
    account = f"{platform}:{external_id}"
    if invite is None:
        return Refused("unknown")
    if invite.used_at is not None:
        if invite.used_by == account and is_linked(
            session, invite.person_id, platform, external_id
        ):
            link(session, ctx, invite.person_id, platform, external_id, client_language)
            return Linked(invite.person_id, already=True)
        return Refused("used")
    now = ctx.now()
    if invite.expires_at <= now:
        return Refused("expired")
    person = session.get(Person, invite.person_id)
    if person is None or not person.active:
        return Refused("unknown")
    claimed = session.execute(
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
        .values(used_at=now, used_by=account)
        .execution_options(synchronize_session="fetch")
    )
    if rows_touched(claimed) != 1:  # another account claimed it a moment ago
        return Refused("used")
    link(session, ctx, invite.person_id, platform, external_id, client_language)
    return Linked(invite.person_id)
