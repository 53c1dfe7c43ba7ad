"""What a fresh user met on the command line when trying the product by its README (issue 16).

``controlbot deliveries`` has a header and says kinds, states and reasons in words, and
refuses an unknown ``--person``; ``away`` names whom it could not tell; ``history`` refuses an
unknown indicator with the ids; the command line speaks ``CONTROLBOT_DEFAULT_LOCALE``
throughout; a round that reached nobody and an empty export say so plainly.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.render import ledger
from workflows.notices import outbox as queue
from workflows.notices.outgoing import Notice


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.delenv("CONTROLBOT_PLAN", raising=False)
    monkeypatch.delenv("CONTROLBOT_DEFAULT_LOCALE", raising=False)
    assert main(["db", "upgrade"]) == 0


def test_issue16_every_notice_kind_state_and_reason_has_a_name() -> None:
    kinds = {cls.__name__ for cls in Notice.__args__}  # type: ignore[attr-defined]
    assert set(ledger.NOTICE_KINDS) == kinds
    assert set(ledger.DELIVERY_STATES) == set(queue.STATUSES)


def test_issue16_a_round_that_reached_nobody_says_so_plainly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert main(["remind", "dzivesvietas-deklaresana", "--period", "2026-10"]) == 0
    out = capsys.readouterr().out
    assert "Nevienu atgādinājumu nevarēja nogādāt, jo:" in out
    assert "0 no" not in out and "—." not in out
    assert "controlbot invite anna-ozola" in out


def test_issue16_deliveries_table_has_a_header_and_words_not_class_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["remind", "dzivesvietas-deklaresana", "--period", "2026-10"]) == 0
    capsys.readouterr()
    assert main(["deliveries"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["id", "Ierindota", "Stāvoklis"]
    body = "\n".join(lines[1:])
    assert "nav nogādājama" in body and "nav piesaistīta tērzēšanas konta" in body
    assert "atgādinājums" in body
    for word in ("Reminder", "RoundOpened", "undeliverable", "no_account"):
        assert word not in body, word
    assert main(["deliveries", "--format", "csv"]) == 0  # scripts keep the stored words
    assert ",Reminder," in capsys.readouterr().out


def test_issue16_deliveries_refuses_an_unknown_person(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["deliveries", "--person", "nobody"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "“nobody”" in captured.err and "anna-ozola" in captured.err
    assert main(["deliveries", "--person", "anna-ozola"]) == 0  # known, nothing sent yet
    assert capsys.readouterr().out.strip() == "Nav nevienas atbilstošas ziņas."


@pytest.mark.parametrize(
    ("locale", "word"),
    [
        ("lv", "nav nogādājama"),  # as the Latvian table words it
        ("lv", "Nav  Nogādājama"),
        ("lv", "not deliverable"),  # English words work in Latvian too
        ("lv", "undeliverable"),  # the stored word, as CSV and JSON show it
        ("en", "not deliverable"),
        ("en", "undeliverable"),
    ],
)
def test_deliveries_status_nogadata_is_taken_as_the_table_words_the_state(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, locale: str, word: str
) -> None:
    assert main(["remind", "dzivesvietas-deklaresana", "--period", "2026-10"]) == 0
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", locale)
    capsys.readouterr()
    assert main(["deliveries", "--status", word, "--format", "csv"]) == 0
    undeliverable = _states(capsys.readouterr().out)  # nobody has a chat account yet
    assert len(undeliverable) > 1 and set(undeliverable) == {"undeliverable"}
    delivered = "nogādāta" if locale == "lv" else "delivered"  # as the table words it
    assert main(["deliveries", "--status", delivered, "--format", "csv"]) == 0
    assert set(_states(capsys.readouterr().out)) == {"delivered"}


def _states(written: str) -> list[str]:
    return [row["status"] for row in csv.DictReader(io.StringIO(written))]


@pytest.mark.parametrize(
    ("locale", "refusal", "listed"),
    [
        ("lv", "Nav tāda nogādes stāvokļa “sent”. Stāvokļi:", "nogādāta (delivered)"),
        ("en", "There is no delivery state “sent”. States:", "not deliverable (undeliverable)"),
    ],
)
def test_an_unknown_deliveries_status_is_refused_in_the_operators_language(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
    refusal: str,
    listed: str,
) -> None:
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", locale)
    capsys.readouterr()
    assert main(["deliveries", "--status", "sent"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(refusal) and listed in captured.err
    assert captured.err.rstrip().endswith(".")


def test_issue16_away_names_whom_it_could_not_tell(capsys: pytest.CaptureFixture[str]) -> None:
    starts = datetime.now(ZoneInfo("Europe/Riga")).date() + timedelta(days=30)
    ends = starts + timedelta(days=2)
    capsys.readouterr()
    assert main(["away", "peteris-liepa", starts.isoformat(), ends.isoformat()]) == 0
    out = capsys.readouterr().out
    report = out[out.index("Par prombūtni netika paziņots:") :]
    assert "controlbot invite peteris-liepa" in report  # the absentee
    assert "controlbot invite anna-ozola" in report  # the deputy


def test_issue16_history_refuses_an_unknown_indicator_with_the_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert main(["history", "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Nospiediet" not in captured.err
    assert captured.err.startswith("Plānā nav rādītāja “nope”. Rādītāji:")
    assert "  dd-within-sla — Noteiktajā termiņā apstrādāto deklarāciju īpatsvars" in captured.err


def test_issue16_the_command_line_speaks_the_default_locale(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", "en")
    capsys.readouterr()
    assert main(["history", "dd-within-sla"]) == 0
    assert "History: Share of declarations processed within the SLA" in capsys.readouterr().out
    assert main(["export", "--format", "csv", "--out", "e.csv", "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("Nothing was exported. No values are stored yet.")
    assert "e.csv holds only the header row." in err and "Eksport" not in err
    data = tmp_path / "in.csv"
    data.write_text("indicator,period,value\ndd-avg-processing,2026-10,0.9\n", encoding="utf-8")
    assert main(["import", str(data), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Row 2: Average processing time per declaration" in out, out
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", "lv")
    assert main(["export", "--format", "csv", "--out", "f.csv", "--lang", "en"]) == 0
    assert capsys.readouterr().err.startswith("Nekas netika eksportēts.")


def test_issue16_plan_check_lists_the_indicator_ids(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["plan", "check"]) == 0
    out = capsys.readouterr().out
    assert "    dd-within-sla — Noteiktajā termiņā apstrādāto deklarāciju īpatsvars" in out
