"""``controlbot invite`` and one-shot commands with Telegram configured (fake Bot API)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from storage.db import Database
from tests.support.fake_telegram import BOT_USERNAME, TOKEN, FakeTelegram, FakeTelegramThread
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.people import enrolment
from workflows.plan.loader import load_default_plan


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeTelegram]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.delenv("CONTROLBOT_PLAN", raising=False)
    monkeypatch.delenv("CONTROLBOT_DEFAULT_LOCALE", raising=False)
    with FakeTelegramThread() as server:
        monkeypatch.setenv("CONTROLBOT_TELEGRAM_TOKEN", TOKEN)
        monkeypatch.setenv("CONTROLBOT_TELEGRAM_API_URL", server.url)
        yield server


def _redeem(tmp_path: Path, code: str, user: str) -> enrolment.Linked | enrolment.Refused:
    plan = load_default_plan(None)
    clock = FixedClock(datetime.now(UTC))
    ctx = Context(plan, clock, WorkingCalendar(), ZoneInfo("Europe/Riga"), "lv")
    db = Database.from_url(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    try:
        return db.transaction(lambda s: enrolment.redeem(s, ctx, code, "telegram", user))
    finally:
        db.dispose()


def test_invite_prints_a_one_time_deep_link(
    fake: FakeTelegram, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "anna-ozola"]) == 0
    out = capsys.readouterr().out
    prefix = f"https://t.me/{BOT_USERNAME}?start="
    assert out.startswith("Anna Ozola (anna-ozola): " + prefix)
    assert out.rstrip().endswith("(Europe/Riga)") and "līdz" in out
    code = out.split("?start=")[1].split()[0]
    assert len(code) <= 64 and code.replace("-", "").replace("_", "").isalnum()
    assert isinstance(_redeem(tmp_path, code, "77"), enrolment.Linked)
    assert _redeem(tmp_path, code, "78") == enrolment.Refused("used")


def test_invite_all_as_csv_for_a_mail_merge(
    fake: FakeTelegram, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "--all", "--format", "csv", "--days", "30"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == ["person", "name", "email", "link", "expires"]
    people = load_default_plan(None).plan.people
    assert [row[0] for row in table[1:]] == [p.id for p in people]
    assert {row[1] for row in table[1:]} >= {"Anna Ozola", "Jānis Bērziņš"}
    assert len({row[3] for row in table[1:]}) == len(people)  # every code different


def test_invite_without_telegram_needs_the_bot_username(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.delenv("CONTROLBOT_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", "en")
    assert main(["invite", "anna-ozola"]) == 2
    assert "CONTROLBOT_TELEGRAM_TOKEN" in capsys.readouterr().err
    assert main(["invite", "anna-ozola", "--bot-username", "@our_bot"]) == 0
    assert "https://t.me/our_bot?start=" in capsys.readouterr().out
    assert main(["invite", "nobody"]) == 2
    assert "There is no person “nobody”" in capsys.readouterr().err
    assert main(["invite", "--all", "anna-ozola"]) == 2
    assert main(["invite", "anna-ozola", "--bot-username", "bad name!"]) == 2
    assert "is not a Telegram bot username" in capsys.readouterr().err


def test_remind_from_the_command_line_reaches_telegram(
    fake: FakeTelegram, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "anna-ozola"]) == 0
    code = capsys.readouterr().out.split("?start=")[1].split()[0]
    assert isinstance(_redeem(tmp_path, code, "1001"), enrolment.Linked)
    assert main(["remind", "dzivesvietas-deklaresana", "--period", "2026-10"]) == 0
    texts = fake.texts(1001)
    assert any("Dzīvesvietas deklarēšana, 2026. gada oktobris" in t.split("\n")[0] for t in texts)


def test_a_wrong_token_is_reported_without_a_traceback(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONTROLBOT_TELEGRAM_TOKEN", "999:wrong")
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", "en")
    assert main(["remind", "dzivesvietas-deklaresana"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Telegram refused the bot token (CONTROLBOT_TELEGRAM_TOKEN), or http")


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (
            {
                "CONTROLBOT_TELEGRAM_TOKEN": "123456:SECRETtok",
                "CONTROLBOT_TELEGRAM_WEBHOOK_URL": "https://example.org/telegram/webhook",
            },
            "CONTROLBOT_TELEGRAM_WEBHOOK_URL is set, so CONTROLBOT_TELEGRAM_WEBHOOK_SECRET must "
            "be set too.",
        ),
        (
            {"CONTROLBOT_TELEGRAM_WEBHOOK_SECRET": "bad secret!"},
            "CONTROLBOT_TELEGRAM_WEBHOOK_SECRET cannot be used; expected 1–256 characters: A–Z, "
            "a–z, 0–9, _ and -.",
        ),
        (
            {"CONTROLBOT_TELEGRAM_TOKEN": "not a SECRET token"},
            "CONTROLBOT_TELEGRAM_TOKEN cannot be used; expected the token BotFather gave, like "
            "123456:AAH….",
        ),
        (
            {
                "CONTROLBOT_TELEGRAM_WEBHOOK_URL": "http://example.org/hook",
                "CONTROLBOT_TELEGRAM_WEBHOOK_SECRET": "abc",
            },
            "CONTROLBOT_TELEGRAM_WEBHOOK_URL: “http://example.org/hook” cannot be used; expected "
            "a public https:// URL.",
        ),
        (
            {"CONTROLBOT_HTTP_PORT": "70000"},
            "CONTROLBOT_HTTP_PORT: “70000” cannot be used; expected a port number from 0 to "
            "65535.",
        ),
    ],
)
def test_bad_telegram_settings_are_explained_and_secrets_never_echoed(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    variables: dict[str, str],
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", "en")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert main(["plan", "check"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [expected]
    assert "SECRET" not in err.replace("_SECRET", "") and "bad secret" not in err


def test_plan_check_lists_people_without_a_chat_account(
    fake: FakeTelegram,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", "en")
    assert main(["plan", "check"]) == 0
    assert "Chat accounts were not checked" in capsys.readouterr().out  # no database yet
    assert main(["invite", "anna-ozola"]) == 0
    code = capsys.readouterr().out.split("?start=")[1].split()[0]
    assert isinstance(_redeem(tmp_path, code, "1001"), enrolment.Linked)
    assert main(["plan", "check"]) == 0
    lines = [
        line
        for line in capsys.readouterr().out.splitlines()
        if "no Telegram or Slack account linked" in line
    ]
    assert lines and all("Anna Ozola" not in line for line in lines)
    assert any("Jānis Bērziņš" in line for line in lines)


def test_issue15_remind_by_email_with_each_persons_telegram_link(
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.support.fake_smtp import SmtpThread, parts

    with SmtpThread() as smtp:
        monkeypatch.setenv("CONTROLBOT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CONTROLBOT_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("CONTROLBOT_SMTP_SECURITY", "none")
        monkeypatch.setenv("CONTROLBOT_SMTP_FROM", "robots@parauga-novads.example")
        assert main(["remind", "dzivesvietas-deklaresana"]) == 0
    out = capsys.readouterr().out
    received = {r.rcpt_tos[0]: parts(r.message)["text"] for r in smtp.handler.received}
    assert set(received) == {  # nobody linked a chat account: all three by e-mail
        "anna.ozola@parauga-novads.example",
        "peteris.liepa@parauga-novads.example",
        "janis.berzins@parauga-novads.example",
    }
    assert "Atgādinājums nosūtīts 3 no 3 personām" in out  # the operator's honest report
    anna = received["anna.ozola@parauga-novads.example"]
    code = anna.split(f"https://t.me/{BOT_USERNAME}?start=")[1].split()[0]
    assert _redeem(tmp_path, code, "77") == enrolment.Linked("anna-ozola")
