"""Issue 13 item 16: yes/no and choice indicators asked, evaluated, stored and decided on.

Process control is often a check ("Was the service description updated in the register?",
"Which stage is the procurement in?"). The flows run through the real dispatcher, outbox and
database (console channel), with the plan of :mod:`tests.support.checks`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot import tokens
from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from storage.models import ControlRound, ImprovementDecision, Measurement, MeasurementRevision
from tests.support.checks import ACTIVITY, APPROVER, CHOICE, MEASURER, YES_NO, plan_with_checks
from tests.support.flow import only, rows
from tests.support.recording import RecordingChannel, command, press, say
from workflows.calendar import WorkingCalendar
from workflows.context import Context
from workflows.notices import DecisionRequested, MeasurementsRecorded, ValueCorrected
from workflows.plan.loader import load_plan

ADMIN = "kristaps-sils"


@pytest.fixture
def checks(
    db: Database, ctx: Context, tmp_path: Path
) -> tuple[Dispatcher, RecordingChannel, Context]:
    plan = load_plan(plan_with_checks(tmp_path, only_checks=True))
    ctx = Context(plan, ctx.clock, WorkingCalendar(), ctx.timezone, "lv")
    prepare_database(db, ctx, auto_upgrade=True)
    recording = RecordingChannel()
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"), "lv")
    return dispatcher, recording, ctx


async def _start(dispatcher: Dispatcher, db: Database) -> None:
    await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    (control_round,) = rows(db, ControlRound, period="2026-10")
    await dispatcher.handle(press(MEASURER, tokens.start_round(control_round.id or 0)))


async def test_yes_no_is_asked_with_buttons_and_typed_jā_nē(
    checks: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, _ctx = checks
    await _start(dispatcher, db)
    question = recording.last(MEASURER)
    assert "Vai pakalpojuma apraksts reģistrā ir aktualizēts?" in question.text
    assert "Mērķis: Jā; kritisks: Nē" in question.text
    assert "Mērvienība" not in question.text
    labels = [c.label for c in question.choices]
    assert labels[:3] == ["Jā", "Nē", "Nav izmērīts"]
    assert not question.free_text
    await dispatcher.handle(say(MEASURER, "varbūt"))
    assert "Izvēlieties vienu no: Jā, Nē" in recording.to(MEASURER)[-2].text
    await dispatcher.handle(say(MEASURER, "nē"))
    assert "Nē — ❌ kritisks" in recording.last(MEASURER).text  # off target: a comment
    await dispatcher.handle(say(MEASURER, "Reģistrs nebija pieejams"))
    question = recording.last(MEASURER)
    assert "Kurā posmā ir iepirkums?" in question.text
    assert [c.label for c in question.choices][:4] == [
        "Plānošana",
        "Izsludināts",
        "Līgums noslēgts",
        "Apturēts",
    ]
    await dispatcher.handle(say(MEASURER, "līgums noslēgts"))
    confirmation = recording.last(MEASURER).text
    assert "• Kurā posmā ir iepirkums?: Līgums noslēgts — ✅ normā" in confirmation
    items = await dispatcher.handle(say(MEASURER, "1"))
    recorded = only(items, MeasurementsRecorded, MEASURER)
    assert [(r.indicator_id, r.value) for r in recorded.results] == [
        (YES_NO, Decimal(2)),
        (CHOICE, Decimal(3)),
    ]
    stored = {m.indicator_id: m for m in rows(db, Measurement)}
    assert (stored[YES_NO].choice, stored[YES_NO].status, stored[YES_NO].target_met) == (
        "no",
        "critical",
        False,
    )
    assert (stored[CHOICE].choice, stored[CHOICE].status, stored[CHOICE].target_met) == (
        "contract",
        "ok",
        True,
    )
    # a critical "no" opens an improvement decision for the approver
    request = only(items, DecisionRequested, APPROVER)
    assert request.decision.indicator_id == YES_NO
    (decision,) = rows(db, ImprovementDecision)
    assert decision.trigger == "critical"
    assert "Nē" in recording.texts(APPROVER)


async def test_an_ok_option_that_is_not_the_target_asks_a_comment_in_english(
    checks: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, _ctx = checks
    await dispatcher.handle(command(MEASURER, "lang", "en"))
    await _start(dispatcher, db)
    assert "Target: Yes; critical: No" in recording.last(MEASURER).text
    await dispatcher.handle(say(MEASURER, "yes"))
    question = recording.last(MEASURER)
    assert "Target: Contract signed; warning: Planning; critical: Stalled" in question.text
    await dispatcher.handle(say(MEASURER, "2"))  # the option's number: Announced
    assert "Announced — ✅ OK" in recording.last(MEASURER).text
    assert "off target" in recording.last(MEASURER).text
    await dispatcher.handle(say(MEASURER, "Bids are being evaluated"))
    await dispatcher.handle(say(MEASURER, "1"))
    stored = {m.indicator_id: m for m in rows(db, Measurement)}
    assert (stored[YES_NO].value, stored[YES_NO].choice, stored[YES_NO].status) == (
        Decimal(1),
        "yes",
        "ok",
    )
    assert (stored[CHOICE].choice, stored[CHOICE].target_met) == ("announced", False)
    assert stored[CHOICE].comment == "Bids are being evaluated"
    assert rows(db, ImprovementDecision) == []


async def test_a_check_is_corrected_by_choosing_another_option_and_the_old_one_is_kept(
    checks: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, _ctx = checks
    await _start(dispatcher, db)
    await dispatcher.handle(say(MEASURER, "jā"))
    await dispatcher.handle(say(MEASURER, "3"))
    await dispatcher.handle(say(MEASURER, "1"))
    await dispatcher.handle(command(MEASURER, "correct", CHOICE))
    question = recording.last(MEASURER)
    assert question.title.startswith("Labojums")
    assert "Apturēts" in [c.label for c in question.choices]
    await dispatcher.handle(say(MEASURER, "apturēts"))  # now critical: a comment is asked
    await dispatcher.handle(say(MEASURER, "Pretendents atsauca piedāvājumu"))
    await dispatcher.handle(say(MEASURER, "Kļūda ievadē"))
    confirmation = recording.last(MEASURER).text
    assert "Kurā posmā ir iepirkums?: Apturēts — ❌ kritisks" in confirmation
    items = await dispatcher.handle(say(MEASURER, "1"))
    corrected = only(items, ValueCorrected, MEASURER)
    assert (corrected.previous, corrected.value.value) == (Decimal(3), Decimal(4))
    (row,) = rows(db, Measurement, indicator_id=CHOICE)
    assert (row.version, row.choice, row.status) == (2, "stalled", "critical")
    (old,) = rows(db, MeasurementRevision)
    assert (old.version, old.value, old.choice, old.status) == (1, Decimal(3), "contract", "ok")
    assert "Līgums noslēgts" in recording.texts(MEASURER).split("Labojums")[-1]
