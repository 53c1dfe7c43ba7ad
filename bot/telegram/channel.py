"""This module contains :class:`TelegramChannel`: sending our messages through the Bot API.

Each :class:`~bot.messages.Message` becomes one or more ``sendMessage`` calls (HTML parse
mode, split to Telegram's limits, buttons as an inline keyboard), or a ``sendPhoto`` with a
caption when it carries a chart. Failures are sorted by what helps:

* the user blocked the bot, or the bot was removed from a group: :class:`~bot.channel.
  Unreachable` (field case C03), for the outbox to record and report once;
* a group upgraded to a supergroup: the binding follows the new chat id and the message is
  sent there, once (field case C04);
* flood control (429): a short wait is waited out by :class:`~bot.telegram.limiter.
  ChatRateLimiter` (C05); a longer one is :class:`~bot.channel.TemporaryFailure` with its
  ``retry_after``, so the caller keeps the message queued and nothing waits here;
* network errors and timeouts: retried with exponential back-off, then
  :class:`~bot.channel.TemporaryFailure`; a stop while waiting ends the wait at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from telegram import Message as TgMessage
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.channel import Address, TemporaryFailure, Unreachable
from bot.formatting import shorten
from bot.messages import Message
from bot.posted import PostedMessages
from bot.telegram import markup
from bot.telegram.limiter import Deferred, retry_seconds
from storage.db import Database
from workflows.context import Context
from workflows.people import bindings

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

PLATFORM = "telegram"
NETWORK_RETRIES = 3
"""Attempts after the first for a call that failed on the network."""
BACKOFF_SECONDS = 1.0
"""The first wait after a network failure; it doubles each time."""
GONE = ("chat not found", "user is deactivated", "bot was kicked", "not enough rights")
"""Bad-request descriptions that mean the chat is gone for us (lower-case substrings)."""


class TelegramChannel:
    """The outbound Telegram channel.

    Args:
        bot: A python-telegram-bot ``Bot`` (initialised by the caller).
        db: The database (bindings, remembered messages).
        ctx: The domain context.
        sleep: Waits between network retries (injectable for tests).
    """

    platform = PLATFORM

    def __init__(
        self,
        bot: Bot,
        db: Database,
        ctx: Context,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.db = db
        self.ctx = ctx
        self.sleep = sleep
        self.posted = PostedMessages(db, PLATFORM)

    async def send(self, address: Address, message: Message) -> str | None:
        """Deliver ``message`` to the private chat or group ``address.target``.

        Returns:
            Telegram's id of the (last) message sent, or ``None`` when an earlier one was
            edited instead.

        Raises:
            Unreachable: If Telegram refuses the chat for good (blocked, removed, gone).
            TemporaryFailure: If Telegram cannot be reached, after the retries.
            telegram.error.TelegramError: If Telegram refuses the message itself.
        """
        try:
            return await self._attempt(address, message)
        except ChatMigrated as moved:  # a group became a supergroup (field case C04)
            new = str(moved.new_chat_id)
            old = address.target
            channels = await self.db.run(lambda s: bindings.move(s, self.ctx, PLATFORM, old, new))
            _LOGGER.warning("Telegram chat %s is now %s (%s)", old, new, ", ".join(channels))
            return await self._attempt(replace(address, target=new), message)

    async def _attempt(self, address: Address, message: Message) -> str | None:
        """One delivery to ``address``, with Telegram's errors sorted (see the module)."""
        try:
            return await self._deliver(address.target, address, message)
        except Forbidden as exc:
            raise Unreachable(address, exc.message) from exc
        except BadRequest as exc:
            if any(words in exc.message.lower() for words in GONE):
                raise Unreachable(address, exc.message) from exc
            raise
        except Deferred as exc:  # a long 429, or stopping: the caller keeps the message
            raise TemporaryFailure(f"{address}: {exc}", exc.retry_after) from exc
        except RetryAfter as exc:  # short 429s, again and again
            raise TemporaryFailure(f"{address}: {exc}", retry_seconds(exc)) from exc
        except NetworkError as exc:  # timeouts and 5xx, after our retries
            raise TemporaryFailure(f"{address}: {exc}") from exc

    async def _deliver(self, chat: str, address: Address, message: Message) -> str | None:
        if message.replaces and await self._settle(chat, address, message):
            return None
        rendered = markup.render(message)
        last: TgMessage | None = None
        if message.image is not None:
            image = message.image
            only = not rendered.texts
            last = await self._call(
                lambda: self.bot.send_photo(
                    chat,
                    image,
                    caption=rendered.caption,
                    parse_mode=ParseMode.HTML,
                    reply_markup=rendered.keyboard if only else None,
                )
            )
        parent = await self.posted.find(message.thread, chat) if message.thread else None
        reply = int(parent.message_id) if parent is not None else None
        for index, text in enumerate(rendered.texts):
            keys = rendered.keyboard if index == len(rendered.texts) - 1 else None
            last = await self._call(partial(self._text, chat, text, keys, reply))
        if message.ref and last is not None:
            await self.posted.remember(message.ref, chat, str(last.message_id))
        return str(last.message_id) if last is not None else None

    async def _text(
        self, chat: str, text: str, keys: InlineKeyboardMarkup | None, reply: int | None = None
    ) -> TgMessage:
        return await self.bot.send_message(
            chat,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=keys,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            reply_parameters=(
                ReplyParameters(reply, allow_sending_without_reply=True) if reply else None
            ),
        )

    async def _settle(self, chat: str, address: Address, message: Message) -> bool:
        """Show earlier messages about ``message.replaces`` as settled.

        Returns:
            Whether nothing more needs sending: in a group the earlier message now shows
            this one. In a DM the earlier one only loses its buttons.
        """
        assert message.replaces is not None
        earlier = await self.posted.take(message.replaces, chat)
        texts = markup.split_html(message)
        edited = False
        for posted in earlier:
            try:
                if address.kind == "channel" and len(texts) == 1:
                    await self._call(
                        partial(
                            self.bot.edit_message_text,
                            texts[0],
                            chat_id=chat,
                            message_id=int(posted.message_id),
                            parse_mode=ParseMode.HTML,
                            link_preview_options=LinkPreviewOptions(is_disabled=True),
                        )
                    )
                    edited = True
                else:
                    await self._call(
                        partial(
                            self.bot.edit_message_reply_markup,
                            chat_id=chat,
                            message_id=int(posted.message_id),
                            reply_markup=None,
                        )
                    )
            except BadRequest as exc:  # deleted meanwhile, or already shows this
                _LOGGER.info("could not edit message %s in %s: %s", posted, chat, exc.message)
        return edited

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        """Make a Bot API call, retrying network failures with back-off."""
        for attempt in range(NETWORK_RETRIES + 1):
            try:
                return await call()
            except (BadRequest, Forbidden, ChatMigrated, Deferred):
                raise
            except NetworkError as exc:
                if attempt == NETWORK_RETRIES:
                    raise
                wait = BACKOFF_SECONDS * 2**attempt
                _LOGGER.warning("Telegram call failed (%s); retrying in %.0f s", exc, wait)
                await self.sleep(wait)
        raise TelegramError("unreachable")  # pragma: no cover

    async def alert(self, callback_query_id: str, text: str, *, show_alert: bool) -> None:
        """Answer a callback query (a toast, or an alert the user must close).

        Telegram Bot API answerCallbackQuery: the text is 0-200 characters.
        """
        await self._call(
            lambda: self.bot.answer_callback_query(
                callback_query_id, text=shorten(text, 200) or None, show_alert=show_alert
            )
        )
