"""Socket Mode: with an app-level token the bot opens a WebSocket to Slack (here the fake's) and
gets its events there; nothing listens on /slack/events."""

from __future__ import annotations

from pathlib import Path

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


async def test_a_refused_app_token_stops_the_start_instead_of_retrying_forever(
    ctx: Context, db: Database
) -> None:
    from slack_sdk.errors import SlackApiError

    fake = FakeSlack()
    await fake.start()
    service = SlackService(BOT_TOKEN, "", fake.url, ctx, db, app_token="xapp-wrong")
    with pytest.raises(SlackApiError):
        await service.start()
    assert not fake.socket_connected and service.health() == "stopped"
    await service.stop()
    await fake.stop()


async def test_run_exits_with_an_error_when_slack_refuses_a_token(tmp_path: Path) -> None:
    import io

    from bot.run import run
    from bot.settings import Settings

    fake = FakeSlack()
    await fake.start()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        http_port=0,
        slack_bot_token=BOT_TOKEN,
        slack_app_token="xapp-wrong",
        slack_api_url=fake.url,
    )
    assert await run(settings, stdin=io.StringIO(""), out=io.StringIO()) == 2
    await fake.stop()
