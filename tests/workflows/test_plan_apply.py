"""``controlbot plan apply``: a readable diff against the plan in force, then applying it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from storage.db import Database
from storage.models import AuditEntry, ControlRound, PlanSnapshot
from tests.support.flow import rows
from workflows.plan.loader import bundled_plan_path

ACTIVITY = "dzivesvietas-deklaresana"


def changed_plan(tmp_path: Path) -> Path:
    """The bundled plan with a target changed, an indicator removed and Pēteris gone."""
    plan: dict[str, Any] = yaml.safe_load(
        (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
    )
    plan["people"] = [p for p in plan["people"] if p["id"] != "peteris-liepa"]
    for activity in (*plan.get("services", ()), *plan.get("resources", ())):
        for resp in activity["responsibility"].values():
            for mark in ("A", "L"):
                resp[mark] = [h for h in resp.get(mark, []) if h["person"] != "peteris-liepa"]
        if activity["id"] == ACTIVITY:
            activity["indicators"] = [i for i in activity["indicators"] if i["id"] != "dd-e-share"]
            for indicator in activity["indicators"]:
                if indicator["id"] == "dd-within-sla":
                    indicator["target"] = 96.0
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'apply.sqlite3'}"
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", url)
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", "en")
    monkeypatch.delenv("CONTROLBOT_PLAN", raising=False)
    return url


def test_apply_shows_the_changes_and_makes_the_plan_in_force(
    cli: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "apply", "--dry-run"]) == 0
    first = capsys.readouterr().out
    assert first.startswith("No plan was applied before; all of it is new:")
    assert f"+ activity {ACTIVITY}:" in first

    assert main(["plan", "apply"]) == 0
    assert "Applied: this is now the plan in force." in capsys.readouterr().out
    assert main(["plan", "apply", "--dry-run"]) == 0
    assert capsys.readouterr().out == "No changes: this plan is the plan in force.\n"

    assert main(["remind", ACTIVITY, "--period", "2026-10"]) == 0
    capsys.readouterr()
    changed = changed_plan(tmp_path)
    assert main(["plan", "apply", str(changed), "--dry-run"]) == 0
    preview = capsys.readouterr().out.splitlines()
    assert f"~ {ACTIVITY}/dd-within-sla: target “95” → “96”" in preview
    assert any(line.startswith(f"− indicator {ACTIVITY}/dd-e-share") for line in preview)
    assert any(
        line.startswith("− person peteris-liepa (Pēteris Liepa): leaves") for line in preview
    )
    assert any(line.startswith(f"~ {ACTIVITY}: ") and "/L" in line for line in preview)
    db = Database.from_url(cli)
    try:
        assert len(rows(db, PlanSnapshot)) == 1  # a dry run changes nothing
    finally:
        db.dispose()

    assert main(["plan", "apply", str(changed)]) == 0
    out = capsys.readouterr().out
    assert "Applied" in out
    db = Database.from_url(cli)
    try:
        assert len(rows(db, PlanSnapshot)) == 2
        assert {r.status for r in rows(db, ControlRound)} == {"open"}  # monthly ones remain
        assert len(rows(db, AuditEntry, action="plan.applied")) == 2
    finally:
        db.dispose()
    assert main(["plan", "apply", str(changed), "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("No changes")


def test_open_rounds_left_without_indicators_are_closed_with_a_note(
    cli: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "apply"]) == 0
    assert main(["remind", ACTIVITY, "--period", "2026-10"]) == 0
    plan: dict[str, Any] = yaml.safe_load(changed_plan(tmp_path).read_text(encoding="utf-8"))
    for activity in plan["services"]:
        if activity["id"] == ACTIVITY:  # only the quarterly indicator stays
            activity["indicators"] = [
                i for i in activity["indicators"] if i["frequency"] != "monthly"
            ]
    path = tmp_path / "quarterly.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["plan", "apply", str(path)]) == 0
    capsys.readouterr()
    db = Database.from_url(cli)
    try:
        (closed,) = [r for r in rows(db, ControlRound) if r.period == "2026-10"]
        assert closed.status == "closed"
        (note,) = rows(db, AuditEntry, action="round.closed")
        assert note.details == {"reason": "indicators_removed"}
    finally:
        db.dispose()


def test_apply_names_whom_it_could_not_tell_and_prints_no_message_addressed_to_them(
    cli: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    assert main(["plan", "apply"]) == 0
    capsys.readouterr()
    with caplog.at_level(logging.WARNING):
        assert main(["plan", "apply", str(changed_plan(tmp_path))]) == 0
    out = capsys.readouterr().out.splitlines()
    told = out.index("Not told of the plan's changes:")
    assert not [line for line in out if line.startswith(("[DM →", "[#"))]  # not "delivered" here
    assert any(line.startswith("    • Jānis Bērziņš cannot be reached") for line in out[told:])
    assert any("/bind admin" in line for line in out[told:])
    assert [r.getMessage() for r in caplog.records] == []  # the report, not an English log line
