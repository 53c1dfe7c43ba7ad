"""Issue 15: an e-mail says where to answer in Slack (the robot's app, via ``app_redirect``).

The real Slack service against the fake Web API gives the link (``auth.test``, ``bots.info``);
the e-mail goes to a real SMTP server (aiosmtpd) on 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.email import ChatDoors, EmailChannel, SmtpConfig
from bot.outbox import Outbox
from tests.bot.slack.conftest import ANNA, SlackWorld
from tests.support.fake_slack import APP, TEAM
from tests.support.fake_smtp import MailHandler, parts, start_smtp
from workflows.notices import Outgoing, Reminder, ToPerson
from workflows.plan.model import LoadedPlan

MARTA = "marta-kalnina"  # no Slack user has her address
LINK = f"https://slack.com/app_redirect?app={APP}&team={TEAM}"


async def test_issue15_email_links_to_the_robot_in_slack(slack: SlackWorld) -> None:
    plan = slack.ctx.plan.plan
    people = tuple(
        p.model_copy(update={"platform": "email"}) if p.id == ANNA else p for p in plan.people
    )
    ctx = replace(slack.ctx, plan=LoadedPlan(plan.model_copy(update={"people": people})))
    server = await start_smtp(MailHandler())
    try:
        config = SmtpConfig("127.0.0.1", server.port, "none", None, None, "robots@example.lv")
        email = EmailChannel(config, slack.db, ctx, ChatDoors([slack.service]))
        outbox = Outbox(ctx, slack.db, {"slack": slack.service.channel, "email": email}, "lv")
        notice = Reminder(1, "dzivesvietas-deklaresana", "2026-10", date(2026, 11, 6), ("x",))

        assert await outbox.deliver([Outgoing(ToPerson(p), notice) for p in (ANNA, MARTA)]) == 0

        anna, marta = (parts(r.message)["text"] for r in server.handler.received)
        assert f"Atbildiet platformā Slack:\n{LINK}" in anna  # linked in Slack, prefers e-mail
        assert f"Atveriet robotu platformā Slack:\n{LINK}" in marta  # no code: linked by e-mail
    finally:
        await server.close()
