"""Issue 15 item 5: who is reached by e-mail, and e-mail's settings.

E-mail reaches a person who prefers it (the plan's ``platform``, a ``/platform`` choice) and
anyone no chat account reaches, at the plan's address; a reply to what someone typed in a
chat goes back to that chat. The SMTP server is a real one (aiosmtpd) on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, select

from bot.app import build_app
from bot.cli.settings_errors import settings_errors
from bot.dispatch import Dispatcher
from bot.email import ChatDoors, EmailChannel, email_channel
from bot.outbox import Outbox
from bot.redaction import secrets_of
from bot.settings import Settings
from storage.db import Database
from storage.models import Person, PlatformIdentity
from tests.support.fake_smtp import MailHandler, SmtpServer, smtp_settings, start_smtp
from tests.support.recording import RecordingChannel, command
from workflows.context import Context
from workflows.notices import Outgoing, Reminder, ToPerson
from workflows.notices import outbox as queue
from workflows.people import enrolment
from workflows.plan.model import LoadedPlan

ANNA = "anna-ozola"
PETERIS = "peteris-liepa"
ANNA_MAIL = "anna.ozola@parauga-novads.example"
PETERIS_MAIL = "peteris.liepa@parauga-novads.example"


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    server = await start_smtp(MailHandler())
    yield server
    await server.close()


def mailer(ctx: Context, db: Database, port: int) -> EmailChannel:
    channel = email_channel(smtp_settings(port), db, ctx, ChatDoors())
    assert channel is not None
    return channel


def hello(*people: str) -> list[Outgoing]:
    notice = Reminder(
        1, "dzivesvietas-deklaresana", "2026-10", date(2026, 11, 6), ("dd-within-sla",)
    )
    return [Outgoing(ToPerson(p), notice) for p in people]


def with_person(ctx: Context, person_id: str, **update: object) -> Context:
    plan = ctx.plan.plan
    people = tuple(p.model_copy(update=update) if p.id == person_id else p for p in plan.people)
    return replace(ctx, plan=LoadedPlan(plan.model_copy(update={"people": people})))


def mailed_to(smtp: SmtpServer) -> list[str]:
    return [r for mail in smtp.handler.received for r in mail.rcpt_tos]


async def test_issue15_email_reaches_whoever_no_chat_account_reaches(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    telegram = RecordingChannel("telegram")
    outbox = Outbox(ctx, db, {"telegram": telegram, "email": mailer(ctx, db, smtp.port)}, "lv")
    db.transaction(lambda s: enrolment.link(s, ctx, ANNA, "telegram", "1001"))

    assert await outbox.deliver(hello(ANNA, PETERIS)) == 0

    assert [a.target for a, _m in telegram.sent] == ["1001"]
    assert mailed_to(smtp) == [PETERIS_MAIL]


async def test_issue15_a_refused_chat_account_falls_back_to_email(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    telegram = RecordingChannel("telegram")
    outbox = Outbox(ctx, db, {"telegram": telegram, "email": mailer(ctx, db, smtp.port)}, "lv")
    db.transaction(lambda s: enrolment.link(s, ctx, ANNA, "telegram", "1001"))

    def blocked(session: Session) -> None:
        row = session.exec(
            select(PlatformIdentity).where(col(PlatformIdentity.external_id) == "1001")
        ).one()
        row.unreachable_since = ctx.now()
        session.add(row)

    db.transaction(blocked)
    assert await outbox.deliver(hello(ANNA)) == 0
    assert telegram.sent == [] and mailed_to(smtp) == [ANNA_MAIL]


async def test_issue15_preferring_email_in_the_plan_or_by_choice(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    telegram = RecordingChannel("telegram")
    prefers = with_person(ctx, ANNA, platform="email")
    channels = {"telegram": telegram, "email": mailer(prefers, db, smtp.port)}
    outbox = Outbox(prefers, db, channels, "lv")
    db.transaction(lambda s: enrolment.link(s, ctx, ANNA, "telegram", "1001"))
    db.transaction(lambda s: enrolment.link(s, ctx, PETERIS, "telegram", "1002"))

    await outbox.deliver(hello(ANNA, PETERIS))
    assert mailed_to(smtp) == [ANNA_MAIL] and [a.target for a, _ in telegram.sent] == ["1002"]

    # a reply to what she typed in Telegram goes back there
    await outbox.deliver(hello(ANNA), origin=ANNA, via="telegram")
    assert [a.target for a, _ in telegram.sent] == ["1002", "1001"]

    # Pēteris chooses e-mail himself (the /platform choice is stored on the person)
    def choose(session: Session) -> None:
        person = session.get(Person, PETERIS)
        assert person is not None
        person.chosen_platform = "email"
        session.add(person)

    db.transaction(choose)
    await outbox.deliver(hello(PETERIS))
    assert mailed_to(smtp) == [ANNA_MAIL, PETERIS_MAIL]


async def test_issue15_choosing_email_by_command_needs_only_the_plans_address(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    console = RecordingChannel("console")
    channels = {"console": console, "email": mailer(ctx, db, smtp.port)}
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, channels, "lv"), "lv")
    await dispatcher.handle(command(PETERIS, "platform", "email"))  # never linked e-mail

    def choice(session: Session) -> str | None:
        person = session.get(Person, PETERIS)
        return None if person is None else person.chosen_platform

    assert db.transaction(choice) == "email"
    await dispatcher.outbox.deliver(hello(PETERIS))
    assert mailed_to(smtp) == [PETERIS_MAIL]
    await dispatcher.handle(command(PETERIS, "platform", "fax"))  # not a platform of his
    assert "email" in console.sent[-1][1].plain()  # the usage names the choices


async def test_issue15_email_beats_the_console_but_not_a_person_without_an_address(
    ctx: Context, db: Database, smtp: SmtpServer
) -> None:
    console = RecordingChannel()
    peteris = ctx.plan.person(PETERIS)
    accounts = peteris.accounts.model_copy(update={"email": None})
    no_address = with_person(ctx, PETERIS, email=None, accounts=accounts)
    channels = {"console": console, "email": mailer(no_address, db, smtp.port)}
    outbox = Outbox(no_address, db, channels, "lv")

    await outbox.deliver(hello(ANNA, PETERIS))

    assert mailed_to(smtp) == [ANNA_MAIL]
    assert [a.target for a, _ in console.sent] == [PETERIS]  # the demo's terminal

    quiet = Outbox(no_address, db, channels, "lv", console_fallback=False)
    (outcome,) = await quiet.deliver_each(hello(PETERIS))
    (row,) = await db.run(lambda s: queue.by_ids(s, [3]))
    assert (outcome, row.reason) == ("failed", "no_account")


def test_issue15_smtp_settings_hide_the_password(tmp_path: Path) -> None:
    settings = smtp_settings(
        2525, smtp_security="starttls", smtp_username="robots", smtp_password="Sl3pens!"
    )
    assert "Sl3pens!" in secrets_of(settings)
    assert "Sl3pens!" not in settings.safe_repr()
    assert "email=127.0.0.1:2525/starttls login=robots" in settings.safe_repr()
    assert "Sl3pens!" not in repr(settings) and "Sl3pens!" not in str(settings.model_dump())
    assert Settings(smtp_security="tls").smtp_port_or_default == 465

    with pytest.raises(ValidationError) as missing:
        Settings.model_validate({"smtp_host": "mail.example", "smtp_password": "Sl3pens!"})
    lines = settings_errors(missing.value)
    assert any("CONTROLBOT_SMTP_FROM" in line for line in lines)
    assert not any("Sl3pens!" in line for line in lines)
    with pytest.raises(ValidationError):
        Settings.model_validate({"smtp_from": "not an address"})


def test_issue15_build_app_registers_email_only_when_set(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    app = build_app(smtp_settings(2525, database_url=url))
    try:
        email = app.platforms["email"]
        assert isinstance(email.channel, EmailChannel) and email.health() == "ok"
        assert app.outbox.channels["email"] is email.channel
    finally:
        app.close()
    app = build_app(Settings(database_url=url))
    try:
        assert "email" not in app.platforms and "email" not in app.outbox.channels
    finally:
        app.close()


def test_issue15_plan_addresses_are_single_addresses() -> None:
    from workflows.plan.schema import Channel, Person

    label = {"lv": "Komanda", "en": "Team"}
    one = Channel.model_validate({"id": "team", "label": label, "accounts": {"email": "a@b.lv"}})
    assert one.accounts.email == ("a@b.lv",) and one.accounts.account("email") == "a@b.lv"
    for bad in ("a,b@c.lv", "Anna <a@b.lv>", "a@b.lv; c@d.lv", "nav adrese"):
        with pytest.raises(ValidationError):
            Channel.model_validate({"id": "team", "label": label, "accounts": {"email": [bad]}})
        with pytest.raises(ValidationError):
            Person.model_validate({"id": "anna", "name": "Anna", "email": bad})
