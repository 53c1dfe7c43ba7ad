"""Plans split across a folder: parts merge at top level and errors name the right file."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from workflows.plan.errors import PlanError, PlanIssue
from workflows.plan.loader import load_plan

LineOf = Callable[..., int]


@pytest.fixture
def split(tmp_path: Path, data_dir: Path) -> Path:
    folder = tmp_path / "plan"
    shutil.copytree(data_dir / "split", folder)
    return folder


def _edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def _issues(path: Path) -> tuple[PlanIssue, ...]:
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    return caught.value.issues


def test_split_plan_loads_and_concatenates_lists(split: Path) -> None:
    (split / "README.txt").write_text("not a plan part", encoding="utf-8")
    loaded = load_plan(split)
    assert [p.name for p in loaded.sources] == ["10-base.yaml", "20-services.yaml"]
    assert [p.id for p in loaded.plan.people] == ["vaditajs", "admins", "saimnieks", "sniedzejs"]
    assert [a.id for a in loaded.activities] == ["tests"]


def test_yml_parts_are_read_in_name_order(split: Path) -> None:
    (split / "20-services.yaml").rename(split / "05-services.yml")
    loaded = load_plan(split)
    assert [p.name for p in loaded.sources] == ["05-services.yml", "10-base.yaml"]
    assert [p.id for p in loaded.plan.people] == ["sniedzejs", "vaditajs", "admins", "saimnieks"]


def test_schema_error_points_at_the_second_file(split: Path, line_of: LineOf) -> None:
    part = split / "20-services.yaml"
    text = _edit(part, "control_type: process", "control_type: procesa")
    (issue,) = _issues(split)
    assert (issue.file, issue.line) == (part, line_of(text, "procesa"))
    assert issue.path == "services[0].indicators[0].control_type"


def test_list_indexes_continue_across_files(split: Path) -> None:
    part = split / "20-services.yaml"
    _edit(part, 'name: "Sniedzējs Sniedzējs"', 'name: ""')
    (issue,) = _issues(split)
    assert (issue.file, issue.line, issue.path, issue.code) == (part, 3, "people[3].name", "empty")


def test_reference_error_points_at_the_second_file(split: Path, line_of: LineOf) -> None:
    part = split / "20-services.yaml"
    text = _edit(part, "person: sniedzejs}", "person: nav}")
    (issue,) = _issues(split)
    assert (issue.file, issue.line, issue.code) == (
        part,
        line_of(text, "nav}"),
        "unknown_reference",
    )
    assert issue.path == "services[0].responsibility.pakalpojuma.L[0].person"


def test_duplicate_id_across_files(split: Path, line_of: LineOf) -> None:
    base = (split / "10-base.yaml").read_text(encoding="utf-8")
    _edit(split / "20-services.yaml", "{id: sniedzejs,", "{id: saimnieks,")
    issues = [i for i in _issues(split) if i.code == "duplicate_id"]
    assert [(i.file.name, i.line, i.path) for i in issues] == [
        ("20-services.yaml", 3, "people[3].id")
    ]
    first = Path(issues[0].params["first"])
    assert first.name == f"10-base.yaml:{line_of(base, 'id: saimnieks')}"
    assert first.parent == split


def test_scalar_given_in_two_files(split: Path, line_of: LineOf) -> None:
    base = (split / "10-base.yaml").read_text(encoding="utf-8")
    _edit(split / "20-services.yaml", "people:\n", "admin_channel: pk-tests\npeople:\n")
    (issue,) = _issues(split)
    assert (issue.file.name, issue.line, issue.path, issue.code) == (
        "20-services.yaml",
        2,
        "admin_channel",
        "duplicate_key",
    )
    assert Path(issue.params["first"]).name == f"10-base.yaml:{line_of(base, 'admin_channel:')}"


def test_mappings_merge_and_clash(split: Path) -> None:
    part = split / "20-services.yaml"
    _edit(part, "people:\n", 'roles:\n  cits: {lv: "Cita loma", en: "Other role"}\npeople:\n')
    assert "cits" in load_plan(split).plan.roles
    _edit(part, "  cits:", "  saimnieks:")
    (issue,) = _issues(split)
    assert (issue.file, issue.line, issue.path, issue.code) == (
        part,
        3,
        "roles.saimnieks",
        "duplicate_key",
    )


def test_syntax_error_in_one_part(split: Path) -> None:
    part = split / "20-services.yaml"
    _edit(part, "  - id: tests", "  - id: [tests")
    issues = _issues(split)
    assert [(i.file, i.code) for i in issues] == [(part, "yaml_syntax")]


def test_missing_key_of_a_split_plan_points_at_the_first_file(split: Path) -> None:
    _edit(split / "10-base.yaml", "admin_channel: admin\n", "")
    (issue,) = _issues(split)
    assert (issue.file.name, issue.path, issue.code) == (
        "10-base.yaml",
        "admin_channel",
        "missing",
    )
