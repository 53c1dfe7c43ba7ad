"""Fixtures of the value approval and correction tests (issue 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from tests.support.recording import RecordingChannel
from tests.workflows.test_value_review import _plan
from workflows.calendar import WorkingCalendar
from workflows.context import Context
from workflows.plan.loader import load_plan


@pytest.fixture
def setup(
    db: Database, ctx: Context, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[Dispatcher, RecordingChannel, Context]:
    approval = bool(getattr(request, "param", False))
    plan = load_plan(_plan(tmp_path, approval=approval))
    ctx = Context(plan, ctx.clock, WorkingCalendar(), ctx.timezone, "lv")
    prepare_database(db, ctx, auto_upgrade=True)
    recording = RecordingChannel()
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"), "lv")
    return dispatcher, recording, ctx
