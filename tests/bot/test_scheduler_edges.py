"""Regression tests from reviews of the scheduler: each case once sent twice, late or never."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from bot.scheduler import ScheduleRunner
from storage.db import Database
from tests.support.recording import RecordingChannel, command, press
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.errors import PlanError
from workflows.plan.loader import bundled_plan_path, load_plan

RIGA = ZoneInfo("Europe/Riga")
BUNDLED = (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
SCHEDULE = "  monthly: {due_working_day: 5}\n"


def riga(*args: int) -> datetime:
    return datetime(*args, tzinfo=RIGA)  # type: ignore[misc]


def plan_with(tmp_path: Path, old: str, new: str, name: str = "plan.yaml") -> Path:
    assert old in BUNDLED
    path = tmp_path / name
    path.write_text(BUNDLED.replace(old, new, 1), encoding="utf-8")
    return path


def context_for(path: Path, clock: FixedClock) -> Context:
    return Context(load_plan(path), clock, WorkingCalendar(), RIGA, "lv")


def runner(ctx: Context, db: Database, recording: RecordingChannel) -> ScheduleRunner:
    return ScheduleRunner(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"))


async def test_editing_the_ladder_does_not_resend_what_went_out(
    ctx: Context, db: Database, recording: RecordingChannel, clock: FixedClock, tmp_path: Path
) -> None:
    clock.set(riga(2026, 10, 30, 8, 0))
    first = runner(ctx, db, recording)
    await first.sweep()
    clock.set(riga(2026, 11, 6, 9, 0))
    await first.sweep()
    assert len(recording.to("anna-ozola")) == 1
    ladder = (
        "  ladder:\n"
        "    - {offset: 0, step: due, to: measured_by}\n"
        "    - {offset: 2, step: escalation, to: L}\n"
    )
    edited = context_for(plan_with(tmp_path, SCHEDULE, SCHEDULE + ladder), clock)
    clock.set(riga(2026, 11, 6, 9, 5))
    await runner(edited, db, recording).sweep()
    assert len(recording.to("anna-ozola")) == 1


async def test_two_sweeps_at_once_send_each_reminder_once(
    ctx: Context, db: Database, recording: RecordingChannel, clock: FixedClock, db_url: str
) -> None:
    clock.set(riga(2026, 10, 30, 8, 0))
    await runner(ctx, db, recording).sweep()
    clock.set(riga(2026, 11, 3, 9, 0))
    other = Database.from_url(db_url)
    try:
        await asyncio.gather(
            runner(ctx, db, recording).sweep(), runner(ctx, other, recording).sweep()
        )
    finally:
        other.dispose()
    assert len(recording.to("anna-ozola")) == 1


async def test_a_send_left_in_flight_by_a_crash_is_sent_once_after_restart(
    ctx: Context, db: Database, recording: RecordingChannel, clock: FixedClock
) -> None:
    from workflows.notices import outbox as queue

    clock.set(riga(2026, 10, 30, 8, 0))
    await runner(ctx, db, recording).sweep()
    clock.set(riga(2026, 11, 3, 9, 0))
    crashed = runner(ctx, db, RecordingChannel())
    crashed.outbox.flush = _no_flush  # type: ignore[method-assign]  # "killed" after queueing
    await crashed.sweep()
    now = ctx.now()
    (taken,) = db.transaction(lambda s: queue.claim(s, now))  # claimed, then "kill -9"
    assert await runner(ctx, db, recording).outbox.pump() > 0  # the others go out at once
    assert taken.recipient not in [a.target for a, _m in recording.sent]  # in flight: waits
    clock.set(riga(2026, 11, 3, 9, 1))  # its sender's lease ran out
    await runner(ctx, db, recording).outbox.pump()
    assert len(recording.to(taken.recipient)) == 1
    assert len(recording.to("anna-ozola")) == 1


async def _no_flush(ids: object, *, exclusive: bool = False) -> list[object]:
    return []


async def test_a_deputy_who_is_also_away_passes_to_the_next_one(
    ctx: Context, db: Database, dispatcher: Dispatcher
) -> None:
    from workflows.people.absences import away_on, deputy_for

    await dispatcher.handle(command("janis-berzins", "away", "04.11.2026", "13.11.2026"))
    await dispatcher.handle(command("anna-ozola", "away", "04.11.2026", "13.11.2026"))
    activity = ctx.plan.activity("dzivesvietas-deklaresana")
    away = db.transaction(lambda s: away_on(s, riga(2026, 11, 5).date()))
    assert deputy_for(ctx, activity, "janis-berzins", away) == "peteris-liepa"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (SCHEDULE, "  monthly: {due_working_day: 5, summary_working_day: 1}\n"),
        (
            SCHEDULE,
            SCHEDULE + "  ladder: [{offset: 2, step: escalation, to: L}, "
            "{offset: 0, step: due, to: measured_by}]\n",
        ),
        (SCHEDULE, SCHEDULE + "  ladder: [{offset: -6, step: reminder, to: measured_by}]\n"),
        (
            '{id: anna-ozola, name: "Anna Ozola",',
            '{id: anna-ozola, deputy: anna-ozola, name: "Anna Ozola",',
        ),
    ],
)
def test_plan_check_refuses_schedules_that_would_misfire(
    tmp_path: Path, old: str, new: str
) -> None:
    with pytest.raises(PlanError):
        load_plan(plan_with(tmp_path, old, new))


async def test_early_reminders_and_zones_ahead_are_sent_on_time(
    db: Database, recording: RecordingChannel, clock: FixedClock, tmp_path: Path
) -> None:
    path = plan_with(
        tmp_path,
        '{id: anna-ozola, name: "Anna Ozola",',
        '{id: anna-ozola, timezone: Pacific/Auckland, name: "Anna Ozola",',
    )
    ctx = context_for(path, clock)
    clock.set(riga(2026, 10, 30, 8, 0))
    await runner(ctx, db, recording).sweep()
    clock.set(datetime(2026, 11, 3, 9, 0, tzinfo=ZoneInfo("Pacific/Auckland")))  # 22:00 Riga
    await runner(ctx, db, recording).sweep()
    (message,) = recording.to("anna-ozola")
    assert "Nosūtīts ar nokavēšanos" not in message.text


async def test_snoozes_of_ids_with_underscores_do_not_match_other_people(
    db: Database,
    recording: RecordingChannel,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    from storage.models import Delivery
    from workflows.schedule.ledger import SNOOZE

    ctx = context_for(bundled_plan_path() / "parauga-novads.yaml", clock)
    key_anna = f"{SNOOZE}:x:2026-10:anna-ozola:1"
    key_other = f"{SNOOZE}:x:2026-10:anna_ozola:1"
    from sqlmodel import col, select

    def add(session: object) -> None:
        for key, person in ((key_anna, "anna-ozola"), (key_other, "anna_ozola")):
            session.add(  # type: ignore[attr-defined]
                Delivery(
                    key=key,
                    kind=SNOOZE,
                    subject="x",
                    period="2026-10",
                    recipient=person,
                    step=-2,
                    planned_at=ctx.now(),
                    status="planned",
                    attempted_at=ctx.now(),
                )
            )

    db.transaction(add)
    prefix = f"{SNOOZE}:x:2026-10:anna-ozola:"
    with db.session() as session:
        found = session.exec(
            select(Delivery.key).where(col(Delivery.key).startswith(prefix, autoescape=True))
        ).all()
    assert found == [key_anna]


async def test_schedule_range_is_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["schedule", "--from", "9999-06-01", "--to", "9999-12-31"]) == 2
    assert "Traceback" not in capsys.readouterr().err


async def test_a_snoozed_reminder_is_sent_once_by_two_sweeps_at_once(
    ctx: Context,
    db: Database,
    recording: RecordingChannel,
    clock: FixedClock,
    dispatcher: Dispatcher,
    db_url: str,
) -> None:
    clock.set(riga(2026, 10, 30, 8, 0))
    await runner(ctx, db, recording).sweep()
    clock.set(riga(2026, 11, 3, 9, 0))
    await runner(ctx, db, recording).sweep()
    token = next(m.choices[1].token for m in recording.to("anna-ozola"))
    await dispatcher.handle(press("anna-ozola", token.replace(":ask", ":tomorrow")))
    recording.clear()
    clock.set(riga(2026, 11, 4, 9, 0))
    other = Database.from_url(db_url)
    try:
        await asyncio.gather(
            runner(ctx, db, recording).sweep(), runner(ctx, other, recording).sweep()
        )
    finally:
        other.dispose()
    assert len(recording.to("anna-ozola")) == 1
