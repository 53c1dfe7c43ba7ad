"""``controlbot run`` serves the web view only when ``CONTROLBOT_WEB_BASE_URL`` is set."""

from __future__ import annotations

import asyncio
import io
import socket
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from pydantic import SecretStr, ValidationError

from bot.run import run
from bot.settings import Settings
from workflows.clock import FixedClock


async def _status_of_web(settings: Settings, port: int) -> int:
    clock = FixedClock(datetime(2026, 11, 3, 9, 0, tzinfo=ZoneInfo("Europe/Riga")))
    stop = asyncio.Event()
    task = asyncio.create_task(
        run(settings, clock=clock, stdin=io.StringIO(""), out=io.StringIO(), stop=stop)
    )
    async with aiohttp.ClientSession() as http:
        for _ in range(200):  # until the server listens
            try:
                async with http.get(f"http://127.0.0.1:{port}/web/") as response:
                    status = response.status
                    break
            except aiohttp.ClientConnectorError:
                await asyncio.sleep(0.05)
        else:
            pytest.fail("the HTTP server did not start")
    stop.set()
    assert await task == 0
    return status


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("on", [True, False])
async def test_run_serves_the_web_view_when_its_address_is_set(tmp_path: Path, on: bool) -> None:
    port = _free_port()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        http_port=port,
        web_base_url="https://controlbot.example.lv/" if on else None,
        web_secret=SecretStr("x" * 40) if on else None,
    )
    assert settings.web_base_url == ("https://controlbot.example.lv" if on else None)
    assert "x" * 40 not in settings.safe_repr()
    assert await _status_of_web(settings, port) == (401 if on else 404)


def test_web_settings_are_checked() -> None:
    with pytest.raises(ValidationError):
        Settings(web_base_url="controlbot.example.lv")
    with pytest.raises(ValidationError):
        Settings(web_secret=SecretStr("short"))
