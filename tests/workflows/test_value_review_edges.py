"""Issue 6 edge cases a breaker found: "not measured" and values racing, giving the value
later, decisions whose trigger was corrected or returned, self-approved typos, the plan
dropping approval, expired value forms, corrections of older values, history windows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot import tokens
from bot.app import prepare_database
from bot.dispatch import Dispatcher
from storage.db import Database
from storage.models import ControlRound, ImprovementDecision, Measurement, NotMeasured
from tests.support.flow import audit, notices, only, problem_codes, rows
from tests.support.recording import RecordingChannel, command, press, say
from tests.workflows.test_value_review import (
    ACTIVITY,
    ADMIN,
    ANNA,
    JANIS,
    PETERIS,
    _history,
    _open_round,
    _plan,
    _submit,
)
from workflows.calendar import WorkingCalendar
from workflows.context import Context
from workflows.notices import (
    ApprovalRequested,
    DecisionWithdrawn,
    History,
    MeasurementsRecorded,
    ValueCorrected,
)
from workflows.plan.loader import load_plan
from workflows.rounds import revisions
from workflows.rounds.measuring import new_measurement

Setup = tuple[Dispatcher, RecordingChannel, Context]


async def test_a_value_after_a_not_measured_report_is_refused_and_told_who(
    setup: Setup, db: Database
) -> None:
    dispatcher, _recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await dispatcher.handle(press(PETERIS, tokens.start_round(round_id)))  # Pēteris opens
    await _submit(dispatcher, round_id, "nav mērīts", "Nav datu", "nav mērīts", "Nav datu")
    for answer in ("1", "97"):
        await dispatcher.handle(say(PETERIS, answer))
    items = await dispatcher.handle(say(PETERIS, "1"))
    recorded = only(items, MeasurementsRecorded, PETERIS)
    assert recorded.results == ()
    assert {a.person_id for a in recorded.already_answered} == {ANNA}
    assert len(rows(db, NotMeasured)) == 2 and rows(db, Measurement) == []


async def test_give_the_value_later_replaces_the_report_only_when_submitted(
    setup: Setup, db: Database
) -> None:
    dispatcher, recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "nav mērīts", "Nav datu", "97")
    receipt = recording.last(ANNA)
    give = next(c for c in receipt.choices if c.label.startswith("Norādīt vērtību"))
    await dispatcher.handle(press(ANNA, give.token))
    await dispatcher.handle(command(ANNA, "cancel"))
    assert len(rows(db, NotMeasured)) == 1  # cancelling keeps the report
    await dispatcher.handle(command(ANNA, "correct", "dd-avg-processing"))  # the same way in
    assert "Jautājums 1 no 1" in recording.last(ANNA).text
    await dispatcher.handle(say(ANNA, "0,9"))
    items = await dispatcher.handle(say(ANNA, "1"))
    assert only(items, MeasurementsRecorded, ANNA).results[0].value == Decimal("0.9")
    assert rows(db, NotMeasured) == []
    assert audit(db, "measurement.not_measured_replaced")


async def test_a_decision_is_withdrawn_when_its_value_is_corrected_to_ok(
    setup: Setup, db: Database
) -> None:
    dispatcher, recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "1", "9", "Kļūda?")  # 9 % instead of 97: critical
    (decision,) = rows(db, ImprovementDecision)
    await dispatcher.handle(command(ANNA, "correct", "dd-within-sla"))
    for answer in ("97", "Drukas kļūda", "1"):
        items = await dispatcher.handle(say(ANNA, answer))
    withdrawn = only(items, DecisionWithdrawn, JANIS)
    assert withdrawn.why == "corrected"
    (decision,) = rows(db, ImprovementDecision)
    assert decision.status == "withdrawn"
    assert "ir atsaukts" in recording.last("pk-dzivesvieta").text
    refused = await dispatcher.handle(command(JANIS, "approve", str(decision.id)))
    assert "DecisionAlreadyTaken" in [type(i.notice).__name__ for i in refused]


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_a_decision_is_withdrawn_when_its_value_is_returned(
    setup: Setup, db: Database
) -> None:
    dispatcher, _recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    items = await _submit(dispatcher, round_id, "1", "9", "Kļūda?")
    sla = next(
        r.value
        for r in notices(items, ApprovalRequested, JANIS)
        if r.value.indicator_id == "dd-within-sla"
    )
    await dispatcher.handle(
        press(JANIS, tokens.review_value(sla.measurement_id, "return", sla.version))
    )
    items = await dispatcher.handle(say(JANIS, "Pārbaudi"))
    assert only(items, DecisionWithdrawn, JANIS).why == "returned"


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_an_approver_may_correct_the_value_they_submitted_themselves(
    setup: Setup, db: Database
) -> None:
    dispatcher, _recording, _ctx = setup
    round_id = await _open_round(dispatcher, db)
    await dispatcher.handle(press(JANIS, tokens.start_round(round_id)))
    for answer in ("7", "Drukas kļūda?", "1"):  # dd-e-share: he measures and approves it
        await dispatcher.handle(say(JANIS, answer))
    (row,) = rows(db, Measurement)
    assert row.approval == "approved"  # approved at once: his own value
    # the typo is a percent value the plan does not ask approval for: use it anyway
    await dispatcher.handle(command(JANIS, "correct", "dd-e-share"))
    for answer in ("70", "Drukas kļūda", "1"):
        items = await dispatcher.handle(say(JANIS, answer))
    assert only(items, ValueCorrected, JANIS).value.value == Decimal("70")


def test_a_replacement_never_overwrites_a_value_approved_meanwhile(
    setup: Setup, db: Database
) -> None:
    _dispatcher, _recording, ctx = setup
    from workflows.periods import Period
    from workflows.rounds.opening import new_round

    with db.session() as session:
        control_round = new_round(ctx, ACTIVITY, Period.parse("2026-09"), "system")
        session.add(control_round)
        session.flush()
        row = new_measurement(ctx, control_round, "dd-within-sla", Decimal(96), None, ANNA)
        row.approval = "approved"
        session.add(row)
        session.flush()
        new = new_measurement(ctx, control_round, "dd-within-sla", Decimal(90), None, ANNA)
        allowed = frozenset({"none", "submitted"})
        assert not revisions.replace(session, ctx, row, new, ANNA, "x", "x", allowed)
        assert (row.value, row.version) == (Decimal(96), 1)


def test_values_waiting_for_an_approval_the_plan_dropped_are_released(
    setup: Setup, db: Database, tmp_path: Path
) -> None:
    _dispatcher, _recording, ctx = setup
    from workflows.periods import Period
    from workflows.rounds.opening import new_round

    with db.session() as session:
        control_round = new_round(ctx, ACTIVITY, Period.parse("2026-09"), "system")
        session.add(control_round)
        session.flush()
        row = new_measurement(ctx, control_round, "dd-within-sla", Decimal(96), None, ANNA)
        row.approval = "submitted"
        session.add(row)
        session.commit()
    plain = Context(
        load_plan(_plan(tmp_path, approval=False)),
        ctx.clock,
        WorkingCalendar(),
        ctx.timezone,
        "lv",
    )
    prepare_database(db, plain, auto_upgrade=True)
    (row,) = rows(db, Measurement)
    assert row.approval == "none"
    assert audit(db, "measurement.approval_released")


async def test_an_expired_correction_offers_to_start_the_correction_again(
    setup: Setup, db: Database
) -> None:
    dispatcher, recording, ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "1", "97")
    await dispatcher.handle(command(ANNA, "correct", "dd-avg-processing"))
    ctx.clock.set(ctx.clock.now() + timedelta(minutes=45))  # type: ignore[attr-defined]
    await dispatcher.handle(say(ANNA, "0,9"))
    expired = recording.last(ANNA)
    (again,) = expired.choices
    value = next(m for m in rows(db, Measurement) if m.indicator_id == "dd-avg-processing")
    assert again.token == tokens.correct_value(value.id or 0)


async def test_only_the_latest_value_is_corrected_and_the_correction_asks_if_unusual(
    setup: Setup, db: Database
) -> None:
    dispatcher, recording, ctx = setup
    _history(db, ctx, ["1.2", "1.1", "1.3"])
    september = next(m for m in rows(db, Measurement) if m.period == "2026-09")
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "1", "97")
    items = await dispatcher.handle(press(ANNA, tokens.correct_value(september.id or 0)))
    assert problem_codes(items) == ["nothing_to_correct"]
    await dispatcher.handle(command(ANNA, "correct", "dd-avg-processing"))
    await dispatcher.handle(say(ANNA, "12"))
    assert "krietni atšķiras" in recording.last(ANNA).text


async def test_history_counts_periods_and_shows_reports_alone(setup: Setup, db: Database) -> None:
    dispatcher, _recording, _ctx = setup
    for period in ("2026-08", "2026-09", "2026-10"):
        await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, period))
        (control_round,) = rows(db, ControlRound, period=period)
        answer = ("nav mērīts", "Nav datu") if period != "2026-09" else ("1",)
        await _submit(dispatcher, control_round.id or 0, *answer, "97")
    items = await dispatcher.handle(command(ANNA, "history", "dd-avg-processing", "2"))
    shown = only(items, History, ANNA)
    assert [r.period for r in shown.rows] == ["2026-09"]
    assert [p for p, _reason in shown.not_measured] == ["2026-10"]
    items = await dispatcher.handle(command(ANNA, "history", "dd-avg-processing", "1"))
    alone = only(items, History, ANNA)
    assert (alone.rows, alone.not_measured) == ((), (("2026-10", "Nav datu"),))


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_an_action_is_verified_only_by_an_approved_value_and_again_when_returned(
    setup: Setup, db: Database
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from workflows.notices import ActionVerified

    dispatcher, _recording, ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "1", "9", "Kļūda?")  # critical: a decision opens
    (decision,) = rows(db, ImprovementDecision)
    await dispatcher.handle(command(JANIS, "approve", str(decision.id)))
    for answer in ("Pārdalīt rindu", "2", "30.11.2026.", "1"):
        await dispatcher.handle(say(JANIS, answer))
    await dispatcher.handle(command(ANNA, "action", str(decision.id), "done"))
    ctx.clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Europe/Riga")))  # type: ignore[attr-defined]
    await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-11"))
    (november,) = rows(db, ControlRound, period="2026-11")
    items = await _submit(dispatcher, november.id or 0, "1", "97")
    assert notices(items, ActionVerified) == []  # waits for the approver
    value = next(
        r.value
        for r in notices(items, ApprovalRequested, JANIS)
        if r.value.indicator_id == "dd-within-sla"
    )
    items = await dispatcher.handle(
        press(JANIS, tokens.review_value(value.measurement_id, "approve", value.version))
    )
    assert only(items, ActionVerified, ANNA).verified
    (decision,) = rows(db, ImprovementDecision)
    assert (decision.action_status, decision.verified_by) == ("verified", value.measurement_id)


async def test_a_correction_keeps_the_first_submission_time(setup: Setup, db: Database) -> None:
    dispatcher, _recording, ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "1", "97")
    (first,) = [m for m in rows(db, Measurement) if m.indicator_id == "dd-within-sla"]
    ctx.clock.set(ctx.clock.now() + timedelta(days=7))  # type: ignore[attr-defined]
    await dispatcher.handle(command(ANNA, "correct", "dd-within-sla"))
    for answer in ("96", "Pārrēķināts", "1"):
        await dispatcher.handle(say(ANNA, answer))
    (row,) = [m for m in rows(db, Measurement) if m.indicator_id == "dd-within-sla"]
    assert (row.version, row.submitted_at) == (2, first.submitted_at)  # not made late


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_the_export_says_which_version_and_approval_a_value_has(
    setup: Setup, db: Database
) -> None:
    from workflows.exchange.outgoing import gather
    from workflows.periods import Period

    dispatcher, _recording, ctx = setup
    round_id = await _open_round(dispatcher, db)
    await _submit(dispatcher, round_id, "1", "9", "Kļūda?")  # opens a decision
    await dispatcher.handle(command(ANNA, "correct", "dd-within-sla"))
    for answer in ("97", "Drukas kļūda", "1"):
        await dispatcher.handle(say(ANNA, answer))
    exported = db.transaction(lambda s: gather(s, ctx, [Period.parse("2026-10")]))
    sla = next(r for r in exported if r.indicator_id == "dd-within-sla")
    assert (sla.version, sla.approval, sla.correction_reason) == (2, "submitted", "Drukas kļūda")
    assert sla.decision is not None and sla.decision.status == "withdrawn"


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_an_imported_value_waits_for_approval_and_once_returned_is_imported_anew(
    setup: Setup, db: Database
) -> None:
    from workflows.exchange import IncomingRow, import_rows

    dispatcher, _recording, ctx = setup

    def imported(value: str) -> Any:
        row = IncomingRow(2, "dd-within-sla", "2026-10", value, source="monitorings")
        return db.transaction(lambda s: import_rows(s, ctx, [row], lang="en", actor=ADMIN))

    first = imported("97")
    (request,) = [n.notice for n in first.notices if isinstance(n.notice, ApprovalRequested)]
    asked = next(n.to for n in first.notices if n.notice is request)
    assert asked.person_id == JANIS  # type: ignore[union-attr]
    value = request.value
    await dispatcher.handle(
        press(JANIS, tokens.review_value(value.measurement_id, "return", value.version))
    )
    await dispatcher.handle(say(JANIS, "Atskaitē ir 79"))
    again = imported("79")  # the returned value no longer counts: the new one replaces it
    assert [o.outcome for o in again.rows] == ["stored"]
    (row,) = rows(db, Measurement)
    assert (row.value, row.version, row.approval, row.source) == (
        Decimal("79"),
        2,
        "submitted",
        "monitorings",
    )
    assert any(isinstance(n.notice, ApprovalRequested) for n in again.notices)
