"""``controlbot run``: scheduler and console in one loop, clean stops, no repeated sends."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import select
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from bot.run import run
from bot.settings import Settings
from storage.db import Database
from storage.messages import OutboxMessage
from tests.support.flow import rows
from tests.support.run_process import start_run
from workflows.clock import FixedClock

RIGA = ZoneInfo("Europe/Riga")
DIGEST = "DeliveryProblems"


async def _run_once(settings: Settings, clock: FixedClock, out: io.StringIO) -> int:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.3, stop.set)
    return await run(settings, clock=clock, stdin=io.StringIO(""), out=out, stop=stop)


async def test_run_sends_what_is_due_and_a_restart_sends_nothing_twice(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}", http_port=0)
    clock = FixedClock(datetime(2026, 10, 30, 8, 0, tzinfo=RIGA))
    first = io.StringIO()
    assert await _run_once(settings, clock, first) == 0  # first start: records the epoch
    assert "[DM →" not in first.getvalue()
    clock.set(datetime(2026, 11, 3, 9, 0, tzinfo=RIGA))
    second = io.StringIO()
    assert await _run_once(settings, clock, second) == 0
    # nobody has a chat account yet: the reminders are recorded as undeliverable, and
    # nothing addressed to a person is printed on the service's output (issue 12)
    assert "[DM →" not in second.getvalue()
    sent = _outbox(settings)
    (anna,) = [r for r in sent if r.recipient == "anna-ozola" and r.kind == "Reminder"]
    assert (anna.status, anna.reason) == ("undeliverable", "no_account")
    third = io.StringIO()
    assert await _run_once(settings, clock, third) == 0  # restarted at the same moment
    assert "[DM →" not in third.getvalue()
    again = _outbox(settings)  # nothing queued twice; the admin's daily digest of the
    # undeliverable ones comes once, in whichever sweep first finds them undeliverable
    assert [r.id for r in again if r.kind != DIGEST] == [r.id for r in sent if r.kind != DIGEST]
    assert sum(r.kind == DIGEST for r in again) <= 1


def _outbox(settings: Settings) -> list[OutboxMessage]:
    db = Database.from_url(settings.database_url)
    try:
        return rows(db, OutboxMessage)
    finally:
        db.dispose()


async def test_quit_on_the_console_stops_run(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}", http_port=0)
    clock = FixedClock(datetime(2026, 10, 30, 8, 0, tzinfo=RIGA))
    out = io.StringIO()
    code = await asyncio.wait_for(
        run(settings, clock=clock, stdin=io.StringIO("/help\n/quit\n"), out=out), timeout=20
    )
    assert code == 0
    assert "/pending" in out.getvalue()


def _until_line(stream: IO[str], text: str, limit: float) -> str:
    """Read ``stream`` (its file descriptor, unbuffered) until ``text`` or its end.

    Raises:
        AssertionError: If neither came within ``limit`` seconds.
    """
    fd, read, deadline = stream.fileno(), b"", time.monotonic() + limit
    while text.encode() not in read:
        assert time.monotonic() < deadline, f"no {text!r} within {limit} s: {read!r}"
        if select.select([fd], [], [], 0.5)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            read += chunk
    return read.decode(errors="replace")


def test_sigterm_stops_the_process_cleanly(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CONTROLBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
    }
    process = start_run(env, tmp_path)
    try:
        assert process.stderr is not None
        # past start-up (its log says so): the scheduler is running, stdin is closed
        started = _until_line(process.stderr, "started;", limit=60)
        assert process.poll() is None, started
        process.send_signal(signal.SIGTERM)
        _out, rest = process.communicate(timeout=20)
        err = started + rest
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_a_second_ctrl_c_while_stopping_prints_no_traceback_and_keeps_the_queue(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    env = {**os.environ, "CONTROLBOT_DATABASE_URL": url, "CONTROLBOT_HTTP_PORT": "0"}
    process = start_run(env, tmp_path)
    try:
        assert process.stderr is not None
        started = _until_line(process.stderr, "started;", limit=60)
        assert process.poll() is None, started
        # a message still to send (a retry due tomorrow), committed while the bot runs
        db = Database.from_url(url)
        try:
            later = datetime.now(RIGA) + timedelta(days=1)
            queued = OutboxMessage(
                recipient_kind="person",
                recipient="anna-ozola",
                kind="Reminder",
                payload="{}",
                created_at=datetime.now(RIGA),
                not_before=later,
                expires_at=later + timedelta(days=1),
            )
            db.transaction(lambda s: s.add(queued))
        finally:
            db.dispose()
        process.send_signal(signal.SIGINT)
        # Ctrl-C pressed again and again until the process is gone: every moment of the stop
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)
            time.sleep(0.002)
        _out, rest = process.communicate(timeout=20)
        err = started + rest
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    # stopped cleanly, or (a Ctrl-C after the bot's own clean-up) ended by the signal at once
    assert process.returncode in (0, 130, -signal.SIGINT), err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.count("already stopping") <= 1, err
    db = Database.from_url(url)
    try:
        (kept,) = rows(db, OutboxMessage, recipient="anna-ozola", kind="Reminder")
    finally:
        db.dispose()
    assert kept.status == "queued" and kept.attempts == 0
