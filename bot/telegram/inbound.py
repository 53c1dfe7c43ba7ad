"""This module contains :class:`TelegramInbound`: Telegram updates → our events.

One python-telegram-bot handler takes every update and turns it into an
:class:`~bot.events.Event` for the shared :class:`~bot.dispatch.Dispatcher`:

* a command (``/pending``, ``/bind@our_bot pk-x``) → :class:`~bot.events.CommandReceived`;
  ``/start <code>`` enrols (deep link from ``controlbot invite``);
* text in a private chat → :class:`~bot.events.TextReceived` (a form answer); text in a
  group is not for us and is ignored;
* a pressed inline button (a callback query) → :class:`~bot.events.ChoiceSelected`, always
  answered: refusals (someone else's decision, a stale button) as an alert; in a private
  chat the pressed message then loses its buttons, so it cannot be pressed twice;
* a group upgraded to a supergroup → the channel binding follows the new id (C04).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypedDict

from telegram import CallbackQuery, Update
from telegram import Message as TgMessage
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.dispatch import Dispatcher
from bot.events import (
    ChoiceSelected,
    CommandReceived,
    Event,
    Sender,
    TextReceived,
    UnsupportedMessage,
)
from bot.telegram.channel import PLATFORM, TelegramChannel
from workflows.people import bindings

_LOGGER = logging.getLogger(__name__)


class Order(TypedDict):
    """An update's place in the inbox: its key (``telegram:<update_id>``) and order."""

    key: str
    seq: int


def parse_command(text: str, bot_username: str) -> tuple[str, tuple[str, ...]] | None:
    """``/name@bot arg …`` → ``(name, args)``; ``None`` if addressed to another bot.

    Telegram Bot API, commands: up to 32 characters of ``a-z0-9_``; in groups a command
    may carry ``@botname``.
    """
    words = text.split()
    if not words or not words[0].startswith("/"):
        return None
    name, _at, addressee = words[0][1:].partition("@")
    if addressee and addressee.casefold() != bot_username.casefold():
        return None
    return name.lower(), tuple(words[1:])


class TelegramInbound:
    """Turns updates into events.

    Args:
        dispatcher: The shared dispatcher.
        channel: The Telegram channel (answers callback queries, edits messages).
    """

    def __init__(self, dispatcher: Dispatcher, channel: TelegramChannel) -> None:
        self.dispatcher = dispatcher
        self.channel = channel

    @property
    def bot_username(self) -> str:
        """The bot's @username without the @ (known after ``getMe``)."""
        return self.channel.bot.username or ""

    async def on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """python-telegram-bot handler callback for every update."""
        # the inbox keys each update by its id and applies one person's in update_id order
        order = Order(key=f"{PLATFORM}:{update.update_id}", seq=update.update_id)
        try:
            if update.callback_query is not None:
                await self._callback(update.callback_query, order)
            elif update.message is not None:
                await self._message(update.message, order)
            elif update.edited_message is not None:
                await self._unsupported(update.edited_message, "edit", order)
        finally:  # an update with nothing to record: its webhook request may answer now
            self.dispatcher.inbox.settle(order["key"])

    async def _message(self, message: TgMessage, order: Order) -> None:
        if message.migrate_to_chat_id is not None:  # the old group's last word
            await self._moved(str(message.chat.id), str(message.migrate_to_chat_id))
            return
        if message.migrate_from_chat_id is not None:  # the supergroup's first
            await self._moved(str(message.migrate_from_chat_id), str(message.chat.id))
            return
        user = message.from_user
        if user is None or user.is_bot:
            return
        if message.text is None:
            await self._unsupported(message, "media", order)
            return
        private = message.chat.type == ChatType.PRIVATE
        sender = Sender(
            PLATFORM, str(user.id), user.language_code, None if private else str(message.chat.id)
        )
        event: Event
        command = parse_command(message.text, self.bot_username)
        if command is not None:
            if not private and command[0] not in self.dispatcher.command_names:
                return  # another bot's command in a shared group
            event = CommandReceived(sender, command[0], command[1])
        elif message.text.startswith("/"):
            return  # a command for another bot in a group
        elif private:
            event = TextReceived(sender, message.text)
        else:
            return  # group conversation is not addressed to us
        await self.dispatcher.handle(event, **order)

    async def _unsupported(self, message: TgMessage, kind: str, order: Order) -> None:
        """A photo, sticker, voice message or edit in a private chat: say what we read."""
        user = message.from_user
        if user is None or user.is_bot or message.chat.type != ChatType.PRIVATE:
            return
        sender = Sender(PLATFORM, str(user.id), user.language_code)
        await self.dispatcher.handle(UnsupportedMessage(sender, kind), **order)

    async def _moved(self, old: str, new: str) -> None:
        ctx, db = self.dispatcher.ctx, self.dispatcher.db
        moved = await db.run(lambda s: bindings.move(s, ctx, PLATFORM, old, new))
        if moved:
            _LOGGER.info("Telegram group %s became %s: %s follow it", old, new, ", ".join(moved))

    async def _callback(self, query: CallbackQuery, order: Order) -> None:
        chat = query.message.chat if query.message is not None else None
        group = None if chat is None or chat.type == ChatType.PRIVATE else str(chat.id)
        private = group is None
        user = query.from_user
        sender = Sender(PLATFORM, str(user.id), user.language_code, group)
        alerted = False

        async def alert(text: str) -> None:
            nonlocal alerted
            alerted = True  # a query too old to answer: the alert is lost, nothing else
            await self._quietly(self.channel.alert(query.id, text, show_alert=True))

        try:
            await self.dispatcher.handle(
                ChoiceSelected(sender, query.data or ""), alert=alert, **order
            )
        finally:
            if not alerted:  # stop the button's spinner
                await self._quietly(self.channel.alert(query.id, "", show_alert=False))
        if private and not alerted and query.message is not None:
            await self._quietly(
                self.channel.bot.edit_message_reply_markup(
                    chat_id=query.message.chat.id,
                    message_id=query.message.message_id,
                    reply_markup=None,
                )
            )

    @staticmethod
    async def _quietly(call: Awaitable[object]) -> None:
        """Await a best-effort call; a refusal (message gone, not modified) is only logged."""
        try:
            await call
        except TelegramError as exc:
            _LOGGER.info("best-effort Telegram call failed: %s", exc)
