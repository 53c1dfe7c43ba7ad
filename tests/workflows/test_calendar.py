from datetime import date, timedelta

import holidays
import pytest

from workflows.calendar import WorkingCalendar
from workflows.periods import Period


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_worked_example_monthly_march_2026(cal: WorkingCalendar) -> None:
    """domain.md §3.1: period March 2026, due on the 5th working day of April."""
    assert not cal.is_working_day(date(2026, 4, 3))  # Good Friday
    assert not cal.is_working_day(date(2026, 4, 6))  # Easter Monday
    due = cal.due_date(Period.parse("2026-03"), 5)
    assert due == date(2026, 4, 9)
    assert cal.add_working_days(due, -3) == date(2026, 4, 2)  # reminder
    assert cal.add_working_days(due, 2) == date(2026, 4, 13)  # escalation
    assert cal.nth_working_day_from(date(2026, 4, 1), 7) == date(2026, 4, 13)  # summary


def test_worked_example_quarterly_q1_2026(cal: WorkingCalendar) -> None:
    assert cal.due_date(Period.parse("2026-Q1"), 10) == date(2026, 4, 16)


def test_decision_deadline_ten_working_days_after(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 4, 13), 10) == date(2026, 4, 27)
    assert cal.working_days_between(date(2026, 4, 13), date(2026, 4, 27)) == 10


def test_november_2026(cal: WorkingCalendar) -> None:
    assert cal.due_date(Period.parse("2026-10"), 5) == date(2026, 11, 6)
    assert not cal.is_working_day(date(2026, 11, 18))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 17), True),  # Saturday worked instead of 02.01.2026
        (date(2026, 1, 2), False),
        (date(2026, 6, 27), True),  # Saturday worked instead of 22.06.2026
        (date(2026, 6, 22), False),
        (date(2025, 5, 10), True),  # Saturday worked instead of 02.05.2025
        (date(2025, 5, 2), False),
        (date(2025, 11, 8), True),
        (date(2025, 11, 17), False),
        (date(2026, 1, 10), False),  # an ordinary Saturday
        (date(2026, 1, 11), False),  # an ordinary Sunday
        (date(2026, 1, 12), True),  # an ordinary Monday
    ],
)
def test_moved_working_days(cal: WorkingCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_weekend_holidays_move_to_monday(cal: WorkingCalendar) -> None:
    assert date(2029, 11, 18).weekday() == 6
    assert not cal.is_working_day(date(2029, 11, 19))
    assert cal.is_working_day(date(2029, 11, 20))
    assert date(2025, 5, 4).weekday() == 6
    assert not cal.is_working_day(date(2025, 5, 5))


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2026, 6, 23),
        date(2026, 6, 24),
        date(2026, 5, 1),
    ],
)
def test_holidays_are_days_off(cal: WorkingCalendar, day: date) -> None:
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day)


def test_whole_year_2026(cal: WorkingCalendar) -> None:
    # 261 weekdays, 13 weekday holidays or transferred days off, 2 working Saturdays.
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    package = holidays.country_holidays("LV", years=2026)
    assert cal.working_days_in(first, last) == 250
    assert package.get_working_days_count(first, last) == 250
    assert cal.working_days_between(date(2025, 12, 31), last) == 250


def test_agrees_with_package_day_by_day(cal: WorkingCalendar) -> None:
    package = holidays.country_holidays("LV", years=range(2024, 2031))
    day = date(2024, 1, 1)
    while day <= date(2030, 12, 31):
        assert cal.is_working_day(day) is package.is_working_day(day), day
        day += timedelta(days=1)


def test_nth_working_day_from(cal: WorkingCalendar) -> None:
    assert cal.nth_working_day_from(date(2026, 4, 1), 1) == date(2026, 4, 1)
    assert cal.nth_working_day_from(date(2026, 4, 3), 1) == date(2026, 4, 7)
    assert cal.nth_working_day_from(date(2026, 1, 17), 1) == date(2026, 1, 17)
    with pytest.raises(ValueError):
        cal.nth_working_day_from(date(2026, 4, 1), 0)


def test_due_date_over_new_year(cal: WorkingCalendar) -> None:
    assert cal.due_date(Period.parse("2026-12"), 5) == date(2027, 1, 8)
    assert cal.due_date(Period.parse("2026-W53"), 2) == date(2027, 1, 5)
    assert cal.due_date(Period.parse("2026-Q4"), 1) == date(2027, 1, 4)
    assert cal.due_date(Period.parse("2026-W52"), 2) == date(2026, 12, 29)


def test_add_working_days(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 1, 10), 0) == date(2026, 1, 10)  # Saturday kept
    assert cal.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert cal.add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 2)
    assert cal.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert cal.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)
    assert cal.add_working_days(date(2027, 1, 4), -1) == date(2026, 12, 30)
    assert cal.add_working_days(date(2026, 1, 16), 1) == date(2026, 1, 17)


def test_working_days_between_is_inverse_of_add(cal: WorkingCalendar) -> None:
    start = date(2025, 12, 20)
    for offset in range(0, 30, 3):
        day = start + timedelta(days=offset)
        for n in range(-12, 13):
            assert cal.working_days_between(day, cal.add_working_days(day, n)) == n


def test_working_days_between_signs(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2026, 4, 9), date(2026, 4, 9)) == 0
    assert cal.working_days_between(date(2026, 4, 9), date(2026, 4, 13)) == 2
    assert cal.working_days_between(date(2026, 4, 13), date(2026, 4, 9)) == -2
    assert cal.working_days_in(date(2026, 4, 13), date(2026, 4, 9)) == 0


def test_years_are_loaded_lazily_in_any_order() -> None:
    cal = WorkingCalendar()
    assert cal.is_working_day(date(2030, 1, 2))
    assert not cal.is_working_day(date(2020, 1, 1))
    assert cal.is_working_day(date(2024, 12, 28))  # a working Saturday between the two
    assert not cal.is_working_day(date(2035, 12, 25))


def test_many_threads_asking_a_fresh_calendar_all_get_answers() -> None:
    """Database work runs in worker threads: a half-built year range must never be seen."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import date as day

    calendar = WorkingCalendar()
    years = [2026, 1990, 2050, 2026, 2100, 1990, 2026, 2077] * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda y: calendar.is_working_day(day(y, 11, 18)), years))
    expected = {y: WorkingCalendar().is_working_day(day(y, 11, 18)) for y in set(years)}
    assert answers == [expected[y] for y in years]
