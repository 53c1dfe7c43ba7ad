"""Socket Mode: with an app-level token the bot opens a WebSocket to Slack (here the fake's) and
gets its events there; nothing listens on /slack/events."""

from __future__ import annotations

import pytest

from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from bot.slack.service import SlackService
from storage.db import Database
from tests.support.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from workflows.context import Context


async def test_socket_mode_receives_events_and_acknowledges_them(
    ctx: Context, db: Database
) -> None:
    fake = FakeSlack(users_by_email={"anna.ozola@parauga-novads.example": "U0ANNA001"})
    await fake.start()
    service = SlackService(BOT_TOKEN, "", fake.url, ctx, db, app_token=APP_TOKEN)
    outbox = Outbox(ctx, db, {"slack": service.channel}, "lv")
    service.connect(Dispatcher(ctx, db, outbox, "lv"))
    await service.start()
    await fake.wait_for(lambda: fake.socket_connected)
    await fake.socket_event(
        {
            "type": "message",
            "channel": "D0ANNA001",
            "channel_type": "im",
            "user": "U0ANNA001",
            "text": "sveiki",
            "ts": "1.000001",
        },
        envelope_id="env-1",
    )
    await fake.wait_for(lambda: fake.texts("D0ANNA001"))
    assert fake.texts("D0ANNA001") == [
        "Nav aizpildāmas veidlapas. Kas Jūs gaida: /control pending."
    ]
    assert fake.socket_acks == ["env-1"]
    await service.stop()
    await fake.stop()


def test_slack_variables_in_the_environment_do_not_switch_on_oauth(
    ctx: Context, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "not-ours")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "not-ours-either")
    service = SlackService(BOT_TOKEN, "ours", "http://127.0.0.1:9/api/", ctx, db)
    assert service.app.oauth_flow is None
    import os

    assert os.environ["SLACK_CLIENT_ID"] == "111.222"  # and the environment is left as it was
