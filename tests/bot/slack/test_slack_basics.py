"""Slack over real HTTP: linking by e-mail, signed requests, a round in DMs, approvals in a
channel, retried events, rate limits, channels the bot is not in, escaping, long texts, charts."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from bot.channel import Address, PartlyDelivered
from bot.messages import Choice, Message
from bot.outbox import Outbox
from bot.slack.blocks import BLOCKS_PER_MESSAGE, SECTION_LIMIT
from storage.db import Database
from storage.models import ChannelBinding, ImprovementDecision, Measurement, PlatformIdentity
from tests.bot.slack.conftest import (
    ACTIVITY,
    ADMIN,
    ANNA,
    CHANNEL,
    JANIS,
    PETERIS,
    TEAM_CHANNEL,
    USERS,
    SlackWorld,
)
from tests.support.fake_slack import block_text, signed_headers
from tests.support.flow import rows
from tests.support.recording import RecordingChannel
from workflows.context import Context
from workflows.notices import Help, Outgoing, ToChannel, ToPerson
from workflows.people import bindings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def bind_team_channel(slack: SlackWorld) -> None:
    slack.db.transaction(
        lambda s: bindings.bind(s, slack.ctx, CHANNEL, "slack", TEAM_CHANNEL, ADMIN)
    )


async def submit_critical(slack: SlackWorld) -> None:
    """Anna measures in the modal: a critical value opens a decision for Jānis."""
    await slack.admin("remind", ACTIVITY, "2026-10")
    reminder = slack.last_with_button("Ievadīt mērījumus", slack.dm(ANNA))
    await slack.sender.press(USERS[ANNA], reminder, "Ievadīt mērījumus")
    await slack.wait_for(lambda: any(v["hash"] == "h2" for v in slack.fake.views.values()))
    (view,) = slack.fake.views.values()
    answers = {"dd-avg-processing": "0,9", "dd-within-sla": "88,5"}
    _status, body = await slack.sender.submit(USERS[ANNA], view, answers)
    comments = json.loads(body)["view"]
    comment = {"dd-within-sla.comment": "Divi <darbinieki> & slimoja"}
    _status, body = await slack.sender.submit(USERS[ANNA], comments, comment)
    await slack.sender.submit(USERS[ANNA], json.loads(body)["view"], {})
    await slack.wait_for(lambda: rows(slack.db, ImprovementDecision))
    await slack.settle()


async def test_people_are_linked_by_email_without_becoming_their_latest_platform(
    slack: SlackWorld,
) -> None:
    identities = rows(slack.db, PlatformIdentity, platform="slack")
    assert {i.person_id: i.external_id for i in identities} == USERS
    assert all(i.last_seen_at is None for i in identities)


async def test_a_round_submitted_through_the_modal_is_stored_and_confirmed(
    slack: SlackWorld,
) -> None:
    await submit_critical(slack)
    values = {m.indicator_id: m.value for m in rows(slack.db, Measurement)}
    assert values == {"dd-avg-processing": Decimal("0.9"), "dd-within-sla": Decimal("88.5")}
    assert any(t.startswith("*Saglabāts:") for t in slack.fake.texts(slack.dm(ANNA)))


async def test_only_the_approver_decides_once_and_the_channel_message_shows_it(
    slack: SlackWorld,
) -> None:
    bind_team_channel(slack)
    await submit_critical(slack)
    request = slack.last_with_button("Pasākums nav vajadzīgs", TEAM_CHANNEL)
    # someone else clicks: an ephemeral note only they see; nothing changes
    notes = slack.posted(TEAM_CHANNEL, "chat.postEphemeral")
    await slack.answered(
        slack.sender.press(USERS[ANNA], request, "Pasākums nav vajadzīgs"), lambda: notes()
    )
    (note,) = slack.fake.sent(TEAM_CHANNEL, "chat.postEphemeral")
    assert note.params["user"] == USERS[ANNA]
    assert (
        note.params["text"]
        == "Lēmumu Nr. 1 var pieņemt tikai Jānis Bērziņš. Nekas netika mainīts."
    )
    assert rows(slack.db, ImprovementDecision)[0].status == "open"
    # the approver clicks; the form continues in his DM
    to_janis = slack.posted(slack.dm(JANIS))
    asked = to_janis()
    await slack.answered(
        slack.sender.press(USERS[JANIS], request, "Pasākums nav vajadzīgs"),
        lambda: to_janis() > asked,
    )
    await slack.answered(
        slack.sender.dm(USERS[JANIS], "Slimības periods ir beidzies"),
        lambda: slack.has_button("Iesniegt", slack.dm(JANIS)),
    )
    confirm = slack.last_with_button("Iesniegt", slack.dm(JANIS))
    await slack.answered(
        slack.sender.press(USERS[JANIS], confirm, "Iesniegt"),
        lambda: any(
            u.params["ts"] == confirm.params["_ts"]
            for u in slack.fake.sent(slack.dm(JANIS), "chat.update")
        ),
    )
    assert rows(slack.db, ImprovementDecision)[0].status == "rejected"
    # the pressed DM message lost its buttons, so it cannot be pressed twice
    updates = slack.fake.sent(slack.dm(JANIS), "chat.update")
    (pressed,) = [u for u in updates if u.params["ts"] == confirm.params["_ts"]]
    assert all(b["type"] != "actions" for b in pressed.params["blocks"])
    shown = slack.fake.messages[(TEAM_CHANNEL, request.params["_ts"])]
    text = "\n".join(b["text"]["text"] for b in shown["blocks"] if b["type"] == "section")
    assert "Jānis Bērziņš" in text and "Slimības periods ir beidzies" in text
    assert all(b["type"] != "actions" for b in shown["blocks"])
    # a second click changes nothing
    await slack.answered(
        slack.sender.press(USERS[JANIS], request, "Noteikt pasākumu"), lambda: notes() == 2
    )
    assert "jau pieņēma" in slack.fake.sent(TEAM_CHANNEL, "chat.postEphemeral")[-1].params["text"]
    assert rows(slack.db, ImprovementDecision)[0].status == "rejected"


async def test_a_retried_event_is_handled_once(slack: SlackWorld) -> None:
    await slack.sender.dm(USERS[ANNA], "0,9", event_id="Ev-answer")
    await slack.answered(
        slack.sender.dm(USERS[ANNA], "0,9", event_id="Ev-answer", retry=1),
        lambda: slack.fake.texts(slack.dm(ANNA)),
    )
    assert len(slack.fake.texts(slack.dm(ANNA))) == 1


async def test_a_bad_signature_or_an_old_request_is_refused_and_changes_nothing(
    slack: SlackWorld,
) -> None:
    body = (
        '{"type": "event_callback", "event_id": "Ev1", "event": {"type": "message", '
        '"channel_type": "im", "user": "U0ANNA001", "text": "0,9", "channel": "D0ANNA001"}}'
    )
    bad = signed_headers(body, secret="not-the-secret")
    assert (await slack.sender.post(body, bad))[0] == 401
    old = signed_headers(body, at=int(time.time()) - 600)
    assert (await slack.sender.post(body, old))[0] == 401
    await slack.settle()
    assert slack.fake.sent() == []


async def test_c05_a_429_is_waited_out_and_nothing_is_lost(slack: SlackWorld) -> None:
    slack.fake.floods["chat.postMessage"] = [3]  # short: waited out here
    for n in range(5):
        await slack.service.channel.send(
            Address("slack", "channel", TEAM_CHANNEL, "#t"), Message(f"Ziņa {n}")
        )
    assert slack.fake.texts(TEAM_CHANNEL) == [f"Ziņa {n}" for n in range(5)]
    assert 3.0 in slack.time.slept


async def test_c04_a_public_channel_is_joined_and_a_private_one_reported_once(
    slack: SlackWorld,
) -> None:
    bind_team_channel(slack)
    slack.fake.public_not_member.add(TEAM_CHANNEL)
    post = [Outgoing(ToChannel(CHANNEL), Help(is_admin=False, is_approver=False))]
    assert await slack.dispatcher.outbox.deliver(post) == 0
    assert slack.fake.sent(TEAM_CHANNEL, "conversations.join")
    assert len(slack.fake.texts(TEAM_CHANNEL)) == 1  # posted once

    slack.fake.private_not_member.add(TEAM_CHANNEL)
    assert await slack.dispatcher.outbox.deliver(post) == 1
    attempts = len(slack.fake.sent(TEAM_CHANNEL))
    await slack.dispatcher.outbox.deliver(post)  # not tried again until bound again
    assert len(slack.fake.sent(TEAM_CHANNEL)) == attempts
    notices = slack.console.to("admin")
    assert len(notices) == 1 and "#pk-dzivesvieta" in notices[0].text
    (binding,) = rows(slack.db, ChannelBinding)
    assert binding.unreachable_since is not None


async def test_c02_and_c06_text_is_escaped_and_split_within_slack_limits(
    slack: SlackWorld,
) -> None:
    name = "Tīrība 9.5/10 (A-kategorija)! <@U123> & <!channel>"
    lines = [f"{n:3d}. Ūdens temperatūra “Saulīte” — 4,{n % 10} °C" for n in range(400)]
    long_label = "Pakalpojumu saņēmēju apmierinātība ar dzīvesvietas deklarēšanas e-pakalpojumu"
    message = Message("\n".join(lines), title=name, choices=(Choice("form:1:x", long_label),))
    await slack.service.channel.send(Address("slack", "channel", TEAM_CHANNEL, "#t"), message)
    posts = slack.fake.sent(TEAM_CHANNEL)
    assert all("_ts" in p.params for p in posts)  # Slack accepted every part
    blocks = [b for p in posts for b in p.params["blocks"]]
    assert all(len(p.params["blocks"]) <= BLOCKS_PER_MESSAGE for p in posts)
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(len(s) <= SECTION_LIMIT for s in sections)
    # shown as typed: plain text and a bold rich-text title form no mention (issue 13 item 11)
    assert block_text(blocks[0]) == "*Tīrība 9.5/10 (A-kategorija)! <@U123> & <!channel>*"
    assert blocks[0]["type"] == "rich_text"
    assert "\n".join(sections).split("\n") == lines  # in order, lines whole
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(button["text"]["text"]) <= 75 and button["value"] == "form:1:x"


async def test_c11_a_chart_is_uploaded_with_files_upload_v2(slack: SlackWorld) -> None:
    message = Message("Kopsavilkums", title="Oktobris", image=PNG)
    await slack.service.channel.send(Address("slack", "channel", TEAM_CHANNEL, "#t"), message)
    assert slack.fake.uploads == [PNG]
    (done,) = slack.fake.sent(method="files.completeUploadExternal")
    assert done.params.get("channel_id") == TEAM_CHANNEL
    assert slack.fake.sent(method="files.upload") == []
    assert slack.fake.texts(TEAM_CHANNEL) == ["*Oktobris*\nKopsavilkums"]


async def test_commands_are_shown_and_taken_the_slack_way(slack: SlackWorld) -> None:
    status, _ = await slack.sender.command(USERS[ANNA], "help", channel=slack.dm(ANNA))
    assert status == 200
    await slack.wait_for(lambda: slack.fake.texts(slack.dm(ANNA)))
    help_text = slack.fake.texts(slack.dm(ANNA))[-1]
    assert "/control pending —" in help_text and "/control cancel —" in help_text
    assert "\n/pending" not in help_text


async def test_app_home_shows_open_controls_and_recent_decisions(slack: SlackWorld) -> None:
    bind_team_channel(slack)
    await submit_critical(slack)  # Anna's October values; decision no. 1 opens for Jānis
    await slack.sender.event({"type": "app_home_opened", "user": USERS[JANIS], "tab": "home"})
    await slack.wait_for(lambda: USERS[JANIS] in slack.fake.homes)
    view = slack.fake.homes[USERS[JANIS]]
    text = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert "Dzīvesvietas deklarēšana, 2026. gada oktobris" in text  # his own dd-e-share
    assert "Nr. 1" in text and "Pēdējie pilnveides lēmumi" in text
    labels = [
        e["text"]["text"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert "Noteikt pasākumu (Nr. 1)" in labels
    await slack.sender.event({"type": "app_home_opened", "user": "U0STRANGE", "tab": "home"})
    await slack.settle()
    assert "U0STRANGE" not in slack.fake.homes


async def test_c20_slack_locales_are_read_and_an_explicit_choice_wins(slack: SlackWorld) -> None:
    languages = {
        i.person_id: i.client_language for i in rows(slack.db, PlatformIdentity, platform="slack")
    }
    assert languages[PETERIS] == "en-US" and languages[JANIS] == "lv-LV"
    assert languages[ANNA] is None  # Slack did not say: the plan's default applies
    await slack.sender.command(USERS[PETERIS], "help", channel=slack.dm(PETERIS))
    await slack.wait_for(lambda: slack.fake.texts(slack.dm(PETERIS)))
    assert slack.fake.texts(slack.dm(PETERIS))[-1].startswith("*Help*")
    await slack.sender.command(USERS[PETERIS], "lang lv", channel=slack.dm(PETERIS))
    await slack.sender.command(USERS[PETERIS], "help", channel=slack.dm(PETERIS))
    await slack.wait_for(lambda: slack.fake.texts(slack.dm(PETERIS))[-1].startswith("*Palīdzība"))


async def test_c03_a_deactivated_slack_user_is_reported_once(slack: SlackWorld) -> None:
    slack.fake.inactive.add(USERS[PETERIS])
    hello = [Outgoing(ToPerson(PETERIS), Help(is_admin=False, is_approver=False))]
    assert await slack.dispatcher.outbox.deliver(hello) == 1
    await slack.dispatcher.outbox.deliver(hello)
    told = [t for t in slack.fake.texts(slack.dm(JANIS)) if "nav sasniedzama" in t]
    assert len(told) == 1 and "Slack" in told[0]
    (marked,) = [
        i
        for i in rows(slack.db, PlatformIdentity, platform="slack")
        if i.unreachable_since is not None
    ]
    assert marked.person_id == PETERIS


async def test_c11_a_failed_upload_leaves_the_text_and_is_reported(slack: SlackWorld) -> None:
    slack.fake.uploads_fail = True
    post = Message("Kopsavilkums", title="Oktobris", image=PNG)
    with pytest.raises(PartlyDelivered):
        await slack.service.channel.send(Address("slack", "channel", TEAM_CHANNEL, "#t"), post)
    assert slack.fake.texts(TEAM_CHANNEL) == ["*Oktobris*\nKopsavilkums"]  # posted once


async def test_c11_the_outbox_counts_it_delivered_and_tells_the_admin_channel(
    ctx: Context, db: Database
) -> None:
    class ChartFails:
        platform = "slack"

        async def send(self, address: Address, message: Message) -> None:
            raise PartlyDelivered(address, "chart not uploaded")

    console = RecordingChannel()
    db.transaction(lambda s: bindings.bind(s, ctx, CHANNEL, "slack", TEAM_CHANNEL, ADMIN))
    outbox = Outbox(ctx, db, {"console": console, "slack": ChartFails()}, "lv")
    post = [Outgoing(ToChannel(CHANNEL), Help(is_admin=False, is_approver=False))]
    assert await outbox.deliver(post) == 0
    (notice,) = console.to("admin")
    assert "#pk-dzivesvieta" in notice.text and "Slack" in notice.text


async def test_follow_ups_of_a_decision_go_into_its_thread(slack: SlackWorld) -> None:
    team = Address("slack", "channel", TEAM_CHANNEL, "#t")
    await slack.service.channel.send(team, Message("Lēmums vajadzīgs", ref="decision:9"))
    await slack.service.channel.send(team, Message("Joprojām atvērts", thread="decision:9"))
    request, follow_up = slack.fake.sent(TEAM_CHANNEL)
    assert request.params.get("thread_ts") is None
    assert follow_up.params["thread_ts"] == request.params["_ts"]
