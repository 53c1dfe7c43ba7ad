"""Issue 6: "not measured" with a reason, plausibility, correction after submit, approval.

The flows run through the real dispatcher, outbox and database (console channel); buttons
are pressed by their tokens, exactly as Telegram and Slack deliver them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import tokens
from bot.dispatch import Dispatcher
from storage.db import Database
from storage.models import ControlRound, Measurement, MeasurementRevision, NotMeasured
from tests.support.flow import audit, notices, only, problem_codes, rows
from tests.support.recording import RecordingChannel, command, press, say
from workflows.context import Context
from workflows.notices import (
    ApprovalAlreadyGiven,
    ApprovalRequested,
    CorrectionChoices,
    MeasurementsRecorded,
    NothingToMeasure,
    NotValueApprover,
    PendingList,
    ValueApproved,
    ValueCorrected,
    ValueReturned,
)
from workflows.plan.loader import bundled_plan_path
from workflows.rounds.plausibility import plausible_range

ANNA = "anna-ozola"
JANIS = "janis-berzins"  # approver of the dd-* indicators
PETERIS = "peteris-liepa"
ADMIN = "kristaps-sils"
ACTIVITY = "dzivesvietas-deklaresana"


def _plan(tmp_path: Path, *, approval: bool) -> Path:
    plan: dict[str, Any] = yaml.safe_load(
        (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
    )
    for activity in plan["services"]:
        for indicator in activity["indicators"]:
            if indicator["id"] in ("dd-avg-processing", "dd-within-sla", "dd-e-share"):
                indicator["requires_approval"] = approval
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def _open_round(dispatcher: Dispatcher, db: Database) -> int:
    await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    (control_round,) = rows(db, ControlRound, period="2026-10")
    return control_round.id or 0


async def _submit(dispatcher: Dispatcher, round_id: int, *answers: str) -> list[Any]:
    await dispatcher.handle(press(ANNA, tokens.start_round(round_id)))
    for text in answers:
        await dispatcher.handle(say(ANNA, text))
    return await dispatcher.handle(say(ANNA, "1"))


# --- not measured --------------------------------------------------------------------------


async def test_not_measured_with_a_reason_answers_the_round_without_a_value(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await dispatcher.handle(press(ANNA, tokens.start_round(round_id)))
    assert "Nav izmērīts" in [c.label for c in recording.last(ANNA).choices]
    await dispatcher.handle(say(ANNA, "nav mērīts"))
    assert "Kāpēc to nevarēja izmērīt?" in recording.last(ANNA).text
    await dispatcher.handle(say(ANNA, "Sistēma nedarbojās"))
    await dispatcher.handle(say(ANNA, "97"))
    confirmation = recording.last(ANNA).text
    assert "nav izmērīts" in confirmation and "Pamatojums: Sistēma nedarbojās" in confirmation
    items = await dispatcher.handle(say(ANNA, "1"))
    recorded = only(items, MeasurementsRecorded, ANNA)
    assert recorded.not_measured == (("dd-avg-processing", "Sistēma nedarbojās"),)
    assert "nav izmērīts (Sistēma nedarbojās)" in recording.last(ANNA).text
    (gap,) = rows(db, NotMeasured)
    assert (gap.indicator_id, gap.reason, gap.reported_by) == (
        "dd-avg-processing",
        "Sistēma nedarbojās",
        ANNA,
    )
    assert [m.indicator_id for m in rows(db, Measurement)] == ["dd-within-sla"]
    pending = only(await dispatcher.handle(command(ANNA, "pending")), PendingList, ANNA)
    assert pending.rounds == ()  # answered: no more reminders for it
    assert audit(db, "measurement.not_measured")


async def test_not_measured_needs_a_reason_and_the_english_words_work_too(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await dispatcher.handle(command(ANNA, "lang", "en"))
    await dispatcher.handle(press(ANNA, tokens.start_round(round_id)))
    await dispatcher.handle(say(ANNA, "Not measured"))
    await dispatcher.handle(say(ANNA, "   "))
    assert "The answer is empty" in recording.to(ANNA)[-2].text
    assert "Why could it not be measured?" in recording.last(ANNA).text


async def test_not_measured_reports_leave_nothing_for_the_co_measurer(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, _recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "nav mērīts", "Nav datu", "nav mērīts", "Nav datu")
    assert len(rows(db, NotMeasured)) == 2
    items = await dispatcher.handle(press(PETERIS, tokens.start_round(round_id)))
    nothing = only(items, NothingToMeasure, PETERIS)
    assert {a.person_id for a in nothing.answered} == {ANNA}
    assert rows(db, Measurement) == []


# --- plausibility ----------------------------------------------------------------------------


def test_the_plausible_range_needs_history_and_has_a_floor() -> None:
    assert plausible_range([Decimal(5), Decimal(6)]) is None
    low, high = plausible_range([Decimal(5), Decimal(6), Decimal(5)]) or (0, 0)
    assert low < 5 < 6 < high < 50
    assert plausible_range([Decimal(0)] * 3) == (Decimal(-5), Decimal(5))


def _history(db: Database, ctx: Context, values: list[str]) -> None:
    from workflows.periods import Period
    from workflows.rounds.measuring import new_measurement
    from workflows.rounds.opening import new_round

    with db.session() as session:
        for month, value in zip((7, 8, 9), values, strict=True):
            control_round = new_round(
                ctx, ACTIVITY, Period.parse(f"2026-{month:02d}"), "system", status="closed"
            )
            session.add(control_round)
            session.flush()
            session.add(
                new_measurement(
                    ctx, control_round, "dd-avg-processing", Decimal(value), None, ANNA
                )
            )
        session.commit()


async def test_a_value_far_from_history_asks_are_you_sure_and_no_asks_again(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, ctx = setup
    _history(db, ctx, ["1.2", "1.1", "1.3"])
    round_id = await _open_round(dispatcher, db)
    await dispatcher.handle(press(ANNA, tokens.start_round(round_id)))
    await dispatcher.handle(say(ANNA, "12"))  # an extra digit
    sure = recording.last(ANNA)
    assert "krietni atšķiras no iepriekšējām" in sure.text
    assert [c.label for c in sure.choices][:2] == ["Jā, tā ir pareiza", "Nē, ievadīšu vēlreiz"]
    await dispatcher.handle(say(ANNA, "nē"))
    again = recording.last(ANNA).text
    assert "Jautājums 1 no 2" in again and "krietni" not in again  # the value is asked again
    await dispatcher.handle(say(ANNA, "0,9"))
    assert "krietni" not in recording.last(ANNA).text  # a usual value is not questioned
    await dispatcher.handle(say(ANNA, "97"))
    items = await dispatcher.handle(say(ANNA, "1"))
    assert only(items, MeasurementsRecorded, ANNA).results[0].value == Decimal("0.9")


async def test_an_unusual_value_confirmed_as_correct_is_stored(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, _recording, ctx = setup
    _history(db, ctx, ["1.2", "1.1", "1.3"])
    round_id = await _open_round(dispatcher, db)
    items = await _submit(dispatcher, round_id, "12", "jā", "Ilgstoša slimība", "97")
    assert only(items, MeasurementsRecorded, ANNA).results[0].value == Decimal("12")


# --- correction after submit -----------------------------------------------------------------


async def test_a_value_is_corrected_with_a_reason_and_the_old_version_is_kept(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "1", "97")
    assert "Labot vērtību" in [c.label for c in recording.last(ANNA).choices]
    items = await dispatcher.handle(press(ANNA, tokens.correct_round(round_id)))
    choices = only(items, CorrectionChoices, ANNA)
    target = next(v for v in choices.values if v.indicator_id == "dd-within-sla")
    await dispatcher.handle(press(ANNA, tokens.correct_value(target.measurement_id)))
    assert recording.last(ANNA).title.startswith("Labojums")
    await dispatcher.handle(say(ANNA, "79"))  # now critical: a comment is asked
    await dispatcher.handle(say(ANNA, "Pārrēķināts pēc atskaites"))
    await dispatcher.handle(say(ANNA, "Kļūda ievadē"))
    assert "Labojuma pamatojums: Kļūda ievadē" in recording.last(ANNA).text
    items = await dispatcher.handle(say(ANNA, "1"))
    corrected = only(items, ValueCorrected, ANNA)
    assert (corrected.previous, corrected.value.value) == (Decimal("97"), Decimal("79"))
    (row,) = rows(db, Measurement, indicator_id="dd-within-sla")
    assert (row.version, row.status, row.correction_reason) == (2, "critical", "Kļūda ievadē")
    (old,) = rows(db, MeasurementRevision)
    assert (old.version, old.value, old.reason, old.replaced_by) == (
        1,
        Decimal("97"),
        "Kļūda ievadē",
        ANNA,
    )
    assert audit(db, "measurement.corrected")


async def test_correct_command_picks_the_indicator_and_others_are_refused(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "1", "97")
    items = await dispatcher.handle(command("marta-kalnina", "correct", "dd-within-sla"))
    assert problem_codes(items) == ["nothing_to_correct"]
    items = await dispatcher.handle(command(ANNA, "correct", "no-such"))
    assert problem_codes(items) == ["unknown_indicator"]
    await dispatcher.handle(command(PETERIS, "correct", "dd-within-sla"))  # a co-measurer
    assert recording.last(PETERIS).title.startswith("Correction")  # he reads English


async def test_correct_takes_the_beginning_of_a_name_that_other_activities_share(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    """ "/correct vidējais" said "no indicator fits" although one of Anna's names begins so."""
    dispatcher, recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "1", "97")
    await dispatcher.handle(command(ANNA, "correct", "vidējais"))  # 3 labels in the plan
    assert recording.last(ANNA).title.startswith("Labojums: Vidējais deklarācijas apstrādes")
    await dispatcher.handle(command(ANNA, "cancel"))
    items = await dispatcher.handle(command(ADMIN, "correct", "vidējais"))  # sees them all
    assert problem_codes(items) == ["indicator_ambiguous"]
    assert recording.last(ADMIN).text == (
        "“vidējais” atbilst vairākiem Jūsu rādītājiem: ierakstiet garāku nosaukuma sākumu "
        "vai rādītāja numuru no /indicators."
    )


# --- approval ---------------------------------------------------------------------------------


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_the_approver_returns_a_value_and_the_measurer_measures_again(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    items = await _submit(dispatcher, round_id, "1", "97")
    recorded = only(items, MeasurementsRecorded, ANNA)
    assert set(recorded.awaiting_approval) == {"dd-avg-processing", "dd-within-sla"}
    requests = notices(items, ApprovalRequested, JANIS)
    sla = next(r.value for r in requests if r.value.indicator_id == "dd-within-sla")
    assert [c.label for c in recording.to(JANIS)[-1].choices] == [
        "Apstiprināt",
        "Atgriezt ar pamatojumu",
    ]
    waiting = only(await dispatcher.handle(command(JANIS, "pending")), PendingList, JANIS)
    assert {v.indicator_id for v in waiting.approvals} == {"dd-avg-processing", "dd-within-sla"}
    assert any(c.label.startswith("Apstiprināt: ") for c in recording.last(JANIS).choices)
    # someone else presses the approver's button: refused, nothing changes
    wrong = await dispatcher.handle(
        press(ANNA, tokens.review_value(sla.measurement_id, "approve", sla.version))
    )
    assert notices(wrong, NotValueApprover, ANNA)
    await dispatcher.handle(
        press(JANIS, tokens.review_value(sla.measurement_id, "return", sla.version))
    )
    assert "Kāpēc atgriežat vērtību?" in recording.last(JANIS).text
    items = await dispatcher.handle(say(JANIS, "Atskaitē ir 79"))
    returned = only(items, ValueReturned, ANNA)
    assert returned.reason == "Atskaitē ir 79"
    assert "Ievadīt mērījumus" in [c.label for c in recording.last(ANNA).choices]
    pending = only(await dispatcher.handle(command(ANNA, "pending")), PendingList, ANNA)
    assert [r.indicator_ids for r in pending.rounds] == [("dd-within-sla",)]
    # measured again: the same measurement's version 2, waiting for approval again
    items = await _submit(dispatcher, round_id, "79", "Pārbaudīts")
    (again,) = notices(items, ApprovalRequested, JANIS)
    assert again.value.version == 2 and again.value.value == Decimal("79")
    (old,) = rows(db, MeasurementRevision)
    assert (old.value, old.approval, old.reason) == (Decimal("97"), "rejected", "Atskaitē ir 79")
    # the old request's button no longer works; the new one approves
    stale = await dispatcher.handle(
        press(JANIS, tokens.review_value(sla.measurement_id, "approve", 1))
    )
    assert only(stale, ApprovalAlreadyGiven, JANIS).replaced
    items = await dispatcher.handle(
        press(JANIS, tokens.review_value(sla.measurement_id, "approve", 2))
    )
    assert notices(items, ValueApproved, ANNA) and notices(items, ValueApproved, JANIS)
    (row,) = rows(db, Measurement, indicator_id="dd-within-sla")
    assert (row.approval, row.approval_by) == ("approved", JANIS)
    waiting = only(await dispatcher.handle(command(JANIS, "pending")), PendingList, JANIS)
    assert [v.indicator_id for v in waiting.approvals] == ["dd-avg-processing"]
    # approved: pressing again changes nothing, and a correction is refused
    twice = await dispatcher.handle(
        press(JANIS, tokens.review_value(sla.measurement_id, "approve", 2))
    )
    assert only(twice, ApprovalAlreadyGiven, JANIS).approval == "approved"
    refused = await dispatcher.handle(command(ANNA, "correct", "dd-within-sla"))
    given = only(refused, ApprovalAlreadyGiven, ANNA)
    assert given.correction and "vairs nevar labot" in recording.last(ANNA).text


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_a_correction_before_approval_asks_the_approver_again(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, _recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    items = await _submit(dispatcher, round_id, "1", "97")
    first = next(
        r.value
        for r in notices(items, ApprovalRequested, JANIS)
        if r.value.indicator_id == "dd-avg-processing"
    )
    await dispatcher.handle(command(ANNA, "correct", "dd-avg-processing"))
    await dispatcher.handle(say(ANNA, "0,9"))
    await dispatcher.handle(say(ANNA, "Noapaļots"))
    items = await dispatcher.handle(say(ANNA, "1"))
    assert only(items, ValueCorrected, ANNA).awaiting_approval
    (request,) = notices(items, ApprovalRequested, JANIS)
    assert request.value.version == 2 and request.value.correction_reason == "Noapaļots"
    stale = await dispatcher.handle(
        press(JANIS, tokens.review_value(first.measurement_id, "approve", first.version))
    )
    assert only(stale, ApprovalAlreadyGiven, JANIS).replaced


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_a_value_the_approver_submits_counts_as_approved(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    _dispatcher, _recording, ctx = setup
    _a, indicator = ctx.plan.indicator("dd-within-sla")
    assert ctx.plan.approver(_a, indicator) == JANIS
    with db.session() as session:
        from workflows.periods import Period
        from workflows.rounds import approval
        from workflows.rounds.measuring import new_measurement
        from workflows.rounds.opening import new_round

        control_round = new_round(ctx, ACTIVITY, Period.parse("2026-09"), "system")
        session.add(control_round)
        session.flush()
        row = new_measurement(ctx, control_round, "dd-within-sla", Decimal(96), None, JANIS)
        session.add(row)
        session.flush()
        assert approval.settle(session, ctx, row) == []
        assert (row.approval, row.approval_by) == ("approved", JANIS)
        session.commit()


# --- history ----------------------------------------------------------------------------------


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_history_marks_corrected_waiting_and_not_measured_periods(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, _ctx = setup
    await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-09"))
    (september,) = rows(db, ControlRound, period="2026-09")
    await _submit(dispatcher, september.id or 0, "nav mērīts", "Sistēma nedarbojās", "96")
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "0,9", "97")
    await dispatcher.handle(command(ANNA, "correct", "dd-avg-processing"))
    for answer in ("0,8", "Pārrēķināts", "1"):
        await dispatcher.handle(say(ANNA, answer))
    await dispatcher.handle(command(ANNA, "history", "dd-avg-processing"))
    text = recording.last(ANNA).text.splitlines()
    assert text[0].startswith("• 2026. gada oktobris: 0,8")
    assert "[labots, gaida apstiprinājumu]" in text[0]
    assert text[1] == "• 2026. gada septembris: nav izmērīts (Sistēma nedarbojās)"


async def test_not_measured_indicators_are_not_escalated_as_missing(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from workflows.rounds.status import status_for
    from workflows.schedule.ledger import scheduler_epoch
    from workflows.schedule.sweep import prepare

    dispatcher, _recording, ctx = setup
    db.transaction(lambda s: scheduler_epoch(s, ctx))
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "nav mērīts", "Sistēma nedarbojās", "nav mērīts", "x")
    await dispatcher.handle(press(JANIS, tokens.start_round(round_id)))
    for answer in ("nav mērīts", "Nav datu", "1"):
        await dispatcher.handle(say(JANIS, answer))
    assert len(rows(db, NotMeasured)) == 3  # every indicator of the round is answered
    after_due = datetime(2026, 11, 16, 9, 5, tzinfo=ZoneInfo("Europe/Riga"))
    prepared = db.transaction(lambda s: prepare(s, ctx, after_due))
    about_round = [p for p in prepared if ACTIVITY in p.keys[0] and "2026-10" in p.keys[0]]
    assert about_round == []
    report = db.transaction(lambda s: status_for(s, ctx, ADMIN))
    (state,) = [r for r in report[0].notice.rounds if r.activity_id == ACTIVITY]  # type: ignore[union-attr]
    assert (state.answered, state.total, state.waiting_for) == (3, 3, ())


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_the_summary_marks_not_measured_unapproved_and_corrected_values(
    setup: tuple[Dispatcher, RecordingChannel, Context], db: Database
) -> None:
    dispatcher, recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "nav mērīts", "Sistēma nedarbojās", "97")
    await dispatcher.handle(command(ANNA, "correct", "dd-within-sla"))
    for answer in ("96", "Pārrēķināts", "1"):
        await dispatcher.handle(say(ANNA, answer))
    await dispatcher.handle(command(ADMIN, "summary", "pk-dzivesvieta", "2026-10"))
    text = recording.last("pk-dzivesvieta").text
    assert "nav izmērīts — Sistēma nedarbojās" in text
    lines = text.splitlines()
    sla = next(n for n, line in enumerate(lines) if "96,0%" in line)
    assert lines[sla + 1].strip() == "❔ vēl nav apstiprināts · ✎ labots"
