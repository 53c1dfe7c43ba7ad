"""The improvement action lifecycle (issue 7, PU3-3 step 5): planned → in progress → done →
verified or not verified by the indicator's next value; follow-ups stop once it is done."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import tokens
from bot.dispatch import Dispatcher
from storage.db import Database
from storage.models import Delivery, ImprovementDecision, Measurement
from tests.support.flow import audit, notices, only, problem_codes, rows
from tests.support.recording import RecordingChannel, command, press
from tests.workflows.test_round_flow import (
    ACTIVITY,
    ADMIN,
    ANNA,
    CHANNEL,
    JANIS,
    PETERIS,
    anna_critical,
    remind,
    type_lines,
)
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.decisions import action_follow_ups
from workflows.notices import ActionUpdated, ActionVerified, RoundOpened
from workflows.schedule import sweep as deliveries

RIGA = ZoneInfo("Europe/Riga")


async def approved_action(dispatcher: Dispatcher, db: Database) -> int:
    """Anna's critical value; Jānis decides an action for Anna, due Monday 30.11.2026."""
    await anna_critical(dispatcher, await remind(dispatcher))
    (decision,) = rows(db, ImprovementDecision)
    await dispatcher.handle(command(JANIS, "approve", str(decision.id)))
    await type_lines(dispatcher, JANIS, "Pārdalīt rindu", "2", "30.11.2026.", "1")
    (decision,) = rows(db, ImprovementDecision)
    assert (decision.action_status, decision.owner_id) == ("planned", ANNA)
    return decision.id or 0


async def test_the_owner_moves_the_action_forward_and_others_cannot(
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    number = await approved_action(dispatcher, db)
    refused = await dispatcher.handle(press(PETERIS, tokens.action_status(number, "done")))
    assert problem_codes(refused) == ["not_action_owner"]
    items = await dispatcher.handle(press(ANNA, tokens.action_status(number, "in_progress")))
    updated = only(items, ActionUpdated, CHANNEL)
    assert (updated.status, updated.by) == ("in_progress", ANNA)
    assert notices(items, ActionUpdated, JANIS) and notices(items, ActionUpdated, ANNA)
    assert "statusu uz: procesā" in recording.last(CHANNEL).text
    items = await dispatcher.handle(command(ANNA, "action", str(number), "cancelled"))
    assert problem_codes(items) == ["action_status_not_allowed"]  # only the approver cancels
    items = await dispatcher.handle(command(ANNA, "action", str(number), "done"))
    assert only(items, ActionUpdated, ANNA).status == "done"
    again = await dispatcher.handle(press(ANNA, tokens.action_status(number, "done")))
    assert problem_codes(again) == ["action_status_same"]
    items = await dispatcher.handle(command(ANNA, "action", "x", "done"))
    assert problem_codes(items) == ["usage"]
    assert [e.details["status"] for e in audit(db, "action.status")] == ["in_progress", "done"]


async def test_the_approver_may_cancel_and_a_cancelled_action_gets_no_follow_up(
    dispatcher: Dispatcher, db: Database, ctx: Context, clock: FixedClock
) -> None:
    db.transaction(lambda s: deliveries.prepare(s, ctx, ctx.now()))  # the scheduler's epoch
    number = await approved_action(dispatcher, db)
    items = await dispatcher.handle(command(JANIS, "action", str(number), "cancelled"))
    assert only(items, ActionUpdated, JANIS).status == "cancelled"
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=RIGA))
    prepared = db.transaction(lambda s: deliveries.prepare(s, ctx, ctx.now()))
    assert not [p for p in prepared if p.outgoing.to.__dict__.get("person_id") == ANNA]
    assert not [d.key for d in rows(db, Delivery) if d.key.startswith("action")]


async def test_follow_ups_reach_the_owner_then_escalate_to_the_approver(
    dispatcher: Dispatcher,
    db: Database,
    ctx: Context,
    clock: FixedClock,
    recording: RecordingChannel,
) -> None:
    db.transaction(lambda s: deliveries.prepare(s, ctx, ctx.now()))
    number = await approved_action(dispatcher, db)
    recording.clear()
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=RIGA))  # three working days before
    sent = db.transaction(lambda s: deliveries.prepare(s, ctx, ctx.now()))
    (soon,) = [p.outgoing for p in sent]
    assert soon.notice.stage == "soon" and soon.to.person_id == ANNA  # type: ignore[union-attr]
    await dispatcher.outbox.deliver_each([soon])
    message = recording.last(ANNA)
    assert message.title == "Drīz pilnveides pasākuma termiņš: Dzīvesvietas deklarēšana"
    assert [c.label for c in message.choices] == ["Procesā", "Izpildīts"]
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=RIGA))  # the working day after: escalation
    sent = db.transaction(lambda s: deliveries.prepare(s, ctx, ctx.now()))
    stages = sorted((p.outgoing.notice.stage, p.outgoing.to.person_id) for p in sent)  # type: ignore[union-attr]
    assert stages == [("due", ANNA), ("overdue", JANIS)]
    await dispatcher.outbox.deliver_each([p.outgoing for p in sent])
    assert "Nokavēts pilnveides pasākums" in (recording.last(JANIS).title or "")
    assert recording.last(JANIS).choices == ()  # the approver is told, the owner acts
    overdue = recording.last(JANIS).text
    assert "Par pasākumu atbild: Anna Ozola" in overdue and "Pārdalīt rindu" in overdue
    assert f"Nr. {number}" in overdue


async def test_the_next_value_verifies_a_done_action_or_not(
    dispatcher: Dispatcher, db: Database, clock: FixedClock
) -> None:
    number = await approved_action(dispatcher, db)
    await dispatcher.handle(command(ANNA, "action", str(number), "done"))
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=RIGA))
    items = await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-11"))
    round_id = only(items, RoundOpened, ADMIN).round_id
    await dispatcher.handle(press(ANNA, tokens.start_round(round_id)))
    items = await type_lines(dispatcher, ANNA, "0,9", "96", "1")
    verified = only(items, ActionVerified, CHANNEL)
    assert verified.verified and verified.period == "2026-11"
    assert notices(items, ActionVerified, JANIS) and notices(items, ActionVerified, ANNA)
    (decision,) = rows(db, ImprovementDecision)
    november = next(m for m in rows(db, Measurement) if m.period == "2026-11" and m.value == 96)
    assert (decision.action_status, decision.verified_by) == ("verified", november.id)
    assert audit(db, "action.verified")


async def test_a_value_still_off_target_does_not_verify_the_action(
    dispatcher: Dispatcher, db: Database, clock: FixedClock, recording: RecordingChannel
) -> None:
    number = await approved_action(dispatcher, db)
    await dispatcher.handle(press(ANNA, tokens.action_status(number, "done")))
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=RIGA))
    items = await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-11"))
    round_id = only(items, RoundOpened, ADMIN).round_id
    await dispatcher.handle(press(ANNA, tokens.start_round(round_id)))
    items = await type_lines(dispatcher, ANNA, "0,9", "93", "Vēl rinda", "1")
    assert not only(items, ActionVerified, CHANNEL).verified
    (decision,) = rows(db, ImprovementDecision)
    assert decision.action_status == "not_verified"
    assert any("Efekts nav apstiprināts" in m.text for m in recording.to(CHANNEL))


async def test_a_due_date_on_a_weekend_is_followed_up_the_working_day_before(
    dispatcher: Dispatcher, db: Database, ctx: Context
) -> None:
    await anna_critical(dispatcher, await remind(dispatcher))
    (decision,) = rows(db, ImprovementDecision)
    await dispatcher.handle(command(JANIS, "approve", str(decision.id)))
    await type_lines(dispatcher, JANIS, "Pārdalīt rindu", "2", "28.11.2026.", "1")  # Saturday
    planned = db.transaction(
        lambda s: action_follow_ups.action_follow_ups(
            s, ctx, datetime(2026, 11, 1).date(), datetime(2026, 12, 31).date()
        )
    )
    days = {p.kind.value: p.local.date().isoformat() for p in planned}
    assert days == {
        "action_soon": "2026-11-25",  # three working days before Saturday
        "action": "2026-11-27",  # Friday, not the Saturday itself
        "action_overdue": "2026-11-30",  # the working day after
    }


async def test_an_away_approver_s_escalation_never_goes_to_the_late_owner(
    dispatcher: Dispatcher, db: Database, ctx: Context, clock: FixedClock
) -> None:
    db.transaction(lambda s: deliveries.prepare(s, ctx, ctx.now()))
    await approved_action(dispatcher, db)
    await dispatcher.handle(command(JANIS, "away", "26.11.2026", "10.12.2026"))
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=RIGA))
    sent = db.transaction(lambda s: deliveries.prepare(s, ctx, ctx.now()))
    overdue = [p.outgoing for p in sent if p.outgoing.notice.stage == "overdue"]  # type: ignore[union-attr]
    from workflows.people.absences import away_on, deputy_for

    activity = ctx.plan.activity(ACTIVITY)
    stand_in = db.transaction(lambda s: deputy_for(ctx, activity, JANIS, away_on(s, ctx.today())))
    assert stand_in == ANNA  # the plan's stand-in for Jānis is the owner herself …
    assert [o.to.person_id for o in overdue] == [JANIS]  # type: ignore[union-attr]  # … so not her


async def test_the_deputy_of_an_away_owner_may_update_the_action(
    dispatcher: Dispatcher, db: Database, ctx: Context, clock: FixedClock
) -> None:
    from workflows.people.absences import away_on, deputy_for

    number = await approved_action(dispatcher, db)
    await dispatcher.handle(command(ANNA, "away", "03.11.2026", "30.11.2026"))
    activity = ctx.plan.activity(ACTIVITY)
    deputy = db.transaction(lambda s: deputy_for(ctx, activity, ANNA, away_on(s, ctx.today())))
    assert deputy is not None and deputy != ANNA
    items = await dispatcher.handle(press(deputy, tokens.action_status(number, "done")))
    assert only(items, ActionUpdated, CHANNEL).by == deputy


async def test_the_action_command_takes_the_states_own_words_in_either_language(
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    """`/action N procesā` names the state the robot then shows ("procesā"), as `uzsākts` did."""
    number = await approved_action(dispatcher, db)
    items = await dispatcher.handle(command(ANNA, "action", str(number), "Procesā"))
    assert only(items, ActionUpdated, ANNA).status == "in_progress"
    assert "statusu uz: procesā" in recording.last(CHANNEL).text
    items = await dispatcher.handle(command(ANNA, "action", str(number), "in-progress"))
    assert problem_codes(items) == ["action_status_same"]
    items = await dispatcher.handle(command(ANNA, "action", str(number), "izpildīts"))
    assert only(items, ActionUpdated, ANNA).status == "done"
    refused = await dispatcher.handle(command(ANNA, "action", str(number), "gatavs"))
    assert problem_codes(refused) == ["usage"]
    assert "procesā|izpildīts|atcelts" in recording.last(ANNA).text
