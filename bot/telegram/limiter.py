"""This module contains :class:`ChatRateLimiter`: Telegram's flood limits, per chat and overall.

Telegram's guidance (Bots FAQ, "My bot is hitting limits"): about 30 messages a second
overall, one a second in a chat and 20 a minute in a group. python-telegram-bot's own
``AIORateLimiter`` does not keep the per-chat limits, so this limiter does (field case C05).
It plugs into python-telegram-bot as its ``rate_limiter``: every Bot API call passes through
:meth:`ChatRateLimiter.process_request`.

Telegram counts a message when it arrives, somewhere between the moment we start the HTTP
call and the moment its answer is back. So a call holds its place in each window from its
start until one window length after its *answer*: then no window of Telegram's clock can
see more calls than ours allows, however the network delays them. Overall we keep 29 a
second, one below Telegram's 30, as a margin.

A 429 answer (``RetryAfter``) pauses that chat only. A short one (up to
:data:`MAX_WAIT_SECONDS`) is waited out and the call repeated; a longer one, or a call to a
chat still paused for longer, fails at once with :class:`Deferred` carrying the wait, so
nothing is held while a chat waits: the caller keeps the message queued and tries later.
:meth:`ChatRateLimiter.close` ends every wait at once (shutdown). Calls to one chat keep
their order. Time comes from an injectable clock and sleep, so tests need not wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class Window:
    """At most ``calls`` calls in any ``seconds`` seconds."""

    calls: int
    seconds: float


OVERALL = Window(29, 1.0)
"""Telegram Bots FAQ: about 30 messages per second overall; we keep one below."""
PER_CHAT = Window(1, 1.0)
"""Telegram Bots FAQ: about one message per second in a chat (private or group)."""
GROUP_CHAT = Window(20, 60.0)
"""Telegram Bots FAQ: at most 20 messages per minute in a group."""
MAX_RETRIES = 3
"""How many short 429 answers one call waits out before giving up."""
MAX_WAIT_SECONDS = 5.0
"""The longest 429 wait done here, holding the chat's turn. A longer one fails the call at
once with :class:`Deferred`: the caller keeps the message and tries again after the wait."""
NO_RETRY = frozenset({"answerCallbackQuery", "getUpdates"})
"""Calls not worth repeating after a 429: a button's answer is stale after seconds, and the
updater polls again by itself."""


class Deferred(TelegramError):
    """The call was not made (or not repeated): try again later.

    Args:
        retry_after: Seconds until the chat may be written to again; ``None`` when the
            limiter was closed (the process is stopping).
    """

    def __init__(self, retry_after: float | None) -> None:
        reason = "shutting down" if retry_after is None else f"retry after {retry_after:.1f} s"
        super().__init__(f"Flood control: {reason}")
        self.retry_after = retry_after


def retry_seconds(exc: RetryAfter) -> float:
    """``exc.retry_after`` in seconds (python-telegram-bot 22 gives int or timedelta)."""
    with warnings.catch_warnings():  # the attribute warns about its coming type change
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class _Slot:
    """One call's place in a window: from its start until ``end`` + the window's length."""

    __slots__ = ("end",)

    def __init__(self) -> None:
        self.end: float | None = None  # the answer's time; None while in flight


class ChatRateLimiter(BaseRateLimiter[int]):
    """Keeps Bot API calls within Telegram's flood limits.

    Args:
        clock: Monotonic seconds (default :func:`time.monotonic`).
        sleep: Waits the given seconds (default :func:`asyncio.sleep`).
        max_retries: Short 429 answers to wait out per call before the error is raised.
        overall: The overall window (default :data:`OVERALL`).
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_retries: int = MAX_RETRIES,
        overall: Window = OVERALL,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._max_retries = max_retries
        self._overall = overall
        self._slots: defaultdict[str, list[_Slot]] = defaultdict(list)
        self._chat_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._overall_lock = asyncio.Lock()
        self._paused_until: dict[str, float] = {}
        self._closed = asyncio.Event()
        self._ended = asyncio.Event()  # set (and replaced) whenever a call ends
        self.on_429: Callable[[float], None] = lambda _seconds: None
        """Told the wait of every 429 answer (the metrics count them)."""

    async def initialize(self) -> None:
        """Open again after :meth:`close` (a restarted Application)."""
        self._closed = asyncio.Event()

    async def shutdown(self) -> None:
        """End every wait (python-telegram-bot calls this when the bot shuts down)."""
        self.close()

    def close(self) -> None:
        """End every wait at once: waiting calls fail with :class:`Deferred` (no wait)."""
        self._closed.set()

    @property
    def in_flight(self) -> int:
        """Message calls started and not yet answered."""
        return sum(1 for slot in self._slots["*"] if slot.end is None)

    def paused_for(self, chat_id: object) -> float:
        """Seconds until ``chat_id`` may be written to again after a 429 (0: now)."""
        return max(0.0, self._paused_until.get(str(chat_id), 0.0) - self._clock())

    def windows(self, chat_id: object) -> list[tuple[str, Window]]:
        """The limits a call to ``chat_id`` counts against (none without a chat).

        Group and channel ids are negative in the Bot API (or ``@name``); user (private
        chat) ids positive.
        """
        if chat_id is None:
            return []  # getUpdates, answerCallbackQuery, setMyCommands: not messages
        key = str(chat_id)
        found = [("*", self._overall), (key, PER_CHAT)]
        if key.startswith("-") or key.startswith("@"):
            found.append((f"{key}/min", GROUP_CHAT))
        return found

    def _wait_needed(self, limits: list[tuple[str, Window]], now: float) -> float | None:
        """Seconds until a place is free in every window (``None``: when calls end)."""
        wait = 0.0
        for key, window in limits:
            slots = self._slots[key]
            slots[:] = [s for s in slots if s.end is None or s.end + window.seconds > now]
            excess = len(slots) - window.calls
            if excess < 0:
                continue
            frees = sorted(s.end + window.seconds for s in slots if s.end is not None)
            if len(frees) <= excess:
                return None  # full of calls still in flight
            wait = max(wait, frees[excess] - now)
        return wait

    async def _pause(self, seconds: float | None) -> None:
        """Sleep (``None``: until a call ends), but wake at once when the limiter is closed."""
        if self._closed.is_set():
            raise Deferred(None)
        waiter = self._sleep(seconds) if seconds is not None else self._ended.wait()
        sleeper = asyncio.ensure_future(waiter)
        closer = asyncio.ensure_future(self._closed.wait())
        try:
            await asyncio.wait({sleeper, closer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            closer.cancel()
        if self._closed.is_set():
            raise Deferred(None)

    async def _wait_for(self, limits: list[tuple[str, Window]]) -> None:
        while (wait := self._wait_needed(limits, self._clock())) != 0.0:
            await self._pause(wait)

    def _end(self, taken: list[_Slot]) -> None:
        """The call's answer is in: its places free one window length from now."""
        ended = self._clock()
        for slot in taken:
            slot.end = ended
        self._ended.set()
        self._ended = asyncio.Event()

    async def _acquire(self, limits: list[tuple[str, Window]], chat: str | None) -> list[_Slot]:
        """Wait for a place in every window, take it and return it (the caller ends it)."""
        if not limits:
            return []
        if chat is not None:
            paused = self._paused_until.get(chat, 0.0) - self._clock()
            if paused > MAX_WAIT_SECONDS:
                raise Deferred(paused)
            if paused > 0:
                await self._pause(paused)
        await self._wait_for(limits[1:])  # the chat's own windows: nobody else waits on them
        async with self._overall_lock:  # first come, first served across chats
            await self._wait_for(limits)
            if self._closed.is_set():
                raise Deferred(None)
            taken = [_Slot() for _ in limits]
            for (key, _window), slot in zip(limits, taken, strict=True):
                self._slots[key].append(slot)
        return taken

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for a free place, make the call, and wait out short 429 answers.

        Raises:
            Deferred: The chat is paused for longer than :data:`MAX_WAIT_SECONDS`, a 429
                asked for longer, or the limiter was closed.
            telegram.error.RetryAfter: After ``max_retries`` short 429 answers to one call.
        """
        chat_id = data.get("chat_id")
        chat = None if chat_id is None else str(chat_id)
        limits = self.windows(chat_id)
        retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        if endpoint in NO_RETRY:
            retries = 0
        # one call per chat at a time keeps the order; calls without a chat queue per method
        async with self._chat_locks[chat if chat is not None else f"*{endpoint}"]:
            for attempt in range(retries + 1):
                taken = await self._acquire(limits, chat)
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    seconds = retry_seconds(exc)
                    self.on_429(seconds)
                    if chat is not None:
                        self._paused_until[chat] = self._clock() + seconds
                    waiting = attempt < retries and seconds <= MAX_WAIT_SECONDS
                    _LOGGER.warning(
                        "Telegram flood control on %s (%s): retry after %.0f s%s",
                        endpoint,
                        chat_id,
                        seconds,
                        "" if waiting else "; not waiting",
                    )
                    if seconds > MAX_WAIT_SECONDS and endpoint not in NO_RETRY:
                        raise Deferred(seconds) from exc
                    if not waiting:
                        raise
                finally:
                    self._end(taken)
        raise AssertionError("unreachable")  # pragma: no cover
