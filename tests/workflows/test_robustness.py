"""Hostile and unlucky input: every case answers clearly and stores nothing wrong."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from storage.models import ControlRound, FormSession, ImprovementDecision, Measurement
from tests.support.flow import audit, notices, only, problem_codes, rows
from tests.support.recording import RecordingChannel, command, press, say
from tests.workflows.test_round_flow import (
    ACTIVITY,
    ADMIN,
    ANNA,
    JANIS,
    anna_critical,
    remind,
    seed_round,
    start,
    type_lines,
)
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import (
    AnswerRefused,
    DecisionRequested,
    FormExpired,
    FormPrompt,
    LanguageChanged,
    MeasurementsRecorded,
    OthersFilling,
    PendingList,
    Problem,
    RoundOpened,
)
from workflows.plan.loader import bundled_plan_path, load_plan
from workflows.rounds import opening as rounds


async def test_huge_number_is_refused_as_too_large(dispatcher: Dispatcher, db: Database) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, ANNA, round_id)
    items = await type_lines(dispatcher, ANNA, "9" * 29)
    assert only(items, AnswerRefused, ANNA).error.code == "too_large"
    assert rows(db, Measurement) == []


@pytest.mark.parametrize("comment", ["\u200b", "   ", "bad\x00byte", "evil\rline", "a\u202eb"])
async def test_invisible_or_control_character_comments_are_refused(
    dispatcher: Dispatcher, db: Database, comment: str
) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, ANNA, round_id)
    await type_lines(dispatcher, ANNA, "0,9", "88,5")
    items = await type_lines(dispatcher, ANNA, comment)
    refused = only(items, AnswerRefused, ANNA)
    assert refused.error.code in {"empty", "control_characters"}
    assert refused.field.id == "dd-within-sla.comment"


async def test_zero_width_spaces_are_dropped_from_comments(
    dispatcher: Dispatcher, db: Database
) -> None:
    round_id = await remind(dispatcher)
    await anna_critical(dispatcher, round_id)  # plain comment first: stored as typed
    assert measurements_comment(db, "dd-within-sla") == "Divi darbinieki slimoja"
    await dispatcher.handle(command(JANIS, "reject", "1"))
    await type_lines(dispatcher, JANIS, "Nav\u200b vajadzīgs", "1")
    decision = rows(db, ImprovementDecision)[0]
    assert decision.rejection_reason == "Nav vajadzīgs"


def measurements_comment(db: Database, indicator: str) -> str | None:
    return next(m.comment for m in rows(db, Measurement) if m.indicator_id == indicator)


@pytest.mark.parametrize("number", ["999999999999999999999", "²", "٣", "1.5", "-1"])
async def test_decision_numbers_must_be_plain_small_integers(
    dispatcher: Dispatcher, number: str
) -> None:
    items = await dispatcher.handle(command(JANIS, "approve", number))
    assert problem_codes(items) == ["usage"]


async def test_summary_of_a_future_or_implausible_period_is_refused(
    dispatcher: Dispatcher, db: Database
) -> None:
    future = await dispatcher.handle(command(ADMIN, "summary", "pk-dzivesvieta", "2030-01"))
    old = await dispatcher.handle(command(ADMIN, "summary", "pk-dzivesvieta", "0001-01"))
    ancient = await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "1999-12"))
    assert problem_codes(future) == ["period_in_future"]
    assert problem_codes(old) == ["period_too_old"]
    assert problem_codes(ancient) == ["period_too_old"]
    assert rows(db, ControlRound) == []
    assert audit(db, "summary.posted") == []


async def test_summary_for_a_frequency_no_indicator_uses_names_the_channel(
    dispatcher: Dispatcher,
) -> None:
    items = await dispatcher.handle(command(ADMIN, "summary", "pk-dzivesvieta", "2026-W40"))
    assert problem_codes(items) == ["channel_no_indicators_at_frequency"]


async def test_round_opened_concurrently_elsewhere_is_reused(
    ctx: Context, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = rounds.Period.parse("2026-10")
    db.transaction(lambda s: rounds.open_round(s, ctx, ACTIVITY, "2026-10", ADMIN))
    real = rounds.get_round
    calls = {"n": 0}

    def blind_first(session: Session, activity_id: str, p: rounds.Period) -> ControlRound | None:
        calls["n"] += 1
        return None if calls["n"] == 1 else real(session, activity_id, p)

    monkeypatch.setattr(rounds, "get_round", blind_first)
    items = db.transaction(lambda s: rounds.open_round(s, ctx, ACTIVITY, str(period), ADMIN))
    assert only(items, RoundOpened, ADMIN).already_open
    assert len(rows(db, ControlRound)) == 1


def test_one_active_form_per_person_is_enforced_by_the_database(
    ctx: Context, db: Database
) -> None:
    now = ctx.now()

    def add_active(session: Session) -> None:
        session.add(
            FormSession(
                person_id=ANNA,
                form="measurement",
                subject_id=1,
                state="x",
                started_at=now,
                updated_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )

    db.transaction(add_active)
    with pytest.raises(IntegrityError):
        db.transaction(add_active)


async def test_form_whose_indicator_left_the_plan_is_closed_not_stuck(
    ctx: Context, db: Database, recording: RecordingChannel, tmp_path: Path, clock: FixedClock
) -> None:
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"), "lv")
    round_id = await remind(dispatcher)
    await start(dispatcher, ANNA, round_id)
    await type_lines(dispatcher, ANNA, "0,9")  # form left open at dd-within-sla
    text = (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(text.replace("dd-within-sla", "dd-within-sla-2"), encoding="utf-8")
    changed = Context(load_plan(renamed), clock, WorkingCalendar(), ctx.timezone, "lv")
    after = Dispatcher(changed, db, Outbox(changed, db, {"console": recording}, "lv"), "lv")
    items = await after.handle(say(ANNA, "95"))
    assert problem_codes(items) == ["form_plan_changed"]
    assert [f.status for f in rows(db, FormSession)] == ["expired"]
    assert rows(db, Measurement) == []
    # and /cancel or /pending answer normally afterwards
    assert problem_codes(await after.handle(command(ANNA, "cancel"))) == []
    assert problem_codes(await after.handle(command(ANNA, "pending"))) == []


async def test_expired_form_is_reported_when_another_is_started(
    dispatcher: Dispatcher, db: Database, clock: FixedClock
) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, JANIS, round_id)  # Jānis's own measurement form, left open
    items = await anna_critical(dispatcher, round_id)
    decision = only(items, DecisionRequested, JANIS).decision
    clock.set(clock.now() + timedelta(hours=2))
    items = await dispatcher.handle(command(JANIS, "approve", str(decision.decision_id)))
    assert len(notices(items, FormExpired, JANIS)) == 1
    assert only(items, FormPrompt, JANIS).header.decision_id == decision.decision_id


async def test_nothing_saved_reply_is_not_titled_saved(
    dispatcher: Dispatcher, db: Database
) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, ANNA, round_id)
    await start(dispatcher, "peteris-liepa", round_id)
    await type_lines(dispatcher, "peteris-liepa", "0.9", "96.5", "1")
    items = await type_lines(dispatcher, ANNA, "1,1", "comment", "97", "1")
    recorded = only(items, MeasurementsRecorded, ANNA)
    assert recorded.results == ()
    assert len(recorded.already_answered) == 2
    refused = audit(db, "measurement.refused")
    assert {e.subject.split("/")[1] for e in refused} == {"dd-avg-processing", "dd-within-sla"}


async def test_a_decision_resets_the_count_of_warnings_in_a_row(
    dispatcher: Dispatcher, db: Database, ctx: Context
) -> None:
    # three warnings in a row open a decision; after it is taken, the next warning does not
    seed_round(db, ctx, "2026-07", {"dd-e-share": Decimal("58")})
    seed_round(db, ctx, "2026-08", {"dd-e-share": Decimal("57")})
    round_sep = None
    for period in ("2026-09", "2026-10"):
        round_id = await remind(dispatcher, period)
        round_sep = round_sep or round_id
        await start(dispatcher, JANIS, round_id)
        items = await type_lines(dispatcher, JANIS, "58,5", "Portāls nestrādāja", "1")
        if period == "2026-09":
            requested = only(items, DecisionRequested, JANIS)
            await dispatcher.handle(
                press(JANIS, f"decision:{requested.decision.decision_id}:reject")
            )
            await type_lines(dispatcher, JANIS, "Sezonāla svārstība", "1")
        else:
            assert notices(items, DecisionRequested) == []
    assert len(rows(db, ImprovementDecision)) == 1


async def test_pressing_start_after_expiry_reports_it_and_starts_fresh(
    dispatcher: Dispatcher, db: Database, clock: FixedClock
) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, ANNA, round_id)
    await type_lines(dispatcher, ANNA, "0,9")
    clock.set(clock.now() + timedelta(minutes=31))
    items = await start(dispatcher, ANNA, round_id)
    assert len(notices(items, FormExpired, ANNA)) == 1
    prompt = only(items, FormPrompt, ANNA)
    assert not prompt.resumed and prompt.answers == {}
    assert [f.status for f in rows(db, FormSession)] == ["expired", "active"]


async def test_co_measurer_is_told_someone_else_is_filling_the_same_form(
    dispatcher: Dispatcher,
) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, ANNA, round_id)
    items = await start(dispatcher, "peteris-liepa", round_id)
    assert only(items, OthersFilling, "peteris-liepa").person_ids == (ANNA,)
    assert notices(await start(dispatcher, ANNA, round_id), OthersFilling) == []  # resumed


async def test_summary_without_any_opened_round_is_refused(dispatcher: Dispatcher) -> None:
    items = await dispatcher.handle(command(ADMIN, "summary", "pk-dzivesvieta", "2026-09"))
    assert problem_codes(items) == ["no_round_for_period"]


async def test_pending_marks_overdue_rounds(dispatcher: Dispatcher, clock: FixedClock) -> None:
    await remind(dispatcher)
    clock.set(clock.now() + timedelta(days=7))  # past 06.11.2026
    listing = only(await dispatcher.handle(command(ANNA, "pending")), PendingList, ANNA)
    assert [r.overdue for r in listing.rounds] == [True]


async def test_lang_without_argument_says_which_and_auto_goes_back_to_the_plan(
    dispatcher: Dispatcher, db: Database
) -> None:
    items = await dispatcher.handle(command("peteris-liepa", "lang"))
    assert only(items, LanguageChanged, "peteris-liepa") == LanguageChanged("en", changed=False)
    await dispatcher.handle(command("peteris-liepa", "lang", "lv"))
    items = await dispatcher.handle(command("peteris-liepa", "lang", "AUTO"))
    assert only(items, LanguageChanged, "peteris-liepa").lang == "en"  # his plan setting
    assert [e.details["language"] for e in audit(db, "person.language")] == ["lv", "auto"]


async def test_usage_examples_are_periods_that_would_be_accepted(dispatcher: Dispatcher) -> None:
    items = await dispatcher.handle(command(ADMIN, "remind"))
    usage = only(items, Problem, ADMIN).param_dict()["usage"]
    assert usage == "/remind ACTIVITY [2026-10|2026-Q3|2025]"


async def test_back_goes_to_the_previous_question_and_shows_the_earlier_answer(
    dispatcher: Dispatcher, db: Database
) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, ANNA, round_id)
    first = await dispatcher.handle(command(ANNA, "back"))
    assert problem_codes(first) == ["at_first_question"]
    await type_lines(dispatcher, ANNA, "0,9")
    items = await dispatcher.handle(command(ANNA, "back"))
    assert problem_codes(items) == ["previous_answer"]
    step = only(items, FormPrompt, ANNA).step
    assert step.field.id == "dd-avg-processing"
    await type_lines(dispatcher, ANNA, "1,0", "96", "1")
    stored = {m.indicator_id: m.value for m in rows(db, Measurement)}
    assert stored["dd-avg-processing"] == Decimal("1.0")
