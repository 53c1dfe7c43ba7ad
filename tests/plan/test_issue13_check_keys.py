"""Issue 13 item 16: the plan keys of yes/no and choice indicators, and their mistakes.

Every mistake is one issue at the indicator with its own code, and reads in Latvian and
English; unquoted YAML ``yes``/``no`` (booleans to YAML 1.1) still name the options.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.i18n import Translator
from bot.plan_overview import format_readiness
from bot.plan_report import format_issues
from tests.support.checks import ACTIVITY, CHECKS, CHOICE, YES_NO
from workflows.plan.changes import diff
from workflows.plan.errors import PlanError
from workflows.plan.loader import bundled_plan_path, load_plan
from workflows.plan.readiness import activity_readiness
from workflows.plan.schema import OptionStatus


def _write(tmp_path: Path, *checks: dict[str, Any]) -> Path:
    plan: dict[str, Any] = yaml.safe_load(
        (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
    )
    for activity in plan["services"]:
        if activity["id"] == ACTIVITY:
            activity["control_depth"] = "deep"
            activity["indicators"] = [*activity["indicators"], *checks]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _check(index: int, **changes: Any) -> dict[str, Any]:
    found = copy.deepcopy(CHECKS[index])
    for key, value in changes.items():
        if value is None:
            found.pop(key, None)
        else:
            found[key] = value
    return found


def test_a_yes_no_indicator_needs_no_more_than_its_type(tmp_path: Path) -> None:
    plan = load_plan(_write(tmp_path, *CHECKS))
    _activity, indicator = plan.indicator(YES_NO)
    assert [(o.id, o.status) for o in indicator.options] == [
        ("yes", OptionStatus.OK),
        ("no", OptionStatus.CRITICAL),
    ]
    assert indicator.target_option == "yes" and indicator.is_choice
    assert indicator.bounds == (Decimal(1), Decimal(2))
    _activity, choice = plan.indicator(CHOICE)
    assert choice.option_at(Decimal(3)) == choice.option("contract")
    assert choice.option_at(Decimal(5)) is None and choice.option_number("stalled") == 4


def test_unquoted_yaml_yes_and_no_name_the_options(tmp_path: Path) -> None:
    path = _write(tmp_path, _check(0))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.strip() == "value_type: yes_no")
    pad = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    unquoted = ["options:\n", "  - {id: yes, status: ok}\n", "  - {id: no, status: warning}\n"]
    lines[at + 1 : at + 1] = [pad + line for line in [*unquoted, "target: yes\n"]]
    path.write_text("".join(lines), encoding="utf-8")
    assert "{id: no, status: warning}" in path.read_text(encoding="utf-8")
    _activity, indicator = load_plan(path).indicator(YES_NO)
    assert [(o.id, o.status.value) for o in indicator.options] == [
        ("yes", "ok"),
        ("no", "warning"),
    ]
    assert indicator.target_option == "yes"


CASES: list[tuple[dict[str, Any], str, dict[str, str], str, str]] = [
    (
        _check(1, unit={"code": "x", "lv": "x", "en": "x"}),
        "choice_numeric_key",
        {"key": "unit", "value_type": "choice"},
        'Rādītājam ar tipu choice nav atslēgas "unit"',
        'A choice indicator has no "unit"',
    ),
    (
        _check(1, target="finished"),
        "choice_target",
        {"value": "finished", "allowed": "planning, announced, contract, stalled"},
        'Mērķis "finished" nav neviena no izvēles iespējām',
        'Target "finished" is not an option; expected one of: planning, announced',
    ),
    (
        _check(1, target="planning"),
        "choice_target_not_ok",
        {"value": "planning"},
        'Mērķa izvēles iespējas "planning" statuss nav ok',
        'The target option "planning" does not have status ok',
    ),
    (
        _check(1, options=[{"id": "a", "label": {"lv": "A", "en": "A"}, "status": "ok"}]),
        "choice_option_count",
        {"count": "1"},
        "Izvēles iespēju skaits: 1; gaidīts: no 2 līdz 12",
        "Number of options: 1; expected: 2 to 12",
    ),
    (
        _check(
            1,
            options=[
                {"id": "contract", "label": {"lv": "A", "en": "A"}, "status": "ok"},
                {"id": "contract", "label": {"lv": "B", "en": "B"}, "status": "critical"},
            ],
        ),
        "choice_option_twice",
        {"value": "contract"},
        'Izvēles iespēja "contract" norādīta divreiz',
        'Option "contract" is listed twice',
    ),
    (
        _check(1, options=[{"id": "contract", "status": "ok"}, {"id": "x", "status": "ok"}]),
        "choice_option_label",
        {"value": "contract"},
        'Izvēles iespējai "contract" nav nosaukuma',
        'Option "contract" has no label',
    ),
    (
        _check(0, options=[{"id": "yes", "status": "ok"}, {"id": "maybe", "status": "warning"}]),
        "yes_no_options",
        {"value": "yes, maybe"},
        'Izvēles iespējas ir "yes, maybe"; gaidīts: yes un no',
        'The options are "yes, maybe"; expected: yes and no',
    ),
    (
        {
            **_check(1, value_type="number", target=None, options=None),
            "unit": {"code": "x", "lv": "x", "en": "x"},
            "direction": "higher_is_better",
            "target": 1,
            "warning": 1,
            "critical": 0,
            "options": [{"id": "a", "status": "ok"}, {"id": "b", "status": "ok"}],
        },
        "options_not_choice",
        {},
        "Izvēles iespējas ir tikai jā/nē un izvēles rādītājiem",
        "Only yes/no and choice indicators have options",
    ),
]


@pytest.mark.parametrize(("check", "code", "params", "lv_text", "en_text"), CASES)
def test_every_check_mistake_is_an_issue_in_both_languages(
    tmp_path: Path,
    check: dict[str, Any],
    code: str,
    params: dict[str, str],
    lv_text: str,
    en_text: str,
    lv: Translator,
    en: Translator,
) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(_write(tmp_path, check))
    (issue,) = caught.value.issues
    assert (issue.code, dict(issue.params)) == (code, params)
    at = {"choice_numeric_key": "unit", "choice_target": "target"}
    at["choice_target_not_ok"] = "target"
    assert issue.path == "services[1].indicators[4]." + at.get(code, "options")  # its own line
    assert f"{at.get(code, 'options')}:" in issue.file.read_text().splitlines()[issue.line - 1]
    (lv_line,) = format_issues([issue], lv, base=tmp_path)
    (en_line,) = format_issues([issue], en, base=tmp_path)
    assert lv_text in lv_line and en_text in en_line, (lv_line, en_line)


def test_plan_apply_lists_a_checks_new_target_and_option_statuses(tmp_path: Path) -> None:
    old = load_plan(_write(tmp_path, *CHECKS)).plan.model_dump(mode="json")
    options = [
        {"id": "yes", "status": "ok"},
        {"id": "no", "status": "warning"},
    ]
    changed = _check(1, target="announced")
    new_path = _write(tmp_path, _check(0, options=options), changed)
    new = load_plan(new_path).plan.model_dump(mode="json")
    found = [(c.subject.split("/")[1], c.key, c.before, c.after) for c in diff(old, new)]
    assert found == [
        (YES_NO, "options", "yes: ok, no: critical", "yes: ok, no: warning"),
        (CHOICE, "target", "contract", "announced"),
    ]


def test_readiness_names_a_check_that_can_never_call_for_action(
    tmp_path: Path, en: Translator
) -> None:
    all_ok = [
        {"id": "a", "label": {"lv": "A", "en": "A"}, "status": "ok"},
        {"id": "b", "label": {"lv": "B", "en": "B"}, "status": "ok"},
    ]
    plan = load_plan(_write(tmp_path, _check(0), _check(1, options=all_ok, target="a")))
    gaps = activity_readiness(plan, plan.activity(ACTIVITY)).gaps
    assert [(g.code, g.items) for g in gaps if "graded" in g.code] == [
        ("no_graded_options", (CHOICE,))
    ]
    assert "no option is a warning or critical" in "\n".join(format_readiness(plan, en))
