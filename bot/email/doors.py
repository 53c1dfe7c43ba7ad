"""This module contains :class:`ChatDoors`: the links in an e-mail that lead into the chat.

E-mail cannot take answers. Every e-mail to a person says where to answer: Telegram (a link
to the robot; a personal one-time enrolment link while the person has no Telegram account
linked, so that nobody stays unreachable because they never linked, issue 15) and Slack (the
robot's app; the Slack account with the person's e-mail address is linked to them).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from bot.email.compose import ChatLink
from bot.formatting import fmt_date
from bot.i18n import Translator
from storage.db import Database
from storage.models import PlatformIdentity
from workflows import enrolment
from workflows.context import Context

_LOGGER = logging.getLogger(__name__)

Lookup = Callable[[], Awaitable[str | None]]
"""Asks a platform once for what its links need (a bot's username, an app link)."""


@dataclass
class ChatDoors:
    """Where an e-mail's reader answers, by platform.

    Args:
        telegram_username: Gives the Telegram bot's username (``None``: Telegram is off).
        slack_link: Gives a link that opens the robot in Slack (``None``: Slack is off).
    """

    telegram_username: Lookup | None = None
    slack_link: Lookup | None = None
    _known: dict[str, str | None] = field(default_factory=dict)

    async def _ask(self, name: str, lookup: Lookup | None) -> str | None:
        if lookup is None:
            return None
        if self._known.get(name) is None:
            try:
                self._known[name] = await lookup()
            except Exception:  # a platform away must not hold up the e-mail
                _LOGGER.warning("no %s link for e-mails now", name, exc_info=True)
                return None
        return self._known.get(name)

    async def links(
        self, db: Database, ctx: Context, person_id: str, t: Translator
    ) -> list[ChatLink]:
        """The links for ``person_id``'s e-mail, in ``t``'s language.

        A Telegram enrolment code is issued (and committed) for a person without a linked
        Telegram account: it works once, for :data:`workflows.enrolment.DEFAULT_VALIDITY`.
        """
        found: list[ChatLink] = []
        username = await self._ask("telegram", self.telegram_username)
        slack = await self._ask("slack", self.slack_link)
        if username is None and slack is None:
            return found
        linked = await db.run(lambda s: _linked(s, person_id))
        if username and "telegram" in linked:
            text = t.gettext("Answer in Telegram:")
            found.append(ChatLink(text, f"https://t.me/{username}"))
        elif username:
            issued = await db.run(lambda s: enrolment.issue(s, ctx, person_id))
            until = fmt_date(issued.expires_at.astimezone(ctx.timezone).date(), t)
            text = t.gettext(
                "Your personal link to the robot in Telegram: it links your Telegram account "
                "to you (once, until {date}); then you can answer there.",
                date=until,
            )
            found.append(ChatLink(text, f"https://t.me/{username}?start={issued.code}"))
        if slack:
            text = (
                t.gettext("Answer in Slack:")
                if "slack" in linked
                else t.gettext(
                    "The robot in Slack (a Slack account with this e-mail address is linked "
                    "to you):"
                )
            )
            found.append(ChatLink(text, slack))
        return found


def _linked(session: Session, person_id: str) -> set[str]:
    rows = session.exec(
        select(PlatformIdentity.platform).where(
            col(PlatformIdentity.person_id) == person_id,
            col(PlatformIdentity.unreachable_since).is_(None),
        )
    ).all()
    return set(rows)
