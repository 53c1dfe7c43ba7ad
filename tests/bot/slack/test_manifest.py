"""The shipped Slack app manifest asks for what the bot uses, and nothing it does not."""

from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST = Path(__file__).parents[3] / "slack-manifest.yaml"


def test_the_manifest_has_the_scopes_events_command_and_urls_the_bot_needs() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes == {
        "chat:write",
        "im:write",
        "im:history",
        "users:read",
        "users:read.email",
        "channels:join",
        "files:write",
        "commands",
    }
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"message.im", "app_home_opened"}
    assert settings["interactivity"]["is_enabled"] is True
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/control"
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        command["url"],
    }
    assert {u.rsplit("/", 2)[-2:] == ["slack", "events"] for u in urls} == {True}
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
