"""The command line: plan check, db upgrade, remind and summary exit codes and output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from workflows.plan.loader import bundled_plan_path

HEAD = sorted(
    p.name[:4] for p in (Path(__file__).parents[2] / "storage/migrations/versions").glob("0*.py")
)[-1]
BUNDLED = bundled_plan_path() / "parauga-novads.yaml"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.delenv("CONTROLBOT_PLAN", raising=False)
    monkeypatch.delenv("CONTROLBOT_DEFAULT_LOCALE", raising=False)


def test_plan_check_on_the_bundled_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "check"]) == 0
    out = capsys.readouterr().out
    assert "Parauga novada pašvaldība" in out


def test_plan_check_on_a_fresh_installation_says_the_database_is_not_there_yet(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CONTROLBOT_DATABASE_URL")  # the default: var/controlbot.sqlite3
    assert main(["plan", "check"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(
        "(Tērzēšanas konti netika pārbaudīti: datubāzes var/controlbot.sqlite3 vēl nav; "
        "robots to izveidos, kad pirmo reizi tiks palaists.)"
    )
    assert "nevarēja nolasīt" not in out


def test_plan_check_reports_file_line_and_path_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    text = BUNDLED.read_text(encoding="utf-8").replace(
        "admin_channel: admin", "admin_channel: nav-tada-kanala", 1
    )
    bad.write_text(text, encoding="utf-8")
    assert main(["plan", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines
    assert all(re.match(r"^bad\.yaml:\d+: \S+: .+", line) for line in lines), lines
    assert any("admin_channel" in line and "nav-tada-kanala" in line for line in lines)


def test_plan_check_in_english(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", "en")
    assert main(["plan", "check", "/nonexistent/plan.yaml"]) == 1
    err = capsys.readouterr().err
    assert "plan.yaml" in err and "Traceback" not in err


def test_bad_setting_is_reported_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONTROLBOT_TIMEZONE", "Mars/Olympus")
    assert main(["plan", "check"]) == 2
    assert "CONTROLBOT_TIMEZONE" in capsys.readouterr().err


def test_db_upgrade_then_remind_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert HEAD in capsys.readouterr().out
    assert main(["remind", "dzivesvietas-deklaresana", "--period", "2026-10"]) == 0
    out = capsys.readouterr().out
    # the operator's own report on the terminal; nobody else's reminder is printed, and
    # those without a chat account are named with the command that invites them (issue 12)
    assert "[DM → Kristaps Sils]" in out and "[DM → Anna Ozola]" not in out
    assert "Nevienu atgādinājumu nevarēja nogādāt, jo:" in out
    assert "Anna Ozola nav sasniedzama" in out and "controlbot invite anna-ozola" in out
    assert main(["summary", "pk-dzivesvieta", "--period", "2026-10"]) == 1
    out = capsys.readouterr().out
    assert "[#pk-dzivesvieta]" not in out  # not bound to any chat: not posted, and said so
    assert "netika publicēts" in out and "/bind pk-dzivesvieta" in out


def test_remind_unknown_activity_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remind", "nav-tadas", "--period", "2026-10"]) == 1
    assert "nav-tadas" in capsys.readouterr().out


def test_secrets_in_database_url_are_masked() -> None:
    from bot.settings import Settings

    settings = Settings(database_url="postgresql+psycopg://bot:hunter2@db.example/controlbot")
    assert "hunter2" not in settings.safe_repr()
    assert "hunter2" not in repr(settings.safe_repr())


def test_demo_refuses_to_replace_a_file_it_did_not_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    precious = tmp_path / "real.sqlite3"
    precious.write_text("not a database but precious", encoding="utf-8")
    assert main(["demo", "--database", str(precious)]) == 1
    assert precious.read_text(encoding="utf-8") == "not a database but precious"
    assert "real.sqlite3" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "status"),
    [("garbage", 2), ("postgresql+psycopg://bot:s3cret@127.0.0.1:1/nope", 1)],
)
def test_unusable_database_gives_one_line_without_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, status: int
) -> None:
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == status
    err = capsys.readouterr().err
    assert "Traceback" not in err and "s3cret" not in err
    assert len(err.strip().splitlines()) == 1


def test_schedule_command_lists_the_same_sends_as_the_scheduler(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    args = ["schedule", "--from", "2026-04-01", "--to", "2026-04-30", "--format", "json"]
    assert main([*args, "--activity", "dzivesvietas-deklaresana"]) == 0
    sends = json.loads(capsys.readouterr().out)
    due = {(s["period"], s["at"]) for s in sends if s["kind"] == "due"}
    assert due == {("2026-03", "2026-04-09T06:00:00Z"), ("2026-Q1", "2026-04-16T06:00:00Z")}
    assert main(["schedule", "--from", "2026-04-13", "--to", "2026-04-13"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("UTC") and any("#pk-dzivesvieta" in line for line in table)
    assert main(["schedule", "--activity", "nav-tadas"]) == 2
