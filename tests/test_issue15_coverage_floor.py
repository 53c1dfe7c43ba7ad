"""Issue 15 item 6: the coverage floor fails a package that falls below it and only goes up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import coverage_floor


def _report(tmp_path: Path, covered: int, branches_covered: int) -> Path:
    summary = {
        "covered_lines": covered,
        "num_statements": 80,
        "covered_branches": branches_covered,
        "num_branches": 20,
    }
    files = {
        "bot/a.py": {"summary": summary},
        "workflows/b.py": {"summary": {**summary, "covered_lines": 80, "covered_branches": 20}},
    }
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps({"files": files}), encoding="utf-8")
    return path


@pytest.fixture
def floors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONTROLBOT_TEST_DATABASE_URL", "postgresql+psycopg://x@127.0.0.1/t")
    path = tmp_path / "floors.json"
    path.write_text(json.dumps({"bot": 84.0, "workflows": 88.0}), encoding="utf-8")
    monkeypatch.setattr(coverage_floor, "FLOORS", path)
    return path


def test_issue15_branches_count_like_coverage_py(tmp_path: Path) -> None:
    report = json.loads(_report(tmp_path, 70, 15).read_text(encoding="utf-8"))
    assert coverage_floor.per_package(report) == {"bot": 85.0, "workflows": 100.0}


def test_issue15_a_package_below_its_floor_fails(tmp_path: Path, floors: Path) -> None:
    assert coverage_floor.main([str(_report(tmp_path, 70, 15))]) == 0  # 85 % >= 84 %
    assert coverage_floor.main([str(_report(tmp_path, 68, 15))]) == 1  # 83 % < 84 %
    assert coverage_floor.main([str(tmp_path / "missing.json")]) == 2


def test_issue15_the_ratchet_only_goes_up(tmp_path: Path, floors: Path) -> None:
    assert coverage_floor.main(["--ratchet", str(_report(tmp_path, 70, 15))]) == 0
    assert json.loads(floors.read_text(encoding="utf-8")) == {"bot": 85.0, "workflows": 100.0}
    assert coverage_floor.main(["--ratchet", str(_report(tmp_path, 68, 15))]) == 1
    assert json.loads(floors.read_text(encoding="utf-8")) == {"bot": 85.0, "workflows": 100.0}


def test_issue15_sqlite_only_lowers_the_floor_and_never_ratchets(
    tmp_path: Path, floors: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONTROLBOT_TEST_DATABASE_URL")
    assert coverage_floor.main([str(_report(tmp_path, 68, 15))]) == 0  # 83 % >= 84 % - 2
    assert coverage_floor.main([str(_report(tmp_path, 66, 15))]) == 1  # 81 % < 82 %
    assert coverage_floor.main(["--ratchet", str(_report(tmp_path, 70, 20))]) == 0
    assert json.loads(floors.read_text(encoding="utf-8")) == {"bot": 84.0, "workflows": 88.0}
