"""Issue 14 item 3: /healthz, /readyz and /metrics of ``controlbot run``.

The bot runs as ``controlbot run`` does (``bot.run.run``) with Telegram in webhook mode against
the fake Bot API over real HTTP; updates come in through the webhook, as Telegram sends them.
"""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from alembic.script import ScriptDirectory
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr, ValidationError
from sqlalchemy import text

from bot import __version__
from bot.app import build_context
from bot.http import HttpServer
from bot.metrics import Metrics
from bot.probes import Probes
from bot.run import run
from bot.settings import Settings
from bot.telegram.service import SECRET_HEADER, WEBHOOK_PATH
from storage.db import Database
from storage.migrate import alembic_config, head_revision, upgrade
from storage.models import FormSession
from tests.conftest import PG_ENV, _reset_postgres, database_urls
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.waiting import until_quiet
from workflows.clock import SystemClock
from workflows.people import enrolment

SECRET = "hook-Secret_14"
METRICS_TOKEN = "metrics-token-0123456789"
ANNA = "anna-ozola"
ANNA_TG = 1401


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    """``controlbot run`` in this event loop, its fake Telegram and its HTTP address."""

    fake: FakeTelegram
    base: str
    http: aiohttp.ClientSession
    settings: Settings
    next_update: int = 1

    async def get(self, path: str, **headers: str) -> tuple[int, str]:
        async with self.http.get(self.base + path, headers=headers) as response:
            return response.status, await response.text()

    async def says(self, user: int, words: str) -> None:
        """Telegram posts the user's message to the webhook, as it would."""
        update = {
            "update_id": self.next_update,
            "message": {
                "message_id": self.next_update,
                "date": 1_790_000_000,
                "chat": {"id": user, "type": "private"},
                "from": {"id": user, "is_bot": False, "first_name": "A", "language_code": "lv"},
                "text": words,
                "entities": [
                    {"type": "bot_command", "offset": 0, "length": len(words.split()[0])}
                ],
            },
        }
        self.next_update += 1
        url = self.base + WEBHOOK_PATH
        async with self.http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as answer:
            assert answer.status == 200


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    fake = FakeTelegram()
    await fake.start()
    port = _free_port()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        http_port=port,
        telegram_token=SecretStr(TOKEN),
        telegram_api_url=fake.url,
        telegram_webhook_url="https://controlbot.example.lv" + WEBHOOK_PATH,
        telegram_webhook_secret=SecretStr(SECRET),
        metrics_token=SecretStr(METRICS_TOKEN),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, stdin=io.StringIO(""), out=io.StringIO(), stop=stop))
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(200):  # until the server listens and Telegram is set up
            try:
                async with http.get(base + "/healthz") as response:
                    if response.status == 200 and fake.sent(method="setWebhook"):
                        break
            except aiohttp.ClientConnectorError:
                pass
            await asyncio.sleep(0.05)
        else:
            pytest.fail("controlbot run did not start")
        yield Running(fake, base, http, settings)
    stop.set()
    assert await asyncio.wait_for(task, 30) == 0
    await fake.stop()


def _metrics(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text exposition, parsed by prometheus_client's parser."""
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_issue14_healthz_and_readyz_of_a_running_bot(running: Running) -> None:
    status, body = await running.get("/healthz")
    assert status == 200 and '"status": "ok"' in body and "database" not in body
    async with running.http.get(running.base + "/readyz") as response:
        assert response.status == 200
        ready = await response.json()
    db = Database.from_url(running.settings.database_url)
    try:
        head = head_revision(db.engine)
    finally:
        db.dispose()
    assert ready == {
        "status": "ready",
        "database": "ok",
        "migrations": "current",
        "revision": head,
        "head": head,
        "role": "single",
    }


async def test_issue14_metrics_after_a_message_in_a_reply_out_and_a_429(
    running: Running,
) -> None:
    fake = running.fake
    db = Database.from_url(running.settings.database_url)
    try:
        ctx = build_context(running.settings, SystemClock())
        code = db.transaction(lambda s: enrolment.issue(s, ctx, ANNA)).code
        await running.says(ANNA_TG, f"/start {code}")  # a message in, the greeting out
        await fake.wait_for(lambda: fake.texts(ANNA_TG))
        await until_quiet(fake.calls, db)
        greeted = len(fake.texts(ANNA_TG))  # enrolment's greeting (not an inbox event)
        fake.floods["sendMessage"] = [1]  # Telegram's flood control answers the next one 429
        await running.says(ANNA_TG, "/help")  # an inbox event: its reply waits out the 429
        await fake.wait_for(lambda: len(fake.texts(ANNA_TG)) > greeted)
        running.next_update -= 1
        await running.says(ANNA_TG, "/help")  # Telegram delivers the same update again
        await until_quiet(fake.calls, db)
        now = datetime.now(UTC)
        db.transaction(  # a form in progress (and one that has expired meanwhile)
            lambda s: s.add_all(
                [
                    _form(now + timedelta(minutes=30)),
                    _form(now - timedelta(minutes=1), person="peteris-liepa"),
                ]
            )
        )
    finally:
        db.dispose()

    assert (await running.get("/metrics"))[0] == 401  # CONTROLBOT_METRICS_TOKEN is set
    assert (await running.get("/metrics", Authorization="Bearer wrong-token-0000000"))[0] == 401
    status, body = await running.get("/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
    assert status == 200
    found = _metrics(body)

    def value(name: str, **labels: str) -> float:
        return found[(name, tuple(sorted(labels.items())))]

    sent = len(fake.texts(ANNA_TG))  # the greeting and the help, each once
    assert sent > greeted
    assert value("controlbot_inbound_events_total", platform="telegram") == 1
    assert value("controlbot_sends_total", platform="telegram", outcome="delivered") == sent
    assert value("controlbot_rate_limited_total", platform="telegram") == 1
    assert value("controlbot_delivery_latency_seconds_count") == sent
    assert 0 < value("controlbot_delivery_latency_seconds_sum") < 30  # the 429's 1 s wait in it
    assert value("controlbot_sweep_duration_seconds_count") >= 1  # run sweeps at start
    assert value("controlbot_outbox_depth", state="queued") == 0
    assert value("controlbot_outbox_depth", state="sending") == 0
    assert value("controlbot_open_forms") == 1
    assert value("controlbot_leader") == 1
    assert value("controlbot_role", role="single") == 1
    assert value("controlbot_role", role="follower") == 0
    assert value("controlbot_release_info", version=__version__) == 1


def _form(expires: datetime, person: str = ANNA) -> FormSession:
    return FormSession(
        person_id=person,
        form="measure",
        subject_id=1,
        state="measure:value",
        started_at=expires - timedelta(minutes=30),
        updated_at=expires - timedelta(minutes=30),
        expires_at=expires,
    )


async def _probe_server(db: Database, role: str = "single") -> tuple[HttpServer, str]:
    async def parts() -> dict[str, str]:
        return {"telegram": "ok"}

    server = HttpServer("127.0.0.1", 0, parts)
    Probes(db, Metrics(), SystemClock(), role=lambda: role).mount(server)
    return server, f"http://127.0.0.1:{await server.start()}"


async def _get_json(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json(content_type=None)


async def test_issue14_readyz_503_when_the_database_is_unreachable_and_healthz_still_200() -> None:
    nobody = _free_port()  # nothing listens there: the real driver is refused
    db = Database.from_url(f"postgresql+psycopg://controlbot:pw-Secret-14@127.0.0.1:{nobody}/x")
    server, base = await _probe_server(db, role="follower")
    try:
        status, ready = await _get_json(base + "/readyz")
        assert status == 503
        assert ready["status"] == "not ready"
        assert ready["reason"] == "database unreachable: OperationalError"
        assert ready["role"] == "follower"
        assert "pw-Secret-14" not in str(ready)
        assert await _get_json(base + "/healthz") == (200, {"status": "ok", "telegram": "ok"})
        async with aiohttp.ClientSession() as http, http.get(base + "/metrics") as response:
            assert response.status == 503  # the shared gauges cannot be read
            assert "pw-Secret-14" not in await response.text()
    finally:
        await server.stop()
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_issue14_readyz_503_when_migrations_are_behind_ready_when_ahead(
    tmp_path: Path, backend: str
) -> None:
    url = database_urls(tmp_path)[backend]
    if url is None:
        pytest.skip(f"{PG_ENV} is not set")
    if backend == "postgresql":
        _reset_postgres(url)
    db = Database.from_url(url)
    scripts = ScriptDirectory.from_config(alembic_config(db.engine))
    previous = scripts.get_revision(scripts.get_current_head()).down_revision
    assert isinstance(previous, str)
    upgrade(db.engine, previous)  # the release before this one's schema
    server, base = await _probe_server(db)
    try:
        status, ready = await _get_json(base + "/readyz")
        assert status == 503
        assert ready["reason"] == "migrations behind: run controlbot db upgrade"
        assert (ready["migrations"], ready["revision"]) == ("behind", previous)
        upgrade(db.engine)
        status, ready = await _get_json(base + "/readyz")
        assert (status, ready["migrations"]) == (200, "current")
        # a newer release has migrated the database (a rolling upgrade under way): this
        # release's migrations are compatible with it, so this replica stays ready
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'f00d0next'"))
        status, ready = await _get_json(base + "/readyz")
        assert (status, ready["migrations"], ready["revision"]) == (200, "ahead", "f00d0next")
    finally:
        await server.stop()
        db.dispose()
    if backend == "postgresql":
        _reset_postgres(url)


def test_issue14_metrics_token_is_checked_and_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.cli.settings_errors import settings_errors
    from bot.redaction import secrets_of

    monkeypatch.setenv("CONTROLBOT_METRICS_TOKEN", "short metrics")
    with pytest.raises(ValidationError) as raised:
        Settings()
    (line,) = settings_errors(raised.value)
    assert "CONTROLBOT_METRICS_TOKEN" in line and "short metrics" not in line
    settings = Settings(metrics_token=SecretStr(METRICS_TOKEN))
    assert METRICS_TOKEN in secrets_of(settings)  # masked in every log line and traceback
    assert METRICS_TOKEN not in settings.safe_repr()
