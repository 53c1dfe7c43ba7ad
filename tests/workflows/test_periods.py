from datetime import date, timedelta

import pytest

from workflows.periods import Period, PeriodError, iso_weeks_in_year, last_closed
from workflows.plan.schema import Frequency

F = Frequency


@pytest.mark.parametrize(
    ("text", "expected", "canonical"),
    [
        ("2026-11", Period(F.MONTHLY, 2026, 11), "2026-11"),
        ("2026-01", Period(F.MONTHLY, 2026, 1), "2026-01"),
        ("2026-Q4", Period(F.QUARTERLY, 2026, 4), "2026-Q4"),
        ("2026-q1", Period(F.QUARTERLY, 2026, 1), "2026-Q1"),
        ("2026-W48", Period(F.WEEKLY, 2026, 48), "2026-W48"),
        ("2026-w05", Period(F.WEEKLY, 2026, 5), "2026-W05"),
        ("2026-W53", Period(F.WEEKLY, 2026, 53), "2026-W53"),
        ("2026-H2", Period(F.HALF_YEARLY, 2026, 2), "2026-H2"),
        ("2026-h1", Period(F.HALF_YEARLY, 2026, 1), "2026-H1"),
        ("2026", Period(F.YEARLY, 2026, 1), "2026"),
        ("  2026-11 ", Period(F.MONTHLY, 2026, 11), "2026-11"),
    ],
)
def test_parse_and_str(text: str, expected: Period, canonical: str) -> None:
    period = Period.parse(text)
    assert period == expected
    assert str(period) == canonical
    assert Period.parse(str(period)) == period


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-13", "out_of_range"),
        ("2026-00", "out_of_range"),
        ("2026-Q5", "out_of_range"),
        ("2026-Q0", "out_of_range"),
        ("2026-W54", "out_of_range"),
        ("2026-W00", "out_of_range"),
        ("2025-W53", "out_of_range"),
        ("2026-H3", "out_of_range"),
        ("0000", "out_of_range"),
        ("26-11", "malformed"),
        ("", "malformed"),
        ("   ", "malformed"),
        ("2026-1", "malformed"),
        ("2026-W5", "malformed"),
        ("2026-Q10", "malformed"),
        ("2026/11", "malformed"),
        ("2026-M11", "malformed"),
        ("20261", "malformed"),
        ("2026-11-01", "malformed"),
        ("２０２６", "malformed"),
        ("2026-١١", "malformed"),
    ],
)
def test_parse_errors(text: str, code: str) -> None:
    with pytest.raises(PeriodError) as info:
        Period.parse(text)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)


def test_constructor_validates() -> None:
    with pytest.raises(PeriodError) as info:
        Period(F.MONTHLY, 2026, 13)
    assert info.value.code == "out_of_range"
    with pytest.raises(PeriodError):
        Period(F.YEARLY, 2026, 2)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
        ("2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        ("2026-W48", date(2026, 11, 23), date(2026, 11, 29)),
    ],
)
def test_start_end(text: str, start: date, end: date) -> None:
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)
    assert period.contains(start) and period.contains(end)
    assert not period.contains(start - timedelta(days=1))
    assert not period.contains(end + timedelta(days=1))


def test_weeks_are_monday_to_sunday() -> None:
    period = Period(F.WEEKLY, 2020, 1)
    for _ in range(300):
        assert period.start.weekday() == 0
        assert period.end.weekday() == 6
        assert period.next().start == period.end + timedelta(days=1)
        period = period.next()


@pytest.mark.parametrize(
    ("text", "following"),
    [
        ("2026-11", "2026-12"),
        ("2026-12", "2027-01"),
        ("2026-Q4", "2027-Q1"),
        ("2026-H2", "2027-H1"),
        ("2026", "2027"),
        ("2026-W52", "2026-W53"),
        ("2026-W53", "2027-W01"),
        ("2025-W52", "2026-W01"),
    ],
)
def test_next_previous(text: str, following: str) -> None:
    assert str(Period.parse(text).next()) == following
    assert str(Period.parse(following).previous()) == text


def test_consecutive_periods_tile_the_calendar() -> None:
    for frequency in F:
        period = Period.containing(frequency, date(2024, 1, 1))
        for _ in range(60):
            following = period.next()
            assert following.start == period.end + timedelta(days=1)
            assert following.previous() == period
            assert following > period
            assert following.key > period.key
            period = following


def test_year_bounds() -> None:
    with pytest.raises(PeriodError):
        Period(F.MONTHLY, 9999, 12).next()
    with pytest.raises(PeriodError):
        Period(F.MONTHLY, 1, 1).previous()


@pytest.mark.parametrize(
    ("frequency", "day", "expected"),
    [
        (F.MONTHLY, date(2026, 4, 9), "2026-04"),
        (F.QUARTERLY, date(2026, 4, 1), "2026-Q2"),
        (F.QUARTERLY, date(2026, 3, 31), "2026-Q1"),
        (F.HALF_YEARLY, date(2026, 7, 1), "2026-H2"),
        (F.YEARLY, date(2026, 12, 31), "2026"),
        (F.WEEKLY, date(2025, 12, 29), "2026-W01"),
        (F.WEEKLY, date(2027, 1, 3), "2026-W53"),
        (F.WEEKLY, date(2027, 1, 4), "2027-W01"),
    ],
)
def test_containing(frequency: Frequency, day: date, expected: str) -> None:
    period = Period.containing(frequency, day)
    assert str(period) == expected
    assert period.frequency is frequency
    assert period.contains(day)


@pytest.mark.parametrize(
    ("frequency", "today", "expected"),
    [
        (F.MONTHLY, date(2026, 4, 1), "2026-03"),
        (F.MONTHLY, date(2026, 3, 31), "2026-02"),
        (F.MONTHLY, date(2026, 1, 15), "2025-12"),
        (F.QUARTERLY, date(2026, 4, 16), "2026-Q1"),
        (F.QUARTERLY, date(2026, 1, 1), "2025-Q4"),
        (F.HALF_YEARLY, date(2026, 7, 1), "2026-H1"),
        (F.YEARLY, date(2026, 1, 1), "2025"),
        (F.WEEKLY, date(2026, 1, 5), "2026-W01"),
        (F.WEEKLY, date(2026, 1, 4), "2025-W52"),
        (F.WEEKLY, date(2027, 1, 4), "2026-W53"),
    ],
)
def test_last_closed(frequency: Frequency, today: date, expected: str) -> None:
    period = last_closed(frequency, today)
    assert str(period) == expected
    assert period.end < today
    assert not period.next().end < today


def test_key_sorts_across_years() -> None:
    texts = ["2027-01", "2026-12", "2026-02", "2025-11"]
    periods = [Period.parse(t) for t in texts]
    assert [str(p) for p in sorted(periods, key=lambda p: p.key)] == sorted(texts)
    assert sorted(periods) == sorted(periods, key=lambda p: p.key)
    assert Period.parse("2026-Q4").key == 202604


def test_iso_weeks_in_year() -> None:
    assert iso_weeks_in_year(2026) == 53
    assert iso_weeks_in_year(2025) == 52
    assert iso_weeks_in_year(2020) == 53


def test_period_is_hashable_and_frozen() -> None:
    period = Period.parse("2026-11")
    assert {period: 1}[Period(F.MONTHLY, 2026, 11)] == 1
    with pytest.raises(AttributeError):
        period.year = 2027  # type: ignore[misc]
