"""Sending at Telegram's pace (issue 12 item 8, field case C05), against a fake Bot API that
counts arrivals on virtual time and answers 429 beyond Telegram's limits like Telegram."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.channel import Address, TemporaryFailure
from bot.messages import Message
from bot.telegram.limiter import MAX_WAIT_SECONDS, ChatRateLimiter, Deferred
from tests.bot.telegram.conftest import GROUP, VirtualTime, World
from tests.support.fake_telegram import FloodLimits


def dm(n: int) -> Address:
    return Address("telegram", "dm", str(5000 + n), f"p{n}")


def delivered(world: World, chat: str | None = None) -> list[float]:
    return [c.at for c in world.fake.sent(chat) if c.params.get("_message_id")]


async def until_sent(world: World, address: Address, message: Message) -> int:
    """The caller's side of the contract: a TemporaryFailure keeps the message queued and it
    is tried again after ``retry_after`` (or a second). Returns the attempts it took."""
    assert world.service is not None
    for attempt in range(1, 50):
        try:
            await world.service.channel.send(address, message)
        except TemporaryFailure as exc:
            await world.time.sleep(exc.retry_after or 1.0)
        else:
            return attempt
    raise AssertionError(f"{message.text} never went out")


async def test_c05_a_fan_out_of_300_dms_keeps_95_percent_of_30_a_second_without_a_429(
    world: World,
) -> None:
    assert world.service is not None and world.fake.limits is not None
    channel = world.service.channel
    await asyncio.gather(*(channel.send(dm(n), Message(f"Atgādinājums {n}")) for n in range(300)))

    arrivals = delivered(world)
    assert len(arrivals) == 300
    assert world.fake.limits.refused == 0
    assert world.fake.limits.busiest_second() <= 30
    assert world.fake.limits.rate() >= 0.95 * 30


async def test_c05_a_429_in_one_chat_does_not_delay_another() -> None:
    time = VirtualTime()
    limiter = ChatRateLimiter(clock=time.clock, sleep=time.sleep)
    calls: list[tuple[float, int]] = []
    floods = [3]  # the first call (chat 1) meets a short 429

    async def call(chat: int) -> dict[str, Any]:
        calls.append((time.now, chat))
        if floods:
            raise RetryAfter(floods.pop(0))
        return {}

    async def send(chat: int) -> None:
        await limiter.process_request(call, (chat,), {}, "sendMessage", {"chat_id": chat}, None)

    await asyncio.gather(send(1), send(2), send(3))
    assert calls == [(0.0, 1), (0.0, 2), (0.0, 3), (3.0, 1)]  # 2 and 3 were not held


async def test_c05_long_and_repeated_429s_never_drop_a_message(world: World) -> None:
    assert world.service is not None
    # a long wait (not waited out here), short ones again and again, then a long one
    world.fake.floods["sendMessage"] = [120, 2, 2, 2, 2, 30, 1]
    attempts = await asyncio.gather(
        *(until_sent(world, dm(n), Message(f"Atgādinājums {n}")) for n in range(10))
    )
    texts = [c.params["text"] for c in world.fake.sent() if c.params.get("_message_id")]
    assert sorted(texts) == sorted(f"Atgādinājums {n}" for n in range(10))  # each once
    assert max(attempts) >= 2  # someone had to come back later


async def test_c05_a_long_429_leaves_the_message_queued_and_holds_nothing(world: World) -> None:
    assert world.service is not None
    channel = world.service.channel
    world.fake.floods["sendMessage"] = [int(MAX_WAIT_SECONDS) * 12]
    with pytest.raises(TemporaryFailure) as failed:
        await channel.send(dm(0), Message("vēlāk"))
    assert failed.value.retry_after == MAX_WAIT_SECONDS * 12
    assert world.time.slept == []  # nobody slept through it
    calls = len(world.fake.calls)
    with pytest.raises(TemporaryFailure) as again:  # the chat is still paused: not even tried
        await channel.send(dm(0), Message("vēlāk"))
    assert again.value.retry_after is not None and again.value.retry_after > MAX_WAIT_SECONDS
    assert len(world.fake.calls) == calls
    await channel.send(dm(1), Message("citam"))  # other chats go on
    assert len(delivered(world, dm(1).target)) == 1


async def test_c05_group_posts_come_a_second_apart_and_20_a_minute(world: World) -> None:
    assert world.service is not None and world.fake.limits is not None
    group = Address("telegram", "channel", str(GROUP), "#team")
    channel = world.service.channel
    for n in range(22):
        await channel.send(group, Message(f"Grupai {n}"))
    times = delivered(world, str(GROUP))
    assert len(times) == 22
    assert world.fake.limits.refused == 0
    assert min(b - a for a, b in itertools.pairwise(times)) >= 1.0
    assert times[20] - times[0] >= 60.0


async def test_stopping_ends_every_wait_at_once_and_nothing_is_sent_after() -> None:
    async def forever(_seconds: float) -> None:
        await asyncio.Event().wait()

    limiter = ChatRateLimiter(clock=lambda: 0.0, sleep=forever)
    calls: list[int] = []

    async def call(chat: int) -> dict[str, Any]:
        calls.append(chat)
        return {}

    async def send(chat: int) -> None:
        await limiter.process_request(call, (chat,), {}, "sendMessage", {"chat_id": chat}, None)

    posts = [asyncio.create_task(send(-100)) for _ in range(5)]  # a second apart: waits
    while not calls:  # noqa: ASYNC110 (the first goes out; the others wait for their second)
        await asyncio.sleep(0.005)
    limiter.close()
    results = await asyncio.wait_for(asyncio.gather(*posts, return_exceptions=True), 1.0)
    assert results[0] is None and calls == [-100]
    assert all(isinstance(r, Deferred) and r.retry_after is None for r in results[1:])
    with pytest.raises(Deferred):  # and nothing new starts
        await send(7)


def test_the_fake_counts_like_telegram() -> None:
    limits = FloodLimits()
    assert [limits.check(str(n), 0.0) for n in range(31)][-2:] == [None, 1]  # 30 a second
    assert [limits.check("7", 5.0) for _ in range(4)] == [None, None, None, 1]  # a burst of 3
    assert limits.check("-100", 9.0) is None and limits.check("-100", 9.5) == 1  # 1 s apart
