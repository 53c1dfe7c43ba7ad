"""This module contains :class:`Dispatcher`'s core: incoming events → domain operations → outbox.

Each event is recorded in the inbox and applied in the person's order (:mod:`bot.inbox`),
inside one database transaction that also queues the notices it produced in the outbox;
they are delivered after the commit (:mod:`bot.outbox`). Any unexpected error is
logged and the person gets a translated "something went wrong", never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlmodel import Session

from bot import command_table
from bot.dispatch.base import Alert
from bot.dispatch.buttons import ButtonHandlers
from bot.dispatch.commands import ADMIN_COMMANDS, CommandHandlers
from bot.dispatch.strangers import Strangers
from bot.dispatch.views import PlatformViews
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
from bot.i18n import as_lang
from bot.inbox import Inbox
from bot.outbox import Outbox
from storage.db import Database
from workflows.context import Context
from workflows.forms import conversation
from workflows.notices import (
    DecisionAlreadyTaken,
    NotApprover,
    NotValueApprover,
    Outgoing,
    Problem,
    ToPerson,
    problem,
)
from workflows.people import accounts
from workflows.problems import ProblemCode

_LOGGER = logging.getLogger(__name__)

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


class Dispatcher(PlatformViews, Strangers, CommandHandlers, ButtonHandlers):
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
            self.inbox.settle(key)  # not recorded: a webhook need not wait for the greeting
            return await self._enrol(event)
        items = await self.inbox.handle(event, key=key, seq=seq, alert=alert)
        if items is None:
            await self._not_enrolled(event.sender, alert)
            return []
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
