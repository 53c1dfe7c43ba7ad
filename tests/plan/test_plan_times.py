"""Issue 13 item 2: every clock time in the plan is "9:00" or "09:00"; a number is refused.

``send_time: 9`` used to schedule at 00:09 and ``send_time: 9.00`` at 00:00 with
``plan check`` silent, while the quoted ``"9:00"`` got pydantic's English "Input should be in a
valid time format".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest

from bot.i18n import Translator
from bot.plan_report import format_issues
from workflows.plan.errors import PlanError
from workflows.plan.loader import load_plan

WritePlan = Callable[..., Path]
SCHEDULE = "schedule:"


def _with(bundled_text: str, write_plan: WritePlan, lines: str) -> Path:
    assert bundled_text.count("\nschedule:") == 1
    return write_plan(bundled_text.replace("\nschedule:", "\nschedule:\n" + lines, 1))


@pytest.mark.parametrize(
    ("written", "expected"),
    [('"9:00"', time(9)), ('"09:00"', time(9)), ("9:00", time(9)), ("'08:30'", time(8, 30))],
)
def test_send_time_in_hours_and_minutes_is_accepted(
    bundled_text: str, write_plan: WritePlan, written: str, expected: time
) -> None:
    plan = load_plan(_with(bundled_text, write_plan, f"  send_time: {written}"))
    assert plan.plan.schedule.send_time == expected


@pytest.mark.parametrize(("written", "hint"), [("9", "09:00"), ("9.00", "09:00"), ("17", "17:00")])
def test_send_time_as_a_number_is_refused_with_the_fix(
    bundled_text: str, write_plan: WritePlan, lv: Translator, written: str, hint: str
) -> None:
    path = _with(bundled_text, write_plan, f"  send_time: {written}")
    with pytest.raises(PlanError) as refused:
        load_plan(path)
    (issue,) = refused.value.issues
    assert (issue.code, issue.path, issue.line) == ("clock_time", "schedule.send_time", 30)
    assert issue.params["hint"] == hint
    (line,) = format_issues(refused.value.issues, lv)
    assert f'"{hint}"' in line and "Input should" not in line


def test_quiet_hours_take_the_same_times(
    bundled_text: str, write_plan: WritePlan, en: Translator
) -> None:
    good = _with(bundled_text, write_plan, '  quiet_hours: {start: "21:00", end: "7:00"}')
    quiet = load_plan(good).plan.schedule.quiet_hours
    assert quiet is not None and (quiet.start, quiet.end) == (time(21), time(7))
    bad = _with(bundled_text, write_plan, '  quiet_hours: {start: 21, end: "07:00"}')
    with pytest.raises(PlanError) as refused:
        load_plan(bad)
    (line,) = format_issues(refused.value.issues, en)
    assert "schedule.quiet_hours.start" in line and '"21:00"' in line
