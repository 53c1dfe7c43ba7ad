"""This module contains web access: one-time sign-in links asked for in chat, and sessions.

``/web`` in chat issues a link token bound to the person (ten minutes, one use); opening it
starts a session (eight hours, or until signing out). Only SHA-256 digests of the tokens are
stored. A link or a session of a person who left the plan (inactive) or was erased works no
more: every use checks the person, and erasing deletes their rows (:func:`forget`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.db import rows_touched
from storage.models import Person
from storage.web import WebSession, WebSignIn
from workflows import audit
from workflows.context import Context

LINK_VALIDITY = timedelta(minutes=10)
"""How long a sign-in link works (issue 17)."""
SESSION_VALIDITY = timedelta(hours=8)
"""How long a web session lasts without signing out: one working day."""
TOKEN_BYTES = 32


@dataclass(frozen=True)
class SignInLink:
    """A fresh sign-in token to put in a link once, and when it stops working."""

    person_id: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class WebUser:
    """The person a web session belongs to."""

    person_id: str
    session_id: int
    expires_at: datetime


def digest(token: str) -> str:
    """The stored form of a token: hex SHA-256 of its text."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _active(session: Session, person_id: str) -> bool:
    person = session.get(Person, person_id)
    return person is not None and person.active


def issue_link(session: Session, ctx: Context, person_id: str) -> SignInLink | None:
    """Make a one-time sign-in token for ``person_id`` (``None`` if they are not active)."""
    if not _active(session, person_id):
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = ctx.now()
    row = WebSignIn(
        token_digest=digest(token),
        person_id=person_id,
        created_at=now,
        expires_at=now + LINK_VALIDITY,
    )
    session.add(row)
    audit.record(session, ctx, person_id, "web.link_issued", f"person:{person_id}")
    return SignInLink(person_id, token, row.expires_at)


def redeem_link(session: Session, ctx: Context, token: str) -> tuple[WebUser, str] | None:
    """Use a sign-in token once and start a session.

    The link is claimed with one conditional ``UPDATE … WHERE used_at IS NULL``, so of two
    browsers opening the same link at once exactly one gets a session.

    Returns:
        The session's user and its token (for the cookie), or ``None`` for a link that is
        unknown, used, expired, or of a person no longer in the plan.
    """
    now = ctx.now()
    row = session.exec(
        select(WebSignIn).where(col(WebSignIn.token_digest) == digest(token))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    if not _active(session, row.person_id):
        return None
    claimed = session.execute(
        update(WebSignIn)
        .where(col(WebSignIn.id) == row.id, col(WebSignIn.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if rows_touched(claimed) != 1:
        return None
    session_token = secrets.token_urlsafe(TOKEN_BYTES)
    web = WebSession(
        token_digest=digest(session_token),
        person_id=row.person_id,
        created_at=now,
        expires_at=now + SESSION_VALIDITY,
    )
    session.add(web)
    session.flush()
    audit.record(session, ctx, row.person_id, "web.signed_in", f"person:{row.person_id}")
    assert web.id is not None
    return WebUser(row.person_id, web.id, web.expires_at), session_token


def current_user(session: Session, ctx: Context, session_token: str) -> WebUser | None:
    """The person of a live session (not ended, not expired, still in the plan), or ``None``."""
    row = session.exec(
        select(WebSession).where(col(WebSession.token_digest) == digest(session_token))
    ).first()
    if row is None or row.id is None or row.ended_at is not None or row.expires_at <= ctx.now():
        return None
    if not _active(session, row.person_id):
        return None
    return WebUser(row.person_id, row.id, row.expires_at)


def sign_out(session: Session, ctx: Context, session_token: str) -> bool:
    """End a session; ``True`` if it was live."""
    ended = session.execute(
        update(WebSession)
        .where(
            col(WebSession.token_digest) == digest(session_token),
            col(WebSession.ended_at).is_(None),
        )
        .values(ended_at=ctx.now())
        .execution_options(synchronize_session="fetch")
    )
    return rows_touched(ended) == 1


def end_all(session: Session, ctx: Context, person_id: str) -> int:
    """End every session and unused link of ``person_id`` (they left the plan)."""
    now = ctx.now()
    ended = session.execute(
        update(WebSession)
        .where(col(WebSession.person_id) == person_id, col(WebSession.ended_at).is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    used = session.execute(
        update(WebSignIn)
        .where(col(WebSignIn.person_id) == person_id, col(WebSignIn.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_touched(ended) + rows_touched(used)


def forget(session: Session, person_id: str) -> int:
    """Delete every link and session of ``person_id`` (erasure); how many rows went."""
    return rows_touched(
        session.execute(delete(WebSession).where(col(WebSession.person_id) == person_id))
    ) + rows_touched(
        session.execute(delete(WebSignIn).where(col(WebSignIn.person_id) == person_id))
    )
