"""Bad plans: every mistake is reported with its exact file, line, key path and code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from workflows.plan.errors import PlanError, PlanIssue
from workflows.plan.loader import load_plan

WritePlan = Callable[..., Path]
LineOf = Callable[..., int]


def _issues(path: Path) -> tuple[PlanIssue, ...]:
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert caught.value.issues, "a PlanError must carry issues"
    return caught.value.issues


def test_unknown_key_inside_an_indicator_has_its_exact_line(data_dir: Path) -> None:
    path = data_dir / "unknown-key.yaml"
    (issue,) = _issues(path)
    assert (issue.file, issue.line) == (path, 50)
    assert issue.path == "services[0].indicators[1].colour"
    assert issue.code == "unknown_key"
    assert issue.params["key"] == "colour"
    assert "control_type" in issue.params["allowed"].split(", ")


def test_duplicate_yaml_keys_are_detected(data_dir: Path) -> None:
    found = [
        (i.line, i.path, i.code, Path(i.params["first"]).name)
        for i in _issues(data_dir / "duplicate-keys.yaml")
    ]
    assert found == [
        (6, "organisation.scale", "duplicate_key", "duplicate-keys.yaml:5"),
        (9, "admin_channel", "duplicate_key", "duplicate-keys.yaml:8"),
        (12, "people[0].name", "duplicate_key", "duplicate-keys.yaml:12"),
    ]


def test_all_mistakes_are_reported_at_once(data_dir: Path) -> None:
    found = [(i.line, i.path, i.code) for i in _issues(data_dir / "three-mistakes.yaml")]
    assert found == [
        (5, "organisation.scale", "not_one_of"),
        (8, "colour", "unknown_key"),
        (13, "channels[0].label.en", "missing"),
    ]


# (old text, new text, code, path, text on the expected line or (text, occurrence), params)
CASES: list[tuple[str, str, str, str, str | tuple[str, int], dict[str, str]]] = [
    (
        "person: anna-ozola",
        "person: anna-ozols",
        "unknown_reference",
        "services[0].responsibility.pakalpojuma.L[0].person",
        "anna-ozols",
        {"kind": "person", "value": "anna-ozols"},
    ),
    (
        "{role: pakalpojuma_sniedzejs, person: anna",
        "{role: sniedzeja, person: anna",
        "unknown_reference",
        "services[0].responsibility.pakalpojuma.L[0].role",
        "sniedzeja",
        {"kind": "role"},
    ),
    (
        "channel: pk-dzivesvieta",
        "channel: pk-nav",
        "unknown_reference",
        "services[0].channel",
        "pk-nav",
        {"kind": "channel"},
    ),
    (
        "admins: [kristaps-sils]",
        "admins: [kristaps]",
        "unknown_reference",
        "admins[0]",
        "admins:",
        {"kind": "person"},
    ),
    (
        "admin_channel: admin",
        "admin_channel: adminz",
        "unknown_reference",
        "admin_channel",
        "adminz",
        {"kind": "channel"},
    ),
    (
        "lead: {role: pasvaldibas_vadosa_iestade, person: ilze-kalnina}",
        "lead: {role: pasvaldibas_vadosa_iestade, person: ilze}",
        "unknown_reference",
        "organisation.lead.person",
        "lead:",
        {"kind": "person"},
    ),
    (
        "{id: raitis-egle,",
        "{id: dace-liepina,",
        "duplicate_id",
        "people[11].id",
        'name: "Raitis Egle"',
        {"value": "dace-liepina"},
    ),
    (
        "id: dvs-mttr",
        "id: dd-e-share",
        "duplicate_id",
        "resources[0].indicators[2].id",
        ("id: dd-e-share", 2),
        {"value": "dd-e-share"},
    ),
    (
        "  - id: resurss-dvs",
        "  - id: admin",
        "duplicate_id",
        "channels[6].id",
        ("- id: admin", 2),
        {"value": "admin"},
    ),
    (
        "id: socialas-palidzibas-pabalsti",
        "id: dzivesvietas-deklaresana",
        "duplicate_id",
        "services[1].id",
        ("- id: dzivesvietas-deklaresana", 2),
        {},
    ),
    (
        "control_depth: standard",
        "control_depth: light",
        "too_many_indicators",
        "services[0].indicators",
        ("    indicators:", 1),
        {"depth": "light", "max": "3", "count": "5"},
    ),
    (
        "warning: 1.5",
        "warning: 0.5",
        "thresholds_order",
        "services[0].indicators[0].warning",
        "warning: 0.5",
        {
            "rule": "target <= warning <= critical",
            "direction": "lower_is_better",
            "target": "1.0",
            "warning": "0.5",
            "critical": "3.0",
        },
    ),
    (
        "approved_by: iestades_pakalpojumu_kopuma_saimnieks",
        "approved_by: iestades_resursu_kopuma_saimnieks",
        "approver_not_held",
        "services[0].indicators[3].approved_by",
        "approved_by: iestades_resursu",
        {},
    ),
    (
        "approved_by: iestades_pakalpojumu_kopuma_saimnieks",
        "approved_by: nav_lomas",
        "unknown_reference",
        "services[0].indicators[3].approved_by",
        "nav_lomas",
        {"kind": "role"},
    ),
    (
        "        L: [{role: pakalpojuma_sniedzejs, person: inese-krumina}]\n",
        "",
        "no_holder",
        "services[1].indicators[0].measured_by",
        ("measured_by: L", 4),
        {"mark": "L"},
    ),
    (
        "timezone: Europe/Riga",
        "timezone: Europe/Rīga",
        "unknown_timezone",
        "timezone",
        "timezone:",
        {"value": "Europe/Rīga"},
    ),
    (
        "email: marta.kalnina@parauga-novads.example}",
        "email: marta.kalnina@parauga-novads.example,\n     timezone: Mars/Base}",
        "unknown_timezone",
        "people[5].timezone",
        "Mars/Base",
        {},
    ),
    (
        "decimals: 2",
        "decimals: two",
        "wrong_type",
        "services[0].indicators[3].decimals",
        "decimals: two",
        {"expected": "whole number"},
    ),
    (
        "frequency: monthly",
        "frequency: daily",
        "not_one_of",
        "services[0].indicators[0].frequency",
        "daily",
        {"value": "daily"},
    ),
    (
        "        kind: sla\n",
        "",
        "missing",
        "services[0].indicators[1].kind",
        "id: dd-within-sla",
        {"key": "kind"},
    ),
    (
        "id: dd-e-share",
        "id: DD-E-Share",
        "bad_id",
        "services[0].indicators[2].id",
        "DD-E-Share",
        {},
    ),
    (
        "email: anna.ozola@parauga-novads.example",
        "email: anna.ozola",
        "bad_email",
        "people[3].email",
        "anna.ozola}",
        {},
    ),
    (
        "decision_after_warnings: 3",
        "decision_after_warnings: 0",
        "too_small",
        "decision_after_warnings",
        "decision_after_warnings",
        {"min": "1"},
    ),
    (
        "form_timeout_minutes: 30",
        "form_timeout_minutes: 100000",
        "too_large",
        "form_timeout_minutes",
        "form_timeout_minutes",
        {"max": "1440"},
    ),
    ('name: "Anna Ozola"', 'name: ""', "empty", "people[3].name", 'name: ""', {}),
    ("locale: lv", "locale: [lv", "yaml_syntax", "", "timezone:", {}),
    (
        "timezone: Europe/Riga",
        "timezone: Europe/Riga\ntimezone: UTC",
        "duplicate_key",
        "timezone",
        "timezone: UTC",
        {"key": "timezone"},
    ),
    (
        "approved_by: iestades_pakalpojumu_kopuma_saimnieks",
        "approved_by: 5",
        "wrong_type",
        "services[0].indicators[3].approved_by",
        "approved_by: 5",
        {"expected": "id | 'A'"},
    ),
    (
        "minimum: 1\n        maximum: 5",
        "minimum: 6\n        maximum: 5",
        "min_above_max",
        "services[0].indicators[4].minimum",
        "minimum: 6",
        {},
    ),
    (
        "scale: pakalpojuma\n",
        "scale: [pakalpojuma]\n",
        "not_one_of",
        "services[0].scale",
        "scale: [pakalpojuma]",
        {},
    ),
    (
        "  - id: admin\n",
        "  - id: admin\n    topic: x\n",
        "unknown_key",
        "channels[0].topic",
        "topic: x",
        {"allowed": "id, label, language, accounts, rollup"},
    ),
    (
        "rollup: {scale: iestades, covers: [pk-dzivesvieta, resurss-dvs]}",
        "rollup: {scale: pakalpojuma, covers: [pk-dzivesvieta, resurss-dvs]}",
        "rollup_not_wider",
        "channels[2].rollup.covers[0]",
        "rollup: {scale: pakalpojuma",
        {"scale": "pakalpojuma", "channel": "pk-dzivesvieta", "covered": "pakalpojuma"},
    ),
    (
        "covers: [iestade-centrala-administracija, iestade-socialais-dienests]",
        "covers: [pakalpojumu-parvaldiba, iestade-socialais-dienests]",
        "unknown_reference",
        "channels[1].rollup.covers[0]",
        "covers: [pakalpojumu-parvaldiba",
        {"kind": "channel", "value": "pakalpojumu-parvaldiba"},
    ),
    (
        "    channel: pk-dzivesvieta\n",
        "    channel: iestade-centrala-administracija\n",
        "rollup_with_activities",
        "services[0].channel",
        "channel: iestade-centrala-administracija",
        {"channel": "iestade-centrala-administracija"},
    ),
]


@pytest.mark.parametrize(("old", "new", "code", "path", "needle", "params"), CASES)
def test_bad_plan_is_reported_at_the_offending_key(
    bundled_text: str,
    write_plan: WritePlan,
    line_of: LineOf,
    old: str,
    new: str,
    code: str,
    path: str,
    needle: str | tuple[str, int],
    params: dict[str, str],
) -> None:
    assert old in bundled_text
    text = bundled_text.replace(old, new, 1)
    plan = write_plan(text)
    found = [i for i in _issues(plan) if i.code == code and i.path == path]
    assert found, [str(i) for i in _issues(plan)]
    issue = found[0]
    assert issue.file == plan
    expected_line = line_of(text, *needle) if isinstance(needle, tuple) else line_of(text, needle)
    assert issue.line == expected_line
    assert params.items() <= dict(issue.params).items()


def test_root_that_is_not_a_mapping(write_plan: WritePlan) -> None:
    (issue,) = _issues(write_plan("# a list\n- a\n- b\n"))
    assert (issue.line, issue.path, issue.code) == (2, "", "wrong_type")
    assert issue.params["expected"] == "mapping"


def test_empty_file_reports_the_required_keys(write_plan: WritePlan) -> None:
    issues = _issues(write_plan(""))
    assert {i.code for i in issues} == {"missing"}
    assert {i.path for i in issues} >= {"organisation", "admins", "people", "channels"}
    assert {i.line for i in issues} == {1}


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    (issue,) = _issues(tmp_path / "nav.yaml")
    assert (issue.code, issue.line) == ("not_found", 1)
    (issue,) = _issues(tmp_path)
    assert issue.code == "empty_folder"


def test_unreadable_file(write_plan: WritePlan) -> None:
    path = write_plan("")
    path.write_bytes(b"locale: \xff\xfe lv\n")
    (issue,) = _issues(path)
    assert issue.code == "not_utf8"


def test_recursive_alias_gives_issues_not_a_traceback(write_plan: WritePlan) -> None:
    issues = _issues(write_plan("admins: &a [x, *a]\n"))
    assert "yaml_recursive_alias" in {i.code for i in issues}


def test_unknown_yaml_tag(write_plan: WritePlan) -> None:
    issues = _issues(write_plan("locale: !python/name:os.system lv\n"))
    assert [(i.line, i.code) for i in issues if i.code == "yaml_syntax"] == [(1, "yaml_syntax")]


def test_anchors_and_merge_keys(bundled_text: str, write_plan: WritePlan, line_of: LineOf) -> None:
    text = bundled_text.replace(
        "        unit: {code: working_days,",
        "        <<: &common {colour: red}\n        unit: {code: working_days,",
        1,
    ).replace(
        "        unit: {code: percent,", "        <<: *common\n        unit: {code: percent,", 1
    )
    issues = _issues(write_plan(text))
    assert [(i.path, i.line) for i in issues] == [
        ("services[0].indicators[0].colour", line_of(text, "&common")),
        ("services[0].indicators[1].colour", line_of(text, "&common")),
    ]


def test_merge_keys_give_defaults(bundled_text: str, write_plan: WritePlan) -> None:
    text = bundled_text.replace(
        "        frequency: quarterly\n", "        <<: {frequency: quarterly}\n"
    )
    loaded = load_plan(write_plan(text))
    assert loaded.indicator("dd-satisfaction")[1].frequency.value == "quarterly"


def test_alias_bombs_and_deep_nesting_give_issues(write_plan: WritePlan) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcde", "bcdef", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    (issue,) = _issues(write_plan("\n".join(lines) + "\n"))
    assert issue.code == "yaml_too_large"
    (issue,) = _issues(write_plan("a: " + "[" * 600 + "]" * 600 + "\n", "deep.yaml"))
    assert issue.code in ("yaml_too_large", "yaml_syntax")


def test_a_large_flat_plan_is_not_mistaken_for_an_alias_bomb(write_plan: WritePlan) -> None:
    people = "".join(f"  - {{id: p{n}, name: Persona {n}}}\n" for n in range(45_000))
    issues = _issues(write_plan("people:\n" + people))
    assert "yaml_too_large" not in {i.code for i in issues}
