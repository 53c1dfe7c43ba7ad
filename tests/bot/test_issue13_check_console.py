"""Issue 13 item 16 on the console: checks show numbered options and take typed words.

Inese answers the yes/no with "ne" (no diacritics: not a button label, read as "nē") and the
choice with an option's number, as the console shows them.
"""

from __future__ import annotations

import io
from pathlib import Path

from bot.app import prepare_database
from bot.console import ConsoleChannel, ConsoleSession
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from storage.models import Measurement
from tests.support.checks import ACTIVITY, CHOICE, MEASURER, YES_NO, plan_with_checks
from tests.support.flow import rows
from workflows.calendar import WorkingCalendar
from workflows.context import Context
from workflows.plan.loader import load_plan


async def test_checks_are_answered_with_typed_words_and_option_numbers(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    plan = load_plan(plan_with_checks(tmp_path, only_checks=True))
    ctx = Context(plan, ctx.clock, WorkingCalendar(), ctx.timezone, "lv")
    prepare_database(db, ctx, auto_upgrade=True)
    out = io.StringIO()
    channel = ConsoleChannel(out)
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": channel}, "lv"), "lv")
    admin = ConsoleSession(dispatcher, channel, plan, "kristaps-sils", "lv")
    await admin.feed(f"/remind {ACTIVITY} 2026-10")
    session = ConsoleSession(dispatcher, channel, plan, MEASURER, "lv")
    await session.feed("/pending")
    await session.feed("1")  # Enter measurements
    assert "    [1] Jā\n    [2] Nē\n    [3] Nav izmērīts" in out.getvalue()
    await session.feed("ne")
    await session.feed("Reģistrs nebija pieejams")
    assert "    [3] Līgums noslēgts\n    [4] Apturēts" in out.getvalue()
    await session.feed("3")
    await session.feed("1")  # Submit
    stored = {m.indicator_id: (m.choice, m.status) for m in rows(db, Measurement)}
    assert stored == {YES_NO: ("no", "critical"), CHOICE: ("contract", "ok")}
