"""This module contains the web view's tables: one-time sign-in links and sessions (issue 17)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _utc(nullable: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


class WebSignIn(SQLModel, table=True):
    """A one-time sign-in link to the web view, asked for with ``/web`` in chat.

    Only a SHA-256 digest of the link's token is stored; it works once, for ten minutes.
    """

    __tablename__ = "web_sign_in"

    id: int | None = Field(default=None, primary_key=True)
    token_digest: str = Field(max_length=64, unique=True)
    person_id: str = Field(foreign_key="person.id", index=True, max_length=64)
    created_at: datetime = _utc()
    expires_at: datetime = _utc()
    used_at: datetime | None = _utc(nullable=True)


class WebSession(SQLModel, table=True):
    """A signed-in web session; the browser holds its token in a signed cookie.

    Only a digest of the token is stored. ``ended_at`` is set by signing out (or when the
    person leaves the plan); a session also ends at ``expires_at``.
    """

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_digest: str = Field(max_length=64, unique=True)
    person_id: str = Field(foreign_key="person.id", index=True, max_length=64)
    created_at: datetime = _utc()
    expires_at: datetime = _utc()
    ended_at: datetime | None = _utc(nullable=True)
