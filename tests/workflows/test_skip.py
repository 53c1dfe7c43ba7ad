"""Skipping an indicator the plan allows to skip: nothing stored for it, it stays outstanding."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from bot import tokens
from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from storage.models import ControlRound, Measurement
from tests.support.flow import only, rows
from tests.support.recording import RecordingChannel, command, press, say
from workflows.calendar import WorkingCalendar
from workflows.context import Context
from workflows.notices import MeasurementsRecorded, PendingList
from workflows.plan.loader import bundled_plan_path, load_plan

ANNA = "anna-ozola"


def skippable_plan(tmp_path: Path) -> Path:
    plan: dict[str, Any] = yaml.safe_load(
        (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
    )
    for activity in plan["services"]:
        for indicator in activity["indicators"]:
            if indicator["id"] == "dd-avg-processing":
                indicator["allow_skip"] = True
    path = tmp_path / "skip.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def test_a_skipped_indicator_is_not_stored_and_stays_outstanding(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    plan = load_plan(skippable_plan(tmp_path))
    ctx = Context(plan, ctx.clock, WorkingCalendar(), ctx.timezone, "lv")
    prepare_database(db, ctx, auto_upgrade=True)
    recording = RecordingChannel()
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"), "lv")
    await dispatcher.handle(
        command("kristaps-sils", "remind", "dzivesvietas-deklaresana", "2026-10")
    )
    (control_round,) = rows(db, ControlRound)
    await dispatcher.handle(press(ANNA, tokens.start_round(control_round.id or 0)))
    prompt = recording.last(ANNA)
    assert "Izlaist" in [c.label for c in prompt.choices]
    assert "vai -, lai to pagaidām izlaistu." in prompt.text
    await dispatcher.handle(say(ANNA, "-"))  # skip the first indicator
    await dispatcher.handle(say(ANNA, "97"))
    assert "izlaists" in recording.last(ANNA).text  # the confirmation shows it skipped
    items = await dispatcher.handle(say(ANNA, "1"))
    recorded = only(items, MeasurementsRecorded, ANNA)
    assert recorded.skipped == ("dd-avg-processing",)
    assert {m.indicator_id: m.value for m in rows(db, Measurement)} == {
        "dd-within-sla": Decimal("97")
    }
    pending = only(await dispatcher.handle(command(ANNA, "pending")), PendingList, ANNA)
    assert [r.indicator_ids for r in pending.rounds] == [("dd-avg-processing",)]


async def test_a_whole_form_ui_leaving_a_skippable_value_empty_skips_it(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    from workflows.forms import conversation

    plan = load_plan(skippable_plan(tmp_path))
    ctx = Context(plan, ctx.clock, WorkingCalendar(), ctx.timezone, "lv")
    prepare_database(db, ctx, auto_upgrade=True)
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": RecordingChannel()}, "lv"), "lv")
    await dispatcher.handle(
        command("kristaps-sils", "remind", "dzivesvietas-deklaresana", "2026-10")
    )
    (control_round,) = rows(db, ControlRound)
    items = db.transaction(
        lambda s: conversation.fill_measurement(
            s, ctx, ANNA, control_round.id or 0, {"dd-within-sla": "97"}, "lv"
        )
    )
    assert only(items, MeasurementsRecorded, ANNA).skipped == ("dd-avg-processing",)
