"""A person linked on several chat platforms gets DMs on the one they chose, else the last used."""

from __future__ import annotations

from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from tests.support.flow import problem_codes
from tests.support.recording import RecordingChannel, command
from workflows.context import Context
from workflows.notices import Help, Outgoing, ToPerson
from workflows.people import enrolment

ANNA = "anna-ozola"


async def test_platform_choice_wins_over_the_last_used(ctx: Context, db: Database) -> None:
    telegram, slack, console = (RecordingChannel(p) for p in ("telegram", "slack", "console"))
    outbox = Outbox(ctx, db, {"console": console, "telegram": telegram, "slack": slack}, "lv")
    dispatcher = Dispatcher(ctx, db, outbox, "lv")
    db.transaction(lambda s: enrolment.link(s, ctx, ANNA, "slack", "U0ANNA001", seen=False))
    db.transaction(lambda s: enrolment.link(s, ctx, ANNA, "telegram", "1001"))
    hello = [Outgoing(ToPerson(ANNA), Help(is_admin=False, is_approver=False))]

    await outbox.deliver(hello)
    assert (len(telegram.sent), len(slack.sent)) == (1, 0)  # used last (the invite)

    await dispatcher.handle(command(ANNA, "platform", "slack"))
    # a reply goes back where she typed the command (here the console)
    assert console.sent[-1][1].text == "Jūsu ziņas pienāks platformā Slack."
    await outbox.deliver(hello)
    assert (len(telegram.sent), len(slack.sent)) == (1, 1)

    await dispatcher.handle(command(ANNA, "platform", "auto"))
    await outbox.deliver(hello)
    assert len(telegram.sent) == 2  # the next message: the platform used last

    codes = problem_codes(await dispatcher.handle(command(ANNA, "platform", "teams")))
    assert codes == ["usage"]
