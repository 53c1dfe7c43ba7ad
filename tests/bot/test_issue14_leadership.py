"""Issue 14: who leads, handing over, a second Telegram poller standing by, and SQLite's one run.

PostgreSQL tests skip without ``CONTROLBOT_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.leadership import Leadership
from bot.run import run
from bot.settings import Settings
from tests.conftest import PG_ENV, _reset_postgres
from tests.support.fake_telegram import FakeTelegramThread
from tests.support.replicas import ROOT
from workflows.clock import FixedClock

RIGA = ZoneInfo("Europe/Riga")
POLLING = "Telegram @controlbot_test_bot: long polling"
STANDING_BY = "this replica stands by and polls if it becomes the leader"


def _pg_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set")
    return url


async def test_issue14_one_leader_and_a_handover_when_it_lets_go() -> None:
    url = _pg_url()
    first, second = Leadership(url), Leadership(url)
    try:
        assert (first.role, second.role) == ("follower", "follower")
        assert await first.check() is True
        assert await second.check() is False
        assert (first.role, first.is_leader) == ("leader", True)
        assert (second.role, second.is_leader) == ("follower", False)
        assert await first.check() is True  # it keeps leading while its session lives
        await first.release()  # a clean stop: the lock goes with the session
        assert await second.check() is True
        assert second.role == "leader"
        assert await first.check() is False
    finally:
        await first.release()
        await second.release()


async def test_issue14_sqlite_is_single_and_a_second_run_on_the_file_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert Leadership(f"sqlite:///{tmp_path / 'x.sqlite3'}").role == "single"
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}", http_port=0)
    clock = FixedClock(datetime(2026, 11, 3, 9, 0, tzinfo=RIGA))
    stop = asyncio.Event()
    first = asyncio.create_task(run(settings, clock=clock, stdin=io.StringIO(""), stop=stop))
    lock = tmp_path / "run.sqlite3.run.lock"
    while not (lock.exists() and lock.read_text().strip()):
        assert not first.done(), first
        await asyncio.sleep(0.05)
    caplog.set_level(logging.ERROR, logger="bot.run")
    second = await run(settings, clock=clock, stdin=io.StringIO(""), stop=asyncio.Event())
    assert second == 2
    (message,) = [r.getMessage() for r in caplog.records if r.name == "bot.run"]
    assert f"another `controlbot run` (pid {os.getpid()}) is using the SQLite database" in message
    assert "use PostgreSQL (CONTROLBOT_DATABASE_URL=postgresql+psycopg://" in message
    stop.set()
    assert await first == 0
    stop2 = asyncio.Event()  # once the first has stopped, the file is free again
    asyncio.get_running_loop().call_later(0.3, stop2.set)
    assert await run(settings, clock=clock, stdin=io.StringIO(""), stop=stop2) == 0


def _poller(
    url: str, fake_url: str, folder: Path, name: str
) -> tuple[subprocess.Popen[bytes], Path]:
    log = folder / f"{name}.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CONTROLBOT_DATABASE_URL": url,
        "CONTROLBOT_TELEGRAM_TOKEN": "123456:TEST-token",
        "CONTROLBOT_TELEGRAM_API_URL": fake_url,
        "CONTROLBOT_HTTP_PORT": "0",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.replica_worker"],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, log


def _wait_for(log: Path, text: str, limit: float = 90.0) -> float:
    started = time.monotonic()
    while text not in log.read_text(errors="replace"):
        assert time.monotonic() - started < limit, log.read_text(errors="replace")[-3000:]
        time.sleep(0.05)
    return time.monotonic() - started


def test_issue14_a_second_poller_stands_by_and_takes_over_when_the_first_stops(
    tmp_path: Path,
) -> None:
    url = _pg_url()
    _reset_postgres(url)
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env={**os.environ, "CONTROLBOT_DATABASE_URL": url},
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    with FakeTelegramThread() as fake:
        first, first_log = _poller(url, fake.url, tmp_path, "first")
        second = None
        try:
            _wait_for(first_log, POLLING)
            second, second_log = _poller(url, fake.url, tmp_path, "second")
            _wait_for(second_log, STANDING_BY)
            time.sleep(1.5)  # a few election rounds: it keeps standing by
            assert POLLING not in second_log.read_text()
            first.send_signal(signal.SIGTERM)
            took = _wait_for(second_log, POLLING, limit=30)
            assert first.wait(timeout=30) == 0
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.kill()
                    process.wait()
    assert took < 30
    assert "Traceback" not in first_log.read_text() + second_log.read_text()
