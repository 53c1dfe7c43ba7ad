"""Issue 13 item 11 (and field case C02): in Slack, what a person typed is shown as typed.

``*slimoja*`` used to turn bold in channel posts, decisions, summaries and App Home; "@channel"
typed in a DM was read back as "#channel" and mentions were stored as raw ids; the modal's
loading view was Latvian for English users and its hint lines ran together.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.messages import Message
from bot.slack import blocks
from bot.slack.inbound import unescape
from storage.models import ImprovementDecision
from tests.bot.slack.conftest import (
    ACTIVITY,
    ANNA,
    JANIS,
    PETERIS,
    TEAM_CHANNEL,
    USERS,
    SlackWorld,
)
from tests.bot.slack.test_modals import inputs, open_modal
from tests.bot.slack.test_slack_basics import bind_team_channel, submit_critical
from tests.support.flow import rows

TYPED = "Divi *slimoja*, _viens_ ~atvaļinājumā~ `x` <!channel> <@U123> & <3"


def test_text_goes_into_plain_text_sections_and_the_title_into_bold_rich_text() -> None:
    (part,) = blocks.render(Message(TYPED, title="Komentārs *ar zvaigznēm*"))
    title, body = part.blocks
    assert title["type"] == "rich_text"
    (element,) = title["elements"][0]["elements"]
    assert element == {"type": "text", "text": "Komentārs *ar zvaigznēm*", "style": {"bold": True}}
    assert body["text"] == {"type": "plain_text", "text": TYPED, "emoji": True}


def test_mentions_and_links_typed_in_slack_read_back_as_typed() -> None:
    names = {"U0ANNA01": "Anna Ozola"}
    assert unescape("<!channel> un <!here>", names) == "@channel un @here"
    assert unescape("jautājiet <@U0ANNA01>", names) == "jautājiet @Anna Ozola"
    assert unescape("<@U0ANNA01|anna>", names) == "@anna"
    assert unescape("<@U0OTHER1>", names) == "@U0OTHER1"  # unknown: the id, never "#"
    assert unescape("<!subteam^S1|@vadiba> <#C0TEAM01|pk-dzivesvieta>") == (
        "@vadiba #pk-dzivesvieta"
    )
    assert unescape("*slimoja* &amp; &lt;3") == "*slimoja* & <3"


async def test_a_comment_with_mentions_and_asterisks_is_stored_and_posted_as_typed(
    slack: SlackWorld,
) -> None:
    slack.fake.names[USERS[ANNA]] = "Anna Ozola"
    bind_team_channel(slack)
    await submit_critical(slack)
    request = slack.last_with_button("Pasākums nav vajadzīgs", TEAM_CHANNEL)
    to_janis = slack.posted(slack.dm(JANIS))
    asked = to_janis()
    await slack.answered(
        slack.sender.press(USERS[JANIS], request, "Pasākums nav vajadzīgs"),
        lambda: to_janis() > asked,
    )
    typed = f"Divi *slimoja*, <!channel>; jautājiet <@{USERS[ANNA]}> &amp; _HR_"
    await slack.answered(
        slack.sender.dm(USERS[JANIS], typed), lambda: slack.has_button("Iesniegt", slack.dm(JANIS))
    )
    confirm = slack.last_with_button("Iesniegt", slack.dm(JANIS))
    await slack.answered(
        slack.sender.press(USERS[JANIS], confirm, "Iesniegt"),
        lambda: rows(slack.db, ImprovementDecision)[0].rejection_reason,
    )
    shown = "Divi *slimoja*, @channel; jautājiet @Anna Ozola & _HR_"
    assert rows(slack.db, ImprovementDecision)[0].rejection_reason == shown
    posted = slack.fake.messages[(TEAM_CHANNEL, request.params["_ts"])]
    sections = [b["text"] for b in posted["blocks"] if b["type"] == "section"]
    assert all(s["type"] == "plain_text" for s in sections)
    assert any(shown in s["text"] for s in sections)


async def test_app_home_shows_typed_text_as_plain_text(slack: SlackWorld) -> None:
    await slack.sender.event(
        {"type": "app_home_opened", "user": USERS[ANNA], "tab": "home"}, event_id="Ev-home"
    )
    await slack.wait_for(lambda: USERS[ANNA] in slack.fake.homes)
    home = slack.fake.homes[USERS[ANNA]]["blocks"]
    assert all(b["text"]["type"] == "plain_text" for b in home if b["type"] == "section")


async def test_the_modal_hint_has_one_line_each(slack: SlackWorld) -> None:
    view = await open_modal(slack, ANNA)
    hints = {b["block_id"]: b["hint"]["text"] for b in view["blocks"] if b["type"] == "input"}
    hint = hints["dd-avg-processing"]
    assert "\n" in hint
    assert all(line.strip() for line in hint.split("\n"))
    assert any(line.startswith("Mērķa vērtība") for line in hint.split("\n"))
    assert set(inputs(view)) == {"dd-avg-processing", "dd-within-sla"}


def _loading(slack: SlackWorld) -> dict[str, Any]:
    return next(v for v in slack.fake.views.values() if v["hash"] == "h1")


async def test_the_loading_view_is_in_the_persons_language(slack: SlackWorld) -> None:
    assert slack.dispatcher is not None
    gate = asyncio.Event()
    begin = slack.dispatcher.begin_form

    async def slow_begin(*args: Any) -> Any:
        await gate.wait()
        return await begin(*args)

    slack.dispatcher.begin_form = slow_begin  # type: ignore[method-assign]
    await slack.admin("remind", ACTIVITY, "2026-10")
    reminder = slack.last_with_button("Enter measurements", slack.dm(PETERIS))
    await slack.sender.press(USERS[PETERIS], reminder, "Enter measurements")
    await slack.wait_for(lambda: slack.fake.views)
    # not known yet without a lookup: both languages, never Latvian alone
    first = _loading(slack)
    assert first["blocks"][0]["text"]["text"] == "Ielādē… / Loading…"
    gate.set()
    await slack.wait_for(lambda: all(v["hash"] == "h2" for v in slack.fake.views.values()))
    gate.clear()
    await slack.sender.press(USERS[PETERIS], reminder, "Enter measurements")
    await slack.wait_for(lambda: any(v["hash"] == "h1" for v in slack.fake.views.values()))
    second = _loading(slack)
    assert second["blocks"][0]["text"]["text"] == "Loading…"
    assert second["title"]["text"] == "Measurements"
    gate.set()
    await slack.settle()
    assert json.dumps(second)
