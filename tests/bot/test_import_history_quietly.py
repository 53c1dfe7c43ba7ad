"""Issue 13 item 4: loading history does not flood people.

Importing 368 past values opened improvement decisions for long-closed periods, due in two
weeks, and sent 64 messages. With ``--history-before`` the values of earlier periods are
stored and evaluated but open no decision, ask no approval and send nothing; the dry run
says exactly what storing would send.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from storage.db import Database
from storage.models import AuditEntry, ControlRound, ImprovementDecision, Measurement


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'h.sqlite3'}")
    monkeypatch.delenv("CONTROLBOT_PLAN", raising=False)
    monkeypatch.delenv("CONTROLBOT_DEFAULT_LOCALE", raising=False)  # the plan's: Latvian


def _history_file(tmp_path: Path) -> Path:
    """Two years of critical SLA values (88 % against a 95 % target), and one recent."""
    lines = ["indicator,period,value"]
    lines += [f"dd-within-sla,{y}-{m:02d},88.0" for y in (2024, 2025) for m in range(1, 13)]
    lines += ["dd-within-sla,2026-10,88.0"]
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count(line: str) -> int:
    return int(line.split()[2])


def _decision_periods(tmp_path: Path) -> list[str]:
    db = Database.from_url(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    try:
        return db.transaction(
            lambda s: [
                r.period
                for d in s.exec(select(ImprovementDecision)).all()
                if (r := s.get(ControlRound, d.round_id)) is not None
            ]
        )
    finally:
        db.dispose()


def _stored(tmp_path: Path) -> tuple[int, int, list[str]]:
    db = Database.from_url(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    try:
        return db.transaction(
            lambda s: (
                len(s.exec(select(Measurement)).all()),
                len(s.exec(select(ImprovementDecision)).all()),
                [
                    e.subject
                    for e in s.exec(select(AuditEntry)).all()
                    if e.action == "measurement.imported" and e.details.get("history")
                ],
            )
        )
    finally:
        db.dispose()


def test_dry_run_says_what_storing_would_send(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _history_file(tmp_path)
    assert main(["import", str(path), "--source", "arhivs", "--dry-run"]) == 0
    loud = capsys.readouterr().out
    assert "Saglabāšana nosūtītu" in loud and "Jānis Bērziņš" in loud
    argv = ["import", str(path), "--source", "arhivs", "--dry-run", "--history-before", "2026-01"]
    assert main(argv) == 0
    quiet = capsys.readouterr().out
    assert "Kā vēsture (pirms 2026-01: bez lēmumiem, bez ziņām): 24 rindas." in quiet
    # only the recent critical value still asks for a decision: fewer messages
    sent = [line for line in quiet.splitlines() if line.startswith("Saglabāšana nosūtītu")]
    assert len(sent) == 1 and _count(sent[0]) < _count(
        next(line for line in loud.splitlines() if line.startswith("Saglabāšana nosūtītu"))
    )
    assert _stored(tmp_path)[0] == 0  # a dry run stores nothing


def test_history_is_stored_and_evaluated_without_decisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _history_file(tmp_path)
    argv = ["import", str(path), "--source", "arhivs", "--history-before", "2026-01"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "88,0% — ❌ kritisks (saglabāts)" in out
    measurements, decisions, history = _stored(tmp_path)
    assert measurements == 25
    assert decisions == 1
    assert _decision_periods(tmp_path) == ["2026-10"]  # not one for 2024 or 2025
    assert len(history) == 24


def test_without_a_cut_off_history_opens_decisions_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(_history_file(tmp_path)), "--source", "arhivs"]) == 0
    assert _decision_periods(tmp_path) == ["2024-01"]  # the flood: due in two weeks


def test_a_cut_off_that_is_not_a_period_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _history_file(tmp_path)
    assert main(["import", str(path), "--history-before", "janvāris"]) == 2
    assert "nav pārskata periods" in capsys.readouterr().err
