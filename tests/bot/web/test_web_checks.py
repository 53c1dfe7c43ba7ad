"""A check (yes/no or choice indicator) in the web view: option labels and the status strip."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.dispatch import Dispatcher
from storage.db import Database
from tests.conftest import RIGA
from tests.support.checks import ACTIVITY, MEASURER, YES_NO, plan_with_checks
from tests.support.recording import RecordingChannel
from tests.support.web_client import WebWorld, web_world
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.periods import Period
from workflows.plan.loader import load_plan
from workflows.rounds.measuring import new_measurement
from workflows.rounds.opening import new_round


@pytest.fixture
def ctx(clock: FixedClock, tmp_path: Path) -> Context:
    """The bundled plan with the two checks on the social service."""
    return Context(load_plan(plan_with_checks(tmp_path)), clock, WorkingCalendar(), RIGA, "lv")


@pytest.fixture
async def world(
    ctx: Context, db: Database, dispatcher: Dispatcher, recording: RecordingChannel
) -> AsyncIterator[WebWorld]:
    def work(session: Session) -> None:
        for period, option in (("2026-09", 1), ("2026-10", 2)):  # yes, then no
            control_round = new_round(ctx, ACTIVITY, Period.parse(period), "system", "closed")
            session.add(control_round)
            session.flush()
            value = new_measurement(ctx, control_round, YES_NO, Decimal(option), None, MEASURER)
            session.add(value)

    db.transaction(work)
    async with web_world(ctx, db, dispatcher, recording) as w:
        yield w


async def test_a_check_shows_its_options_and_a_status_strip(world: WebWorld) -> None:
    browser = await world.signed_in(MEASURER)
    page = await browser.get(f"/web/indicator/{YES_NO}")
    assert page.status == 200, page.text[:300]
    assert '<td class="num">Jā</td>' in page.text and '<td class="num">Nē</td>' in page.text
    chart = await browser.get(f"/web/indicator/{YES_NO}/chart.png")
    assert chart.status == 200 and chart.body.startswith(b"\x89PNG")
    assert (await browser.get(f"/web/activity/{ACTIVITY}")).status == 200
