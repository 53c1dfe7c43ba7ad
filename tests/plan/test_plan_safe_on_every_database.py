"""Issue 13 item 14: a plan that passes ``plan check`` works on every database.

A NUL in a person's name passed and then every command failed on PostgreSQL ("text fields
cannot contain NUL"); a bidi override in a label passed; a 55 MB plan took 55 s and 2.1 GB of
memory to be refused. Control and direction characters are refused with their line, and a
plan over the size limit is refused before it is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.i18n import Translator
from bot.plan_report import format_issues
from workflows.plan.errors import PlanError, PlanIssue
from workflows.plan.loader import MAX_PLAN_BYTES, load_plan

WritePlan = Callable[..., Path]
LineOf = Callable[..., int]


def _refused(path: Path) -> tuple[PlanIssue, ...]:
    with pytest.raises(PlanError) as refused:
        load_plan(path)
    return refused.value.issues


@pytest.mark.parametrize(
    ("escape", "char"),
    [("\\0", "U+0000"), ("\\x07", "U+0007"), ("\\u202E", "U+202E"), ("\\u2066", "U+2066")],
)
def test_control_and_direction_characters_are_refused_with_their_line(
    bundled_text: str,
    write_plan: WritePlan,
    line_of: LineOf,
    lv: Translator,
    escape: str,
    char: str,
) -> None:
    assert 'name: "Anna Ozola"' in bundled_text
    text = bundled_text.replace('name: "Anna Ozola"', f'name: "Anna{escape} Ozola"', 1)
    issues = _refused(write_plan(text))
    (issue,) = issues
    assert (issue.code, issue.params["char"]) == ("control_characters", char)
    assert issue.line == line_of(text, "Anna\\")
    (line,) = format_issues(issues, lv)
    assert char in line and "rakstzīme" in line


def test_a_bidi_override_in_a_label_is_refused(bundled_text: str, write_plan: WritePlan) -> None:
    assert '{lv: "Dzīvesvietas deklarēšana"' in bundled_text
    text = bundled_text.replace(
        '{lv: "Dzīvesvietas deklarēšana"', '{lv: "Dzīvesvietas \\u202Edeklarēšana"', 1
    )
    (issue,) = _refused(write_plan(text))
    assert issue.code == "control_characters" and issue.path.endswith(".lv")


def test_line_breaks_and_tabs_in_a_block_text_pass(
    bundled_text: str, write_plan: WritePlan
) -> None:
    text = bundled_text.replace('name: "Anna Ozola"', 'name: "Anna\\tOzola"', 1)
    assert load_plan(write_plan(text)).person("anna-ozola").name == "Anna\tOzola"


def test_a_plan_over_the_size_limit_is_refused_at_once(
    bundled_text: str, write_plan: WritePlan, en: Translator
) -> None:
    padding = "# " + "x" * 1000 + "\n"
    text = bundled_text + padding * (MAX_PLAN_BYTES // len(padding) + 1)
    path = write_plan(text)
    started = time.perf_counter()
    issues = _refused(path)
    assert time.perf_counter() - started < 1.0
    (issue,) = issues
    assert issue.code == "plan_too_large"
    (line,) = format_issues(issues, en)
    assert "The plan is 6 MB; expected at most 5 MB" in line
