"""Scheduled sends: each reminder reaches each recipient once, across restarts and downtime."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from bot.scheduler import ScheduleRunner
from storage.db import Database
from storage.messages import OutboxMessage
from storage.models import ControlRound, Delivery
from tests.support.recording import RecordingChannel, press, say
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import Digest, Snoozed, SnoozeOptions

RIGA = ZoneInfo("Europe/Riga")
ACTIVITY = "dzivesvietas-deklaresana"


def riga(*args: int) -> datetime:
    return datetime(*args, tzinfo=RIGA)  # type: ignore[misc]


def runner(ctx: Context, db: Database, recording: RecordingChannel) -> ScheduleRunner:
    return ScheduleRunner(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"))


OUTCOME = {"delivered": "sent", "undeliverable": "failed", "expired": "failed"}


def ledger(db: Database) -> dict[str, tuple[str, str | None, int]]:
    """Each planned send's state: a queued one takes its outbox row's outcome."""
    with db.session() as session:
        rows = session.exec(select(Delivery).order_by(col(Delivery.id))).all()
        out = {}
        for r in rows:
            status = r.status
            if status == "queued" and r.outbox_id is not None:
                carrier = session.get(OutboxMessage, r.outbox_id)
                status = OUTCOME.get(carrier.status, carrier.status) if carrier else status
            out[r.key] = (status, r.note, r.late_seconds)
        return out


def titles(recording: RecordingChannel, person: str) -> list[str | None]:
    return [m.title for m in recording.to(person)]


@pytest.fixture
def started(
    ctx: Context, db: Database, recording: RecordingChannel, clock: FixedClock
) -> ScheduleRunner:
    """A runner whose first start (the epoch) was on Friday 30 October 2026, 08:00."""
    clock.set(riga(2026, 10, 30, 8, 0))
    return runner(ctx, db, recording)


async def test_each_reminder_reaches_each_recipient_once_across_a_restart(
    started: ScheduleRunner,
    ctx: Context,
    db: Database,
    recording: RecordingChannel,
    clock: FixedClock,
    db_url: str,
) -> None:
    assert await started.sweep() == 0  # records the epoch
    clock.set(riga(2026, 11, 3, 9, 0))  # October's reminder day (3 working days before 6 Nov)
    sent = await started.sweep()
    assert sent > 0
    assert titles(recording, "anna-ozola") == [
        "Atgādinājums: Dzīvesvietas deklarēšana, 2026. gada oktobris"
    ]
    assert await started.sweep() == 0
    # "restart": a new process on the same database
    db.dispose()
    again = Database.from_url(db_url)
    try:
        assert await runner(ctx, again, recording).sweep() == 0
    finally:
        again.dispose()
    assert len(recording.to("anna-ozola")) == 1
    with db.session() as session:
        opened = session.exec(
            select(ControlRound).where(col(ControlRound.activity_id) == ACTIVITY)
        ).all()
    assert [r.period for r in opened] == ["2026-10"]  # the scheduler opened the round


async def test_after_three_days_down_each_missed_send_is_caught_up_once(
    started: ScheduleRunner, db: Database, recording: RecordingChannel, clock: FixedClock
) -> None:
    await started.sweep()
    clock.set(riga(2026, 11, 6, 12, 0))  # missed: the reminder (3 Nov) and the due-day (6 Nov)
    await started.sweep()
    assert titles(recording, "anna-ozola") == [
        "Termiņš šodien: Dzīvesvietas deklarēšana, 2026. gada oktobris"
    ]
    assert "(Nosūtīts ar nokavēšanos" in recording.texts("anna-ozola")
    states = ledger(db)
    anna = {k: v for k, v in states.items() if ":anna-ozola:" in k and ACTIVITY in k}
    assert sorted((status, note) for status, note, _late in anna.values()) == [
        ("sent", None),
        ("skipped", "superseded"),
    ]
    clock.set(riga(2026, 11, 6, 12, 5))
    assert await started.sweep() == 0


async def test_a_send_missed_by_minutes_goes_out_once_marked_late(
    started: ScheduleRunner, db: Database, recording: RecordingChannel, clock: FixedClock
) -> None:
    # field case C14 (a): down from 08:55 to 09:20 on the reminder day
    await started.sweep()
    clock.set(riga(2026, 11, 3, 8, 55))
    assert await started.sweep() == 0
    clock.set(riga(2026, 11, 3, 9, 20))
    await started.sweep()
    assert len(recording.to("anna-ozola")) == 1
    late = [v[2] for k, v in ledger(db).items() if ":anna-ozola:" in k]
    assert late == [20 * 60]


async def test_escalations_stop_once_everything_is_measured(
    started: ScheduleRunner,
    ctx: Context,
    db: Database,
    recording: RecordingChannel,
    clock: FixedClock,
    dispatcher: Dispatcher,
) -> None:
    await started.sweep()
    clock.set(riga(2026, 11, 3, 9, 0))
    await started.sweep()
    round_id = next(m.choices[0].token for m in recording.to("anna-ozola"))
    await dispatcher.handle(press("anna-ozola", round_id))
    for line in ("0,9", "96", "1"):
        await dispatcher.handle(say("anna-ozola", line))
    await dispatcher.handle(press("janis-berzins", round_id))
    for line in ("75", "1"):
        await dispatcher.handle(say("janis-berzins", line))
    recording.clear()
    for day in (6, 10, 12, 16):  # due day and the three escalation days
        clock.set(riga(2026, 11, day, 9, 0))
        await started.sweep()
    for person in ("anna-ozola", "peteris-liepa", "janis-berzins", "marta-kalnina"):
        assert not [m for m in recording.to(person) if "Dzīvesvietas" in (m.title or "")], person
    skipped = [v[1] for k, v in ledger(db).items() if ACTIVITY in k and v[0] == "skipped"]
    assert skipped and set(skipped) == {"measured"}


async def test_unanswered_round_escalates_to_l_then_a_then_the_manager(
    started: ScheduleRunner, recording: RecordingChannel, clock: FixedClock
) -> None:
    await started.sweep()
    for day, hour in ((3, 9), (6, 9), (10, 9), (12, 9), (16, 9)):
        clock.set(riga(2026, 11, day, hour, 0))
        await started.sweep()
    marta = [m for m in recording.to("marta-kalnina") if "Dzīvesvietas" in (m.plain())]
    assert (
        len(marta) == 1
        and marta[0].title == "Nokavēts: Dzīvesvietas deklarēšana, 2026. gada oktobris"
    )
    assert "Anna Ozola" in marta[0].text and not marta[0].choices  # she measures nothing here


async def test_one_digest_a_day_lists_everything_due(
    ctx: Context, db: Database, recording: RecordingChannel, clock: FixedClock
) -> None:
    clock.set(riga(2026, 4, 1, 8, 0))
    scheduled = runner(ctx, db, recording)
    await scheduled.sweep()
    clock.set(riga(2026, 4, 13, 9, 0))  # March is overdue, Q1's reminder is due: one message
    await scheduled.sweep()
    anna = recording.to("anna-ozola")
    assert len(anna) == 1
    assert anna[0].title == "Šodien: 2 kontroles kārtas gaida Jūs"
    assert len(anna[0].choices) == 2


async def test_sends_older_than_the_catch_up_window_are_skipped_and_logged(
    started: ScheduleRunner,
    db: Database,
    recording: RecordingChannel,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await started.sweep()
    clock.set(riga(2026, 11, 20, 9, 0))
    await started.sweep()
    notes = {k.split(":")[0] + ":" + str(v[1]) for k, v in ledger(db).items() if ACTIVITY in k}
    assert "due:too_old" in notes
    assert "not catching up" in caplog.text
    # the +6 escalation (16 Nov) is within 7 days: the manager gets it once
    assert len([m for m in recording.to("marta-kalnina") if "Dzīvesvietas" in m.plain()]) == 1


def test_digest_notice_type_is_rendered(ctx: Context) -> None:
    from bot.i18n import translator
    from bot.render import RenderContext, render

    message = render(Digest(()), RenderContext(translator("en"), ctx.plan, RIGA))
    assert message.title == "Today: 0 control rounds need you"


def _round_token(recording: RecordingChannel, person: str) -> int:
    token = next(m.choices[0].token for m in recording.to(person) if m.choices)
    return int(token.split(":")[1])


async def test_a_snoozed_reminder_comes_back_once_at_the_chosen_time(
    started: ScheduleRunner,
    db: Database,
    recording: RecordingChannel,
    clock: FixedClock,
    dispatcher: Dispatcher,
) -> None:
    await started.sweep()
    clock.set(riga(2026, 11, 3, 9, 0))
    await started.sweep()
    round_id = _round_token(recording, "anna-ozola")
    options = await dispatcher.handle(press("anna-ozola", f"snooze:{round_id}:ask"))
    assert isinstance(options[0].notice, SnoozeOptions)
    items = await dispatcher.handle(press("anna-ozola", f"snooze:{round_id}:tomorrow"))
    snoozed = items[0].notice
    assert isinstance(snoozed, Snoozed) and not snoozed.capped
    assert snoozed.until == riga(2026, 11, 4, 9, 0)
    recording.clear()
    clock.set(riga(2026, 11, 4, 9, 0))
    await started.sweep()
    await started.sweep()
    assert titles(recording, "anna-ozola") == [
        "Atgādinājums: Dzīvesvietas deklarēšana, 2026. gada oktobris"
    ]


async def test_a_snooze_holds_the_due_day_reminder_but_not_the_escalation(
    started: ScheduleRunner,
    db: Database,
    recording: RecordingChannel,
    clock: FixedClock,
    dispatcher: Dispatcher,
) -> None:
    await started.sweep()
    clock.set(riga(2026, 11, 3, 9, 0))
    await started.sweep()
    round_id = _round_token(recording, "anna-ozola")
    clock.set(riga(2026, 11, 6, 8, 0))
    await dispatcher.handle(press("anna-ozola", f"snooze:{round_id}:today"))  # until 11:00
    recording.clear()
    clock.set(riga(2026, 11, 6, 9, 0))
    await started.sweep()
    assert recording.to("anna-ozola") == []  # the due-day reminder waits for the snooze
    clock.set(riga(2026, 11, 6, 11, 0))
    await started.sweep()
    assert len(recording.to("anna-ozola")) == 1
    # snoozing on the morning of the escalation is capped at the escalation
    clock.set(riga(2026, 11, 10, 8, 0))
    items = await dispatcher.handle(press("anna-ozola", f"snooze:{round_id}:tomorrow"))
    capped = items[0].notice
    assert isinstance(capped, Snoozed) and capped.capped
    assert capped.until == riga(2026, 11, 10, 9, 0)
    recording.clear()
    clock.set(riga(2026, 11, 10, 9, 0))
    await started.sweep()
    # the snoozed reminder and the escalation of the same round come as one overdue notice
    assert titles(recording, "anna-ozola") == [
        "Nokavēts: Dzīvesvietas deklarēšana, 2026. gada oktobris"
    ]


async def test_the_owner_of_an_improvement_action_is_followed_up_on_its_due_date(
    started: ScheduleRunner,
    db: Database,
    recording: RecordingChannel,
    clock: FixedClock,
    dispatcher: Dispatcher,
    ctx: Context,
) -> None:
    from tests.support.recording import command
    from tests.workflows.test_round_flow import anna_critical, remind
    from workflows.decisions.action_follow_ups import action_follow_ups

    await started.sweep()
    clock.set(riga(2026, 11, 3, 9, 0))
    round_id = await remind(dispatcher)
    await anna_critical(dispatcher, round_id)
    await dispatcher.handle(command("janis-berzins", "approve", "1"))
    for line in ("Pārdalīt rindu", "2", "30.11.2026.", "1"):
        await dispatcher.handle(say("janis-berzins", line))
    planned = db.transaction(
        lambda s: action_follow_ups(
            s, ctx, datetime(2026, 11, 1).date(), datetime(2026, 12, 31).date()
        )
    )
    # three working days before (Wed 25.11), on the day (Mon 30.11) to the owner; the
    # working day after (Tue 1.12) to the approver, should it still be open
    assert [(p.kind.value, p.recipient, p.local) for p in planned] == [
        ("action_soon", "anna-ozola", riga(2026, 11, 25, 9, 0)),
        ("action", "anna-ozola", riga(2026, 11, 30, 9, 0)),
        ("action_overdue", "janis-berzins", riga(2026, 12, 1, 9, 0)),
    ]
    recording.clear()
    clock.set(riga(2026, 11, 30, 9, 0))
    await started.sweep()
    await started.sweep()
    follow_ups = [
        m for m in recording.to("anna-ozola") if "pilnveides pasākuma" in (m.title or "")
    ]
    assert len(follow_ups) == 1 and "Pārdalīt rindu" in follow_ups[0].text


async def test_next_instant_covers_the_schedule_and_snoozes(
    started: ScheduleRunner,
    db: Database,
    recording: RecordingChannel,
    clock: FixedClock,
    dispatcher: Dispatcher,
    ctx: Context,
) -> None:
    from workflows.schedule.sweep import next_instant

    await started.sweep()
    assert db.transaction(lambda s: next_instant(s, ctx, ctx.now())) == riga(2026, 11, 3, 9, 0)
    clock.set(riga(2026, 11, 3, 9, 0))
    await started.sweep()
    round_id = _round_token(recording, "anna-ozola")
    clock.set(riga(2026, 11, 3, 9, 30))
    await dispatcher.handle(press("anna-ozola", f"snooze:{round_id}:today"))
    assert db.transaction(lambda s: next_instant(s, ctx, ctx.now())) == riga(2026, 11, 3, 12, 30)


async def test_a_failed_delivery_is_retried_with_back_off_until_it_expires(
    ctx: Context, db: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(RecordingChannel):
        async def send(self, address: object, message: object) -> None:
            raise ConnectionError("platform down")

    clock.set(riga(2026, 10, 30, 8, 0))
    broken = ScheduleRunner(ctx, db, Outbox(ctx, db, {"console": Broken()}, "lv"))
    await broken.sweep()
    clock.set(riga(2026, 11, 3, 9, 0))
    assert await broken.sweep() == 0
    assert "delivering Reminder" in caplog.text
    clock.set(riga(2026, 11, 3, 21, 30))  # twelve hours of retries with back-off
    await broken.outbox.pump()
    failed = [k for k, v in ledger(db).items() if v[0] == "failed"]
    assert failed
    recording = RecordingChannel()
    again = ScheduleRunner(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"))
    assert await again.sweep() == 1  # no reminder again: only the admin's digest of them
    ((address, digest),) = recording.sent
    assert address.target == ctx.plan.plan.admin_channel
    assert digest.title == "Pēdējās 24 stundās nenogādātās ziņas"
