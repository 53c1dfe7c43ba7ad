"""``POST /api/measurements`` over real HTTP on 127.0.0.1 (issue 7)."""

from __future__ import annotations

import asyncio
import io
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from pydantic import SecretStr, ValidationError

from bot.exchange.api import MAX_BODY, PATH, MeasurementsApi
from bot.http import HttpServer
from bot.outbox import Outbox
from bot.run import run
from bot.settings import Settings
from storage.db import Database
from storage.messages import OutboxMessage
from storage.models import ControlRound, ImprovementDecision, Measurement
from tests.support.flow import rows
from tests.support.recording import RecordingChannel
from workflows.clock import FixedClock
from workflows.context import Context

TOKEN = "s3cret-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Api:
    url: str
    http: aiohttp.ClientSession

    async def post(
        self, body: Any = None, headers: dict[str, str] | None = None, data: bytes | None = None
    ) -> tuple[int, Any]:
        payload = io.BytesIO(data) if data is not None else None
        async with self.http.post(
            self.url, json=body if data is None else None, data=payload, headers=headers
        ) as response:
            return response.status, await response.json()


@pytest.fixture
async def api(ctx: Context, db: Database, recording: RecordingChannel) -> AsyncIterator[Api]:
    server = HttpServer("127.0.0.1", 0)
    outbox = Outbox(ctx, db, {"console": recording}, "lv")
    MeasurementsApi(ctx, db, outbox, "lv", TOKEN).mount(server)
    port = await server.start()
    async with aiohttp.ClientSession() as http:
        yield Api(f"http://127.0.0.1:{port}{PATH}", http)
    await server.stop()


def body(*items: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"source": "zabbix", **top, "rows": list(items)}


SLA = {"indicator": "dd-within-sla", "period": "2026-10", "value": 88.5}
AVAILABILITY = {"indicator": "dvs-availability", "period": "2026-10", "value": "99,95"}


async def test_values_are_stored_and_their_decision_is_delivered(
    api: Api, db: Database, recording: RecordingChannel
) -> None:
    status, answer = await api.post(body(SLA, AVAILABILITY, lang="lv"), AUTH)
    assert status == 200, answer
    assert answer["status"] == "stored" and answer["stored"] == 2
    assert [(r["indicator"], r["value"], r["status"], r["outcome"]) for r in answer["rows"]] == [
        ("dd-within-sla", "88.5", "critical", "stored"),
        ("dvs-availability", "99.95", "ok", "stored"),
    ]
    assert {m.source for m in rows(db, Measurement)} == {"zabbix"}
    assert len(rows(db, ImprovementDecision)) == 1
    assert "Nepieciešams pilnveides lēmums" in recording.texts("janis-berzins")

    status, again = await api.post(body(SLA, AVAILABILITY, lang="lv"), AUTH)
    assert status == 200 and again["unchanged"] == 2 and again["stored"] == 0

    changed = dict(SLA, value=89)
    status, conflict = await api.post(body(changed), AUTH)
    assert status == 409
    (error,) = conflict["errors"]
    assert (error["row"], error["code"]) == (1, "conflict")
    assert "88,5%" in error["message"]  # translated, in the default language (lv)
    assert len(rows(db, Measurement)) == 2


async def test_without_the_right_token_nothing_happens(api: Api, db: Database) -> None:
    for headers in (
        None,
        {"Authorization": "Bearer wrong-token-wrong-token-xx"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer"},
    ):
        status, answer = await api.post(body(SLA), headers)
        assert status == 401, headers
        assert TOKEN not in str(answer)
    assert rows(db, Measurement) == []


async def test_bad_rows_are_refused_with_reasons_and_nothing_is_half_written(
    api: Api, db: Database
) -> None:
    status, answer = await api.post(
        body(
            SLA,
            {"indicator": "dd-e-share", "period": "2026-10", "value": 140},
            {"indicator": "nav-tada", "period": "2026-10", "value": 1},
            dict(SLA, value="88.5"),
            {"indicator": "dd-e-share", "period": "2026-09", "value": "71,2"},
            lang="en",
        ),
        AUTH,
    )
    assert status == 422
    assert answer["stored"] == 0
    assert [(e["row"], e["column"], e["code"]) for e in answer["errors"]] == [
        (2, "value", "above_maximum"),
        (3, "indicator", "unknown_indicator"),
        (4, "row", "duplicate_row"),
        (5, "value", "comma_decimal_in_english"),
    ]
    assert answer["errors"][0]["message"] == "The value must be at most 100.0."
    assert rows(db, Measurement) == [] and rows(db, ControlRound) == []


async def test_malformed_and_oversized_bodies(api: Api, db: Database) -> None:
    status, answer = await api.post(data=b"{nope", headers=AUTH)
    assert status == 400 and answer["errors"][0]["code"] == "bad_request"
    for wrong in (
        [],
        {"rows": "x"},
        {"rows": [1]},
        {"rows": [dict(SLA, value=[1])]},
        {"rows": [dict(SLA, indicator=5)]},
        {"rows": [SLA], "dry_run": "yes"},
    ):
        status, answer = await api.post(wrong, AUTH)
        assert status == 400, wrong
    status, answer = await api.post(body(), AUTH)
    assert status == 422 and answer["errors"][0]["code"] == "no_rows"
    status, answer = await api.post(data=b" " * (MAX_BODY + 1), headers=AUTH)
    assert status == 413 and answer["limit"] == MAX_BODY
    deep = b"[" * 100_000 + b"]" * 100_000
    status, _answer = await api.post(data=deep, headers=AUTH)
    assert status == 400
    assert rows(db, Measurement) == []


async def test_a_dry_run_answers_what_would_be_stored(api: Api, db: Database) -> None:
    status, answer = await api.post(body(SLA, dry_run=True), AUTH)
    assert status == 200
    assert answer["status"] == "valid" and answer["rows"][0]["outcome"] == "valid"
    assert rows(db, Measurement) == []


async def test_the_endpoint_is_off_without_a_token() -> None:
    server = HttpServer("127.0.0.1", 0)  # what `controlbot run` builds without the setting
    port = await server.start()
    async with aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{port}{PATH}"
        async with http.post(url, json=body(SLA), headers=AUTH) as response:
            assert response.status == 404
    await server.stop()


def test_the_token_setting_is_checked_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli.settings_errors import settings_errors as _settings_errors

    monkeypatch.setenv("CONTROLBOT_API_TOKEN", "short secret")
    with pytest.raises(ValidationError) as raised:
        Settings()
    lines = _settings_errors(raised.value)
    assert lines and all("short secret" not in line for line in lines)
    assert any("CONTROLBOT_API_TOKEN" in line for line in lines)
    monkeypatch.setenv("CONTROLBOT_API_TOKEN", TOKEN)
    settings = Settings()
    assert settings.api_token is not None and TOKEN not in settings.safe_repr()
    assert "api=on" in settings.safe_repr()


async def test_controlbot_run_serves_the_api_and_sends_the_decision(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port for the server run() starts itself
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        http_port=port,
        api_token=SecretStr(TOKEN),
    )
    clock = FixedClock(datetime(2026, 11, 3, 9, 0, tzinfo=ZoneInfo("Europe/Riga")))
    out, stop = io.StringIO(), asyncio.Event()
    task = asyncio.create_task(
        run(settings, clock=clock, stdin=io.StringIO(""), out=out, stop=stop)
    )
    url = f"http://127.0.0.1:{port}{PATH}"
    async with aiohttp.ClientSession() as http:
        for _ in range(100):  # until the server listens
            try:
                async with http.post(url, json=body(SLA), headers=AUTH) as response:
                    status = response.status
                    break
            except aiohttp.ClientConnectorError:
                await asyncio.sleep(0.05)
        else:
            pytest.fail("the HTTP server did not start")
    stop.set()
    assert await task == 0
    assert status == 200
    # Jānis has no chat account: the decision request is recorded as undeliverable, and
    # nothing addressed to anyone is printed on the service's standard output (issue 12)
    assert "[DM →" not in out.getvalue() and "Jānis" not in out.getvalue()
    db = Database.from_url(settings.database_url)
    try:
        (request,) = rows(db, OutboxMessage, kind="DecisionRequested", recipient_kind="person")
    finally:
        db.dispose()
    assert (request.recipient, request.status, request.reason) == (
        "janis-berzins",
        "undeliverable",
        "no_account",
    )


async def test_a_byte_order_mark_and_huge_numbers_get_clear_answers(
    api: Api, db: Database
) -> None:
    status, answer = await api.post(
        data=b"\xef\xbb\xbf" + json.dumps(body(SLA)).encode("utf-8"), headers=AUTH
    )
    assert status == 200, answer  # RFC 8259 lets a parser ignore a byte-order mark
    huge = json.dumps(body(dict(SLA, value=0))).replace('"value": 0', '"value": ' + "9" * 5000)
    status, answer = await api.post(data=huge.encode("utf-8"), headers=AUTH)
    assert status == 422 and answer["errors"][0]["code"] != "bad_request", answer
