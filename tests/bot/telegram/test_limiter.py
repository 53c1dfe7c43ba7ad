"""The rate limiter on its own: Telegram's windows, 429 waits, and what is not waited out."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.telegram.limiter import MAX_WAIT_SECONDS, ChatRateLimiter, Deferred
from tests.bot.telegram.conftest import VirtualTime


class Api:
    """Stands in for the Bot API call python-telegram-bot hands the limiter."""

    def __init__(self, time: VirtualTime, floods: list[int] | None = None) -> None:
        self.time = time
        self.floods = floods or []
        self.calls: list[tuple[float, str]] = []

    async def call(self, name: str) -> dict[str, Any]:
        self.calls.append((self.time.now, name))
        if self.floods:
            raise RetryAfter(self.floods.pop(0))
        return {"ok": True}


def limiter(time: VirtualTime) -> ChatRateLimiter:
    return ChatRateLimiter(clock=time.clock, sleep=time.sleep)


async def send(lim: ChatRateLimiter, api: Api, endpoint: str, chat: object, name: str) -> None:
    data = {"chat_id": chat} if chat is not None else {}
    await lim.process_request(api.call, (name,), {}, endpoint, data, None)


async def test_a_private_chat_gets_one_message_a_second_and_others_are_not_held() -> None:
    time = VirtualTime()
    lim, api = limiter(time), Api(time)
    for n in range(3):
        await send(lim, api, "sendMessage", 1, f"a{n}")
    await send(lim, api, "sendMessage", 2, "b")
    assert api.calls == [(0.0, "a0"), (1.0, "a1"), (2.0, "a2"), (2.0, "b")]


async def test_a_429_is_waited_out_for_that_chat_only() -> None:
    time = VirtualTime()
    lim, api = limiter(time), Api(time, floods=[5])
    await send(lim, api, "sendMessage", -100, "group")
    assert api.calls == [(0.0, "group"), (5.0, "group")]
    await send(lim, api, "sendMessage", 7, "other")
    assert api.calls[-1] == (5.0, "other")


async def test_a_very_long_retry_after_is_not_waited_out_here() -> None:
    time = VirtualTime()
    lim, api = limiter(time), Api(time, floods=[int(MAX_WAIT_SECONDS) + 1])
    with pytest.raises(Deferred) as raised:
        await send(lim, api, "sendMessage", 1, "x")
    assert raised.value.retry_after == MAX_WAIT_SECONDS + 1  # the caller tries again later
    assert time.slept == []


async def test_a_button_answer_is_not_repeated_and_pauses_nobody() -> None:
    time = VirtualTime()
    lim, api = limiter(time), Api(time, floods=[6])
    with pytest.raises(RetryAfter):
        await send(lim, api, "answerCallbackQuery", None, "answer")
    await send(lim, api, "sendMessage", 3, "next")
    assert api.calls == [(0.0, "answer"), (0.0, "next")]
