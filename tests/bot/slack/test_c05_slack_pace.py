"""Slack's pace (issue 12 item 8, C05): Retry-After honoured per method and channel, a long
one leaves the message with the caller (never dropped, nothing held), one post a second."""

from __future__ import annotations

import itertools

import pytest

from bot.channel import Address, TemporaryFailure
from bot.messages import Message
from bot.slack.channel import MAX_WAIT_SECONDS
from tests.bot.slack.conftest import TEAM_CHANNEL, SlackWorld

TEAM = Address("slack", "channel", TEAM_CHANNEL, "#t")
OTHER = Address("slack", "channel", "C0OTHER01", "#o")


async def test_c05_a_long_retry_after_leaves_the_message_queued_and_holds_nothing(
    slack: SlackWorld,
) -> None:
    channel = slack.service.channel
    slack.fake.floods["chat.postMessage"] = [30]
    with pytest.raises(TemporaryFailure) as failed:
        await channel.send(TEAM, Message("Kopsavilkums"))
    assert failed.value.retry_after == 30.0
    assert slack.time.slept == []  # nobody slept through it
    calls = len(slack.fake.calls)
    with pytest.raises(TemporaryFailure) as again:  # still paused: not even tried
        await channel.send(TEAM, Message("Kopsavilkums"))
    assert again.value.retry_after is not None and again.value.retry_after > MAX_WAIT_SECONDS
    assert len(slack.fake.calls) == calls
    await channel.send(OTHER, Message("Citam kanālam"))  # the limit is per channel
    assert slack.fake.texts(OTHER.target) == ["Citam kanālam"]
    await slack.time.sleep(30.0)  # the caller's retry, after Retry-After
    await channel.send(TEAM, Message("Kopsavilkums"))
    assert slack.fake.texts(TEAM_CHANNEL) == ["Kopsavilkums"]  # once, not lost


async def test_c05_repeated_429s_never_drop_a_message(slack: SlackWorld) -> None:
    channel = slack.service.channel
    slack.fake.floods["chat.postMessage"] = [2, 2, 2, 2, 60, 1, 10]
    for n in range(6):
        for _attempt in range(20):  # the caller's side: keep it queued, try after the wait
            try:
                await channel.send(TEAM, Message(f"Ziņa {n}"))
                break
            except TemporaryFailure as exc:
                await slack.time.sleep(exc.retry_after or 1.0)
    assert slack.fake.texts(TEAM_CHANNEL) == [f"Ziņa {n}" for n in range(6)]


async def test_c05_posts_to_a_channel_come_a_second_apart(slack: SlackWorld) -> None:
    for n in range(4):
        await slack.service.channel.send(TEAM, Message(f"Ziņa {n}"))
    times = [c.at for c in slack.fake.sent(TEAM_CHANNEL)]
    assert len(times) == 4
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
