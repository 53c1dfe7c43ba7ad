"""Plan values that would break evaluation or storage are refused by `plan check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.plan.errors import PlanError
from workflows.plan.loader import bundled_plan_path, load_plan

BUNDLED = (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
FIRST_TARGET = "        target: 1.0\n"  # dd-avg-processing, decimals 1


def _codes(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    return [issue.code for issue in caught.value.issues]


def test_bundled_plan_has_the_line_these_tests_edit() -> None:
    assert FIRST_TARGET in BUNDLED


@pytest.mark.parametrize(
    ("replacement", "code"),
    [
        ("        target: 1.05\n", "thresholds_precision"),
        ("        target: 1e400\n", "too_large"),
        ("        target: .nan\n", "wrong_type"),
    ],
)
def test_unusable_numbers_are_refused(tmp_path: Path, replacement: str, code: str) -> None:
    assert code in _codes(tmp_path, BUNDLED.replace(FIRST_TARGET, replacement, 1))


def test_percent_thresholds_must_lie_within_0_and_100(tmp_path: Path) -> None:
    text = BUNDLED.replace("        target: 95.0\n", "        target: 195.0\n", 1)
    assert "threshold_out_of_range" in _codes(tmp_path, text)


def test_blank_label_is_refused(tmp_path: Path) -> None:
    text = BUNDLED.replace('lv: "Parauga novada pašvaldība"', 'lv: "\u200b"', 1)
    assert "empty" in _codes(tmp_path, text)


@pytest.mark.parametrize("value", ["true", '"1"'])
def test_decimals_must_be_a_whole_number(tmp_path: Path, value: str) -> None:
    text = BUNDLED.replace("        decimals: 1\n", f"        decimals: {value}\n", 1)
    assert _codes(tmp_path, text)


def test_host_dependent_time_zone_is_refused(tmp_path: Path) -> None:
    text = BUNDLED.replace("timezone: Europe/Riga", "timezone: localtime", 1)
    assert "unknown_timezone" in _codes(tmp_path, text)
