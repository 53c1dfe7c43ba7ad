"""Issue 13 item 7: "Remind me later" lands on a working day within working hours.

"Rīt" pressed on a Friday was delivered on Saturday, and "Vēlāk šodien" at 22:30 at 01:30 on
Saturday, on a plan without quiet hours. A snooze now keeps working days and sensible hours.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from bot.scheduler import ScheduleRunner
from storage.db import Database
from tests.support.recording import RecordingChannel, press
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import Snoozed, SnoozeOptions
from workflows.rounds.snooze import snooze_until

RIGA = ZoneInfo("Europe/Riga")
ANNA = "anna-ozola"


def riga(*args: int) -> datetime:
    return datetime(*args, tzinfo=RIGA)  # type: ignore[misc]


@pytest.fixture
async def round_id(
    ctx: Context, db: Database, recording: RecordingChannel, clock: FixedClock
) -> int:
    """October's round of the residence declaration, opened by the scheduler on 3 Nov."""
    assert ctx.plan.plan.schedule.quiet_hours is None  # the bundled plan sets none
    runner = ScheduleRunner(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"))
    clock.set(riga(2026, 10, 30, 8, 0))
    await runner.sweep()
    clock.set(riga(2026, 11, 3, 9, 0))
    await runner.sweep()
    token = next(m.choices[0].token for m in recording.to(ANNA) if m.choices)
    return int(token.split(":")[1])


@pytest.mark.parametrize(
    ("now", "choice", "lands"),
    [
        # "tomorrow" on a Friday is Monday morning
        (riga(2026, 11, 6, 10, 0), "tomorrow", riga(2026, 11, 9, 9, 0)),
        # "later today" at 22:30 on a Friday is Monday morning, not 01:30 on Saturday
        (riga(2026, 11, 6, 22, 30), "today", riga(2026, 11, 9, 9, 0)),
        # late afternoon: the next working morning
        (riga(2026, 11, 4, 16, 0), "today", riga(2026, 11, 5, 9, 0)),
        # early morning: not before the send time
        (riga(2026, 11, 4, 5, 0), "today", riga(2026, 11, 4, 9, 0)),
        # within the day: three hours later
        (riga(2026, 11, 4, 10, 0), "today", riga(2026, 11, 4, 13, 0)),
        # on a Sunday "later today" waits for Monday
        (riga(2026, 11, 8, 10, 0), "today", riga(2026, 11, 9, 9, 0)),
        # before a public holiday (18 November, Wednesday): Thursday
        (riga(2026, 11, 17, 10, 0), "tomorrow", riga(2026, 11, 19, 9, 0)),
        (riga(2026, 11, 17, 10, 0), "nextwd", riga(2026, 11, 19, 9, 0)),
    ],
)
def test_snooze_lands_on_a_working_day_within_working_hours(
    ctx: Context, clock: FixedClock, now: datetime, choice: str, lands: datetime
) -> None:
    clock.set(now)
    until = snooze_until(ctx, ANNA, choice)
    assert until == lands
    local = until.astimezone(RIGA)
    assert ctx.calendar.is_working_day(local.date())
    assert 9 <= local.hour < 18


async def test_friday_evening_offers_no_later_today_and_no_saturday(
    round_id: int, dispatcher: Dispatcher, clock: FixedClock
) -> None:
    clock.set(riga(2026, 11, 6, 22, 30))
    options = await dispatcher.handle(press(ANNA, f"snooze:{round_id}:ask"))
    notice = options[0].notice
    assert isinstance(notice, SnoozeOptions)
    assert not notice.later_today and not notice.next_working_day_is_tomorrow
    snoozed = (await dispatcher.handle(press(ANNA, f"snooze:{round_id}:today")))[0].notice
    assert isinstance(snoozed, Snoozed)
    assert snoozed.until == riga(2026, 11, 9, 9, 0)


async def test_the_snooze_buttons_name_what_they_do(
    round_id: int, dispatcher: Dispatcher, recording: RecordingChannel, clock: FixedClock
) -> None:
    clock.set(riga(2026, 11, 6, 10, 0))  # Friday morning
    recording.clear()
    await dispatcher.handle(press(ANNA, f"snooze:{round_id}:ask"))
    labels = [c.label for c in recording.to(ANNA)[-1].choices]
    assert labels == ["Vēlāk šodien", "Nākamajā darba dienā"]
    clock.set(riga(2026, 11, 4, 10, 0))  # Wednesday morning
    await dispatcher.handle(press(ANNA, f"snooze:{round_id}:ask"))
    labels = [c.label for c in recording.to(ANNA)[-1].choices]
    assert labels == ["Vēlāk šodien", "Rīt"]
