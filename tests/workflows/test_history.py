"""``/history INDICATOR``: the last values with the status each was judged with."""

from __future__ import annotations

from decimal import Decimal

from bot.dispatch import Dispatcher
from storage.db import Database
from tests.support.flow import only, problem_codes
from tests.support.recording import RecordingChannel, command
from tests.workflows.test_round_flow import anna_critical, remind, seed_round
from workflows.context import Context
from workflows.notices import History
from workflows.rounds.evaluation import Status


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
    assert "October 2026: 88.5% — ❌ critical, target not met (Anna Ozola)" in text


async def test_history_of_an_unknown_indicator_or_bad_count(dispatcher: Dispatcher) -> None:
    from workflows.notices import IndicatorList

    # issue 13 item 6: what fits nothing gets the person's list to pick from, not ids
    for args in (("nope",), ("dd-within-sla", "x")):
        items = await dispatcher.handle(command("anna-ozola", "history", *args))
        assert [type(i.notice) for i in items] == [IndicatorList]
    assert problem_codes(
        await dispatcher.handle(command("anna-ozola", "history", "dd-within-sla", "0"))
    ) == ["usage"]


async def test_forms_and_summaries_show_last_period_and_last_year(
    dispatcher: Dispatcher, db: Database, ctx: Context, recording: RecordingChannel
) -> None:
    from tests.workflows.test_round_flow import start
    from workflows.notices import FormPrompt, Summary

    seed_round(db, ctx, "2025-10", {"dd-e-share": Decimal("61")})
    seed_round(db, ctx, "2026-09", {"dd-e-share": Decimal("66")})
    round_id = await remind(dispatcher)
    prompt = only(await start(dispatcher, "janis-berzins", round_id), FormPrompt, "janis-berzins")
    assert prompt.earlier["dd-e-share"] == (("2026-09", Decimal(66)), ("2025-10", Decimal(61)))
    assert "Iepriekš: 66,0% (2026. gada septembris); 61,0% (2025. gada oktobris)" in (
        recording.texts("janis-berzins")
    )
    items = await dispatcher.handle(
        command("kristaps-sils", "summary", "pk-dzivesvieta", "2026-10")
    )
    line = next(
        li
        for li in only(items, Summary, "pk-dzivesvieta").activities[0].lines
        if li.indicator_id == "dd-e-share"
    )
    assert (line.previous, line.last_year) == (Decimal(66), Decimal(61))
