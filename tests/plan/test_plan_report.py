"""format_issues and format_overview: line shape, translations and plural forms."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import pytest
from babel.support import NullTranslations

from bot.i18n import Translator
from bot.plan_overview import format_overview
from bot.plan_report import MESSAGES, format_issues
from workflows.plan.errors import PlanError, PlanIssue
from workflows.plan.loader import load_default_plan, load_plan

SHAPE = re.compile(r"^[^:]+:\d+: \S+: .+")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _issues(path: Path) -> tuple[PlanIssue, ...]:
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    return caught.value.issues


def _sample_issues(tmp_path: Path) -> list[PlanIssue]:
    """One issue of every code, with every placeholder of its message filled."""
    out = []
    for code, msgid in sorted(MESSAGES.items()):
        params = {name: f"<{name}>" for name in _placeholders(msgid)}
        if code == "wrong_type":
            params["expected"] = "id | 'A'"
        if code == "unknown_reference":
            params["kind"] = "person"
        out.append(PlanIssue(tmp_path / "plan.yaml", 7, "services[0].id", code, params))
    out.append(PlanIssue(tmp_path / "plan.yaml", 1, "", "yaml_syntax", {"problem": "x"}))
    return out


@pytest.mark.parametrize("lang", ["en", "lv"])
def test_every_line_has_the_file_line_path_message_shape(
    lang: str, request: pytest.FixtureRequest, data_dir: Path, tmp_path: Path
) -> None:
    t: Translator = request.getfixturevalue(lang)
    issues = [
        *_issues(data_dir / "three-mistakes.yaml"),
        *_issues(data_dir / "duplicate-keys.yaml"),
        *_sample_issues(tmp_path),
    ]
    lines = format_issues(issues, t, base=data_dir)
    assert len(lines) == len(issues)
    for line in lines:
        assert SHAPE.match(line), line
        assert "{" not in line, line


def test_english_issue_line(data_dir: Path, en: Translator) -> None:
    lines = format_issues(_issues(data_dir / "unknown-key.yaml"), en, base=data_dir)
    assert lines == [
        'unknown-key.yaml:50: services[0].indicators[1].colour: Unknown key "colour"; '
        "expected one of: id, label, control_type, kind, unit, value_type, direction, target, "
        "warning, critical, decimals, minimum, maximum, frequency, measured_by, approved_by, "
        "data_source, method, allow_skip, requires_approval, options"
    ]


def test_latvian_issue_lines(data_dir: Path, lv: Translator) -> None:
    lines = format_issues(_issues(data_dir / "three-mistakes.yaml"), lv, base=data_dir.parent)
    assert lines[0].startswith("data/three-mistakes.yaml:5: organisation.scale: Vērtība")
    assert lines[1] == (
        'data/three-mistakes.yaml:8: colour: Nezināma atslēga "colour"; gaidīta viena no: '
        "version, organisation, locale, timezone, admins, admin_channel, "
        "decision_after_warnings, decision_within_working_days, form_timeout_minutes, "
        "schedule, roles, people, channels, services, resources"
    )
    assert lines[2].endswith('Nav norādīta obligātā atslēga "en"')


def test_expected_words_are_translated(tmp_path: Path, lv: Translator, en: Translator) -> None:
    issue = PlanIssue(tmp_path / "p.yaml", 3, "x", "wrong_type", {"expected": "id | 'A'"})
    assert format_issues([issue], en)[0].endswith("expected: id or 'A'")
    assert format_issues([issue], lv)[0].endswith("gaidīts: identifikators vai 'A'")
    ref = PlanIssue(
        tmp_path / "p.yaml",
        3,
        "x",
        "unknown_reference",
        {"kind": "channel", "value": "v", "allowed": "a, b"},
    )
    assert 'Nezināma atsauce (kanāls): "v"' in format_issues([ref], lv)[0]


def test_files_outside_base_and_unknown_codes(tmp_path: Path, en: Translator) -> None:
    issue = PlanIssue(Path("/elsewhere/p.yaml"), 2, "", "brand_new_code", {})
    assert format_issues([issue], en, base=tmp_path) == [
        "/elsewhere/p.yaml:2: (plan): Problem brand_new_code"
    ]


def test_overview_in_english(en: Translator) -> None:
    lines = format_overview(load_default_plan(None), en)
    assert lines[:2] == [
        "Plan: Sample Municipality (fictional)",
        "13 people, 7 channels, 2 services, 1 resource, 14 indicators",
    ]
    assert lines[2] == (
        "• Declaration of place of residence — service scale — 5 indicators "
        "(monthly: 3; quarterly: 2)"
    )
    assert lines[3] == "    dd-avg-processing — Average processing time per declaration"
    activities = [line for line in lines if line.startswith("• ")]
    assert len(activities) == 3
    assert activities[2].startswith("• Document management system (DMS) — resource scale")
    ids = [line.split(" — ")[0].strip() for line in lines[2:] if line.startswith("    ")]
    assert len(ids) == 14 and ids[-1] == "dvs-user-satisfaction"  # every indicator's id


def test_overview_in_latvian_uses_the_three_plural_forms(lv: Translator) -> None:
    lines = format_overview(load_default_plan(None), lv)
    assert lines[:2] == [
        "Plāns: Parauga novada pašvaldība",
        "13 personu, 7 kanāli, 2 pakalpojumi, 1 resurss, 14 rādītāju",
    ]
    assert lines[2] == (
        "• Dzīvesvietas deklarēšana — pakalpojuma mērogs — 5 rādītāji "
        "(reizi mēnesī: 3; reizi ceturksnī: 2)"
    )


class _Recorder(NullTranslations):
    def __init__(self) -> None:
        super().__init__()
        self.seen: set[Any] = set()

    def gettext(self, message: str) -> str:
        self.seen.add(message)
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self.seen.add((singular, plural))
        return singular if n == 1 else plural
