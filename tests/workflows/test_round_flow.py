"""One control round end to end through the dispatcher, like ``controlbot demo``."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

from bot import tokens
from bot.dispatch import Dispatcher
from bot.i18n import translator
from bot.render import RenderContext, render
from storage.db import Database
from storage.models import ControlRound, FormSession, ImprovementDecision, Measurement, Person
from tests.support.flow import audit, kinds, notices, only, problem_codes, rows
from tests.support.recording import RecordingChannel, command, press, say
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.decisions import maybe_open_decision
from workflows.forms.engine import Ask, Confirm
from workflows.notices import (
    AnswerRefused,
    DecisionAlreadyTaken,
    DecisionRecorded,
    DecisionRequested,
    DecisionStillOpen,
    FormCancelled,
    FormPrompt,
    LanguageChanged,
    MeasurementsRecorded,
    NotApprover,
    NothingToCancel,
    Outgoing,
    Problem,
    Reminder,
    RoundOpened,
    Summary,
    SummaryPosted,
    problem,
)
from workflows.periods import Period
from workflows.rounds.evaluation import Status
from workflows.rounds.measuring import new_measurement
from workflows.rounds.opening import new_round

ACTIVITY = "dzivesvietas-deklaresana"
CHANNEL = "pk-dzivesvieta"
ADMIN = "kristaps-sils"
ANNA = "anna-ozola"  # L, Latvian by the plan default
PETERIS = "peteris-liepa"  # L, English in the plan
JANIS = "janis-berzins"  # A: measures dd-e-share and approves
L_INDICATORS = ("dd-avg-processing", "dd-within-sla")
DUE = date(2026, 11, 6)  # 5th Latvian working day of November 2026


# --- helpers --------------------------------------------------------------------------------


async def remind(dispatcher: Dispatcher, period: str = "2026-10") -> int:
    items = await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, period))
    return only(items, RoundOpened, ADMIN).round_id


async def start(dispatcher: Dispatcher, person: str, round_id: int) -> list[Outgoing]:
    return await dispatcher.handle(press(person, tokens.start_round(round_id)))


async def type_lines(dispatcher: Dispatcher, person: str, *lines: str) -> list[Outgoing]:
    """Type each line as ``person``; returns what the last line produced."""
    items: list[Outgoing] = []
    for line in lines:
        items = await dispatcher.handle(say(person, line))
    return items


def asked(items: list[Outgoing], person: str) -> Ask | Confirm:
    return only(items, FormPrompt, person).step


def asked_field(items: list[Outgoing], person: str) -> str:
    step = asked(items, person)
    assert isinstance(step, Ask), step
    return step.field.id


async def anna_critical(dispatcher: Dispatcher, round_id: int) -> list[Outgoing]:
    """Anna submits 0,9 (ok) and 88,5 (critical, with a comment); returns the last items."""
    await start(dispatcher, ANNA, round_id)
    return await type_lines(dispatcher, ANNA, "0,9", "88,5", "Divi darbinieki slimoja", "1")


def measurements(db: Database) -> dict[str, Measurement]:
    return {m.indicator_id: m for m in rows(db, Measurement)}


def seed_round(db: Database, ctx: Context, period: str, values: dict[str, Decimal]) -> None:
    """Store a closed earlier round with ``values`` (indicator -> value), like the demo seed."""
    parsed = Period.parse(period)

    def work(session: Session) -> None:
        control_round = new_round(ctx, ACTIVITY, parsed, "system", status="closed")
        session.add(control_round)
        session.flush()
        for indicator_id, value in values.items():
            session.add(new_measurement(ctx, control_round, indicator_id, value, None, JANIS))

    db.transaction(work)


def rendered_problem(code: str, lang: str, ctx: Context, **params: str) -> str:
    rc = RenderContext(translator("lv" if lang == "lv" else "en"), ctx.plan, ctx.timezone)
    return render(problem(code, **params), rc).plain()


# --- reminders ------------------------------------------------------------------------------


async def test_remind_sends_one_reminder_per_measurer_with_only_their_indicators(
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    items = await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))

    reminders = {person: only(items, Reminder, person) for person in (ANNA, PETERIS, JANIS)}
    assert len(notices(items, Reminder)) == 3
    assert reminders[ANNA].indicator_ids == L_INDICATORS
    assert reminders[PETERIS].indicator_ids == L_INDICATORS
    assert reminders[JANIS].indicator_ids == ("dd-e-share",)
    assert {r.due_date for r in reminders.values()} == {DUE}
    assert {r.period for r in reminders.values()} == {"2026-10"}

    opened = only(items, RoundOpened, ADMIN)
    assert opened.reminded == (ANNA, PETERIS, JANIS)
    assert not opened.already_open
    (stored,) = rows(db, ControlRound)
    assert (stored.id, stored.activity_id, stored.frequency, stored.period) == (
        opened.round_id,
        ACTIVITY,
        "monthly",
        "2026-10",
    )
    assert stored.due_date == DUE
    assert stored.opened_by == ADMIN

    # each measurer got exactly one message, with a button that starts this round
    for person in (ANNA, PETERIS, JANIS):
        (message,) = recording.to(person)
        assert [c.token for c in message.choices] == [
            tokens.start_round(opened.round_id),
            tokens.snooze(opened.round_id, "ask"),
        ]
    # the due date in each person's language (Babel formats, not catalogue text)
    assert "06.11.2026." in recording.last(ANNA).plain()
    assert "6 Nov 2026" in recording.last(PETERIS).plain()


async def test_reminding_again_reuses_the_round(dispatcher: Dispatcher, db: Database) -> None:
    first = await remind(dispatcher)
    items = await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    opened = only(items, RoundOpened, ADMIN)
    assert opened.already_open and opened.round_id == first
    assert len(rows(db, ControlRound)) == 1
    assert len(audit(db, "round.opened")) == 1


async def test_remind_by_non_admin_is_refused(
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    items = await dispatcher.handle(command(ANNA, "remind", ACTIVITY, "2026-10"))
    assert problem_codes(items) == ["not_admin"]
    assert only(items, Problem, ANNA).param_dict() == {"command": "remind"}
    assert notices(items, Reminder) == []
    assert rows(db, ControlRound) == []
    assert audit(db, "round.opened") == []
    assert [a.target for a, _ in recording.sent] == [ANNA]


@pytest.mark.parametrize(
    ("args", "code", "shown"),
    [
        (("nav-tadas", "2026-10"), "unknown_activity", "nav-tadas"),
        ((ACTIVITY, "2026-13"), "bad_period", "2026-13"),
        ((ACTIVITY, "oktobris"), "bad_period", "oktobris"),
    ],
)
async def test_remind_with_unknown_activity_or_bad_period_changes_nothing(
    dispatcher: Dispatcher,
    db: Database,
    ctx: Context,
    recording: RecordingChannel,
    args: tuple[str, str],
    code: str,
    shown: str,
) -> None:
    items = await dispatcher.handle(command(ADMIN, "remind", *args))
    assert kinds(items) == [(ADMIN, "Problem")]
    assert problem_codes(items) == [code]
    assert rows(db, ControlRound) == []
    assert audit(db) == []
    # a translated message about this input, not the generic fallback
    (message,) = recording.to(ADMIN)
    assert shown in message.plain()
    assert code not in message.plain()
    assert message.plain() != rendered_problem("no-such-code", "lv", ctx)


@pytest.mark.parametrize("period", ["2026-11", "2026-12", "2026-Q4"])
async def test_remind_for_a_period_not_over_yet_is_refused(
    dispatcher: Dispatcher, db: Database, period: str
) -> None:
    # today is 3 November 2026: November and Q4 are still running, December is ahead
    items = await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, period))
    assert problem_codes(items) == ["period_not_over"]
    assert notices(items, Reminder) == []
    assert rows(db, ControlRound) == []


# --- measuring ------------------------------------------------------------------------------


async def test_latvian_decimal_comma_is_stored_as_exact_decimal(
    dispatcher: Dispatcher, db: Database
) -> None:
    round_id = await remind(dispatcher)
    items = await start(dispatcher, ANNA, round_id)
    assert asked_field(items, ANNA) == "dd-avg-processing"
    items = await type_lines(dispatcher, ANNA, "0,9", "96,5")
    assert isinstance(asked(items, ANNA), Confirm)
    items = await type_lines(dispatcher, ANNA, "1")

    recorded = only(items, MeasurementsRecorded, ANNA)
    assert [(r.indicator_id, r.value, r.status) for r in recorded.results] == [
        ("dd-avg-processing", Decimal("0.9"), Status.OK),
        ("dd-within-sla", Decimal("96.5"), Status.OK),
    ]
    stored = measurements(db)
    assert set(stored) == set(L_INDICATORS)
    assert str(stored["dd-avg-processing"].value) == "0.9"
    assert str(stored["dd-within-sla"].value) == "96.5"
    assert stored["dd-within-sla"].value == Decimal("96.5")
    assert all(m.submitted_by == ANNA and m.period == "2026-10" for m in stored.values())
    # the thresholds in force are stored with the value
    sla = stored["dd-within-sla"]
    assert (sla.target, sla.warning, sla.critical) == (Decimal(95), Decimal(95), Decimal(90))
    assert sla.target_met and sla.comment is None
    (form,) = rows(db, FormSession)
    assert form.status == "completed"


async def test_mistyped_value_is_refused_and_asked_again_keeping_earlier_answers(
    dispatcher: Dispatcher, db: Database
) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, ANNA, round_id)
    await type_lines(dispatcher, ANNA, "0,9")

    items = await type_lines(dispatcher, ANNA, "6O,5")
    refused = only(items, AnswerRefused, ANNA)
    assert refused.field.id == "dd-within-sla"
    assert refused.error.code == "malformed"
    again = asked(items, ANNA)
    assert isinstance(again, Ask) and again.field.id == "dd-within-sla"
    assert (again.number, again.total) == (2, 2)
    assert [type(i.notice) for i in items] == [AnswerRefused, FormPrompt]
    (form,) = rows(db, FormSession)
    assert form.answers == {"dd-avg-processing": "0.9"}
    assert form.state == "measurement:dd-within-sla"
    assert rows(db, Measurement) == []

    items = await type_lines(dispatcher, ANNA, "96,5")
    confirm = asked(items, ANNA)
    assert isinstance(confirm, Confirm)
    assert dict(confirm.answers) == {"dd-avg-processing": "0.9", "dd-within-sla": "96.5"}
    await type_lines(dispatcher, ANNA, "1")
    stored = measurements(db)
    assert {k: m.value for k, m in stored.items()} == {
        "dd-avg-processing": Decimal("0.9"),
        "dd-within-sla": Decimal("96.5"),
    }


async def test_off_target_value_asks_for_a_comment(dispatcher: Dispatcher, db: Database) -> None:
    round_id = await remind(dispatcher)
    items = await start(dispatcher, JANIS, round_id)
    assert asked_field(items, JANIS) == "dd-e-share"

    items = await type_lines(dispatcher, JANIS, "58,5")
    step = asked(items, JANIS)
    assert isinstance(step, Ask)
    assert step.field.id == "dd-e-share.comment"
    assert step.field.subject == "dd-e-share"
    assert (step.number, step.total) == (1, 1)  # a follow-up of question 1, not a new one

    items = await type_lines(dispatcher, JANIS, "Portāla saite nedarbojās", "1")
    (result,) = only(items, MeasurementsRecorded, JANIS).results
    assert (result.status, result.target_met) == (Status.WARNING, False)
    stored = measurements(db)["dd-e-share"]
    assert stored.comment == "Portāla saite nedarbojās"
    assert stored.value == Decimal("58.5")
    # one warning alone opens no decision
    assert rows(db, ImprovementDecision) == []


async def test_on_target_value_goes_straight_to_confirmation(dispatcher: Dispatcher) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, JANIS, round_id)
    items = await type_lines(dispatcher, JANIS, "75")
    step = asked(items, JANIS)
    assert isinstance(step, Confirm)
    assert dict(step.answers) == {"dd-e-share": "75"}


async def test_critical_value_opens_a_decision_for_the_approver(
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    round_id = await remind(dispatcher)
    recording.clear()
    items = await anna_critical(dispatcher, round_id)

    recorded = only(items, MeasurementsRecorded, ANNA)
    statuses = {r.indicator_id: r.status for r in recorded.results}
    assert statuses == {"dd-avg-processing": Status.OK, "dd-within-sla": Status.CRITICAL}

    (decision,) = rows(db, ImprovementDecision)
    assert decision.approver_id == JANIS
    assert decision.indicator_id == "dd-within-sla"
    assert decision.activity_id == ACTIVITY
    assert decision.trigger == "critical"
    assert decision.status == "open"
    assert decision.round_id == round_id
    assert decision.measurement_id == measurements(db)["dd-within-sla"].id
    assert decision.decide_by == date(2026, 11, 17)  # 10 Latvian working days

    to_janis = only(items, DecisionRequested, JANIS)
    to_team = only(items, DecisionRequested, CHANNEL)
    assert to_janis.ask and not to_team.ask
    assert to_janis.decision.decision_id == decision.id
    assert to_janis.decision.comment == "Divi darbinieki slimoja"
    assert to_janis.decision.value == Decimal("88.5")
    # the approver and the team channel get the same buttons (only the approver may press)
    (dm,) = recording.to(JANIS)
    number = decision.id or 0
    buttons = [
        tokens.decide(number, "approve"),
        tokens.decide(number, "reject"),
        tokens.decide(number, "propose"),
    ]
    assert [c.token for c in dm.choices] == buttons
    (post,) = recording.to(CHANNEL)
    assert [c.token for c in post.choices] == buttons
    assert dm.ref == post.ref == f"decision:{decision.id}"
    assert len(audit(db, "decision.opened")) == 1


async def test_first_submission_counts_and_the_second_is_told_who_answered(
    dispatcher: Dispatcher, db: Database, clock: FixedClock
) -> None:
    round_id = await remind(dispatcher)
    # both L holders open the form and get to the confirmation step
    await start(dispatcher, ANNA, round_id)
    await start(dispatcher, PETERIS, round_id)
    await type_lines(dispatcher, ANNA, "0,9", "96,5")
    items = await type_lines(dispatcher, PETERIS, "0.8", "97")
    assert isinstance(asked(items, PETERIS), Confirm)

    anna_done = await type_lines(dispatcher, ANNA, "1")
    anna_at = clock.now()
    clock.set(clock.now() + timedelta(minutes=3))
    peteris_done = await type_lines(dispatcher, PETERIS, "submit")

    assert len(only(anna_done, MeasurementsRecorded, ANNA).results) == 2
    late = only(peteris_done, MeasurementsRecorded, PETERIS)
    assert late.results == ()
    assert [(a.indicator_id, a.person_id, a.at) for a in late.already_answered] == [
        ("dd-avg-processing", ANNA, anna_at),
        ("dd-within-sla", ANNA, anna_at),
    ]
    stored = rows(db, Measurement)
    assert sorted(m.indicator_id for m in stored) == sorted(L_INDICATORS)
    assert {m.submitted_by for m in stored} == {ANNA}
    assert {m.indicator_id: m.value for m in stored} == {
        "dd-avg-processing": Decimal("0.9"),
        "dd-within-sla": Decimal("96.5"),
    }
    assert len(audit(db, "measurement.submitted")) == 2

    # starting again: nothing left to measure
    again = await start(dispatcher, PETERIS, round_id)
    assert [type(i.notice).__name__ for i in again] == ["NothingToMeasure"]


# --- decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [PETERIS, ANNA, ADMIN])
async def test_only_the_approver_may_decide_and_refusals_are_audited(
    dispatcher: Dispatcher, db: Database, who: str
) -> None:
    await anna_critical(dispatcher, await remind(dispatcher))
    (decision,) = rows(db, ImprovementDecision)

    for outcome in ("approve", "reject"):
        items = await dispatcher.handle(command(who, outcome, str(decision.id)))
        refused = only(items, NotApprover, who)
        assert (refused.decision_id, refused.approver_id) == (decision.id, JANIS)
        assert len(items) == 1
    pressed = await dispatcher.handle(press(who, tokens.decide(decision.id or 0, "approve")))
    assert notices(pressed, NotApprover, who)

    (unchanged,) = rows(db, ImprovementDecision)
    assert unchanged == decision
    assert rows(db, FormSession, form="decision") == []
    entries = audit(db, "decision.refused")
    assert [(e.actor, e.subject, e.details) for e in entries] == [
        (who, f"decision:{decision.id}", {"reason": "not_approver"})
    ] * 3


async def test_approver_approves_with_action_owner_and_due_date(
    dispatcher: Dispatcher, db: Database, clock: FixedClock, recording: RecordingChannel
) -> None:
    await anna_critical(dispatcher, await remind(dispatcher))
    (decision,) = rows(db, ImprovementDecision)
    recording.clear()

    items = await dispatcher.handle(command(JANIS, "approve", str(decision.id)))
    assert asked_field(items, JANIS) == "action"
    items = await type_lines(dispatcher, JANIS, "Pārdalīt rindu starp klientu centriem")
    prompt = only(items, FormPrompt, JANIS)
    assert isinstance(prompt.step, Ask) and prompt.step.field.id == "owner"
    owners = [o.value for o in prompt.step.field.options]
    assert owners == [JANIS, ANNA, PETERIS, "marta-kalnina"]
    # press the button of option 2 (Anna Ozola)
    session_id = prompt.header.session_id
    items = await dispatcher.handle(press(JANIS, tokens.form_option(session_id, "2")))
    assert asked_field(items, JANIS) == "due"
    items = await type_lines(dispatcher, JANIS, "30.11.2026.")
    confirm = asked(items, JANIS)
    assert isinstance(confirm, Confirm)
    assert dict(confirm.answers) == {
        "action": "Pārdalīt rindu starp klientu centriem",
        "owner": ANNA,
        "due": "2026-11-30",
    }
    items = await dispatcher.handle(press(JANIS, tokens.form_option(session_id, "submit")))

    (stored,) = rows(db, ImprovementDecision)
    assert stored.status == "approved"
    assert stored.action == "Pārdalīt rindu starp klientu centriem"
    assert stored.owner_id == ANNA
    assert stored.action_due == date(2026, 11, 30)
    assert stored.decided_by == JANIS
    assert stored.decided_at == clock.now()
    assert stored.rejection_reason is None

    team = only(items, DecisionRecorded, CHANNEL)
    assert team.outcome == "approved"
    assert (team.action, team.owner_id, team.action_due) == (
        stored.action,
        ANNA,
        date(2026, 11, 30),
    )
    assert only(items, DecisionRecorded, JANIS) == team
    assert only(items, DecisionRecorded, ANNA) == team  # the action's owner is told
    assert len(recording.to(CHANNEL)) == 1
    (entry,) = audit(db, "decision.approved")
    assert entry.actor == JANIS
    assert entry.details["owner"] == ANNA
    assert entry.details["due"] == "2026-11-30"

    # a second attempt is refused as already taken, and changes nothing
    for outcome in ("approve", "reject"):
        again = await dispatcher.handle(command(JANIS, outcome, str(decision.id)))
        taken = only(again, DecisionAlreadyTaken, JANIS)
        assert (taken.status, taken.decided_by) == ("approved", JANIS)
    assert rows(db, ImprovementDecision) == [stored]
    assert len(audit(db, "decision.approved")) == 1


async def test_approval_refuses_a_due_date_that_is_not_in_the_future(
    dispatcher: Dispatcher, db: Database
) -> None:
    await anna_critical(dispatcher, await remind(dispatcher))
    await dispatcher.handle(command(JANIS, "approve", "1"))
    await type_lines(dispatcher, JANIS, "Rīcība", "Anna Ozola")
    items = await type_lines(dispatcher, JANIS, "03.11.2026.")
    assert only(items, AnswerRefused, JANIS).error.code == "date_too_early"
    assert asked_field(items, JANIS) == "due"
    (form,) = rows(db, FormSession, person_id=JANIS)
    assert form.answers == {"action": "Rīcība", "owner": ANNA}


async def test_approver_rejects_with_a_reason(
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    await anna_critical(dispatcher, await remind(dispatcher))
    (decision,) = rows(db, ImprovementDecision)

    items = await dispatcher.handle(command(JANIS, "reject", f"#{decision.id}"))
    assert asked_field(items, JANIS) == "reason"
    items = await type_lines(dispatcher, JANIS, "Vienreizējs gadījums", "jā")

    (stored,) = rows(db, ImprovementDecision)
    assert stored.status == "rejected"
    assert stored.rejection_reason == "Vienreizējs gadījums"
    assert stored.action is None and stored.owner_id is None and stored.action_due is None
    team = only(items, DecisionRecorded, CHANNEL)
    assert (team.outcome, team.reason) == ("rejected", "Vienreizējs gadījums")
    assert notices(items, DecisionRecorded, ANNA) == []
    (entry,) = audit(db, "decision.rejected")
    assert entry.details["reason"] == "Vienreizējs gadījums"
    again = await dispatcher.handle(command(JANIS, "approve", str(decision.id)))
    assert only(again, DecisionAlreadyTaken, JANIS).status == "rejected"


async def test_a_conflicting_decision_input_changes_nothing_until_the_form_is_cancelled(
    dispatcher: Dispatcher, db: Database
) -> None:
    await anna_critical(dispatcher, await remind(dispatcher))
    await dispatcher.handle(command(JANIS, "approve", "1"))
    await type_lines(dispatcher, JANIS, "Rīcība")
    items = await dispatcher.handle(command(JANIS, "reject", "1"))  # the first input wins
    assert problem_codes(items) == ["decision_form_started"]
    (form,) = rows(db, FormSession, person_id=JANIS)
    assert (form.status, form.context) == ("active", {"outcome": "approve"})
    await dispatcher.handle(command(JANIS, "cancel"))  # to change their mind: cancel first
    items = await dispatcher.handle(command(JANIS, "reject", "1"))
    assert asked_field(items, JANIS) == "reason"
    forms = rows(db, FormSession, person_id=JANIS)
    assert [f.status for f in forms] == ["cancelled", "active"]
    assert forms[1].context == {"outcome": "reject"}


@pytest.mark.parametrize(
    ("earlier", "opens"), [(("2026-08", "2026-09"), True), (("2026-09",), False)]
)
async def test_decision_after_warnings_in_a_row(
    dispatcher: Dispatcher, db: Database, ctx: Context, earlier: tuple[str, ...], opens: bool
) -> None:
    assert ctx.plan.plan.decision_after_warnings == 3
    for period in earlier:
        seed_round(db, ctx, period, {"dd-e-share": Decimal("57")})  # warning: 50 <= v < 60
    assert {m.status for m in rows(db, Measurement)} == {"warning"}

    round_id = await remind(dispatcher)
    await start(dispatcher, JANIS, round_id)
    items = await type_lines(dispatcher, JANIS, "58,5", "Saite nedarbojās", "1")

    (result,) = only(items, MeasurementsRecorded, JANIS).results
    assert result.status is Status.WARNING
    decisions = rows(db, ImprovementDecision)
    if opens:
        (decision,) = decisions
        assert decision.trigger == "warnings"
        assert decision.approver_id == JANIS
        assert only(items, DecisionRequested, JANIS).decision.trigger == "warnings"
        assert notices(items, DecisionRequested, CHANNEL)
    else:
        assert decisions == []
        assert notices(items, DecisionRequested) == []


async def test_an_ok_value_breaks_a_row_of_warnings(
    dispatcher: Dispatcher, db: Database, ctx: Context
) -> None:
    seed_round(db, ctx, "2026-08", {"dd-e-share": Decimal("57")})
    seed_round(db, ctx, "2026-09", {"dd-e-share": Decimal("61")})  # ok (target missed)
    round_id = await remind(dispatcher)
    await start(dispatcher, JANIS, round_id)
    await type_lines(dispatcher, JANIS, "58,5", "Saite nedarbojās", "1")
    assert rows(db, ImprovementDecision) == []


async def test_no_second_decision_while_one_is_open(
    dispatcher: Dispatcher, db: Database, ctx: Context
) -> None:
    await anna_critical(dispatcher, await remind(dispatcher))

    # a critical value of the same indicator in a later round, while decision 1 is open
    def work(session: Session) -> list[Outgoing]:
        later = ControlRound(
            activity_id=ACTIVITY,
            frequency="monthly",
            period="2026-11",
            due_date=date(2026, 12, 7),
            opened_by="system",
            opened_at=ctx.now(),
        )
        session.add(later)
        session.flush()
        row = new_measurement(ctx, later, "dd-within-sla", Decimal(80), None, PETERIS)
        session.add(row)
        session.flush()
        return maybe_open_decision(session, ctx, row)

    items = db.transaction(work)
    assert len(rows(db, ImprovementDecision)) == 1
    assert len(audit(db, "decision.opened")) == 1
    # the approver and the channel hear of the new value against the open decision
    still = only(items, DecisionStillOpen, JANIS)
    assert (still.decision.decision_id, still.period, still.value) == (1, "2026-11", Decimal(80))
    assert len(notices(items, DecisionStillOpen, CHANNEL)) == 1
    assert notices(items, DecisionRequested) == []


# --- summary --------------------------------------------------------------------------------


async def test_summary_lists_values_targets_who_answered_and_open_decisions(
    dispatcher: Dispatcher, db: Database, ctx: Context, recording: RecordingChannel
) -> None:
    seed_round(
        db,
        ctx,
        "2026-09",
        {"dd-avg-processing": Decimal("1.3"), "dd-within-sla": Decimal("93.5")},
    )
    await anna_critical(dispatcher, await remind(dispatcher))
    recording.clear()

    items = await dispatcher.handle(command(ADMIN, "summary", CHANNEL, "2026-10"))

    summary = only(items, Summary, CHANNEL)
    assert (summary.channel_id, summary.period) == (CHANNEL, "2026-10")
    (part,) = summary.activities
    assert part.activity_id == ACTIVITY
    assert part.due_date == DUE
    lines = {line.indicator_id: line for line in part.lines}
    assert list(lines) == ["dd-avg-processing", "dd-within-sla", "dd-e-share"]  # monthly only
    avg, sla, share = lines.values()
    assert (avg.value, avg.status, avg.target_met, avg.previous) == (
        Decimal("0.9"),
        Status.OK,
        True,
        Decimal("1.3"),
    )
    assert (sla.value, sla.status, sla.target_met, sla.previous) == (
        Decimal("88.5"),
        Status.CRITICAL,
        False,
        Decimal("93.5"),
    )
    assert sla.comment == "Divi darbinieki slimoja"
    assert (share.value, share.status, share.target_met, share.previous) == (None,) * 4
    assert part.answered_by == (ANNA,)
    assert part.not_answered == (JANIS,)
    (listed,) = part.decisions
    assert listed.status == "open"
    assert (listed.decision.indicator_id, listed.decision.approver_id) == ("dd-within-sla", JANIS)

    assert only(items, SummaryPosted, ADMIN) == SummaryPosted(CHANNEL, "2026-10")
    (post,) = recording.to(CHANNEL)
    # the post shows values, targets and thresholds in Latvian number format (Babel), and
    # the people by name
    text = post.plain()
    for shown in ("0,9", "1,0", "88,5%", "95,0%", "90,0%", "1,3", "93,5%"):
        assert shown in text, shown
    assert "Anna Ozola" in text and "Jānis Bērziņš" in text
    (entry,) = audit(db, "summary.posted")
    assert (entry.actor, entry.subject, entry.details) == (
        ADMIN,
        f"channel:{CHANNEL}",
        {"period": "2026-10"},
    )


async def test_summary_by_non_admin_or_for_unknown_channel_is_refused(
    dispatcher: Dispatcher, db: Database
) -> None:
    items = await dispatcher.handle(command(JANIS, "summary", CHANNEL, "2026-10"))
    assert problem_codes(items) == ["not_admin"]
    items = await dispatcher.handle(command(ADMIN, "summary", "nav-kanals", "2026-10"))
    assert problem_codes(items) == ["unknown_channel"]
    assert audit(db, "summary.posted") == []


# --- language and cancelling ----------------------------------------------------------------


async def test_lang_en_switches_the_persons_messages_to_english(
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    items = await dispatcher.handle(command(ANNA, "lang", "en"))
    assert only(items, LanguageChanged, ANNA) == LanguageChanged("en")
    (person,) = rows(db, Person, id=ANNA)
    assert person.chosen_language == "en"
    recording.clear()

    round_id = await remind(dispatcher)
    reminder = recording.last(ANNA)
    assert reminder.title == "Reminder: Declaration of place of residence, October 2026"
    assert "Please submit 2 measurements by 6 Nov 2026:" in reminder.text
    assert "• Average processing time per declaration" in reminder.text
    assert reminder.choices[0].label == "Enter measurements"
    # Jānis did not switch: his reminder stays Latvian (plan labels and Latvian dates)
    janis = recording.last(JANIS).plain()
    assert "Dzīvesvietas deklarēšana" in janis and "06.11.2026." in janis

    # English number input now: a decimal comma is refused, a point accepted
    await start(dispatcher, ANNA, round_id)
    items = await type_lines(dispatcher, ANNA, "0,9")
    assert only(items, AnswerRefused, ANNA).error.code == "comma_decimal_in_english"
    assert "decimal point" in recording.to(ANNA)[-2].text
    items = await type_lines(dispatcher, ANNA, "0.9")
    assert asked_field(items, ANNA) == "dd-within-sla"
    assert "Question 2 of 2" in recording.last(ANNA).text

    # and back to Latvian
    await dispatcher.handle(command(ANNA, "lang", "lv"))
    assert rows(db, Person, id=ANNA)[0].chosen_language == "lv"


async def test_lang_with_an_unsupported_language_is_refused(
    dispatcher: Dispatcher, db: Database
) -> None:
    items = await dispatcher.handle(command(ANNA, "lang", "ru"))
    assert problem_codes(items) == ["usage"]
    assert rows(db, Person, id=ANNA)[0].chosen_language is None


async def test_cancel_stores_nothing_and_a_fresh_form_starts_from_the_first_question(
    dispatcher: Dispatcher, db: Database
) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, ANNA, round_id)
    await type_lines(dispatcher, ANNA, "0,9")

    items = await dispatcher.handle(command(ANNA, "cancel"))
    assert only(items, FormCancelled, ANNA).form == "measurement"
    assert rows(db, Measurement) == []
    (form,) = rows(db, FormSession)
    assert form.status == "cancelled"
    assert len(audit(db, "form.cancelled")) == 1

    items = await dispatcher.handle(command(ANNA, "cancel"))
    assert only(items, NothingToCancel, ANNA) == NothingToCancel()
    items = await type_lines(dispatcher, ANNA, "0,9")
    assert problem_codes(items) == ["no_form"]

    items = await start(dispatcher, ANNA, round_id)
    step = asked(items, ANNA)
    assert isinstance(step, Ask) and step.field.id == "dd-avg-processing" and step.number == 1
    (_, fresh) = rows(db, FormSession)
    assert fresh.answers == {} and fresh.status == "active"


async def test_cancel_button_at_the_comment_step_and_at_confirmation(
    dispatcher: Dispatcher, db: Database
) -> None:
    round_id = await remind(dispatcher)
    items = await start(dispatcher, JANIS, round_id)
    session_id = only(items, FormPrompt, JANIS).header.session_id
    await type_lines(dispatcher, JANIS, "58,5")
    items = await dispatcher.handle(press(JANIS, tokens.form_option(session_id, "cancel")))
    assert notices(items, FormCancelled, JANIS)

    items = await start(dispatcher, JANIS, round_id)
    await type_lines(dispatcher, JANIS, "75")
    items = await type_lines(dispatcher, JANIS, "Atcelt")  # typed at the confirmation step
    assert notices(items, FormCancelled, JANIS)
    assert rows(db, Measurement) == []
    assert [f.status for f in rows(db, FormSession)] == ["cancelled", "cancelled"]
    # a button of the cancelled form no longer answers anything
    items = await dispatcher.handle(press(JANIS, tokens.form_option(session_id, "submit")))
    assert problem_codes(items) == ["stale_button"]


# --- the whole round and its audit trail ----------------------------------------------------


async def test_full_round_leaves_an_audit_trail(
    dispatcher: Dispatcher, db: Database, clock: FixedClock
) -> None:
    round_id = await remind(dispatcher)
    clock.set(clock.now() + timedelta(minutes=5))
    await start(dispatcher, JANIS, round_id)
    await type_lines(dispatcher, JANIS, "6O,5", "58,5", "Saite nedarbojās", "1")
    clock.set(clock.now() + timedelta(minutes=5))
    await anna_critical(dispatcher, round_id)
    await dispatcher.handle(command(ADMIN, "summary", CHANNEL, "2026-10"))
    await dispatcher.handle(command(JANIS, "approve", "1"))
    await type_lines(dispatcher, JANIS, "Pārdalīt rindu", "2", "30.11.2026.", "1")

    actions = [e.action for e in audit(db)]
    expected = [
        "round.opened",
        "measurement.submitted",
        "decision.opened",
        "summary.posted",
        "decision.approved",
    ]
    assert [a for a in actions if a in expected] == [
        "round.opened",
        "measurement.submitted",  # Jānis
        "measurement.submitted",  # Anna: dd-avg-processing
        "measurement.submitted",  # Anna: dd-within-sla
        "decision.opened",
        "summary.posted",
        "decision.approved",
    ]
    submitted = audit(db, "measurement.submitted")
    assert [(e.actor, e.subject, e.details["value"]) for e in submitted] == [
        (JANIS, f"round:{round_id}/dd-e-share", "58.5"),
        (ANNA, f"round:{round_id}/dd-avg-processing", "0.9"),
        (ANNA, f"round:{round_id}/dd-within-sla", "88.5"),
    ]
    entries = audit(db)
    assert all(e.at.tzinfo is not None for e in entries)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    (decision,) = rows(db, ImprovementDecision)
    assert decision.status == "approved" and decision.owner_id == ANNA
    assert [f.status for f in rows(db, FormSession)] == ["completed"] * 3


@pytest.mark.parametrize(
    ("args", "code"),
    [((), "usage"), (("pirmais",), "usage"), (("1", "2"), "usage"), (("99",), "unknown_decision")],
)
async def test_approve_without_a_valid_decision_number_changes_nothing(
    dispatcher: Dispatcher, db: Database, args: tuple[str, ...], code: str
) -> None:
    await anna_critical(dispatcher, await remind(dispatcher))
    items = await dispatcher.handle(command(JANIS, "approve", *args))
    assert problem_codes(items) == [code]
    assert rows(db, FormSession, form="decision") == []
    assert [d.status for d in rows(db, ImprovementDecision)] == ["open"]


async def test_unknown_command_and_text_without_a_form_get_a_problem_not_an_error(
    dispatcher: Dispatcher,
) -> None:
    assert problem_codes(await dispatcher.handle(command(ANNA, "iesniegt"))) == ["unknown_command"]
    assert problem_codes(await dispatcher.handle(say(ANNA, "0,9"))) == ["no_form"]
    items = await dispatcher.handle(press(ANNA, "nonsense"))
    assert problem_codes(items) == ["unknown_choice"]
    items = await dispatcher.handle(press(ANNA, tokens.start_round(42)))
    assert problem_codes(items) == ["unknown_round"]


async def test_unclear_answer_at_confirmation_asks_again_and_stores_nothing(
    dispatcher: Dispatcher, db: Database
) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, JANIS, round_id)
    await type_lines(dispatcher, JANIS, "75")
    items = await type_lines(dispatcher, JANIS, "varbūt")
    assert problem_codes(items) == ["confirm_choice"]
    assert isinstance(asked(items, JANIS), Confirm)
    assert rows(db, Measurement) == []
    (form,) = rows(db, FormSession)
    assert (form.status, form.answers) == ("active", {"dd-e-share": "75"})
    items = await type_lines(dispatcher, JANIS, "iesniegt")
    assert [r.value for r in only(items, MeasurementsRecorded, JANIS).results] == [Decimal(75)]


async def test_summary_after_the_decision_shows_it_as_taken(
    dispatcher: Dispatcher, db: Database
) -> None:
    await anna_critical(dispatcher, await remind(dispatcher))
    await dispatcher.handle(command(JANIS, "approve", "1"))
    await type_lines(dispatcher, JANIS, "Pārdalīt rindu", "Anna Ozola", "2026-11-30", "1")

    items = await dispatcher.handle(command(ADMIN, "summary", CHANNEL, "2026-10"))
    (part,) = only(items, Summary, CHANNEL).activities
    (listed,) = part.decisions
    assert (listed.status, listed.action, listed.owner_id, listed.action_due) == (
        "approved",
        "Pārdalīt rindu",
        ANNA,
        date(2026, 11, 30),
    )
