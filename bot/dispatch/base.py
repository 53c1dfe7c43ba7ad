"""This module contains :class:`DispatcherParts`: what the dispatcher's mixins may use of it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from sqlmodel import Session

from bot.events import Event, Sender
from bot.inbox import Inbox
from bot.messages import Message
from bot.outbox import Outbox
from storage.db import Database
from workflows.context import Context
from workflows.notices import Outgoing, Problem

Alert = Callable[[str], Awaitable[None]]
"""Shows a short text where the user pressed a button (a Telegram callback-query alert)."""


class DispatcherParts(Protocol):
    """The :class:`~bot.dispatch.Dispatcher` as its mixins see it (the ``self`` they get)."""

    ctx: Context
    db: Database
    outbox: Outbox
    inbox: Inbox
    default_lang: str

    async def handle(
        self,
        event: Event,
        *,
        alert: Alert | None = None,
        key: str | None = None,
        seq: int | None = None,
    ) -> list[Outgoing]:
        """See :meth:`bot.dispatch.Dispatcher.handle`."""

    def _identify(self, session: Session, sender: Sender) -> str | None: ...

    def _for_stranger(self, sender: Sender, notice: Problem) -> Message: ...

    async def _reply_unlinked(self, sender: Sender, notice: Problem) -> None: ...

    def _pending(self, session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
        """See ``/pending``."""
