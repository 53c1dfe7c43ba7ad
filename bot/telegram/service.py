"""This module contains :class:`TelegramService`: the python-telegram-bot Application we run.

The Application is started by hand inside ``controlbot run``'s event loop, beside the
scheduler (not with ``run_polling``/``run_webhook``, which would own the loop and the
signals). Long polling by default; with a webhook URL, Telegram posts updates to
``/telegram/webhook`` on our :class:`~bot.http.HttpServer` and each request must carry the
secret token (Telegram Bot API setWebhook ``secret_token``).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import BotCommand, Update
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot import command_table
from bot.dispatch import Dispatcher
from bot.http import HttpServer
from bot.i18n import SUPPORTED, translator
from bot.inbox import Inbox
from bot.outbox import Outbox
from bot.telegram.channel import TelegramChannel
from bot.telegram.inbound import TelegramInbound
from bot.telegram.limiter import ChatRateLimiter
from storage.db import Database
from workflows.context import Context

_LOGGER = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
"""Update kinds we ask Telegram for (group migrations arrive as messages)."""
TROUBLE_SECONDS = 90.0
"""/healthz reports Telegram as failing while polling failed this recently."""
TROUBLE_LOG_SECONDS = 60.0
"""Polling failures are logged at most once in this many seconds."""
CONCURRENT_UPDATES = 256
"""Updates handled at once. With 8, one person's 20 commands (each waiting for that person's
turn and Telegram's one message a second in their chat) filled every slot and held up
everybody else's replies by 12 s; the dispatcher's per-person lock keeps each person's own
order."""
STANDBY_SECONDS = 60.0
"""How long polling pauses after Telegram said another process polls the same bot (409)."""
RECORD_SECONDS = 10.0
"""How long a webhook request waits for its update to be recorded before answering 503
(Telegram then delivers it again, to any replica; the inbox has it once)."""
SEEN_UPDATES = 1000
"""Recent update ids remembered, so a webhook delivery Telegram repeats is handled once."""
COMMANDS = tuple((c.name, c.menu) for c in command_table.COMMANDS if c.menu is not None)
"""The command menu (setMyCommands), from :data:`bot.command_table.COMMANDS`; descriptions are
message ids, shown translated."""

TelegramApp = Application[Any, Any, Any, Any, Any, Any]


class TelegramService:
    """Builds, starts and stops the Telegram side (a :class:`bot.platform.Platform`).

    Args:
        token: The bot token.
        api_url: Bot API base URL (the token is appended).
        ctx: The domain context.
        db: The database.
        webhook_url: Public webhook URL, or ``None`` for long polling.
        webhook_secret: The secret token webhook requests must carry.
        rate_limiter: The limiter (default: Telegram's published limits, real time).
        poll_timeout: Long-polling timeout in seconds.
    """

    def __init__(
        self,
        token: str,
        api_url: str,
        ctx: Context,
        db: Database,
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        rate_limiter: ChatRateLimiter | None = None,
        poll_timeout: int = 30,
    ) -> None:
        self.ctx = ctx
        self.db = db
        self.api_url = api_url
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret or ""
        self.poll_timeout = poll_timeout
        self.limiter = rate_limiter or ChatRateLimiter()
        builder = (
            Application.builder()
            .token(token)
            .base_url(api_url)
            .rate_limiter(self.limiter)
            # many updates at once: one person's burst waits on their own lock in the
            # dispatcher, not for a few shared slots everybody else needs too (issue 12)
            .concurrent_updates(CONCURRENT_UPDATES)
        )
        if webhook_url:
            builder = builder.updater(None)
        self.application: TelegramApp = builder.build()
        self.channel = TelegramChannel(self.application.bot, db, ctx)
        self._seen: deque[int] = deque(maxlen=SEEN_UPDATES)
        self._trouble: tuple[float, str] | None = None
        self._inbox: Inbox | None = None
        self._outbox: Outbox | None = None  # told to stop waiting when the service stops
        self.standby_seconds = STANDBY_SECONDS
        self._standby: asyncio.Task[None] | None = None
        self.poll_on_start = True
        """Whether :meth:`start` polls; ``controlbot run`` leaves polling to its leader."""

    name = "telegram"
    start_errors: tuple[type[Exception], ...] = (TelegramError,)

    @property
    def ordered(self) -> bool:
        """Long polling keeps one person's updates in order; parallel webhook requests may not."""
        return not self.webhook_url

    def start_failure(self, exc: Exception) -> str | None:
        """Why start-up failed, naming the setting to look at (never the token)."""
        if isinstance(exc, InvalidToken):
            return f"Telegram refused the bot token, or {self.api_url} is not a Bot API server"
        if isinstance(exc, TelegramError):
            return f"cannot reach Telegram at {self.api_url}: {exc}"
        return None

    async def open(self) -> None:
        """Initialise the bot for sending only (``getMe``).

        Raises:
            telegram.error.TelegramError: If Telegram refuses the token or cannot be reached.
        """
        await self.application.bot.initialize()

    async def close(self) -> None:
        """Close what :meth:`open` opened."""
        await self.application.bot.shutdown()

    async def link_people(self) -> list[str]:
        """Nobody: a Telegram account is linked only by its owner, with an invite link."""
        return []

    def on_rate_limit(self, report: Callable[[float], None]) -> None:
        """Call ``report`` at each 429 of the Bot API (the limiter sees them)."""
        self.limiter.on_429 = report

    def connect(self, dispatcher: Dispatcher) -> None:
        """Hand incoming updates to ``dispatcher`` (once the outbox knows our channel)."""
        self._inbox = dispatcher.inbox
        self._outbox = dispatcher.outbox
        inbound = TelegramInbound(dispatcher, self.channel)
        self.application.add_handler(TypeHandler(Update, inbound.on_update))
        self.application.add_error_handler(self._on_error)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a failed update in one line (a Telegram refusal) or with its traceback."""
        error = context.error
        if isinstance(error, TelegramError):
            _LOGGER.warning("handling a Telegram update failed: %s", error)
        else:
            _LOGGER.error("handling a Telegram update failed", exc_info=error)

    def _polling_error(self, error: TelegramError) -> None:
        """Polling failed (Telegram unreachable): one log line a minute, and /healthz knows.

        A 409 Conflict means another process polls this bot: this one stands by
        (:meth:`_stand_by`) instead of taking turns with it at ending each other's requests.
        """
        if isinstance(error, Conflict):
            if self._standby is None:
                self._standby = asyncio.get_running_loop().create_task(self._stand_by())
            return
        now = time.monotonic()
        if self._trouble is None or now - self._trouble[0] >= TROUBLE_LOG_SECONDS:
            _LOGGER.warning("cannot reach Telegram: %s; retrying", error)
        self._trouble = (now, str(error) or type(error).__name__)

    async def _stand_by(self) -> None:
        """Stop polling for :attr:`standby_seconds`, then try again (the other may be gone)."""
        _LOGGER.warning(
            "another process polls this Telegram bot (Telegram answered 409 Conflict); this one "
            "stands by and tries again in %.0f s. One token, one poller: run replicas on one "
            "PostgreSQL database (the leader polls), or use a webhook",
            self.standby_seconds,
        )
        try:
            updater = self.application.updater
            if updater is not None and updater.running:
                await updater.stop()
            await asyncio.sleep(self.standby_seconds)
            await self.start_polling()
        finally:
            self._standby = None

    async def door(self, enrol: Callable[[], Awaitable[str]] | None) -> str | None:
        """``https://t.me/<bot>``; with ``enrol``, the person's deep link ``?start=<code>``.

        ``None`` while the bot is not initialised (known once ``controlbot run`` or a one-shot
        command has connected).
        """
        try:
            username = str(self.application.bot.username)
        except RuntimeError:
            return None
        if enrol is None:
            return f"https://t.me/{username}"
        return f"https://t.me/{username}?start={await enrol()}"

    def health(self) -> str:
        """``ok``, ``stopped``, or ``error: …`` while polling has failed in the last 90 s."""
        if not self.application.running:
            return "stopped"
        if self._trouble is not None and time.monotonic() - self._trouble[0] < TROUBLE_SECONDS:
            return f"error: {self._trouble[1][:120]}"
        return "ok"

    def mount(self, server: HttpServer) -> None:
        """Serve the webhook on ``server`` (only in webhook mode)."""
        if self.webhook_url:
            server.add_post(WEBHOOK_PATH, self.webhook)

    @property
    def polls(self) -> bool:
        """Whether updates come by long polling (one process per bot may poll)."""
        return not self.webhook_url

    async def start(self) -> None:
        """Initialise the bot (``getMe``), set the command menu, start receiving updates.

        In polling mode, polls only while :attr:`poll_on_start` (``controlbot run`` leaves
        polling to its leader replica, which calls :meth:`start_polling`).

        Raises:
            telegram.error.TelegramError: If Telegram refuses the token or cannot be reached.
        """
        app = self.application
        await app.initialize()
        await self.set_commands()
        await app.start()
        if self.webhook_url:
            await app.bot.set_webhook(
                self.webhook_url,
                secret_token=self.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            _LOGGER.info("Telegram @%s: webhook %s", app.bot.username, self.webhook_url)
        elif self.poll_on_start:
            await self.start_polling()

    async def start_polling(self) -> None:
        """Start long polling (after :meth:`start`; nothing in webhook mode or if polling)."""
        updater = self.application.updater
        if updater is None or updater.running:
            return
        await updater.start_polling(
            timeout=self.poll_timeout,
            allowed_updates=list(ALLOWED_UPDATES),
            bootstrap_retries=-1,
            error_callback=self._polling_error,
        )
        _LOGGER.info("Telegram @%s: long polling", self.application.bot.username)

    async def stop_polling(self) -> None:
        """Stop long polling (a leader that stepped down); updates in hand are finished."""
        if self._standby is not None:
            self._standby.cancel()
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
            _LOGGER.info("Telegram: long polling stopped; another replica polls")

    async def bot_username(self) -> str:
        """The bot's @username without the @ (``getMe``; for invite links).

        Raises:
            telegram.error.TelegramError: If Telegram refuses the token or cannot be reached.
        """
        bot = self.application.bot
        await bot.initialize()  # asks getMe
        try:
            return bot.username or ""
        finally:
            await bot.shutdown()

    async def set_commands(self) -> None:
        """Register the command menu in Latvian, English and the plan's default language."""
        bot = self.application.bot
        for lang in SUPPORTED:
            t = translator(lang)
            commands = [BotCommand(name, t.gettext(text)) for name, text in COMMANDS]
            await bot.set_my_commands(commands, language_code=lang)
        t = translator(self.ctx.default_lang)
        await bot.set_my_commands([BotCommand(n, t.gettext(d)) for n, d in COMMANDS])

    async def stop(self) -> None:
        """Stop receiving updates, finish the ones in hand, close the HTTP client.

        Calls still waiting for their turn under Telegram's limits end at once (their
        messages stay queued for the next start), and so do replies still waiting for an
        earlier message to the same person (:meth:`bot.outbox.Outbox.stop_waiting`), so
        stopping never waits out a minute.
        """
        self.limiter.close()
        if self._outbox is not None:
            self._outbox.stop_waiting()
        if self._standby is not None:
            self._standby.cancel()
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        await app.bot.shutdown()  # also after a start that failed half-way

    async def webhook(self, request: web.Request) -> web.Response:
        """``POST /telegram/webhook``: check the secret token, queue the update.

        Returns 403 (and changes nothing) without the right secret, 400 for a body that is
        not an update, 503 while the bot is not running (Telegram delivers it again later),
        else 200 once the update is recorded in the inbox (503 if that takes longer than
        :data:`RECORD_SECONDS`; Telegram delivers it again); its effect follows the answer.
        """
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        expected = self.webhook_secret.encode()
        if not expected or not hmac.compare_digest(given, expected):
            _LOGGER.warning("refused a Telegram webhook request without the secret token")
            return web.Response(status=403, text="forbidden")
        if not self.application.running:
            return web.Response(status=503, text="not running")
        update = await self._update_from(request)
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        if update.update_id in self._seen:
            return web.Response(text="ok")
        self._seen.append(update.update_id)
        recorded = self._inbox.awaiting(f"telegram:{update.update_id}") if self._inbox else None
        await self.application.update_queue.put(update)
        if recorded is not None:  # answer once it is in the inbox: a kill -9 loses nothing
            try:
                await asyncio.wait_for(asyncio.shield(recorded), RECORD_SECONDS)
            except TimeoutError:
                self._seen.remove(update.update_id)
                return web.Response(status=503, text="not recorded yet")
        return web.Response(text="ok")

    async def _update_from(self, request: web.Request) -> Update | None:
        """The request's update, or ``None`` for anything that is not one."""
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError, ValueError):
            return None
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
            return None
        try:
            return Update.de_json(data, self.application.bot)
        except Exception:  # a malformed part of an update: refuse it, whatever broke
            _LOGGER.warning("refused a malformed Telegram update %s", update_id)
            return None
