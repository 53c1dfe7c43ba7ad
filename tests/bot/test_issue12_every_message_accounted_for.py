"""Issue 12: every message accounted for — the outbox, the inbox and honest reports.

Each test is named after what a user met (the issue's list) or the guarantee it protects.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from bot import tokens
from bot.channel import Address, TemporaryFailure, Unreachable
from bot.dispatch import Dispatcher
from bot.messages import Message
from bot.outbox import Outbox
from bot.settings import Settings
from storage.db import Database
from storage.messages import InboxEvent, OutboxMessage
from storage.models import AuditEntry, ControlRound, Person
from tests.support.flow import only, problem_codes, rows
from tests.support.recording import RecordingChannel, command, press, say
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import FormPrompt, Help, Outgoing, RoundOpened, ToPerson
from workflows.notices import outbox as queue
from workflows.people import enrolment

ADMIN, ANNA, JANIS, PETERIS = "kristaps-sils", "anna-ozola", "janis-berzins", "peteris-liepa"
ACTIVITY, CHANNEL = "dzivesvietas-deklaresana", "pk-dzivesvieta"


class Telegram(RecordingChannel):
    """A recording "telegram" channel that can refuse people for good or for a while."""

    def __init__(self) -> None:
        super().__init__("telegram")
        self.blocked: set[str] = set()
        self.busy: list[float] = []  # Retry-After of the next sends, one per send

    async def send(self, address: Address, message: Message) -> str | None:
        if address.target in self.blocked:
            raise Unreachable(address, "Forbidden: bot was blocked by the user")
        if self.busy:
            raise TemporaryFailure(f"{address}: 429", retry_after=self.busy.pop(0))
        await super().send(address, message)
        return str(len(self.sent))


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here runs on SQLite and, when configured, on PostgreSQL."""
    return any_db


@pytest.fixture
def telegram() -> Telegram:
    return Telegram()


@pytest.fixture
def console() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
def bot(ctx: Context, db: Database, telegram: Telegram, console: RecordingChannel) -> Dispatcher:
    """The dispatcher of ``controlbot run``: no console fallback for others."""
    channels: dict[str, Any] = {"console": console, "telegram": telegram}
    outbox = Outbox(ctx, db, channels, "lv", console_fallback=False)
    return Dispatcher(ctx, db, outbox, "lv")


def link(db: Database, ctx: Context, person: str, chat: str) -> None:
    db.transaction(lambda s: enrolment.link(s, ctx, person, "telegram", chat))


async def test_remind_names_who_could_not_be_reached_and_prints_nothing_for_them(
    bot: Dispatcher, db: Database, ctx: Context, telegram: Telegram, console: RecordingChannel
) -> None:
    link(db, ctx, ANNA, "1001")
    link(db, ctx, JANIS, "1003")
    telegram.blocked.add("1003")
    items = await bot.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    assert only(items, RoundOpened).reminded  # the domain still says whom to remind
    report = console.texts(ADMIN)  # the admin typed it on the console: the answer is there
    assert "Atgādinājums nosūtīts 1 no 3 personām: Anna Ozola." in report
    assert "Pēteris Liepa nav sasniedzama: nav piesaistīta tērzēšanas konta" in report
    assert "controlbot invite peteris-liepa" in report
    assert "Jānis Bērziņš nav sasniedzama: robots ir bloķēts" in report
    assert [a.target for a, _m in console.sent] == [ADMIN]  # nothing for others printed
    assert len(telegram.to("1001")) == 1
    states = {(r.recipient, r.status, r.reason) for r in rows(db, OutboxMessage, kind="Digest")}
    states |= {(r.recipient, r.status, r.reason) for r in rows(db, OutboxMessage, kind="Reminder")}
    assert states == {
        (ANNA, "delivered", None),
        (PETERIS, "undeliverable", "no_account"),
        (JANIS, "undeliverable", "blocked"),
    }


async def test_a_summary_to_a_channel_the_bot_cannot_reach_is_not_confirmed(
    bot: Dispatcher, db: Database, console: RecordingChannel
) -> None:
    await bot.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    console.clear()
    await bot.handle(command(ADMIN, "summary", CHANNEL, "2026-10"))
    text = console.texts(ADMIN)
    assert "netika publicēts" in text and f"/bind {CHANNEL}" in text
    assert "publicēts kanālā" not in text.replace("netika publicēts kanālā", "")
    assert rows(db, AuditEntry, action="summary.posted") == []  # the audit says sent only if so
    (post,) = rows(db, OutboxMessage, kind="Summary")
    assert (post.status, post.reason) == ("undeliverable", "not_bound")


async def test_a_429_with_a_long_retry_after_keeps_the_message_queued_until_it_goes(
    bot: Dispatcher, db: Database, ctx: Context, clock: FixedClock, telegram: Telegram
) -> None:
    link(db, ctx, ANNA, "1001")
    telegram.busy = [120.0, 90.0]  # two 429s in a row, each longer than a minute
    outbox = bot.outbox
    assert await outbox.deliver([Outgoing(ToPerson(ANNA), Help(False, False))]) == 1
    (row,) = rows(db, OutboxMessage)
    assert row.status == "queued" and row.not_before >= clock.now() + timedelta(seconds=120)
    clock.set(clock.now() + timedelta(seconds=121))
    await outbox.pump()
    (row,) = rows(db, OutboxMessage)
    assert row.status == "queued" and row.attempts == 2  # the second 429: still not dropped
    clock.set(clock.now() + timedelta(seconds=91))
    await outbox.pump()
    (row,) = rows(db, OutboxMessage)
    assert (row.status, row.attempts, row.platform_message_id) == ("delivered", 3, "1")
    assert len(telegram.to("1001")) == 1


async def test_a_reply_past_its_lifetime_expires_and_is_reported_to_the_admin_once_a_day(
    bot: Dispatcher, db: Database, ctx: Context, clock: FixedClock, telegram: Telegram
) -> None:
    from bot.scheduler import ScheduleRunner

    link(db, ctx, ANNA, "1001")
    telegram.busy = [600.0]
    await bot.outbox.deliver([Outgoing(ToPerson(ANNA), Help(False, False))])
    clock.set(clock.now() + timedelta(minutes=20))  # a reply is retried for 15 minutes
    await bot.outbox.pump()
    (row,) = rows(db, OutboxMessage)
    assert row.status == "expired"
    runner = ScheduleRunner(ctx, db, bot.outbox)
    await runner.sweep()
    await runner.sweep()  # at most one digest a day
    (digest,) = rows(db, OutboxMessage, kind="DeliveryProblems")
    assert digest.recipient == ctx.plan.plan.admin_channel
    assert "anna-ozola" in digest.payload and "expired" in digest.payload


async def test_a_value_committed_before_a_crash_still_gets_its_receipt_and_decision_request(
    ctx: Context, db: Database, console: RecordingChannel
) -> None:
    crashed = Outbox(ctx, db, {"console": console}, "lv")

    async def killed(ids: Any, *, exclusive: bool = False) -> None:
        raise asyncio.CancelledError  # kill -9 right after the commit, before any send

    async def killed_at_once(claimed: Any) -> None:
        raise asyncio.CancelledError  # the same for replies queued claimed (issue 16)

    bot = Dispatcher(ctx, db, crashed, "lv")
    await bot.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    (control_round,) = rows(db, ControlRound)
    await bot.handle(press(ANNA, tokens.start_round(control_round.id or 0)))
    for answer in ("0,9", "88,5", "Divi darbinieki slimoja"):
        await bot.handle(say(ANNA, answer))
    console.clear()
    crashed.send_now = killed  # type: ignore[method-assign]
    crashed.send_claimed = killed_at_once  # type: ignore[method-assign]
    with pytest.raises(asyncio.CancelledError):
        await bot.handle(say(ANNA, "1"))  # confirm: the value is stored, then the crash
    assert console.sent == []
    restarted = Outbox(ctx, db, {"console": console}, "lv")
    await restarted.pump()  # the background sender after the restart
    assert "Nepieciešams pilnveides lēmums" in console.texts(JANIS)
    # the receipt was claimed in the value's transaction (issue 16): it waits out its lease
    (receipt,) = [r for r in rows(db, OutboxMessage) if r.status != "delivered"]
    assert (receipt.recipient, receipt.status) == (ANNA, "sending")
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(ctx.now() + queue.LEASE + timedelta(seconds=1))
    await restarted.pump()
    assert "Saglabāts" in console.texts(ANNA)
    assert len(console.to(ANNA)) == 1  # once: not lost and not repeated
    assert "Nepieciešams pilnveides lēmums" in console.texts(JANIS)
    assert {r.status for r in rows(db, OutboxMessage)} == {"delivered"}


async def test_an_update_redelivered_after_a_restart_has_no_second_effect(
    ctx: Context, db: Database, console: RecordingChannel
) -> None:
    first = Dispatcher(ctx, db, Outbox(ctx, db, {"console": console}, "lv"), "lv")
    assert await first.handle(command(ANNA, "lang", "en"), key="telegram:77", seq=77)
    restarted = Dispatcher(ctx, db, Outbox(ctx, db, {"console": console}, "lv"), "lv")
    assert await restarted.handle(command(ANNA, "lang", "lv"), key="telegram:77", seq=77) == []
    person = db.transaction(lambda s: s.get(Person, ANNA))
    assert person is not None and person.chosen_language == "en"
    assert len(console.to(ANNA)) == 1  # one effect, one message
    assert len(rows(db, InboxEvent)) == 1


@pytest.mark.parametrize("late_first", [False, True])
async def test_two_inputs_of_one_person_take_effect_in_the_platform_order(
    ctx: Context, db: Database, console: RecordingChannel, late_first: bool
) -> None:
    """Two updates that reach the server together, in either order, apply by ``seq``."""
    outbox = Outbox(ctx, db, {"console": console}, "lv")
    bot = Dispatcher(ctx, db, outbox, "lv", hold={"console": 0.3})
    earlier = bot.handle(command(ANNA, "lang", "en"), key="k:10", seq=10)
    later = bot.handle(command(ANNA, "lang", "lv"), key="k:11", seq=11)
    first, second = (later, earlier) if late_first else (earlier, later)
    one = asyncio.create_task(first)
    await asyncio.sleep(0.02)  # the second arrives 20 ms after the first
    await asyncio.gather(one, second)
    person = db.transaction(lambda s: s.get(Person, ANNA))
    assert person is not None and person.chosen_language == "lv"  # seq 11 took effect last
    changes = rows(db, AuditEntry, action="person.language")  # in the order applied
    assert [e.details["language"] for e in changes] == ["en", "lv"]


async def test_conflicting_decision_inputs_the_first_one_wins(
    ctx: Context, db: Database, console: RecordingChannel
) -> None:
    bot = Dispatcher(ctx, db, Outbox(ctx, db, {"console": console}, "lv"), "lv")
    await bot.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    (control_round,) = rows(db, ControlRound)
    await bot.handle(press(ANNA, tokens.start_round(control_round.id or 0)))
    for answer in ("0,9", "88,5", "Divi darbinieki slimoja", "1"):
        await bot.handle(say(ANNA, answer))
    approve = bot.handle(press(JANIS, "decision:1:approve"), key="group:1", seq=1)
    reject = bot.handle(press(JANIS, "decision:1:reject"), key="dm:2", seq=2)
    first, second = await asyncio.gather(approve, reject)
    assert only(first, FormPrompt, JANIS).header.form == "decision"
    assert problem_codes(second) == ["decision_form_started"]
    form = only(await bot.handle(say(JANIS, "/pending")), FormPrompt, JANIS)
    assert form.header.decision_id == 1  # the approve form is the one in progress


async def test_a_double_tap_is_one_effect_and_one_message(
    ctx: Context, db: Database, console: RecordingChannel
) -> None:
    bot = Dispatcher(ctx, db, Outbox(ctx, db, {"console": console}, "lv"), "lv")
    await bot.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    (control_round,) = rows(db, ControlRound)
    start = tokens.start_round(control_round.id or 0)
    console.clear()
    alerts: list[str] = []

    async def alert(text: str) -> None:
        alerts.append(text)

    taps = [bot.handle(press(ANNA, start), alert=alert, seq=n) for n in (1, 2)]
    await asyncio.gather(*taps)
    prompts = [m for m in console.to(ANNA) if "Jautājums 1 no" in m.text]
    assert len(prompts) == 1
    assert alerts == ["Šī veidlapa jau ir atvērta: atbildiet uz jautājumu iepriekš."]


async def test_controlbot_deliveries_lists_the_record(
    bot: Dispatcher, db: Database, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from bot.cli.deliveries import deliveries

    link(db, ctx, ANNA, "1001")
    await bot.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    settings = Settings(default_locale="lv")
    app: Any = argparse.Namespace(db=db, ctx=ctx, settings=settings)  # what it reads of the App
    args = argparse.Namespace(person=None, status=None, first=None, last=None, format="json")
    assert deliveries(app, args) == 0
    records = json.loads(capsys.readouterr().out)
    by_person = {(r["recipient"], r["status"], r["reason"]) for r in records}
    assert (PETERIS, "undeliverable", "no_account") in by_person
    delivered = [r for r in records if r["recipient"] == ANNA]
    assert delivered[0]["platform_message_id"] and delivered[0]["delivered_at"]
    args.format, args.status = "csv", "undeliverable"
    deliveries(app, args)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,recipient_kind,recipient,kind")
    assert all(",undeliverable," in line for line in lines[1:]) and len(lines) == 3


async def test_status_shows_whom_the_robot_cannot_reach(
    bot: Dispatcher, db: Database, ctx: Context, console: RecordingChannel
) -> None:
    link(db, ctx, ANNA, "1001")
    await bot.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    console.clear()
    await bot.handle(command(ADMIN, "status"))
    text = console.texts(ADMIN)
    assert "Robots nevar sasniegt:" in text
    assert "Pēteris Liepa nav sasniedzama" in text and "Anna Ozola nav sasniedzama" not in text
