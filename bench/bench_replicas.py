"""Benchmark: inbound events per second with 1, 2 and 3 replicas, and the fail-over time.

Each round starts N ``controlbot run`` replicas on one PostgreSQL (Telegram in webhook mode
against the fake), then 200 people send 5 commands each (1,000 webhook updates, each person's
in order, everybody at once), spread over the replicas at random. It reports updates answered
per second (recorded in the inbox), applied per second (the effect and its reply committed)
and the time until every reply was delivered. Then, with 3 replicas, it kills the leader with
SIGKILL (5 times) and reports how long until another replica leads. The replicas' CPU time
per update (from /proc) says what a replica costs whatever the machine's load.

Needs CONTROLBOT_TEST_DATABASE_URL (the schema is dropped and made again).

Run: .venv/bin/python bench/bench_replicas.py
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from sqlmodel import Session, col, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import prepare_database
from storage.db import Database
from storage.messages import InboxEvent
from storage.models import PlatformIdentity
from tests.conftest import _reset_postgres
from tests.support.fake_slack import FakeSlack
from tests.support.fake_telegram import FakeTelegram
from tests.support.replicas import Cluster, Inbound, synthetic_plan
from workflows.notices import outbox as queue
from workflows.calendar import WorkingCalendar
from workflows.clock import SystemClock
from workflows.context import Context
from workflows.plan.loader import load_plan

PEOPLE, EACH, KILLS = 200, 5, 5


def _setup(url: str, plan_path: Path) -> tuple[Database, list[int]]:
    _reset_postgres(url)
    plan = load_plan(plan_path)
    ctx = Context(plan, SystemClock(), WorkingCalendar(), ZoneInfo("Europe/Riga"), "lv")
    db = Database.from_url(url)
    prepare_database(db, ctx, auto_upgrade=True)
    people = [p.id for p in plan.plan.people][:PEOPLE]
    now = datetime.now(UTC)

    def link(session: Session) -> None:
        for i, person in enumerate(people):
            session.add(
                PlatformIdentity(
                    person_id=person,
                    platform="telegram",
                    external_id=str(700_000 + i),
                    linked_at=now,
                )
            )

    db.transaction(link)
    return db, [700_000 + i for i in range(len(people))]


def _cpu(cluster: Cluster) -> float:
    """CPU seconds (user + system) the live replicas have used so far."""
    total = 0.0
    for replica in cluster.alive():
        fields = Path(f"/proc/{replica.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _counts(db: Database) -> tuple[int, bool]:
    def work(session: Session) -> tuple[int, bool]:
        done = session.exec(select(InboxEvent.id).where(col(InboxEvent.status) == "done")).all()
        return len(done), queue.open_count(session) == 0

    return db.transaction(work)


async def _round(url: str, plan_path: Path, folder: Path, replicas: int) -> None:
    db, chats = _setup(url, plan_path)
    telegram, slack = FakeTelegram(), FakeSlack()
    await telegram.start()
    await slack.start()
    cluster = Cluster(url, plan_path, folder, telegram.url, slack.url)
    try:
        cluster.start(replicas)
        await cluster.ready()
        inbound = Inbound(cluster, random.Random(replicas), repeat=0.0)

        async def person(http: aiohttp.ClientSession, chat: int) -> None:
            for k in range(EACH):
                await inbound.telegram(http, chat, f"/n{k}")

        started, cpu = time.monotonic(), _cpu(cluster)
        async with aiohttp.ClientSession() as http:
            await asyncio.gather(*(person(http, c) for c in chats))
        answered = time.monotonic() - started
        total = PEOPLE * EACH
        while (found := _counts(db))[0] < total:
            assert time.monotonic() - started < 600, found
            await asyncio.sleep(0.05)
        applied = time.monotonic() - started
        while not found[1]:
            await asyncio.sleep(0.1)
            found = _counts(db)
        delivered = time.monotonic() - started
        cpu = _cpu(cluster) - cpu
    finally:
        cluster.stop()
        await telegram.stop()
        await slack.stop()
        db.dispose()
    print(
        f"replicas={replicas}  {total} updates: answered {total / answered:6.1f}/s  "
        f"applied {total / applied:6.1f}/s  all replies delivered after {delivered:5.1f} s  "
        f"replicas' CPU {cpu * 1000 / total:5.1f} ms per update  load {os.getloadavg()[0]:.1f}"
    )


async def _fail_over(url: str, plan_path: Path, folder: Path) -> None:
    db, _chats = _setup(url, plan_path)
    db.dispose()
    telegram, slack = FakeTelegram(), FakeSlack()
    await telegram.start()
    await slack.start()
    cluster = Cluster(url, plan_path, folder, telegram.url, slack.url)
    times = []
    try:
        cluster.start(3)
        await cluster.ready()
        for _ in range(KILLS):
            leader = cluster.leader()
            assert leader is not None
            leader.process.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            while (new := cluster.leader()) is None or new is leader:
                assert time.monotonic() - killed < 60, "nobody took over"
                await asyncio.sleep(0.01)
            times.append(time.monotonic() - killed)
            cluster.add()
            await cluster.ready()
    finally:
        cluster.stop()
        await telegram.stop()
        await slack.stop()
    shown = ", ".join(f"{t:.2f}" for t in times)
    print(f"fail-over after kill -9 of the leader: {shown} s (max {max(times):.2f} s)")


async def main() -> None:
    url = os.environ.get("CONTROLBOT_TEST_DATABASE_URL")
    if not url:
        sys.exit("CONTROLBOT_TEST_DATABASE_URL is not set")
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan_path = synthetic_plan(folder / "plan.yaml")
        for replicas in (1, 2, 3):
            await _round(url, plan_path, folder, replicas)
        await _fail_over(url, plan_path, folder)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main())
