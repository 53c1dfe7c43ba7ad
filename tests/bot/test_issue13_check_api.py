"""Issue 13 item 16 over ``POST /api/measurements``: checks take ids, labels and true/false.

A monitoring system posts a yes/no check as JSON ``true``/``false`` and a choice by its id;
each accepted row answers with the option's id. ``true`` for a numeric indicator is a row
error (422), not a malformed request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.exchange.api import PATH, MeasurementsApi
from bot.http import HttpServer
from bot.outbox import Outbox
from storage.db import Database
from storage.models import Measurement
from tests.bot.test_measurements_api import AUTH, TOKEN, Api, body
from tests.conftest import RIGA
from tests.support.checks import CHOICE, YES_NO, plan_with_checks
from tests.support.flow import rows
from tests.support.recording import RecordingChannel
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.loader import load_plan


@pytest.fixture
def ctx(clock: FixedClock, tmp_path: Path) -> Context:
    """The bundled plan with the two checks on the social service."""
    return Context(load_plan(plan_with_checks(tmp_path)), clock, WorkingCalendar(), RIGA, "lv")


@pytest.fixture
async def api(ctx: Context, db: Database, recording: RecordingChannel) -> AsyncIterator[Api]:
    server = HttpServer("127.0.0.1", 0)
    outbox = Outbox(ctx, db, {"console": recording}, "lv")
    MeasurementsApi(ctx, db, outbox, "lv", TOKEN).mount(server)
    port = await server.start()
    async with aiohttp.ClientSession() as http:
        yield Api(f"http://127.0.0.1:{port}{PATH}", http)
    await server.stop()


async def test_checks_are_posted_as_true_false_and_option_ids(api: Api, db: Database) -> None:
    status, answer = await api.post(
        body(
            {"indicator": YES_NO, "period": "2026-10", "value": True},
            {"indicator": CHOICE, "period": "2026-10", "value": "contract"},
        ),
        AUTH,
    )
    assert status == 200, answer
    assert [(r["indicator"], r["value"], r["choice"], r["status"]) for r in answer["rows"]] == [
        (YES_NO, "1", "yes", "ok"),
        (CHOICE, "3", "contract", "ok"),
    ]
    assert sorted(m.choice or "" for m in rows(db, Measurement)) == ["contract", "yes"]


async def test_false_for_a_yes_no_is_no_and_true_for_a_number_is_a_row_error(
    api: Api, db: Database
) -> None:
    status, answer = await api.post(
        body(
            {"indicator": YES_NO, "period": "2026-10", "value": False},
            {"indicator": "sp-within-term", "period": "2026-10", "value": True},
            lang="en",
        ),
        AUTH,
    )
    assert status == 422, answer
    (error,) = answer["errors"]
    assert (error["row"], error["code"]) == (2, "malformed")
    assert rows(db, Measurement) == []
    status, answer = await api.post(
        body({"indicator": YES_NO, "period": "2026-10", "value": False}), AUTH
    )
    assert status == 200 and answer["rows"][0]["choice"] == "no"
    assert answer["rows"][0]["status"] == "critical"
