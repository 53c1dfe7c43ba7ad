"""Issue 14 item 3: logs with timestamps and levels, ``CONTROLBOT_LOG_LEVEL``, JSON lines."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from bot.logs import OWN_LOGGERS, QUIET_LIBRARIES, configure_logging
from bot.settings import Settings

TELEGRAM_TOKEN = "123456:SECRET-log-token"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) ")


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Where configure_logging writes; the loggers' levels and handlers are put back after."""
    root = logging.getLogger()
    names = ("", *OWN_LOGGERS, *QUIET_LIBRARIES, "aiohttp")
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = list(root.handlers)
    filters = {h: list(h.filters) for h in handlers}
    yield io.StringIO()
    for extra in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(extra)
    for handler, kept in filters.items():
        handler.filters[:] = kept
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_issue14_json_lines_parse_and_secrets_stay_masked(logs: io.StringIO) -> None:
    settings = Settings(log_format="json", telegram_token=SecretStr(TELEGRAM_TOKEN))
    configure_logging(settings, default_level=logging.INFO, stream=logs)
    log = logging.getLogger("bot.run")
    log.info("started with %s", TELEGRAM_TOKEN)
    try:
        raise RuntimeError(f"Telegram said no to {TELEGRAM_TOKEN}\nsecond line")
    except RuntimeError:
        log.exception("failed")
    lines = logs.getvalue().splitlines()
    assert len(lines) == 2  # one object a line: the traceback's newlines are escaped
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"time", "level", "logger", "message"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    assert (first["level"], first["logger"], first["message"]) == (
        "INFO",
        "bot.run",
        "started with ***",
    )
    assert second["level"] == "ERROR" and second["message"] == "failed"
    assert "RuntimeError: Telegram said no to ***" in second["exception"]
    assert TELEGRAM_TOKEN not in logs.getvalue()


def test_issue14_log_level_setting(logs: io.StringIO) -> None:
    configure_logging(Settings(log_level="error"), default_level=logging.INFO, stream=logs)
    logging.getLogger("bot.scheduler").warning("not shown")
    logging.getLogger("workflows.notices.outbox").error("shown")
    assert [line.split(" ", 2)[1:] for line in logs.getvalue().splitlines()] == [
        ["ERROR", "workflows.notices.outbox: shown"]
    ]

    logs.seek(0)
    logs.truncate()
    configure_logging(Settings(), default_level=logging.INFO, stream=logs)  # run's default
    logging.getLogger("bot.run").info("ours at INFO")
    logging.getLogger("aiohttp.client").info("a library's INFO: not shown")
    logging.getLogger("apscheduler.scheduler").info("a job ran: not shown")
    logging.getLogger("apscheduler.scheduler").warning("a library's warning")
    text = logs.getvalue()
    assert "ours at INFO" in text and "a library's warning" in text
    assert "not shown" not in text
    assert all(STAMP.match(line) for line in text.splitlines()), text

    logs.seek(0)
    logs.truncate()
    configure_logging(Settings(log_level="DEBUG"), stream=logs)
    logging.getLogger("httpx").debug("everything at DEBUG")
    assert "DEBUG httpx: everything at DEBUG" in logs.getvalue()


def test_issue14_log_settings_are_checked() -> None:
    assert Settings(log_level=" warning ", log_format="JSON").log_level == "WARNING"
    with pytest.raises(ValidationError):
        Settings(log_level="verbose")
    with pytest.raises(ValidationError):
        Settings(log_format="xml")


def test_issue14_run_writes_json_lines(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CONTROLBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "CONTROLBOT_HTTP_PORT": "0",
        "CONTROLBOT_LOG_FORMAT": "json",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        text=True,
    )
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:  # until it has started
            line = process.stderr.readline()
            lines.append(line)
            if "stop with SIGTERM" in line or not line:
                break
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    records = [json.loads(line) for line in [*lines, *rest.splitlines()] if line.strip()]
    messages = [r["message"] for r in records]
    assert any(m.startswith("controlbot run: ") for m in messages)
    assert any(m.endswith("started; stop with SIGTERM or Ctrl-C") for m in messages)
    assert messages[-1] == "stopped"
    assert {r["level"] for r in records} <= {"INFO", "WARNING"}
    assert all(r["logger"].startswith(("bot", "workflows", "storage")) for r in records)
