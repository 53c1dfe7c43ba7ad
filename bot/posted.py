"""This module contains where channels remember messages they may edit later.

A message with a ``ref`` (see :class:`~bot.messages.Message`) is remembered by platform,
chat and platform message id; a later message that ``replaces`` the ref finds them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from storage.db import Database
from storage.models import PostedMessage


@dataclass(frozen=True)
class Posted:
    """One remembered message: in chat ``target``, with the platform's ``message_id``."""

    target: str
    message_id: str


class PostedMessages:
    """Remembers and recalls posted messages of one platform.

    Args:
        db: The database.
        platform: ``telegram`` or ``slack``.
    """

    def __init__(self, db: Database, platform: str) -> None:
        self.db = db
        self.platform = platform

    def _about(self, ref: str, target: str) -> tuple[Any, ...]:
        """Where-clauses: this platform's messages about ``ref`` in ``target``."""
        return (
            col(PostedMessage.platform) == self.platform,
            col(PostedMessage.ref) == ref,
            col(PostedMessage.target) == target,
        )

    async def remember(self, ref: str, target: str, message_id: str) -> None:
        """Record that the message about ``ref`` was posted as ``message_id`` in ``target``."""

        def work(session: Session) -> None:
            session.add(
                PostedMessage(
                    platform=self.platform,
                    ref=ref,
                    target=target,
                    message_id=message_id,
                    posted_at=datetime.now(UTC),
                )
            )

        await self.db.run(work)

    async def find(self, ref: str, target: str) -> Posted | None:
        """The first message about ``ref`` in ``target``, kept for later."""

        def work(session: Session) -> Posted | None:
            row = session.exec(
                select(PostedMessage)
                .where(*self._about(ref, target))
                .order_by(col(PostedMessage.id))
            ).first()
            return Posted(row.target, row.message_id) if row is not None else None

        return await self.db.run(work)

    async def take(self, ref: str, target: str) -> list[Posted]:
        """The messages about ``ref`` in ``target``, forgotten as they are returned."""

        def work(session: Session) -> list[Posted]:
            where = self._about(ref, target)
            rows = session.exec(select(PostedMessage).where(*where)).all()
            found = [Posted(r.target, r.message_id) for r in rows]
            session.exec(delete(PostedMessage).where(*where))
            return found

        return await self.db.run(work)
