"""Issue 14 item 3: Slack's 429 answers count in the application's metrics, whether the
Retry-After is waited out (short) or left to the outbox (long)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import build_app
from bot.channel import Address, TemporaryFailure
from bot.messages import Message
from bot.settings import Settings
from tests.bot.slack.conftest import TEAM_CHANNEL
from tests.support.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack


async def test_issue14_slack_429s_are_counted_waited_out_or_not(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'slack.sqlite3'}",
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=fake.url,
    )
    app = build_app(settings, console_fallback=False)
    slack = app.platforms.get("slack")
    assert slack is not None
    try:
        fake.floods["chat.postMessage"] = [1, 30]  # a short wait (waited out), then a long one
        with pytest.raises(TemporaryFailure) as failed:
            await slack.channel.send(Address("slack", "channel", TEAM_CHANNEL, "#t"),
                                         Message("Kopsavilkums"))  # fmt: skip
        assert failed.value.retry_after == 30.0
        counted = app.outbox.metrics.registry.get_sample_value(
            "controlbot_rate_limited_total", {"platform": "slack"}
        )
        assert counted == 2
        assert len(fake.sent(TEAM_CHANNEL)) == 2  # both calls reached Slack
    finally:
        await app.close_channels()
        app.close()
        await fake.stop()
