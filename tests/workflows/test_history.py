"""``/history INDICATOR``: the last values with the status each was judged with."""

from __future__ import annotations

from decimal import Decimal

from bot.dispatch import Dispatcher
from storage.db import Database
from tests.support.flow import only, problem_codes
from tests.support.recording import RecordingChannel, command
from tests.workflows.test_round_flow import anna_critical, remind, seed_round
from workflows.context import Context
from workflows.evaluation import Status
from workflows.notices import History


async def test_history_lists_the_last_values_newest_first(
    dispatcher: Dispatcher, db: Database, ctx: Context, recording: RecordingChannel
) -> None:
    seed_round(db, ctx, "2026-08", {"dd-within-sla": Decimal("96")})
    seed_round(db, ctx, "2026-09", {"dd-within-sla": Decimal("93.5")})
    await anna_critical(dispatcher, await remind(dispatcher))
    items = await dispatcher.handle(command("peteris-liepa", "history", "dd-within-sla", "2"))
    rows = only(items, History, "peteris-liepa").rows
    assert [(r.period, r.value, r.status) for r in rows] == [
        ("2026-10", Decimal("88.5"), Status.CRITICAL),
        ("2026-09", Decimal("93.5"), Status.WARNING),
    ]
    text = recording.texts("peteris-liepa")
    assert "October 2026: 88.5% — 🔴 critical, target not met (Anna Ozola)" in text


async def test_history_of_an_unknown_indicator_or_bad_count(dispatcher: Dispatcher) -> None:
    assert problem_codes(await dispatcher.handle(command("anna-ozola", "history", "nope"))) == [
        "unknown_indicator"
    ]
    assert problem_codes(
        await dispatcher.handle(command("anna-ozola", "history", "dd-within-sla", "x"))
    ) == ["usage"]
