"""Values, dates and periods as people read them, in Latvian and English (Babel/CLDR)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.formatting import fmt_date, fmt_datetime, fmt_period, fmt_value
from bot.i18n import translator
from workflows.plan.schema import Unit

RIGA = ZoneInfo("Europe/Riga")
PERCENT = Unit(code="percent", lv="%", en="%")
EUR = Unit(code="EUR", lv="EUR", en="EUR")
DAYS = Unit(code="working_days", lv="darba dienas", en="working days")


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "lv", "en"),
    [
        (Decimal("88.5"), PERCENT, 1, "88,5%", "88.5%"),
        (Decimal("6.2"), EUR, 2, "6,20\u00a0€", "€6.20"),
        (Decimal("1234.5"), EUR, 2, "1\u00a0234,50\u00a0€", "€1,234.50"),
        (Decimal("4.25"), DAYS, 1, "4,3 darba dienas", "4.3 working days"),  # half up, not even
        (Decimal("12500"), DAYS, 0, "12\u00a0500 darba dienas", "12,500 working days"),
    ],
)
def test_values_with_units(value: Decimal, unit: Unit, decimals: int, lv: str, en: str) -> None:
    assert fmt_value(value, unit, decimals, translator("lv")) == lv
    assert fmt_value(value, unit, decimals, translator("en")) == en


def test_dates_use_the_latvian_numeric_form_and_english_day_month() -> None:
    assert fmt_date(date(2026, 4, 9), translator("lv")) == "09.04.2026."
    assert fmt_date(date(2026, 4, 9), translator("en")) == "9 Apr 2026"


@pytest.mark.parametrize(
    ("period", "lv", "en"),
    [
        ("2026-03", "2026. gada marts", "March 2026"),
        ("2026-Q1", "2026. gada 1. ceturksnis", "Q1 2026"),
        ("2026-W48", "2026. gada 48. nedēļa", "week 48 of 2026"),
        ("2026-H2", "2026. gada 2. pusgads", "H2 2026"),
        ("2026", "2026. gads", "year 2026"),
    ],
)
def test_periods(period: str, lv: str, en: str) -> None:
    assert fmt_period(period, translator("lv")) == lv
    assert fmt_period(period, translator("en")) == en


@pytest.mark.parametrize(
    ("instant", "shown_lv"),
    [
        (datetime(2026, 3, 2, 7, 0, tzinfo=UTC), "02.03.2026. plkst. 09:00"),  # EET, UTC+2
        (datetime(2026, 6, 2, 6, 0, tzinfo=UTC), "02.06.2026. plkst. 09:00"),  # EEST, UTC+3
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "29.03.2026. plkst. 02:30"),  # before the jump
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "29.03.2026. plkst. 04:30"),  # 03:30 skipped
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25.10.2026. plkst. 03:30"),  # first 03:30
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25.10.2026. plkst. 03:30"),  # second one
    ],
)
def test_instants_are_shown_in_riga_time_across_both_dst_changes(
    instant: datetime, shown_lv: str
) -> None:
    assert fmt_datetime(instant, RIGA, translator("lv")) == shown_lv


def test_english_date_time() -> None:
    instant = datetime(2026, 11, 3, 7, 48, tzinfo=UTC)
    assert fmt_datetime(instant, RIGA, translator("en")) == "3 Nov 2026, 09:48"
