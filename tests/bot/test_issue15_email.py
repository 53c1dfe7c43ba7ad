"""Issue 15 item 5: e-mail, the notify-only platform, against a real SMTP server (aiosmtpd).

Every test sends through the real outbox and :class:`bot.email.EmailChannel` (aiosmtplib) to
a server on 127.0.0.1 and reads what it accepted as a mail program would.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.channel import Channel as Sender
from bot.email import ChatDoors, EmailChannel, email_channel
from bot.outbox import Outbox
from bot.settings import Settings
from storage.db import Database
from tests.support.fake_smtp import MailHandler, SmtpServer, parts, smtp_settings, start_smtp
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import (
    ActivitySummary,
    DecisionBrief,
    DecisionRequested,
    MeasurementResult,
    MeasurementsRecorded,
    Outgoing,
    Reminder,
    SeriesPoint,
    Summary,
    SummaryLine,
    ToChannel,
    ToPerson,
)
from workflows.notices import outbox as queue
from workflows.people import enrolment
from workflows.plan.model import LoadedPlan
from workflows.plan.schema import Channel
from workflows.rounds.evaluation import Status

ANNA = "anna-ozola"  # Latvian
PETERIS = "peteris-liepa"  # reads English
JANIS = "janis-berzins"  # approves the decisions of dzivesvietas-deklaresana
ACTIVITY = "dzivesvietas-deklaresana"
CHANNEL = "pk-dzivesvieta"
BOT = "controlbot_test_bot"


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    server = await start_smtp(MailHandler())
    yield server
    await server.close()


class TelegramDoor:
    """The Telegram platform's doorway as e-mails see it (the bot's username is BOT)."""

    name = "telegram"

    async def door(self, enrol: Callable[[], Awaitable[str]] | None) -> str | None:
        return (
            f"https://t.me/{BOT}" if enrol is None else f"https://t.me/{BOT}?start={await enrol()}"
        )


def mailer(ctx: Context, db: Database, settings: Settings) -> EmailChannel:
    channel = email_channel(settings, db, ctx, ChatDoors([TelegramDoor()]))
    assert channel is not None
    return channel


def outbox_for(ctx: Context, db: Database, *channels: Sender) -> Outbox:
    return Outbox(ctx, db, {c.platform: c for c in channels}, "lv", console_fallback=False)


def reminder() -> Reminder:
    return Reminder(1, ACTIVITY, "2026-10", date(2026, 11, 6), ("dd-within-sla",))


async def test_issue15_reminder_in_each_persons_language_with_the_enrolment_link(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    outbox = outbox_for(ctx, db, mailer(ctx, db, smtp_settings(smtp.port)))
    items = [Outgoing(ToPerson(p), reminder()) for p in (ANNA, PETERIS)]

    assert await outbox.deliver(items) == 0

    anna, peteris = smtp.handler.received
    assert anna.rcpt_tos == ["anna.ozola@parauga-novads.example"]
    assert anna.message["Content-Language"] == "lv" and peteris.message["Content-Language"] == "en"
    assert anna.message.get_content_type() == "multipart/alternative"
    lv, en = parts(anna.message), parts(peteris.message)
    assert "Dzīvesvietas deklarēšana" in lv["text"] and "Dzīvesvietas deklarēšana" in lv["html"]
    assert "06.11.2026." in lv["text"] and "Atbildes uz šo e-pastu netiek lasītas" in lv["text"]
    assert "Declaration of place of residence" in en["html"] and "6 Nov 2026" in en["text"]
    assert "Replies to this e-mail are not read" in en["html"]
    # her personal enrolment link, in both parts; it links whoever opens it to Anna, once
    link = re.search(rf"https://t\.me/{BOT}\?start=([\w-]+)", lv["text"])
    assert link is not None and f'href="{link[0]}"' in lv["html"]
    linked = db.transaction(lambda s: enrolment.redeem(s, ctx, link[1], "telegram", "4242"))
    assert linked == enrolment.Linked(ANNA)


async def test_issue15_a_linked_person_gets_the_link_to_answer_in_chat(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    db.transaction(lambda s: enrolment.link(s, ctx, ANNA, "telegram", "1001"))
    planned = replace(ctx, plan=_with_person(ctx, ANNA, platform="email"))
    outbox = outbox_for(planned, db, mailer(planned, db, smtp_settings(smtp.port)))

    await outbox.deliver([Outgoing(ToPerson(ANNA), reminder())])

    (mail,) = smtp.handler.received
    text = parts(mail.message)["text"]
    assert f"https://t.me/{BOT}\n" in text and "?start=" not in text


def _with_person(ctx: Context, person_id: str, **update: object) -> LoadedPlan:
    plan = ctx.plan.plan
    people = tuple(p.model_copy(update=update) if p.id == person_id else p for p in plan.people)
    return LoadedPlan(plan.model_copy(update={"people": people}))


async def test_c02_names_and_comments_escaped_in_html_kept_in_text(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    name = "Jānis <script>alert(1)</script> & Co"
    comment = "temp_max = 4-6 °C [OK] #2 <b>&amp;</b> & <script>x</script>"
    strange = replace(ctx, plan=_with_person(ctx, JANIS, name=name))
    outbox = outbox_for(strange, db, mailer(strange, db, smtp_settings(smtp.port)))
    brief = DecisionBrief(
        7, ACTIVITY, "dd-within-sla", "2026-10", Decimal("88.5"), Status.CRITICAL,
        "critical", JANIS, date(2026, 11, 17), comment,
    )  # fmt: skip
    result = MeasurementResult("dd-within-sla", Decimal("88.5"), Status.CRITICAL, False, comment)
    escalation = replace(reminder(), overdue=True, step="escalation", measurers=(JANIS,))
    items = [
        Outgoing(ToPerson(JANIS), DecisionRequested(brief, ask=True)),
        Outgoing(ToPerson(ANNA), escalation),  # names Jānis
        Outgoing(ToPerson(JANIS), MeasurementsRecorded(1, ACTIVITY, "2026-10", (result,), ())),
    ]

    assert await outbox.deliver(items) == 0

    decision, escalated, receipt = (parts(r.message) for r in smtp.handler.received)
    assert "&lt;script&gt;x&lt;/script&gt;" in decision["html"]
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt; &amp; " in decision["html"]
    assert comment in decision["text"]  # the plain part shows it as typed
    assert "Jānis &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in escalated["html"]
    assert name in escalated["text"]
    for body in (decision, escalated, receipt):
        assert "<script>" not in body["html"]
    assert "88,5% — ❌ kritisks" in receipt["html"]
    # the buttons cannot work in an e-mail: named, with where to answer
    assert "“Noteikt pasākumu”" in decision["text"] and f"https://t.me/{BOT}" in decision["html"]


def with_addresses(channel: Channel, team: tuple[str, ...]) -> Channel:
    return channel.model_copy(
        update={"accounts": channel.accounts.model_copy(update={"email": team})}
    )


def summary() -> Summary:
    point = SeriesPoint("2026-10", Decimal("88.5"), Status.CRITICAL)
    line = SummaryLine(
        "dd-within-sla", Decimal("88.5"), Status.CRITICAL, False, Decimal("93.5"), None,
        series=(point,),
    )  # fmt: skip
    part = ActivitySummary(ACTIVITY, "2026-10", None, (line,), (), (), ())
    return Summary(CHANNEL, "2026-10", (part,))


async def test_issue15_summary_to_the_channels_addresses_with_the_chart_inline(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    plan = ctx.plan.plan
    team = ("komanda@parauga-novads.example", "vaditajs@parauga-novads.example")
    channels = tuple(with_addresses(c, team) if c.id == CHANNEL else c for c in plan.channels)
    mailed = replace(ctx, plan=LoadedPlan(plan.model_copy(update={"channels": channels})))
    outbox = outbox_for(mailed, db, mailer(mailed, db, smtp_settings(smtp.port)))

    assert await outbox.deliver([Outgoing(ToChannel(CHANNEL), summary())]) == 0

    (mail,) = smtp.handler.received
    assert mail.rcpt_tos == list(team)
    message = mail.message
    assert str(message["Subject"]).startswith("Kopsavilkums")
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    image = next(p for p in related.iter_parts() if p.get_content_type() == "image/png")
    cid = str(image["Content-ID"]).strip("<>")
    assert image.get_content().startswith(b"\x89PNG")
    html = parts(message)["html"]
    assert f'src="cid:{cid}"' in html and "88,5% — ❌ kritisks" in html
    assert "?start=" not in html  # a channel's list gets nobody's enrolment link


async def test_issue15_starttls_with_login_and_a_self_signed_certificate(
    ctx: Context, db: Database, tmp_path: Path
) -> None:
    from tests.support.fake_smtp import self_signed, server_context

    cert, key = self_signed(tmp_path)
    users = {"robots": "s3cret-pa55"}
    server = await start_smtp(MailHandler(), starttls=server_context(cert, key), users=users)
    try:
        settings = smtp_settings(
            server.port,
            smtp_security="starttls",
            smtp_username="robots",
            smtp_password="s3cret-pa55",
            smtp_ca_file=cert,
        )
        assert "s3cret-pa55" not in settings.safe_repr()
        outbox = outbox_for(ctx, db, mailer(ctx, db, settings))
        assert await outbox.deliver([Outgoing(ToPerson(ANNA), reminder())]) == 0
        (mail,) = server.handler.received
        assert (mail.login, mail.tls) == ("robots", True)

        wrong = smtp_settings(
            server.port,
            smtp_security="starttls",
            smtp_username="robots",
            smtp_password="wrong",
            smtp_ca_file=cert,
        )
        outbox = outbox_for(ctx, db, mailer(ctx, db, wrong))
        (row_id,) = await db.run(
            lambda s: outbox.enqueue(s, [Outgoing(ToPerson(ANNA), reminder())])
        )
        (row,) = await outbox.flush([row_id])
        assert row.status == queue.QUEUED and "login refused" in (row.last_error or "")
        assert len(server.handler.received) == 1
    finally:
        await server.close()


async def test_issue15_implicit_tls(ctx: Context, db: Database, tmp_path: Path) -> None:
    from tests.support.fake_smtp import self_signed, server_context

    cert, key = self_signed(tmp_path)
    server = await start_smtp(MailHandler(), implicit_tls=server_context(cert, key))
    try:
        settings = smtp_settings(server.port, smtp_security="tls", smtp_ca_file=cert)
        outbox = outbox_for(ctx, db, mailer(ctx, db, settings))
        assert await outbox.deliver([Outgoing(ToPerson(ANNA), reminder())]) == 0
        assert len(server.handler.received) == 1
    finally:
        await server.close()


async def test_issue15_a_4xx_is_retried_after_the_back_off(
    ctx: Context, db: Database, smtp: SmtpServer, clock: FixedClock
) -> None:
    smtp.handler.data_replies.append("451 4.3.0 Mailbox busy, try later")
    outbox = outbox_for(ctx, db, mailer(ctx, db, smtp_settings(smtp.port)))

    (outcome,) = await outbox.deliver_each([Outgoing(ToPerson(ANNA), reminder())])

    assert outcome == "retry" and smtp.handler.received == []
    (row,) = await db.run(lambda s: queue.by_ids(s, [1]))
    assert row.status == queue.QUEUED and "451" in (row.last_error or "")
    assert await outbox.pump() == 0  # not before the back-off
    clock.set(clock.now() + timedelta(seconds=queue.BACKOFF[0] + 1))
    assert await outbox.pump() == 1
    (row,) = await db.run(lambda s: queue.by_ids(s, [1]))
    assert row.status == queue.DELIVERED and len(smtp.handler.received) == 1
    assert smtp.handler.data_commands == 2


async def test_issue15_a_refused_recipient_is_undeliverable_with_the_reason(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    smtp.handler.refuse["anna.ozola@parauga-novads.example"] = "550 5.1.1 No such user"
    outbox = outbox_for(ctx, db, mailer(ctx, db, smtp_settings(smtp.port)))

    (outcome,) = await outbox.deliver_each([Outgoing(ToPerson(ANNA), reminder())])

    assert outcome == "failed"
    (row,) = await db.run(lambda s: queue.by_ids(s, [1]))
    assert row.status == queue.UNDELIVERABLE and row.reason == "address_refused"
    assert "550 5.1.1 No such user" in (row.last_error or "")


async def test_issue15_a_refused_message_and_an_absent_server(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    smtp.handler.data_replies.append("554 5.7.1 Rejected as spam")
    outbox = outbox_for(ctx, db, mailer(ctx, db, smtp_settings(smtp.port)))
    (outcome,) = await outbox.deliver_each([Outgoing(ToPerson(ANNA), reminder())])
    (row,) = await db.run(lambda s: queue.by_ids(s, [1]))
    assert (outcome, row.reason) == ("failed", "message_refused")

    await smtp.close()  # nothing listens there any more: a connection failure waits
    (outcome,) = await outbox.deliver_each([Outgoing(ToPerson(ANNA), reminder())])
    (row,) = await db.run(lambda s: queue.by_ids(s, [2]))
    assert outcome == "retry" and row.status == queue.QUEUED and row.last_error


async def test_issue15_sent_only_once_the_server_accepted_it(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    smtp.handler.hold = asyncio.Event()
    outbox = outbox_for(ctx, db, mailer(ctx, db, smtp_settings(smtp.port)))
    sending = asyncio.create_task(outbox.deliver_each([Outgoing(ToPerson(ANNA), reminder())]))

    await asyncio.wait_for(smtp.handler.arrived.wait(), 5)
    (row,) = await db.run(lambda s: queue.by_ids(s, [1]))
    assert (
        row.status == queue.SENDING and row.platform_message_id is None
    )  # the server has not said

    smtp.handler.hold.set()
    assert await asyncio.wait_for(sending, 5) == ["sent"]
    (row,) = await db.run(lambda s: queue.by_ids(s, [1]))
    (mail,) = smtp.handler.received
    assert row.status == queue.DELIVERED and row.platform_message_id == mail.message["Message-ID"]


async def test_issue15_a_channel_list_with_a_refused_address(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    from sqlmodel import select

    from storage.models import ChannelBinding

    plan = ctx.plan.plan
    team = ("komanda@parauga-novads.example", "aizgajis@parauga-novads.example")
    channels = tuple(with_addresses(c, team) if c.id == CHANNEL else c for c in plan.channels)
    mailed = replace(ctx, plan=LoadedPlan(plan.model_copy(update={"channels": channels})))
    outbox = outbox_for(mailed, db, mailer(mailed, db, smtp_settings(smtp.port)))
    smtp.handler.refuse["aizgajis@parauga-novads.example"] = "550 5.1.1 Gone"

    assert await outbox.deliver([Outgoing(ToChannel(CHANNEL), summary())]) == 0  # the other
    assert [m.rcpt_tos for m in smtp.handler.received] == [["komanda@parauga-novads.example"]]

    smtp.handler.refuse["komanda@parauga-novads.example"] = "550 5.1.1 Gone too"
    (outcome,) = await outbox.deliver_each([Outgoing(ToChannel(CHANNEL), summary())])
    rows = await db.run(lambda s: queue.by_ids(s, [1, 2, 3]))
    assert outcome == "failed" and rows[1].reason == "address_refused"
    assert len(rows) == 2  # nothing marked, no notice queued: the plan is what to fix
    assert await db.run(lambda s: s.exec(select(ChannelBinding)).all()) == []
