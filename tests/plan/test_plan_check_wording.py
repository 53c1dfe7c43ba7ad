"""Issue 13 item 3: ``plan check`` says where and what, in the reader's language.

A threshold-order error pointed at the indicator's ``- id:`` line and hid the values; PyYAML's
and pydantic's English appeared inside Latvian output; ``target: "4,5"`` got no hint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.i18n import Translator
from bot.plan_report import format_issues
from workflows.plan.errors import PlanError, PlanIssue
from workflows.plan.loader import load_plan

WritePlan = Callable[..., Path]
LineOf = Callable[..., int]


def _refused(path: Path) -> tuple[PlanIssue, ...]:
    with pytest.raises(PlanError) as refused:
        load_plan(path)
    return refused.value.issues


def test_threshold_order_points_at_the_threshold_and_shows_the_values(
    bundled_text: str, write_plan: WritePlan, line_of: LineOf, lv: Translator, en: Translator
) -> None:
    # dd-incidents-in-sla is higher_is_better: 95.0 / 95.0 / 90.0; a critical above warning
    text = bundled_text.replace("critical: 90.0", "critical: 97.0", 1)
    issues = _refused(write_plan(text))
    (issue,) = issues
    assert issue.line == line_of(text, "critical: 97.0")
    assert issue.path.endswith(".critical")
    (latvian,) = format_issues(issues, lv)
    assert "95,0" in latvian and "97,0" in latvian
    assert "lielāka vērtība ir labāka" in latvian
    (english,) = format_issues(issues, en)
    assert "target 95.0, warning 95.0, critical 97.0" in english
    assert "higher is better" in english


@pytest.mark.parametrize(
    ("direction", "old", "new", "rule"),
    [
        (
            "higher_is_better",
            "critical: 90.0",
            "critical: 96.5",
            "gaidīts: kritiskais slieksnis ≤ brīdinājuma slieksnis ≤ mērķa vērtība",
        ),
        (
            "lower_is_better",
            "warning: 1.5",
            "warning: 0.5",
            "gaidīts: mērķa vērtība ≤ brīdinājuma slieksnis ≤ kritiskais slieksnis",
        ),
    ],
)
def test_threshold_order_in_latvian_has_decimal_commas_and_the_rule_in_latvian(
    bundled_text: str,
    write_plan: WritePlan,
    lv: Translator,
    en: Translator,
    direction: str,
    old: str,
    new: str,
    rule: str,
) -> None:
    assert old in bundled_text
    issues = _refused(write_plan(bundled_text.replace(old, new, 1)))
    (issue,) = issues
    assert issue.params["direction"] == direction
    (latvian,) = format_issues(issues, lv)
    assert latvian.endswith(rule)
    message = latvian.split(": ", 2)[-1]
    assert "." not in message.replace("..", "")  # no decimal point in a Latvian sentence
    assert "<=" not in message and "critical" not in message and "target" not in message
    assert ("96,5" if "96.5" in new else "0,5") in latvian
    (english,) = format_issues(issues, en)
    assert english.endswith(issue.params["rule"])  # English keeps the plan's own keys
    assert ("96.5" if "96.5" in new else "0.5") in english


def test_threshold_precision_and_range_name_the_threshold_in_latvian_with_decimal_commas(
    bundled_text: str, write_plan: WritePlan, lv: Translator, en: Translator
) -> None:
    # dd-within-sla: target 95.0, warning 95.0, critical 90.0, one decimal, 0..100
    assert "critical: 90.0\n        decimals: 1\n        minimum: 0\n" in bundled_text
    precise = bundled_text.replace("critical: 90.0", "critical: 90.25", 1)
    (latvian,) = format_issues(_refused(write_plan(precise)), lv)
    assert latvian.endswith(
        ": Kritiskais slieksnis: vairāk ciparu aiz komata, nekā rādītājs attēlo; "
        "gaidīts ne vairāk kā 1"
    )
    outside = bundled_text.replace(
        "critical: 90.0\n        decimals: 1\n        minimum: 0\n",
        "critical: 90.0\n        decimals: 1\n        minimum: 92.5\n",
        1,
    )
    issues = _refused(write_plan(outside))
    (latvian,) = format_issues(issues, lv)
    assert latvian.endswith(
        ": Kritiskais slieksnis: ārpus pieļaujamo vērtību robežām; gaidīts robežās 92,5..100"
    )
    (english,) = format_issues(issues, en)
    assert english.endswith(
        ": Critical threshold is outside the range values may take; expected within 92.5..100"
    )


@pytest.mark.parametrize("written", ['"4,5"', "4,5"])
def test_a_decimal_comma_in_a_number_gets_the_fix(
    bundled_text: str, write_plan: WritePlan, lv: Translator, written: str
) -> None:
    assert "target: 1.0" in bundled_text
    issues = _refused(write_plan(bundled_text.replace("target: 1.0", f"target: {written}", 1)))
    (issue,) = issues
    assert issue.code == "decimal_comma" and issue.params["fixed"] == "4.5"
    (line,) = format_issues(issues, lv)
    assert "4.5" in line and "punkt" in line


def test_a_yaml_syntax_error_is_in_latvian_with_the_original_in_parentheses(
    write_plan: WritePlan, lv: Translator
) -> None:
    issues = _refused(write_plan("organisation:\n  name: Novads: dome\n"))
    (line,) = format_issues(issues, lv)
    # libyaml and pure-Python PyYAML word it slightly differently; both are recognised
    assert "(mapping values are not allowed " in line
    assert "kols" in line.lower()


def test_a_validator_text_is_in_latvian_with_the_original_in_parentheses(
    bundled_text: str, write_plan: WritePlan, lv: Translator
) -> None:
    text = bundled_text.replace(
        "\nschedule:",
        '\nschedule:\n  send_time: "21:00"\n  quiet_hours: {start: "20:00", end: "08:00"}',
        1,
    )
    (line,) = format_issues(_refused(write_plan(text)), lv)
    assert "(send_time falls inside quiet_hours)" in line
    assert "klusuma" in line
