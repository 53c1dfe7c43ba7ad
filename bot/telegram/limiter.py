"""This module contains :class:`ChatRateLimiter`: Telegram's flood limits, per chat and overall.

Telegram's guidance (Bots FAQ, "My bot is hitting limits"): about 30 messages a second
overall, one a second in a private chat and 20 a minute in a group. python-telegram-bot's
own ``AIORateLimiter`` does not keep the per-chat limits, so this limiter does (field case
C05). It plugs into python-telegram-bot as its ``rate_limiter``: every Bot API call passes
through :meth:`ChatRateLimiter.process_request`. A 429 answer (``RetryAfter``) is waited out
and the call repeated; calls to one chat keep their order.

Time comes from an injectable clock and sleep, so tests need not wait real minutes.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

_LOGGER = logging.getLogger(__name__)

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class Window:
    """At most ``calls`` calls in any ``seconds`` seconds."""

    calls: int
    seconds: float


OVERALL = Window(30, 1.0)
"""Telegram Bots FAQ: about 30 messages per second overall."""
PRIVATE_CHAT = Window(1, 1.0)
"""Telegram Bots FAQ: about one message per second in a private chat."""
GROUP_CHAT = Window(20, 60.0)
"""Telegram Bots FAQ: at most 20 messages per minute in a group."""
MAX_RETRIES = 5
"""How many 429 answers one call waits out before giving up."""
MAX_WAIT_SECONDS = 60.0
"""A 429 asking for a longer wait is not waited out here: the call fails at once and the
delivery ledger tries again on a later sweep (a person's next message is not held up)."""
NO_RETRY = frozenset({"answerCallbackQuery", "getUpdates"})
"""Calls not worth repeating after a 429: a button's answer is stale after seconds, and the
updater polls again by itself."""


def retry_seconds(exc: RetryAfter) -> float:
    """``exc.retry_after`` in seconds (python-telegram-bot 22 gives int or timedelta)."""
    with warnings.catch_warnings():  # the attribute warns about its coming type change
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class ChatRateLimiter(BaseRateLimiter[int]):
    """Keeps Bot API calls within Telegram's flood limits.

    Args:
        clock: Monotonic seconds (default :func:`time.monotonic`).
        sleep: Waits the given seconds (default :func:`asyncio.sleep`).
        max_retries: 429 answers to wait out per call before the error is raised.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._max_retries = max_retries
        self._sent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._chat_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._paused_until: dict[str, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    @staticmethod
    def windows(chat_id: object) -> list[tuple[str, Window]]:
        """The limits a call to ``chat_id`` counts against (``None``: overall only).

        Group and channel ids are negative in the Bot API; user (private chat) ids positive.
        """
        found = [("*", OVERALL)]
        if chat_id is None:
            return found
        key = str(chat_id)
        group = key.startswith("-") or key.startswith("@")
        found.append((key, GROUP_CHAT if group else PRIVATE_CHAT))
        return found

    def _wait_needed(self, limits: list[tuple[str, Window]], pause_key: str) -> float:
        now = self._clock()
        wait = 0.0
        for key, window in limits:
            sent = self._sent[key]
            while sent and now - sent[0] >= window.seconds:
                sent.popleft()
            if len(sent) >= window.calls:
                wait = max(wait, sent[0] + window.seconds - now)
        return max(wait, self._paused_until.get(pause_key, 0.0) - now)

    async def _acquire(self, limits: list[tuple[str, Window]], pause_key: str) -> None:
        while (wait := self._wait_needed(limits, pause_key)) > 0:
            await self._sleep(wait)
        now = self._clock()
        for key, _window in limits:
            self._sent[key].append(now)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for a free slot, make the call, and wait out 429 answers.

        Raises:
            telegram.error.RetryAfter: After ``max_retries`` 429 answers to one call.
        """
        chat_id = data.get("chat_id")
        limits = self.windows(chat_id)
        retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        if endpoint in NO_RETRY:
            retries = 0
        # one call per chat at a time keeps the order; calls without a chat queue per method
        lock_key = limits[-1][0] if chat_id is not None else f"*{endpoint}"
        async with self._chat_locks[lock_key]:
            for attempt in range(retries + 1):
                await self._acquire(limits, lock_key)
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    seconds = retry_seconds(exc)
                    waiting = attempt < retries and seconds <= MAX_WAIT_SECONDS
                    _LOGGER.warning(
                        "Telegram flood control on %s (%s): retry after %.0f s%s",
                        endpoint,
                        chat_id,
                        seconds,
                        "" if waiting else "; not waiting",
                    )
                    if not waiting:
                        raise
                    self._paused_until[lock_key] = self._clock() + seconds
        raise AssertionError("unreachable")  # pragma: no cover
