"""Slack edge cases from a breaker pass: chat and modal mixed, an expired form, a language
changed under the modal, App Home refusals, Slack outages, app errors, junk requests, edits,
and Slack's link markup."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from slack_sdk.errors import SlackApiError

from bot import tokens
from bot.channel import Address, TemporaryFailure
from bot.messages import Message
from bot.slack.inbound import unescape
from storage.models import ControlRound, Measurement, PlatformIdentity
from tests.bot.slack.conftest import ANNA, USERS, SlackWorld
from tests.bot.slack.test_modals import open_modal
from tests.support.fake_slack import signed_headers
from tests.support.flow import rows
from tests.support.recording import press, say
from workflows.clock import FixedClock


async def finish(slack: SlackWorld, view: dict[str, object], values: dict[str, str]) -> None:
    _status, body = await slack.sender.submit(USERS[ANNA], view, values)
    answer = json.loads(body)
    assert answer["response_action"] == "update", answer
    _status, body = await slack.sender.submit(USERS[ANNA], answer["view"], {})
    assert body in ("", "{}")
    await slack.wait_for(lambda: rows(slack.db, Measurement))


async def test_a_form_half_answered_in_chat_then_sent_from_the_modal_stores_the_modal(
    slack: SlackWorld,
) -> None:
    view = await open_modal(slack, ANNA)
    (control_round,) = rows(slack.db, ControlRound)
    await slack.dispatcher.handle(press(ANNA, tokens.start_round(control_round.id or 0)))
    await slack.dispatcher.handle(say(ANNA, "1"))  # question 1 answered in chat meanwhile
    await finish(slack, view, {"dd-avg-processing": "0,5", "dd-within-sla": "96"})
    values = {m.indicator_id: m.value for m in rows(slack.db, Measurement)}
    assert values == {"dd-avg-processing": Decimal("0.5"), "dd-within-sla": Decimal("96")}


async def test_a_modal_left_open_past_the_form_timeout_still_stores(
    slack: SlackWorld, clock: FixedClock
) -> None:
    view = await open_modal(slack, ANNA)
    clock.set(slack.ctx.now() + timedelta(minutes=45))
    await finish(slack, view, {"dd-avg-processing": "0,5", "dd-within-sla": "96"})
    assert len(rows(slack.db, Measurement)) == 2


async def test_a_language_changed_while_the_modal_is_open_does_not_drop_it(
    slack: SlackWorld,
) -> None:
    view = await open_modal(slack, ANNA)
    said = slack.posted(slack.dm(ANNA))
    before = said()
    await slack.answered(
        slack.sender.command(USERS[ANNA], "lang en", channel=slack.dm(ANNA)),
        lambda: said() > before,
    )
    await finish(slack, view, {"dd-avg-processing": "0,5", "dd-within-sla": "96"})
    values = {m.indicator_id: m.value for m in rows(slack.db, Measurement)}
    assert values["dd-avg-processing"] == Decimal("0.5")


async def test_a_modal_whose_indicator_left_the_plan_closes_without_an_error(
    slack: SlackWorld,
) -> None:
    view = await open_modal(slack, ANNA)
    metadata = json.loads(view["private_metadata"])
    metadata["i"] = ["no-such-indicator"]
    status, body = await slack.sender.submit(
        USERS[ANNA], {**view, "private_metadata": json.dumps(metadata)}, {}
    )
    assert status == 200 and body in ("", "{}")


async def test_a_refusal_on_an_app_home_button_comes_as_a_dm(slack: SlackWorld) -> None:
    await open_modal(slack, ANNA)
    message = slack.last_with_button("Atlikt atgādinājumu", slack.dm(ANNA))
    for block in message.params["blocks"]:
        for element in block.get("elements", []):
            element["value"] = "form:999:cancel"  # a button of a form long gone
    message.params["channel"] = ""  # App Home: the press comes with no channel
    before = len(slack.fake.texts(slack.dm(ANNA)))
    await slack.answered(
        slack.sender.press(USERS[ANNA], message, "Atlikt atgādinājumu"),
        lambda: len(slack.fake.texts(slack.dm(ANNA))) > before,
    )
    assert slack.fake.sent("", "chat.postEphemeral") == []
    assert slack.fake.texts(slack.dm(ANNA))[before:] == [
        "Šī poga pieder iepriekšējai veidlapai. Izmantojiet jaunāko ziņu."
    ]


async def test_a_slack_outage_is_left_to_the_ledger(slack: SlackWorld) -> None:
    address = Address("slack", "channel", "C0TEAM001", "#t")
    slack.fake.answers["chat.postMessage"] = (503, "<html>Service Unavailable</html>")
    with pytest.raises(TemporaryFailure):
        await slack.service.channel.send(address, Message("Sveiki"))
    slack.fake.answers["chat.postMessage"] = (200, '{"ok": false, "error": "internal_error"}')
    with pytest.raises(TemporaryFailure):
        await slack.service.channel.send(address, Message("Sveiki"))


async def test_an_app_error_marks_nobody_unreachable(slack: SlackWorld) -> None:
    slack.fake.answers["conversations.open"] = (200, '{"ok": false, "error": "account_inactive"}')
    with pytest.raises(SlackApiError):
        await slack.service.channel.send(Address("slack", "dm", USERS[ANNA], "Anna"), Message("x"))
    assert all(i.unreachable_since is None for i in rows(slack.db, PlatformIdentity))


async def test_unsigned_junk_gets_a_client_error_not_a_server_error(slack: SlackWorld) -> None:
    for body, headers in (
        ("{not json", {"Content-Type": "application/json", "X-Slack-Request-Timestamp": "abc"}),
        (
            "payload=%7Bbad",
            signed_headers(
                "payload=%7Bbad", secret="wrong", content_type="application/x-www-form-urlencoded"
            ),
        ),
    ):
        status, _ = await slack.sender.post(body, headers)
        assert 400 <= status < 500


async def test_an_edited_dm_gets_told_that_edits_are_not_read(slack: SlackWorld) -> None:
    await slack.sender.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": slack.dm(ANNA),
            "channel_type": "im",
            "message": {"user": USERS[ANNA], "text": "9,0"},
            "previous_message": {"user": USERS[ANNA], "text": "0,9"},
        }
    )
    await slack.wait_for(lambda: slack.fake.texts(slack.dm(ANNA)))
    assert slack.fake.texts(slack.dm(ANNA))[0].startswith("Labotās ziņas netiek nolasītas.")


def test_slack_link_and_mention_markup_reads_as_people_saw_it() -> None:
    typed = (
        "skat. <https://www.vid.gov.lv|www.vid.gov.lv>, <@U0JANIS01> &amp; "
        "<mailto:a@b.lv|a@b.lv> &lt;3"
    )
    assert (
        unescape(typed) == "skat. www.vid.gov.lv (https://www.vid.gov.lv), @U0JANIS01 & a@b.lv <3"
    )
    assert unescape("<https://x.lv>") == "https://x.lv"
