"""Several ``controlbot run`` replicas on one PostgreSQL, and inbound traffic spread over them.

:class:`Cluster` starts replicas as separate processes (:mod:`tests.support.replica_worker`)
with Telegram in webhook mode and Slack over HTTP, both pointing at the fakes; each replica
logs to its own file, where the test reads who leads. :class:`Inbound` posts Telegram updates
and signed Slack message events to a replica picked at random, and, as the platforms do,
delivers again (to another replica) what was not answered 200.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from tests.support.fake_slack import BOT_TOKEN, SIGNING_SECRET, TEAM, signed_headers

ROOT = Path(__file__).resolve().parents[2]
SECRET = "replica-webhook-secret"
LEADER_LINE = "this replica is now the leader"


def synthetic_plan(path: Path, copies: int = 45) -> Path:
    """The bundled plan with ``copies`` copies of its services (45: 328 people)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from bench_plan import synthetic
    finally:
        sys.path.remove(str(ROOT / "bench"))
    path.write_text(yaml.safe_dump(synthetic(copies), allow_unicode=True), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Replica:
    """One ``controlbot run`` process."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    @property
    def leads(self) -> bool:
        return self.process.poll() is None and LEADER_LINE in self.text()


@dataclass
class Cluster:
    """Replicas sharing one database, the Telegram fake (webhook) and the Slack fake."""

    url: str
    plan: Path
    folder: Path
    telegram_url: str
    slack_url: str
    lease_seconds: float = 5.0
    inbound_hold_ms: int | None = None
    """``CONTROLBOT_INBOUND_HOLD_MS`` (0: webhooks apply at once, ``bot.inbox_now``)."""
    replicas: list[Replica] = field(default_factory=list)

    def start(self, n: int) -> None:
        for _ in range(n):
            self.add()

    def add(self) -> Replica:
        port = free_port()
        log = self.folder / f"replica-{len(self.replicas)}.log"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CONTROLBOT_DATABASE_URL": self.url,
            "CONTROLBOT_PLAN": str(self.plan),
            "CONTROLBOT_HTTP_PORT": str(port),
            "CONTROLBOT_TELEGRAM_TOKEN": "123456:TEST-token",
            "CONTROLBOT_TELEGRAM_API_URL": self.telegram_url,
            "CONTROLBOT_TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
            "CONTROLBOT_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "CONTROLBOT_SLACK_BOT_TOKEN": BOT_TOKEN,
            "CONTROLBOT_SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "CONTROLBOT_SLACK_API_URL": self.slack_url,
            "CONTROLBOT_TEST_LEASE_SECONDS": str(self.lease_seconds),
        }
        if self.inbound_hold_ms is not None:
            env["CONTROLBOT_INBOUND_HOLD_MS"] = str(self.inbound_hold_ms)
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.support.replica_worker"],
                cwd=self.folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        replica = Replica(process, port, log)
        self.replicas.append(replica)
        return replica

    async def ready(self, limit: float = 90.0) -> None:
        """Wait until every live replica answers ``/healthz`` and one of them leads."""
        deadline = time.monotonic() + limit
        async with aiohttp.ClientSession() as http:
            for replica in self.alive():
                while True:
                    assert replica.process.poll() is None, replica.text()[-3000:]
                    assert time.monotonic() < deadline, replica.text()[-3000:]
                    try:
                        url = f"http://127.0.0.1:{replica.port}/healthz"
                        async with http.get(url) as answer:
                            if answer.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.2)
        while self.leader() is None:
            assert time.monotonic() < deadline, "no replica leads"
            await asyncio.sleep(0.1)

    async def roles(self) -> list[str]:
        """Each live replica's role as its ``/readyz`` says."""
        found = []
        async with aiohttp.ClientSession() as http:
            for replica in self.alive():
                url = f"http://127.0.0.1:{replica.port}/readyz"
                async with http.get(url) as answer:
                    found.append(str((await answer.json())["role"]))
        return found

    def alive(self) -> list[Replica]:
        return [r for r in self.replicas if r.process.poll() is None]

    def leader(self) -> Replica | None:
        leading = [r for r in self.alive() if r.leads]
        return leading[-1] if leading else None

    def stop(self) -> None:
        for replica in self.alive():
            replica.process.send_signal(signal.SIGTERM)
        for replica in self.replicas:
            try:
                replica.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                replica.process.kill()
                replica.process.wait()


@dataclass
class Inbound:
    """Posts updates to random live replicas, again elsewhere until one answers 200."""

    cluster: Cluster
    chance: random.Random
    repeat: float = 0.05
    """The share of updates the platform delivers a second time (to any replica)."""
    posted: int = 0
    again: int = 0
    _update_ids: count[int] = field(default_factory=lambda: count(1))
    _event_ids: count[int] = field(default_factory=lambda: count(1))

    async def telegram(self, http: aiohttp.ClientSession, user: int, text: str) -> int:
        """A private message from ``user``; returns its ``update_id``."""
        update_id = next(self._update_ids)
        message: dict[str, Any] = {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "P", "language_code": "lv"},
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        body = json.dumps({"update_id": update_id, "message": message})
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        await self._deliver(http, "/telegram/webhook", body, lambda: headers)
        return update_id

    async def slack(self, http: aiohttp.ClientSession, user: str, text: str) -> str:
        """A DM from ``user`` (Events API ``message``); returns its ``event_id``."""
        event_id = f"Ev{next(self._event_ids):010d}"
        event = {
            "type": "message",
            "channel": "D" + user[1:],
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        }
        body = json.dumps(
            {
                "team_id": TEAM,
                "api_app_id": "A0APP001",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
            }
        )
        await self._deliver(http, "/slack/events", body, lambda: signed_headers(body))
        return event_id

    async def _deliver(
        self, http: aiohttp.ClientSession, path: str, body: str, headers: Any
    ) -> None:
        tried = 0
        while True:
            replica = self.chance.choice(self.cluster.alive())
            try:
                url = f"http://127.0.0.1:{replica.port}{path}"
                async with http.post(url, data=body.encode(), headers=headers()) as answer:
                    if answer.status == 200:
                        self.posted += 1
                        if (
                            self.chance.random() < self.repeat
                        ):  # the platform repeats it, elsewhere
                            await self._repeat(http, path, body, headers)
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass  # the replica died mid-request: the platform tries again
            tried += 1
            self.again += 1
            assert tried < 50, f"nobody took {body[:120]}"
            await asyncio.sleep(0.2)

    async def _repeat(
        self, http: aiohttp.ClientSession, path: str, body: str, headers: Any
    ) -> None:
        replica = self.chance.choice(self.cluster.alive())
        url = f"http://127.0.0.1:{replica.port}{path}"
        try:
            async with http.post(url, data=body.encode(), headers=headers()) as answer:
                await answer.read()
        except (aiohttp.ClientError, TimeoutError):
            pass
