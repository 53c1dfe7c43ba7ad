"""Telegram inside ``controlbot run``, the webhook with its secret token, and ``/healthz``."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import aiohttp

from bot.dispatch import Dispatcher
from bot.http import HttpServer
from bot.outbox import Outbox
from bot.run import run
from bot.settings import Settings
from bot.telegram.service import SECRET_HEADER, WEBHOOK_PATH, TelegramService
from storage.db import Database
from tests.support.fake_telegram import TOKEN, FakeTelegram
from workflows.context import Context

SECRET = "s3cret-Token_1"


def update(update_id: int, user: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_790_000_000,
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "X", "language_code": "en"},
            "text": text,
        },
    }


async def webhook_bot(
    ctx: Context, db: Database
) -> tuple[FakeTelegram, TelegramService, HttpServer, int]:
    """A webhook-mode bot on an HTTP server (port 0), not started yet."""
    fake = FakeTelegram()
    await fake.start()
    hook = "https://bot.example.lv" + WEBHOOK_PATH
    service = TelegramService(TOKEN, fake.url, ctx, db, webhook_url=hook, webhook_secret=SECRET)
    outbox = Outbox(ctx, db, {"telegram": service.channel}, "lv")
    service.connect(Dispatcher(ctx, db, outbox, "lv"))
    server = HttpServer("127.0.0.1", 0)
    service.mount(server)
    return fake, service, server, await server.start()


async def test_run_starts_telegram_beside_the_scheduler_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    fake = FakeTelegram()
    await fake.start()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        http_port=0,
        telegram_token=TOKEN,
        telegram_api_url=fake.url,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, stdin=io.StringIO(""), out=io.StringIO(), stop=stop))
    await fake.wait_for(lambda: fake.sent(method="getUpdates"))
    fake.user_says(9001, "/pending", language="en")
    await fake.wait_for(lambda: fake.texts(9001))
    assert fake.texts(9001)[0].startswith("You are not enrolled")
    stop.set()  # what SIGTERM does
    assert await asyncio.wait_for(task, 30) == 0
    polls = len(fake.sent(method="getUpdates"))
    await asyncio.sleep(0.3)
    assert len(fake.sent(method="getUpdates")) == polls  # no polling after the stop
    await fake.stop()


async def test_run_with_a_refused_token_exits_with_an_error(tmp_path: Path) -> None:
    fake = FakeTelegram(token="other")
    await fake.start()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        http_port=0,
        telegram_token=TOKEN,
        telegram_api_url=fake.url,
    )
    assert await run(settings, stdin=io.StringIO(""), out=io.StringIO()) == 2
    await fake.stop()


async def test_the_webhook_needs_the_secret_token_and_handles_each_update_once(
    ctx: Context, db: Database
) -> None:
    fake, service, server, port = await webhook_bot(ctx, db)
    await service.start()
    (hook,) = fake.sent(method="setWebhook")
    assert hook.params["secret_token"] == SECRET
    assert hook.params["url"] == "https://bot.example.lv/telegram/webhook"
    assert fake.sent(method="getUpdates") == []  # no polling in webhook mode

    url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=update(1, 9101, "/help")) as response:
            assert response.status == 403
        bad = {SECRET_HEADER: "wrong"}
        async with http.post(url, json=update(2, 9102, "/help"), headers=bad) as response:
            assert response.status == 403
        good = {SECRET_HEADER: SECRET}
        async with http.post(url, data=b"{nope", headers=good) as response:
            assert response.status == 400
        for _ in range(2):  # Telegram repeats a delivery it thinks failed
            async with http.post(url, json=update(3, 9103, "/help"), headers=good) as response:
                assert response.status == 200
        await fake.wait_for(lambda: fake.texts(9103))
        await asyncio.sleep(0.3)
    assert len(fake.texts(9103)) == 1
    assert fake.texts(9101) == fake.texts(9102) == []  # refused requests changed nothing
    await service.stop()
    await server.stop()
    await fake.stop()


async def test_healthz_reports_the_parts() -> None:
    state = {"database": "ok"}

    async def health() -> dict[str, str]:
        return dict(state)

    server = HttpServer("127.0.0.1", 0, health)
    port = await server.start()
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok", "database": "ok"}
        state["database"] = "error: OperationalError"
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["status"] == "degraded"
    await server.stop()


async def test_the_webhook_refuses_what_is_not_an_update_without_a_server_error(
    ctx: Context, db: Database
) -> None:
    fake, service, server, port = await webhook_bot(ctx, db)
    url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    good = {SECRET_HEADER: SECRET}
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=update(1, 9201, "/help"), headers=good) as response:
            assert response.status == 503  # not started yet: Telegram delivers it again later
        await service.start()
        odd = {SECRET_HEADER: "s\u00ebcret"}
        async with http.post(url, json=update(2, 9201, "/help"), headers=odd) as response:
            assert response.status == 403
        bodies: list[object] = [
            [],
            "x",
            1,
            None,
            {"update_id": 5, "message": "hi"},
            {"update_id": "abc"},
            {"update_id": 1.5},
            {"update_id": True},
            {"update_id": -3},
        ]
        for body in bodies:
            async with http.post(url, json=body, headers=good) as response:
                assert response.status == 400, body
        deep = b"[" * 100_000 + b"]" * 100_000
        async with http.post(url, data=deep, headers=good) as response:
            assert response.status in (400, 413)
    await service.stop()
    await server.stop()
    await fake.stop()
    assert fake.texts(9201) == []


async def test_healthz_says_when_telegram_cannot_be_reached(ctx: Context, db: Database) -> None:
    fake = FakeTelegram()
    await fake.start()
    service = TelegramService(TOKEN, fake.url, ctx, db, poll_timeout=1)
    service.connect(
        Dispatcher(ctx, db, Outbox(ctx, db, {"telegram": service.channel}, "lv"), "lv")
    )
    await service.start()
    assert service.health() == "ok"
    fake.network_failures["getUpdates"] = 1000
    await fake.wait_for(lambda: service.health().startswith("error:"))
    await service.stop()
    assert service.health() == "stopped"
    await fake.stop()
