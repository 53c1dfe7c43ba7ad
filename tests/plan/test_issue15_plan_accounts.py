"""Plan accounts named neutrally (issue 15 item 1): ``accounts: {telegram: …, slack: …}`` on
people and team channels; the keys of before still work, with a note in ``plan check``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.people import bindings
from workflows.plan.accounts import ChannelAccounts, deprecated_keys
from workflows.plan.errors import PlanError
from workflows.plan.loader import bundled_plan_path, load_plan

BUNDLED = bundled_plan_path() / "parauga-novads.yaml"
ADMIN = '  - id: admin\n    label: {lv: "Administrēšana", en: "Administration"}\n'


def _plan(tmp_path: Path, admin_channel: str, person: str = "") -> Path:
    text = BUNDLED.read_text(encoding="utf-8")
    assert ADMIN in text
    text = text.replace(ADMIN, admin_channel, 1)
    if person:
        old = "email: anna.ozola@parauga-novads.example"
        assert old in text
        text = text.replace(old, f"{old}, {person}", 1)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _ctx(path: Path) -> Context:
    clock = FixedClock(datetime(2026, 11, 3, 7, tzinfo=UTC))
    return Context(load_plan(path), clock, WorkingCalendar(), ZoneInfo("Europe/Riga"), "lv")


def test_issue15_channel_and_person_accounts_are_named_by_platform(tmp_path: Path) -> None:
    path = _plan(
        tmp_path,
        ADMIN + "    accounts: {telegram: -1001234567890, slack: C0ADMIN01}\n",
        "accounts: {slack: U0ANNA001}",
    )
    ctx = _ctx(path)
    assert bindings.plan_target(ctx, "admin", "telegram") == "-1001234567890"
    assert bindings.plan_target(ctx, "admin", "slack") == "C0ADMIN01"
    assert bindings.plan_target(ctx, "admin", "teams") is None
    anna = ctx.plan.person("anna-ozola")
    assert anna.accounts.slack == "U0ANNA001"
    assert anna.accounts.email == "anna.ozola@parauga-novads.example"  # from ``email``
    assert deprecated_keys(ctx.plan.plan.people, ctx.plan.plan.channels) == []


def test_issue15_the_keys_of_before_still_work_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _plan(
        tmp_path,
        ADMIN + "    telegram_chat_id: -1001234567890\n    slack_channel_id: C0ADMIN01\n",
        "slack_user_id: U0ANNA001",
    )
    ctx = _ctx(path)
    assert bindings.plan_target(ctx, "admin", "telegram") == "-1001234567890"
    assert bindings.plan_target(ctx, "admin", "slack") == "C0ADMIN01"
    assert ctx.plan.person("anna-ozola").accounts.slack == "U0ANNA001"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", "en")
    assert main(["plan", "check", str(path)]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Note:")]
    assert len(notes) == 3
    assert "“telegram_chat_id” still works but is deprecated; write “accounts.telegram”" in (
        "\n".join(notes)
    )
    assert any("people[" in n and "accounts.slack" in n for n in notes)


def test_issue15_an_account_in_the_wrong_form_is_refused_at_its_key(tmp_path: Path) -> None:
    path = _plan(tmp_path, ADMIN + "    accounts: {slack: general}\n")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert [i.code for i in caught.value.issues] == ["bad_pattern"]
    assert caught.value.issues[0].path.endswith("accounts.slack")


def test_issue15_a_key_with_several_values_reads_as_one_text() -> None:
    class WithAddresses(ChannelAccounts):  # how a platform's list-valued key reads
        post: tuple[str, ...] = ()

    accounts = WithAddresses(telegram=-1001, post=("a@x.lv", "b@x.lv"))
    assert accounts.account("post") == "a@x.lv, b@x.lv"
    assert accounts.account("telegram") == "-1001"
    assert WithAddresses().account("post") is None
    assert accounts.account("model_config") is None  # only fields are accounts
