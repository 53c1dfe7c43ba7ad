"""One person's burst holds up nobody else (issue 12 item 7): twenty commands from one person
wait for that person's turn and their chat's pace, not for slots others need."""

from __future__ import annotations

from bot.telegram.limiter import ChatRateLimiter
from tests.bot.telegram.conftest import ANNA, PETERIS, World


async def test_a_burst_of_20_commands_does_not_hold_up_another_persons_help(
    world: World,
) -> None:
    anna = await world.enrol(ANNA)
    peteris = await world.enrol(PETERIS)
    world.fake.limits = None  # real time below; the fake's clock is the virtual one
    await world.start(ChatRateLimiter())  # Telegram's real pace: one message a second a chat
    before = len(world.fake.texts(anna))
    for _ in range(20):
        world.fake.user_says(anna, "/help")
    await world.fake.wait_for(lambda: len(world.fake.texts(anna)) > before)  # being handled
    peteris_before = len(world.fake.texts(peteris))
    world.fake.user_says(peteris, "/help", language="en")
    await world.fake.wait_for(lambda: len(world.fake.texts(peteris)) > peteris_before)
    answered = len(world.fake.texts(anna)) - before
    assert answered < 20  # Pēteris did not wait for Anna's 20 replies (20 s at her pace)
