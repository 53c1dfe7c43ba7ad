"""The schedule over whole years: Latvian holidays, moved Saturdays, DST, quiet hours."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translator
from bot.schedule_report import schedule_json, schedule_table
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.loader import bundled_plan_path, load_plan
from workflows.plan.model import LoadedPlan
from workflows.schedule.planned import PlannedSend, SendKind, local_to_utc, planned_sends

RIGA = ZoneInfo("Europe/Riga")
ACTIVITY = "dzivesvietas-deklaresana"
BUNDLED = (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
SCHEDULE = (
    "schedule:                           # due on the N-th Latvian working day of the next "
    "period\n  monthly: {due_working_day: 5}\n"
)


def context(plan: LoadedPlan) -> Context:
    return Context(
        plan, FixedClock(datetime(2026, 1, 1, tzinfo=UTC)), WorkingCalendar(), RIGA, "lv"
    )


def with_schedule(tmp_path: Path, extra: str) -> LoadedPlan:
    assert SCHEDULE in BUNDLED
    path = tmp_path / "plan.yaml"
    path.write_text(BUNDLED.replace(SCHEDULE, "schedule:\n" + extra), encoding="utf-8")
    return load_plan(path)


def days(
    sends: list[PlannedSend], kind: SendKind, period: str, step: int | None = None
) -> set[date]:
    return {
        s.local.date()
        for s in sends
        if s.kind is kind and s.period == period and (step is None or s.step == step)
    }


@pytest.fixture(scope="module")
def year_2026(plan: LoadedPlan) -> list[PlannedSend]:
    return planned_sends(context(plan), date(2026, 1, 1), date(2026, 12, 31))


def test_march_2026_around_easter_matches_the_worked_example(year_2026: list[PlannedSend]) -> None:
    # domain.md §3.1: due 09.04 (Good Friday and Easter Monday are off), reminder 3 working
    # days before, escalations +2/+4/+6, the summary on the 7th working day
    mine = [s for s in year_2026 if s.subject == ACTIVITY]
    assert days(mine, SendKind.REMINDER, "2026-03") == {date(2026, 4, 2)}
    assert days(mine, SendKind.DUE, "2026-03") == {date(2026, 4, 9)}
    assert days(mine, SendKind.ESCALATION, "2026-03", 2) == {date(2026, 4, 13)}
    assert days(mine, SendKind.ESCALATION, "2026-03", 3) == {date(2026, 4, 15)}
    assert days(mine, SendKind.ESCALATION, "2026-03", 4) == {date(2026, 4, 17)}
    assert days(year_2026, SendKind.SUMMARY, "2026-03") == {date(2026, 4, 13)}
    assert days(mine, SendKind.DUE, "2026-Q1") == {date(2026, 4, 16)}
    assert days(year_2026, SendKind.SUMMARY, "2026-Q1") == {date(2026, 4, 20)}


def test_moved_working_saturday_in_january_and_the_day_off_before_it(
    year_2026: list[PlannedSend],
) -> None:
    mine = [s for s in year_2026 if s.subject == ACTIVITY]
    # 1 Jan holiday and 2 Jan moved off: the 5th working day of January 2026 is the 9th
    assert days(mine, SendKind.DUE, "2025-12") == {date(2026, 1, 9)}
    # +6 working days lands on Saturday 17 January, a working day by Cabinet order
    assert days(mine, SendKind.ESCALATION, "2025-12", 4) == {date(2026, 1, 17)}


def test_year_end_holidays(year_2026: list[PlannedSend]) -> None:
    mine = [s for s in year_2026 if s.subject == ACTIVITY]
    assert days(mine, SendKind.DUE, "2026-11") == {date(2026, 12, 7)}
    # November's last escalation (+6) and Christmas: 24-26 and 31 Dec are off
    assert days(mine, SendKind.ESCALATION, "2026-11", 4) == {date(2026, 12, 15)}
    all_days = {s.local.date() for s in year_2026}
    assert not all_days & {date(2026, 12, d) for d in (24, 25, 26, 31)}


def test_jani_and_a_moved_saturday_in_june(tmp_path: Path) -> None:
    # 22 June 2026 is moved off, 23-24 June are Līgo and Jāņi, Saturday 27 June works
    plan = with_schedule(tmp_path, "  monthly: {due_working_day: 5, summary_working_day: 16}\n")
    sends = planned_sends(context(plan), date(2026, 6, 1), date(2026, 6, 30))
    assert days(sends, SendKind.SUMMARY, "2026-05") == {date(2026, 6, 25)}
    plan = with_schedule(tmp_path, "  monthly: {due_working_day: 5, summary_working_day: 18}\n")
    sends = planned_sends(context(plan), date(2026, 6, 1), date(2026, 6, 30))
    assert days(sends, SendKind.SUMMARY, "2026-05") == {date(2026, 6, 27)}


def test_18_november_is_skipped(tmp_path: Path) -> None:
    plan = with_schedule(tmp_path, "  monthly: {due_working_day: 12}\n")
    sends = planned_sends(
        context(plan), date(2026, 11, 1), date(2026, 11, 30), activity_id=ACTIVITY
    )
    assert days(sends, SendKind.DUE, "2026-10") == {date(2026, 11, 17)}
    # the next working day after Tuesday 17th is Thursday 19th (18 Nov is a holiday)
    assert days(sends, SendKind.ESCALATION, "2026-10", 2) == {date(2026, 11, 20)}
    assert date(2026, 11, 18) not in {s.local.date() for s in sends}


def test_every_send_is_at_nine_riga_time_and_the_utc_hour_follows_dst(
    year_2026: list[PlannedSend],
) -> None:
    for send in year_2026:
        assert send.local.time() == time(9, 0)
        summer = date(2026, 3, 29) <= send.local.date() < date(2026, 10, 25)
        assert send.at.hour == (6 if summer else 7), send
    instants = {s.local.date(): s.at for s in year_2026}
    assert instants[date(2026, 3, 16)] == datetime(2026, 3, 16, 7, 0, tzinfo=UTC)  # EET
    assert instants[date(2026, 4, 2)] == datetime(2026, 4, 2, 6, 0, tzinfo=UTC)  # EEST


def test_every_send_is_planned_exactly_once_over_two_years(plan: LoadedPlan) -> None:
    sends = planned_sends(context(plan), date(2026, 1, 1), date(2027, 12, 31))
    counts = Counter(s.key for s in sends)
    assert max(counts.values()) == 1
    # and two adjacent ranges together give the same sends as one range
    halves = planned_sends(context(plan), date(2026, 1, 1), date(2026, 6, 30)) + planned_sends(
        context(plan), date(2026, 7, 1), date(2027, 12, 31)
    )
    assert sorted(halves) == sends
    assert all(s.local.weekday() < 5 or s.local.date() in working_saturdays() for s in sends)


def working_saturdays() -> set[date]:
    calendar = WorkingCalendar()
    return {
        d
        for year in (2026, 2027)
        for d in (
            date(year, 1, 1).fromordinal(date(year, 1, 1).toordinal() + i) for i in range(366)
        )
        if d.year == year and d.weekday() == 5 and calendar.is_working_day(d)
    }


@pytest.mark.parametrize(
    ("day", "clock", "expected"),
    [
        (date(2026, 3, 29), time(3, 30), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # gap → 04:00
        (date(2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        (date(2026, 3, 29), time(4, 0), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (date(2026, 10, 25), time(3, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # 1st of 2
        (date(2026, 10, 25), time(4, 0), datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        (date(2027, 3, 28), time(9, 0), datetime(2027, 3, 28, 6, 0, tzinfo=UTC)),
        (date(2027, 10, 31), time(9, 0), datetime(2027, 10, 31, 7, 0, tzinfo=UTC)),
    ],
)
def test_local_times_that_do_not_exist_or_occur_twice(
    day: date, clock: time, expected: datetime
) -> None:
    assert local_to_utc(day, clock, RIGA) == expected


def test_every_local_minute_of_both_dst_days_maps_to_one_instant_in_order() -> None:
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        instants = [local_to_utc(day, time(h, m), RIGA) for h in range(24) for m in range(60)]
        assert instants == sorted(instants)  # a later wall-clock time is never sent earlier
    spring = Counter(
        local_to_utc(date(2026, 3, 29), time(h, m), RIGA) for h in range(24) for m in range(60)
    )
    # the 60 minutes that do not exist all go out at 04:00, the end of the gap
    assert spring[datetime(2026, 3, 29, 1, 0, tzinfo=UTC)] == 61
    autumn = [
        local_to_utc(date(2026, 10, 25), time(h, m), RIGA) for h in range(24) for m in range(60)
    ]
    assert len(set(autumn)) == 24 * 60  # each minute once, the repeated hour at its first time


def test_quiet_hours_move_a_send_to_their_end_and_cannot_contain_send_time(
    tmp_path: Path,
) -> None:
    from workflows.plan.errors import PlanError
    from workflows.plan.schema import QuietHours
    from workflows.schedule.planned import apply_quiet_hours

    hours = QuietHours(start=time(20, 0), end=time(8, 0))
    late = datetime(2026, 4, 2, 22, 30, tzinfo=RIGA)
    assert apply_quiet_hours(late, hours) == datetime(2026, 4, 3, 8, 0, tzinfo=RIGA)
    early = datetime(2026, 4, 3, 6, 0, tzinfo=RIGA)
    assert apply_quiet_hours(early, hours) == datetime(2026, 4, 3, 8, 0, tzinfo=RIGA)
    noon = datetime(2026, 4, 3, 12, 0, tzinfo=RIGA)
    assert apply_quiet_hours(noon, hours) == noon
    with pytest.raises(PlanError):
        with_schedule(
            tmp_path, '  send_time: "21:00"\n  quiet_hours: {start: "20:00", end: "08:00"}\n'
        )


def test_unquoted_yaml_time_is_read_as_the_clock_time(tmp_path: Path) -> None:
    plan = with_schedule(tmp_path, "  send_time: 8:30\n")
    assert plan.plan.schedule.send_time == time(8, 30)


def test_a_person_in_another_zone_gets_nine_oclock_in_their_zone(tmp_path: Path) -> None:
    text = BUNDLED.replace('name: "Anna Ozola"', 'name: "Anna Ozola", timezone: Europe/London', 1)
    assert text != BUNDLED
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    sends = planned_sends(
        context(load_plan(path)), date(2026, 4, 2), date(2026, 4, 2), activity_id=ACTIVITY
    )
    anna = next(s for s in sends if s.recipient == "anna-ozola")
    assert (anna.local.hour, anna.zone, anna.at.hour) == (9, "Europe/London", 8)


def test_table_and_json_output(year_2026: list[PlannedSend]) -> None:
    april = [s for s in year_2026 if s.local.date() == date(2026, 4, 13)]
    lines = schedule_table(april, translator("lv"))
    assert lines[0].startswith("UTC")
    assert any("#pk-dzivesvieta" in line and "kopsavilkums" in line for line in lines)
    data = json.loads(schedule_json(april))
    assert {d["at"] for d in data} == {"2026-04-13T06:00:00Z"}
    assert len({d["key"] for d in data}) == len(data)
