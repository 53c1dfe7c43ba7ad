"""Issue 13 items 5 and 15: which periods ``controlbot export`` takes, and how it writes.

``--period 2025`` exported 0 rows while all of 2025's monthly values were stored; an empty
export did not say why. ``--out`` replaced an existing file unasked, followed a symbolic link
and replaced its target, and wrote in place (a failed write left a truncated file).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from bot.cli import main

BOM = b"\xef\xbb\xbf"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.delenv("CONTROLBOT_PLAN", raising=False)
    monkeypatch.delenv("CONTROLBOT_DEFAULT_LOCALE", raising=False)  # the plan's: Latvian


def _store_2025(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["indicator,period,value"]
    lines += [f"dvs-availability,2025-{m:02d},99.9" for m in range(1, 13)]
    lines += [f"dd-cost-per-case,2025-Q{q},6.1" for q in range(1, 5)]
    lines += ["dvs-availability,2026-01,99.9"]
    source = tmp_path / "history.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import", str(source), "--source", "zabbix"]) == 0
    capsys.readouterr()


def _periods(path: Path) -> list[str]:
    text = path.read_bytes().removeprefix(BOM).decode("utf-8")
    return [row["period"] for row in csv.DictReader(io.StringIO(text, newline=""))]


def test_a_year_exports_every_stored_period_within_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _store_2025(tmp_path, capsys)
    out = tmp_path / "2025.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--period", "2025"]) == 0
    periods = _periods(out)
    assert len(periods) == 16 and "2026-01" not in periods
    assert {"2025-01", "2025-12", "2025-Q1", "2025-Q4"} <= set(periods)


def test_a_quarter_exports_its_months_and_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _store_2025(tmp_path, capsys)
    out = tmp_path / "q4.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--period", "2025-Q4"]) == 0
    assert sorted(_periods(out)) == ["2025-10", "2025-11", "2025-12", "2025-Q4"]


def test_from_and_to_take_a_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store_2025(tmp_path, capsys)
    out = tmp_path / "range.csv"
    argv = ["export", "--format", "csv", "--out", str(out), "--from", "2025-11", "--to", "2026-01"]
    assert main(argv) == 0
    assert sorted(_periods(out)) == ["2025-11", "2025-12", "2026-01"]
    since = tmp_path / "since.csv"
    assert main(["export", "--format", "csv", "--out", str(since), "--from", "2025-12"]) == 0
    assert sorted(_periods(since)) == ["2025-12", "2026-01"]


def test_an_empty_export_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "none.csv"
    assert main(["export", "--format", "csv", "--out", str(out)]) == 0
    assert "Vēl nav saglabāta neviena vērtība" in capsys.readouterr().err
    _store_2025(tmp_path, capsys)
    out = tmp_path / "2024.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--period", "2024"]) == 0
    err = capsys.readouterr().err
    assert "Par 2024 nav saglabātu vērtību; saglabātās vērtības ir no 2025-01 līdz 2026-01." in err


def test_an_existing_file_is_replaced_only_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.csv"
    out.write_text("someone's work", encoding="utf-8")
    assert main(["export", "--format", "csv", "--out", str(out)]) == 2
    assert "pievienojiet --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "someone's work"
    assert main(["export", "--format", "csv", "--out", str(out), "--force"]) == 0
    assert out.read_bytes().startswith(BOM)


def test_a_symbolic_link_is_never_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "passwd-like"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "export.csv"
    link.symlink_to(target)
    assert main(["export", "--format", "csv", "--out", str(link)]) == 2
    assert main(["export", "--format", "csv", "--out", str(link), "--force"]) == 0
    assert target.read_text(encoding="utf-8") == "keep me"
    assert not link.is_symlink() and link.read_bytes().startswith(BOM)


def test_a_failed_write_leaves_the_old_file_whole_and_no_part_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.csv"
    out.write_text("yesterday's export", encoding="utf-8")

    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    assert main(["export", "--format", "csv", "--out", str(out), "--force"]) == 2
    assert capsys.readouterr().err == f"Nevar ierakstīt {out}: disks ir pilns\n"
    assert out.read_text(encoding="utf-8") == "yesterday's export"
    assert sorted(p.name for p in tmp_path.iterdir() if "report" in p.name) == ["report.csv"]
