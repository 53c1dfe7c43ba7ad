"""Issue 13 item 16: checks imported, exported, in /history, summaries and the chart.

Three months of both checks of :mod:`tests.support.checks` come in through the import (ids,
labels in either language, numbers and yes/no words); then the export, ``/history``, the
team summary (option labels, a change of status instead of a numeric delta) and its chart
(a status strip) are read as a person would.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import yaml
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from bot.app import prepare_database
from bot.charts.figure import summary_chart
from bot.charts.strip import status_strip_panel
from bot.dispatch import Dispatcher
from bot.exchange.commands import refusal_lines
from bot.exchange.csv_files import write_csv
from bot.exchange.json_files import document
from bot.i18n import translator
from bot.outbox import Outbox
from bot.render.context import RenderContext
from storage.db import Database
from storage.models import ImprovementDecision, Measurement
from tests.support.checks import CHOICE, MEASURER, YES_NO, plan_with_checks
from tests.support.flow import only, rows
from tests.support.recording import RecordingChannel, command
from workflows.calendar import WorkingCalendar
from workflows.context import Context
from workflows.exchange import ImportRefused, IncomingRow, export_periods, gather, import_rows
from workflows.notices import SeriesPoint, Summary
from workflows.plan.loader import load_plan
from workflows.rounds.evaluation import Status
from workflows.rounds.plausibility import ranges_for

ADMIN = "kristaps-sils"
ROOT = Path(__file__).parents[2]
CHANNEL = "pk-socialapalidziba"


@pytest.fixture
def world(
    db: Database, ctx: Context, tmp_path: Path
) -> tuple[Dispatcher, RecordingChannel, Context]:
    plan = load_plan(plan_with_checks(tmp_path, only_checks=True))
    ctx = Context(plan, ctx.clock, WorkingCalendar(), ctx.timezone, "lv")
    prepare_database(db, ctx, auto_upgrade=True)
    recording = RecordingChannel()
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"), "lv")
    return dispatcher, recording, ctx


def _import(db: Database, ctx: Context, *items: tuple[str, str, str | Decimal]) -> None:
    rows_in = [
        IncomingRow(row=n, indicator=i, period=p, value=v, source="register")
        for n, (i, p, v) in enumerate(items, start=2)
    ]
    db.transaction(lambda s: import_rows(s, ctx, rows_in, lang="lv", actor=ADMIN))


def _three_months(db: Database, ctx: Context) -> None:
    _import(
        db,
        ctx,
        (YES_NO, "2026-08", "jā"),
        (YES_NO, "2026-09", "1"),
        (YES_NO, "2026-10", Decimal(2)),
        (CHOICE, "2026-08", "planning"),
        (CHOICE, "2026-09", "Izsludināts"),
        (CHOICE, "2026-10", "Stalled"),
    )


def test_imported_checks_store_the_option_and_export_its_label(
    world: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    _dispatcher, _recording, ctx = world
    _three_months(db, ctx)
    stored = [
        (m.indicator_id, m.period, m.value, m.choice, m.status) for m in rows(db, Measurement)
    ]
    assert sorted(stored) == [
        (YES_NO, "2026-08", Decimal(1), "yes", "ok"),
        (YES_NO, "2026-09", Decimal(1), "yes", "ok"),
        (YES_NO, "2026-10", Decimal(2), "no", "critical"),
        (CHOICE, "2026-08", Decimal(1), "planning", "warning"),
        (CHOICE, "2026-09", Decimal(2), "announced", "ok"),
        (CHOICE, "2026-10", Decimal(4), "stalled", "critical"),
    ]
    exported = db.transaction(lambda s: gather(s, ctx, export_periods(s, ctx, "2026-10")))
    rc = RenderContext(translator("lv"), ctx.plan, ctx.timezone)
    csv_text = write_csv(exported, rc, "lv").decode("utf-8-sig")
    header, *lines = csv_text.splitlines()
    assert header.split(";")[5:8] == ["value", "choice", "choice_label"]
    assert [line.split(";")[5:8] for line in lines] == [
        ["2", "no", "Nē"],
        ["4", "stalled", "Apturēts"],
    ]
    english = RenderContext(translator("en"), ctx.plan, ctx.timezone)
    exported_json = document(exported, [], english, ctx.now())
    schema = json.loads((ROOT / "docs" / "export.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(exported_json, schema, format_checker=jsonschema.FormatChecker())
    measurements = exported_json["measurements"]
    assert [(m["choice"], m["choice_label"]) for m in measurements] == [
        ("no", "No"),
        ("stalled", "Stalled"),
    ]
    # plausibility never asks about a check, however much history it has
    assert db.transaction(lambda s: ranges_for(s, (YES_NO, CHOICE), "2026-11")) == {}


def test_an_unknown_option_is_refused_with_the_options_named(
    world: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    _dispatcher, _recording, ctx = world
    with pytest.raises(ImportRefused) as caught:
        _import(db, ctx, (CHOICE, "2026-10", "pabeigts"), (YES_NO, "2026-10", "3"))
    assert [(e.row, e.code) for e in caught.value.result.errors] == [
        (2, "choice_unknown"),
        (3, "choice_unknown"),
    ]
    rc = RenderContext(translator("lv"), ctx.plan, ctx.timezone)
    text = "\n".join(refusal_lines(caught.value.result, rc))
    assert "Izvēlieties vienu no: Plānošana, Izsludināts, Līgums noslēgts, Apturēts" in text
    assert rows(db, Measurement) == []


async def test_history_and_summary_show_options_and_a_change_of_status(
    world: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, ctx = world
    _three_months(db, ctx)
    await dispatcher.handle(command(MEASURER, "history", CHOICE))
    history = recording.last(MEASURER).text
    assert "Apturēts" in history and "Izsludināts" in history and "Plānošana" in history
    assert "4" not in history.replace("2026", "")  # no option numbers
    items = await dispatcher.handle(command(ADMIN, "summary", CHANNEL, "2026-10"))
    summary = recording.last(CHANNEL).text
    assert "Kurā posmā ir iepirkums?: Apturēts — ❌ kritisks" in summary
    assert "iepriekš Izsludināts (normā → kritisks, pasliktinājums)" in summary
    assert "iepriekš Jā (normā → kritisks, pasliktinājums)" in summary
    notice = only(items, Summary, CHANNEL)
    png = summary_chart(notice, ctx.plan, translator("en"))
    assert png.startswith(b"\x89PNG")


def test_the_chart_draws_a_check_as_a_status_strip(
    world: tuple[Dispatcher, RecordingChannel, Context],
) -> None:
    _dispatcher, _recording, ctx = world
    _activity, indicator = ctx.plan.indicator(CHOICE)
    periods = ["2026-08", "2026-09", "2026-10"]
    points = [
        SeriesPoint("2026-08", Decimal(1), Status.WARNING),
        SeriesPoint("2026-10", Decimal(4), Status.CRITICAL),
    ]
    ax = Figure().add_subplot()
    status_strip_panel(ax, indicator, periods, points, translator("lv"))
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [c.get_hatch() or "" for c in cells] == ["//", "..", "xx"]  # warning, none, critical
    texts = [t.get_text() for t in ax.texts]
    assert "Plānošana" in texts and "Apturēts" in texts
    assert "mērķis: Līgums noslēgts" in texts


async def test_reordered_options_keep_the_stored_values_meaning(
    world: tuple[Dispatcher, RecordingChannel, Context], db: Database, tmp_path: Path
) -> None:
    _dispatcher, _recording, ctx = world
    _three_months(db, ctx)
    path = plan_with_checks(tmp_path, only_checks=True)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for activity in data["services"]:
        for indicator in activity["indicators"]:
            if indicator["id"] == CHOICE:
                indicator["options"].reverse()  # stalled is now no. 1, planning no. 4
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    later = Context(load_plan(path), ctx.clock, WorkingCalendar(), ctx.timezone, "lv")
    recording = RecordingChannel()
    dispatcher = Dispatcher(later, db, Outbox(later, db, {"console": recording}, "lv"), "lv")
    await dispatcher.handle(command(MEASURER, "history", CHOICE))
    lines = recording.last(MEASURER).text.splitlines()
    assert next(line for line in lines if "Apturēts" in line).startswith("• 2026. gada oktobris")
    assert next(line for line in lines if "Plānošana" in line).startswith("• 2026. gada augusts")
    items = await dispatcher.handle(command(ADMIN, "summary", CHANNEL, "2026-10"))
    assert "Apturēts — ❌ kritisks" in recording.last(CHANNEL).text
    assert "iepriekš Izsludināts" in recording.last(CHANNEL).text
    (point,) = [
        p
        for line in only(items, Summary, CHANNEL).activities[0].lines
        if line.indicator_id == CHOICE
        for p in line.series
        if p.period == "2026-08"
    ]
    assert point.value == Decimal(4)  # planning's number in the reordered plan
    exported = db.transaction(lambda s: gather(s, later, export_periods(s, later, "2026-10")))
    assert [(r.value, r.choice) for r in exported if r.indicator_id == CHOICE] == [
        (Decimal(1), "stalled")  # an export imports again into the reordered plan
    ]
    rows_in = [
        IncomingRow(row=2, indicator=CHOICE, period="2026-10", value="1", source="register")
    ]
    result = db.transaction(lambda s: import_rows(s, later, rows_in, lang="lv", actor=ADMIN))
    assert [r.outcome for r in result.rows] == ["unchanged"]  # the same option, renumbered


async def test_warnings_in_a_row_open_a_decision_and_roll_ups_name_the_target_option(
    world: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, ctx = world
    _import(
        db,
        ctx,
        (CHOICE, "2026-08", "planning"),
        (CHOICE, "2026-09", "Plānošana"),
        (CHOICE, "2026-10", "1"),
    )
    (decision,) = rows(db, ImprovementDecision)
    assert decision.trigger == "warnings"  # the plan's three warnings in a row
    await dispatcher.handle(command(ADMIN, "summary", "iestade-socialais-dienests", "2026-10"))
    rollup = recording.last("iestade-socialais-dienests").text
    assert "Kurā posmā ir iepirkums? Plānošana (mērķa vērtība Līgums noslēgts)" in rollup
