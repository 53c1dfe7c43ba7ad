"""This module contains :class:`Dispatcher`'s core: incoming events → domain operations → outbox.

Each event is recorded in the inbox and applied in the person's order (:mod:`bot.inbox`),
inside one database transaction that also queues the notices it produced in the outbox;
they are delivered after the commit (:mod:`bot.outbox`). Any unexpected error is
logged and the person gets a translated "something went wrong", never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from sqlmodel import Session

from bot import command_table
from bot.channel import Address, Channel, TemporaryFailure, Unreachable
from bot.dispatch.buttons import ButtonHandlers
from bot.dispatch.commands import ADMIN_COMMANDS, CommandHandlers
from bot.events import (
    ChoiceSelected,
    CommandReceived,
    Event,
    FormSubmitted,
    Sender,
    TextReceived,
    UnsupportedMessage,
    readable,
)
from bot.i18n import Lang, as_lang, resolve_locale, translator
from bot.inbox import Inbox
from bot.messages import Message
from bot.outbox import Outbox
from bot.render import RenderContext, render
from storage.db import Database
from workflows import (
    accounts,
    conversation,
    enrolment,
    home,
)
from workflows.context import Context
from workflows.notices import (
    DecisionAlreadyTaken,
    Enrolled,
    NotApprover,
    NotValueApprover,
    Outgoing,
    Problem,
    ToPerson,
    problem,
)
from workflows.pending import pending_for
from workflows.problems import ProblemCode

_LOGGER = logging.getLogger(__name__)
Alert = Callable[[str], Awaitable[None]]
"""Shows a short text where the user pressed a button (a Telegram callback-query alert)."""

ALERT_PROBLEMS: frozenset[ProblemCode] = frozenset(
    {
        "stale_button",
        "stale_step",
        "unknown_choice",
        "form_already_started",  # a double tap: one effect, no second message
        "decision_form_started",  # a later, conflicting input: the first one won
    }
)
"""Refusals of a pressed button that are shown as an alert, not as a new message."""
INVITE_PROBLEMS: Mapping[str, ProblemCode] = {
    "unknown": "invite_unknown",
    "used": "invite_used",
    "expired": "invite_expired",
}
"""Why an invite code was refused → what the person is told."""


class Dispatcher(CommandHandlers, ButtonHandlers):
    """Routes events from any channel to the domain.

    Args:
        ctx: Plan, clock, calendar.
        db: The database.
        outbox: Where notices go.
        default_lang: ``CONTROLBOT_DEFAULT_LOCALE``.
        hold: Seconds to hold an event before applying it, by platform, where one
            person's updates may arrive out of order (see :class:`bot.inbox.Inbox`).
    """

    def __init__(
        self,
        ctx: Context,
        db: Database,
        outbox: Outbox,
        default_lang: str,
        web_base_url: str | None = None,
        *,
        hold: Mapping[str, float] | None = None,
    ) -> None:
        self.ctx = ctx
        self.web_base_url = web_base_url
        self.db = db
        self.outbox = outbox
        self.default_lang = default_lang
        self.inbox = Inbox(ctx, db, outbox, self._route, self._identify, _is_alert, hold)
        self._commands = self.handlers()

    @property
    def command_names(self) -> frozenset[str]:
        """Every command the dispatcher answers (without the slash)."""
        return command_table.NAMES

    # --- entry point ---------------------------------------------------------------------

    async def handle(
        self,
        event: Event,
        *,
        alert: Alert | None = None,
        key: str | None = None,
        seq: int | None = None,
    ) -> list[Outgoing]:
        """Handle one event: record it, apply it in the person's order, send what it produced.

        Args:
            event: What arrived.
            alert: Where a platform shows a short refusal of a pressed button (someone
                else's decision, a stale button) instead of sending a message; the text
                is in the presser's language.
            key: The platform's id of the update (``telegram:<update_id>``…): a repeated
                delivery of the same key has no second effect, also after a restart.
            seq: The platform's order of the update (Telegram's ``update_id``, Slack's event
                time in microseconds); one person's events take effect in this order.

        Returns:
            The notices the event produced (for the CLI and tests); empty for a repeat.
        """
        event = _readable(event)
        if isinstance(event, CommandReceived) and event.name == "start" and event.args:
            if event.sender.chat is not None:
                return []  # invite codes are for the private chat the deep link opens
            return await self._enrol(event)
        items = await self.inbox.handle(event, key=key, seq=seq, alert=alert)
        if items is None:
            await self._not_enrolled(event.sender, alert)
            return []
        return items

    async def home(self, sender: Sender) -> Message | None:
        """The sender's home page (Slack's App Home), or ``None`` if they are not enrolled."""
        person_id = await self.db.run(lambda s: self._identify(s, sender))
        if person_id is None:
            return None
        view = await self.db.run(lambda s: home.home_for(s, self.ctx, person_id))
        return await self.outbox.render_for(Outgoing(ToPerson(person_id), view))

    async def begin_form(
        self, sender: Sender, round_id: int
    ) -> tuple[conversation.MeasurementPreview, Lang] | str:
        """What a platform's own form UI (Slack's modal) asks for ``round_id``; stores nothing.

        Returns:
            The preview and the person's language; or, when there is nothing to fill in
            (not enrolled, round closed, another form in progress…), the text to show.
        """
        person_id = await self.db.run(lambda s: self._identify(s, sender))
        if person_id is None:
            return self._for_stranger(sender, problem("not_enrolled")).plain()

        def work(
            session: Session,
        ) -> tuple[conversation.MeasurementPreview | list[Outgoing], Lang]:
            found = conversation.preview_measurement(session, self.ctx, person_id, round_id)
            return found, accounts.language(session, self.ctx, person_id, self.default_lang)

        found, lang = await self.db.run(work)
        if isinstance(found, conversation.MeasurementPreview):
            return found, lang
        texts = [(await self.outbox.render_for(i)).plain() for i in found]
        return "\n\n".join(texts)

    async def first_round_to_measure(self, sender: Sender) -> int | None:
        """The open round where the sender has the earliest due measurements, if any."""
        person_id = await self.db.run(lambda s: self._identify(s, sender))
        if person_id is None:
            return None
        listing = await self.db.run(lambda s: pending_for(s, self.ctx, person_id))
        return listing.rounds[0].round_id if listing.rounds else None

    async def submit_form(
        self,
        sender: Sender,
        round_id: int,
        answers: dict[str, str],
        lang: Lang,
        *,
        key: str | None = None,
    ) -> list[Outgoing]:
        """Store a whole form typed in a platform's own UI, then send what follows.

        Args:
            sender: Who submitted.
            round_id: The round measured.
            answers: Typed answers by field id.
            lang: The language they were typed in (the UI's, even if changed meanwhile).
            key: The platform's id of the submission (a repeat has no second effect).

        Returns:
            The notices that were sent (what was stored, decisions it opened, or problems).
        """
        return await self.handle(FormSubmitted(sender, round_id, answers, lang), key=key)

    async def _enrol(self, event: CommandReceived) -> list[Outgoing]:
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

    def _identify(self, session: Session, sender: Sender) -> str | None:
        return accounts.identify(
            session,
            self.ctx,
            sender.platform,
            sender.user_id,
            private=sender.chat is None,
            client_language=sender.client_language,
        )

    async def _not_enrolled(self, sender: Sender, alert: Alert | None) -> None:
        """Tell an unknown account, in its client's language, that it is not enrolled."""
        if alert is not None:
            await alert(self._for_stranger(sender, problem("not_enrolled")).plain())
        elif sender.chat is None:  # in a group, strangers' commands get no answer
            await self._reply_unlinked(sender, problem("not_enrolled"))

    def _for_stranger(self, sender: Sender, notice: Problem) -> Message:
        """``notice`` for an account no person is linked to, in its client's language."""
        lang = resolve_locale(client=sender.client_language, default=self.default_lang)
        return render(notice, RenderContext(translator(lang), self.ctx.plan, self.ctx.timezone))

    async def _reply_unlinked(self, sender: Sender, notice: Problem) -> None:
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

    # --- routing -------------------------------------------------------------------------

    def _route(self, session: Session, person_id: str, event: Event) -> list[Outgoing]:
        me = ToPerson(person_id)
        if isinstance(event, CommandReceived):
            handler = self._commands.get(event.name)
            if handler is None and event.name != "bind":
                return [Outgoing(me, problem("unknown_command", command=event.name))]
            if event.name in ADMIN_COMMANDS and not self.ctx.plan.is_admin(person_id):
                return [Outgoing(me, problem("not_admin", command=event.name))]
            if handler is None:  # /bind needs the chat it was sent in, not only its words
                return self._bind(session, person_id, event)
            return handler(session, person_id, event.args)
        if isinstance(event, ChoiceSelected):
            return self._choice(session, person_id, event.token)
        if isinstance(event, FormSubmitted):
            typed = as_lang(event.lang) or accounts.language(
                session, self.ctx, person_id, self.default_lang
            )
            return conversation.fill_measurement(
                session, self.ctx, person_id, event.round_id, event.answers, typed
            )
        if isinstance(event, UnsupportedMessage):
            code: ProblemCode = "edit_not_read" if event.kind == "edit" else "text_only"
            return [
                Outgoing(me, problem(code)),
                *conversation.current_prompt(session, self.ctx, person_id),
            ]
        lang = accounts.language(session, self.ctx, person_id, self.default_lang)
        answered = conversation.answer_form(session, self.ctx, person_id, event.text, lang)
        return answered if answered is not None else [Outgoing(me, problem("no_form"))]


def _is_alert(item: Outgoing) -> bool:
    notice = item.notice
    if isinstance(notice, NotApprover | DecisionAlreadyTaken | NotValueApprover):
        return True
    return isinstance(notice, Problem) and notice.code in ALERT_PROBLEMS


def _readable(event: Event) -> Event:
    """The event with text that cannot be encoded made readable (field-wide: any platform)."""
    if isinstance(event, TextReceived):
        return TextReceived(event.sender, readable(event.text))
    if isinstance(event, CommandReceived):
        return CommandReceived(event.sender, event.name, tuple(readable(a) for a in event.args))
    if isinstance(event, ChoiceSelected):
        return ChoiceSelected(event.sender, readable(event.token))
    return event
