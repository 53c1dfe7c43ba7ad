"""The Slack world: the real slack-bolt app on our aiohttp server (port 0), signed requests, and
a fake Slack Web API on 127.0.0.1 (port 0), with the real dispatcher and a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from bot.dispatch import Dispatcher
from bot.http import HttpServer
from bot.outbox import Outbox
from bot.slack.channel import RateLimitHandler
from bot.slack.service import EVENTS_PATH, SlackService
from storage.db import Database
from tests.bot.telegram.conftest import VirtualTime
from tests.support.fake_slack import BOT_TOKEN, SIGNING_SECRET, Call, FakeSlack, SlackSender
from tests.support.recording import RecordingChannel, command
from tests.support.waiting import until_quiet
from workflows.context import Context

ADMIN = "kristaps-sils"
ANNA = "anna-ozola"
JANIS = "janis-berzins"
PETERIS = "peteris-liepa"
ACTIVITY = "dzivesvietas-deklaresana"
CHANNEL = "pk-dzivesvieta"
USERS = {ANNA: "U0ANNA001", JANIS: "U0JANIS01", PETERIS: "U0PETER01", ADMIN: "U0KRIST01"}
TEAM_CHANNEL = "C0TEAM001"


@dataclass
class SlackWorld:
    fake: FakeSlack
    ctx: Context
    db: Database
    time: VirtualTime
    console: RecordingChannel
    service: SlackService
    dispatcher: Dispatcher
    server: HttpServer
    sender: SlackSender

    def dm(self, person: str) -> str:
        return "D" + USERS[person][1:]

    async def wait_for(self, check: Callable[[], object], limit: float = 10.0) -> None:
        await self.fake.wait_for(check, limit)

    async def settle(self) -> None:
        """Let the bot finish what it is doing (no new calls for a moment).

        Slack is answered (``ack``) before the bot does the work, so after a request wait for
        its outcome first (:meth:`answered`); this only waits for what follows it.
        """
        await until_quiet(self.fake.calls, self.db)

    async def answered(self, request: Awaitable[object], outcome: Callable[[], object]) -> None:
        """Make ``request`` to the bot, wait until ``outcome()`` is true, then :meth:`settle`."""
        await request
        await self.wait_for(outcome)
        await self.settle()

    def posted(self, channel: str, method: str = "chat.postMessage") -> Callable[[], int]:
        """How many ``method`` calls to ``channel`` there are (call it again to compare)."""
        return lambda: len(self.fake.sent(channel, method))

    async def admin(self, name: str, *args: str) -> None:
        await self.dispatcher.handle(command(ADMIN, name, *args))
        await self.settle()

    def has_button(self, label: str, channel: str | None = None) -> bool:
        try:
            self.last_with_button(label, channel)
        except AssertionError:
            return False
        return True

    def last_with_button(self, label: str, channel: str | None = None) -> Call:
        for call in reversed(self.fake.sent(channel)):
            for block in call.params.get("blocks") or []:
                if block["type"] == "actions" and any(
                    e["text"]["text"] == label for e in block["elements"]
                ):
                    return call
        raise AssertionError(f"no message with a button {label!r}")


@pytest.fixture
async def slack(ctx: Context, db: Database) -> AsyncIterator[SlackWorld]:
    time = VirtualTime()
    fake = FakeSlack(
        users_by_email={
            f"{p.split('-')[0]}.{p.split('-')[1]}@parauga-novads.example": u
            for p, u in USERS.items()
        },
        clock=time.clock,
        locales={USERS[PETERIS]: "en-US", USERS[JANIS]: "lv-LV"},
    )
    await fake.start()
    service = SlackService(
        BOT_TOKEN,
        SIGNING_SECRET,
        fake.url,
        ctx,
        db,
        rate_limits=RateLimitHandler(sleep=time.sleep, clock=time.clock),
    )
    console = RecordingChannel()
    outbox = Outbox(ctx, db, {"console": console, "slack": service.channel}, "lv")
    dispatcher = Dispatcher(ctx, db, outbox, "lv")
    service.connect(dispatcher)
    server = HttpServer("127.0.0.1", 0)
    service.mount(server)
    port = await server.start()
    await service.start()
    world = SlackWorld(
        fake,
        ctx,
        db,
        time,
        console,
        service,
        dispatcher,
        server,
        SlackSender(f"http://127.0.0.1:{port}{EVENTS_PATH}"),
    )
    yield world
    await server.stop()
    await service.stop()
    await fake.stop()
