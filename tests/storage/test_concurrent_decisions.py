"""Two processes submitting the same approval at once: exactly one decision is recorded."""

from __future__ import annotations

import asyncio

from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from storage.models import ImprovementDecision
from tests.support.flow import audit, notices, problem_codes, rows
from tests.support.recording import RecordingChannel, command, say
from tests.workflows.test_round_flow import JANIS, anna_critical, remind, type_lines
from workflows.context import Context
from workflows.notices import DecisionRecorded


def _dispatcher(ctx: Context, db: Database) -> Dispatcher:
    return Dispatcher(ctx, db, Outbox(ctx, db, {"console": RecordingChannel()}, "lv"), "lv")


async def test_simultaneous_submissions_record_one_approval(
    any_db: Database, ctx: Context
) -> None:
    first = _dispatcher(ctx, any_db)
    round_id = await remind(first)
    await anna_critical(first, round_id)
    await first.handle(command(JANIS, "approve", "1"))
    await type_lines(first, JANIS, "Pārdalīt rindu", "2", "30.11.2026.")  # now at confirmation

    url = any_db.engine.url.render_as_string(hide_password=False)
    other_db = Database.from_url(url)  # a second process on the same database
    try:
        second = _dispatcher(ctx, other_db)
        results = await asyncio.gather(
            first.handle(say(JANIS, "1")), second.handle(say(JANIS, "1"))
        )
    finally:
        other_db.dispose()
    recorded = [n for items in results for n in notices(items, DecisionRecorded, JANIS)]
    assert len(recorded) == 1
    assert all("internal_error" not in problem_codes(items) for items in results)
    assert [d.status for d in rows(any_db, ImprovementDecision)] == ["approved"]
    assert len(audit(any_db, "decision.approved")) == 1
