"""This module contains :class:`ChatDoors`: the links in an e-mail that lead into the chats.

E-mail cannot take answers. Every e-mail to a person says where to answer, on each platform
that can open the robot (:class:`bot.platform.Doorway`): a plain link where the person has an
account, and where they have none, their personal enrolment link (Telegram's deep link with
a one-time code) so that nobody stays unreachable because they never linked (issue 15).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.email.compose import ChatLink
from bot.formatting import fmt_date
from bot.i18n import Translator
from bot.render.misc import PLATFORM_NAMES
from storage.db import Database
from workflows.context import Context
from workflows.people import accounts, enrolment

if TYPE_CHECKING:
    from bot.platform import Doorway

_LOGGER = logging.getLogger(__name__)


@dataclass
class ChatDoors:
    """Where an e-mail's reader answers: the platforms that can open the robot."""

    doorways: Sequence[Doorway] = ()
    _plain: dict[str, str] = field(default_factory=dict)

    async def links(
        self, db: Database, ctx: Context, person_id: str, t: Translator
    ) -> list[ChatLink]:
        """The links for ``person_id``'s e-mail, in ``t``'s language.

        An enrolment code is issued (and committed) only for a platform that enrols by code
        and where the person has no account; it works once, for
        :data:`workflows.people.enrolment.DEFAULT_VALIDITY`.
        """
        if not self.doorways:
            return []
        linked = set(await db.run(lambda s: accounts.linked_platforms(s, person_id)))
        found = []
        for way in self.doorways:
            try:
                link = await self._link(way, way.name in linked, db, ctx, person_id, t)
            except Exception:  # a platform away must not hold up the e-mail
                _LOGGER.warning("no %s link for an e-mail now", way.name, exc_info=True)
                continue
            if link is not None:
                found.append(link)
        return found

    async def _link(
        self,
        way: Doorway,
        linked: bool,
        db: Database,
        ctx: Context,
        person_id: str,
        t: Translator,
    ) -> ChatLink | None:
        name = PLATFORM_NAMES.get(way.name, way.name)
        if linked:
            url = self._plain.get(way.name) or await way.door(None)
            if url is None:
                return None
            self._plain[way.name] = url
            return ChatLink(t.gettext("Answer in {platform}:", platform=name), url)
        issued: list[enrolment.Issued] = []

        async def enrol() -> str:
            code = await db.run(lambda s: enrolment.issue(s, ctx, person_id))
            issued.append(code)
            return code.code

        url = await way.door(enrol)
        if url is None:
            return None
        if not issued:
            return ChatLink(t.gettext("Open the robot in {platform}:", platform=name), url)
        until = fmt_date(issued[0].expires_at.astimezone(ctx.timezone).date(), t)
        text = t.gettext(
            "Your personal link to the robot in {platform}: it links your {platform} account "
            "to you (once, until {date}); then you can answer there.",
            platform=name,
            date=until,
        )
        return ChatLink(text, url)
