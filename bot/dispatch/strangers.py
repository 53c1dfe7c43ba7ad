"""This module contains enrolment by invite code, and replies to unlinked accounts."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.channel import Address, Channel, TemporaryFailure, Unreachable
from bot.dispatch.base import Alert, DispatcherParts
from bot.events import CommandReceived, Sender
from bot.i18n import resolve_locale, translator
from bot.messages import Message
from bot.render import RenderContext, render
from workflows.notices import Enrolled, Outgoing, Problem, ToPerson, problem
from workflows.people import enrolment
from workflows.problems import ProblemCode

_LOGGER = logging.getLogger(__name__)
INVITE_PROBLEMS: Mapping[str, ProblemCode] = {
    "unknown": "invite_unknown",
    "used": "invite_used",
    "expired": "invite_expired",
}
"""Why an invite code was refused → what the person is told."""


class Strangers:
    """The enrolment half of :class:`~bot.dispatch.Dispatcher` (a mixin)."""

    async def _enrol(self: DispatcherParts, event: CommandReceived) -> list[Outgoing]:
        """``/start <code>``: link the sender's account by an invite code."""
        sender = event.sender
        result = await self.db.run(
            lambda s: enrolment.redeem(
                s, self.ctx, event.args[0], sender.platform, sender.user_id, sender.client_language
            )
        )
        if isinstance(result, enrolment.Refused):
            await self._reply_unlinked(sender, problem(INVITE_PROBLEMS[result.reason]))
            return []
        person_id = result.person_id
        async with self.inbox.person_lock(person_id):
            items = [Outgoing(ToPerson(person_id), Enrolled(person_id, result.already))]
            items += await self.db.run(lambda s: self._pending(s, person_id, ()))
            await self.outbox.deliver(items, origin=person_id, via=sender.platform)
        return items

    async def _not_enrolled(self: DispatcherParts, sender: Sender, alert: Alert | None) -> None:
        """Tell an unknown account, in its client's language, that it is not enrolled."""
        if alert is not None:
            await alert(self._for_stranger(sender, problem("not_enrolled")).plain())
        elif sender.chat is None:  # in a group, strangers' commands get no answer
            await self._reply_unlinked(sender, problem("not_enrolled"))

    def _for_stranger(self: DispatcherParts, sender: Sender, notice: Problem) -> Message:
        """``notice`` for an account no person is linked to, in its client's language."""
        lang = resolve_locale(client=sender.client_language, default=self.default_lang)
        return render(notice, RenderContext(translator(lang), self.ctx.plan, self.ctx.timezone))

    async def _reply_unlinked(self: DispatcherParts, sender: Sender, notice: Problem) -> None:
        """Reply to an account no person is linked to (yet), in its client's language."""
        channel: Channel | None = self.outbox.channels.get(sender.platform)
        if channel is None:
            return
        address = Address(sender.platform, "dm", sender.user_id, sender.user_id)
        try:
            await channel.send(address, self._for_stranger(sender, notice))
        except (TemporaryFailure, Unreachable) as exc:  # a stranger is not in the outbox
            _LOGGER.warning("could not answer %s: %s", address, exc)
        except Exception:  # anything else: only log it, with where it came from
            _LOGGER.warning("could not answer %s", address, exc_info=True)
