"""Field case C01: a form survives a restart, and its inactivity timeout still applies.

A restart is simulated by disposing the :class:`Database` and building a brand-new
``Database``, ``Outbox``, ``Context`` and ``Dispatcher`` on the same SQLite file: nothing in
memory survives, only what was committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot import tokens
from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from storage.models import FormSession, Measurement
from tests.support.flow import audit, kinds, notices, only, rows
from tests.support.recording import RecordingChannel, command, press, say
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.forms.engine import Ask, Confirm
from workflows.notices import (
    FormCancelled,
    FormExpired,
    FormPrompt,
    MeasurementsRecorded,
    Outgoing,
    PendingList,
    RoundOpened,
)
from workflows.plan.model import LoadedPlan

RIGA = ZoneInfo("Europe/Riga")
START = datetime(2026, 11, 3, 9, 0, tzinfo=RIGA)
ACTIVITY = "dzivesvietas-deklaresana"
A = "anna-ozola"  # two values, a comment (the second value is critical), confirm
B = "janis-berzins"  # one value, a comment (warning), confirm
C = "peteris-liepa"


@dataclass
class Bot:
    """One 'process': its own database engine, outbox and dispatcher."""

    url: str
    plan: LoadedPlan
    clock: FixedClock
    recording: RecordingChannel
    db: Database = field(init=False)
    dispatcher: Dispatcher = field(init=False)

    def __post_init__(self) -> None:
        self.boot()

    def boot(self) -> None:
        ctx = Context(self.plan, self.clock, WorkingCalendar(), RIGA, "lv")
        self.db = Database.from_url(self.url)
        prepare_database(self.db, ctx)
        outbox = Outbox(ctx, self.db, {"console": self.recording}, "lv")
        self.dispatcher = Dispatcher(ctx, self.db, outbox, "lv")

    def restart(self) -> None:
        self.db.dispose()
        self.boot()

    def at(self, minutes: float) -> None:
        self.clock.set(START + timedelta(minutes=minutes))

    async def say(self, person: str, *lines: str) -> list[Outgoing]:
        items: list[Outgoing] = []
        for line in lines:
            items = await self.dispatcher.handle(say(person, line))
        return items

    async def command(self, person: str, name: str, *args: str) -> list[Outgoing]:
        return await self.dispatcher.handle(command(person, name, *args))

    async def start(self, person: str, round_id: int) -> list[Outgoing]:
        return await self.dispatcher.handle(press(person, tokens.start_round(round_id)))


@pytest.fixture
def bot(db_url: str, plan: LoadedPlan, recording: RecordingChannel) -> Iterator[Bot]:
    running = Bot(db_url, plan, FixedClock(START), recording)
    yield running
    running.db.dispose()


async def open_round(bot: Bot) -> int:
    items = await bot.command("kristaps-sils", "remind", ACTIVITY, "2026-10")
    return only(items, RoundOpened).round_id


def step_of(items: list[Outgoing], person: str) -> Ask | Confirm:
    return only(items, FormPrompt, person).step


async def test_c01_answer_after_restart_continues_at_the_same_step(bot: Bot) -> None:
    round_id = await open_round(bot)
    bot.at(0)
    await bot.start(A, round_id)
    bot.at(1)
    await bot.say(A, "0,9")
    items = await bot.say(A, "88,5")
    comment_step = step_of(items, A)
    assert isinstance(comment_step, Ask)
    assert comment_step.field.id == "dd-within-sla.comment"

    bot.at(5)
    bot.restart()

    bot.at(6)
    items = await bot.say(A, "Divi darbinieki slimoja")
    confirm = step_of(items, A)
    assert isinstance(confirm, Confirm)
    assert dict(confirm.answers) == {
        "dd-avg-processing": "0.9",
        "dd-within-sla": "88.5",
        "dd-within-sla.comment": "Divi darbinieki slimoja",
    }
    bot.at(7)
    items = await bot.say(A, "1")

    recorded = only(items, MeasurementsRecorded, A)
    assert [r.indicator_id for r in recorded.results] == ["dd-avg-processing", "dd-within-sla"]
    stored = {m.indicator_id: m for m in rows(bot.db, Measurement)}
    assert {k: m.value for k, m in stored.items()} == {
        "dd-avg-processing": Decimal("0.9"),
        "dd-within-sla": Decimal("88.5"),
    }
    assert stored["dd-within-sla"].comment == "Divi darbinieki slimoja"
    assert stored["dd-avg-processing"].comment is None
    (form,) = rows(bot.db, FormSession)
    assert form.status == "completed"
    assert form.answers == dict(confirm.answers)
    # each answer entered once: one form, one submission per indicator
    assert len(audit(bot.db, "form.started")) == 1
    assert len(audit(bot.db, "measurement.submitted")) == 2
    assert audit(bot.db, "form.expired") == []


async def test_c01_pending_start_and_cancel_answer_after_restart(bot: Bot) -> None:
    round_id = await open_round(bot)
    await bot.start(A, round_id)
    await bot.say(A, "0,9")
    await bot.start(C, round_id)
    bot.restart()

    bot.at(3)
    items = await bot.command(A, "pending")
    listing = only(items, PendingList, A)
    assert listing.form_in_progress is not None
    assert listing.form_in_progress.round_id == round_id
    prompt = only(items, FormPrompt, A)
    assert prompt.resumed
    assert isinstance(prompt.step, Ask) and prompt.step.field.id == "dd-within-sla"
    assert (prompt.step.number, prompt.step.total) == (2, 2)

    items = await bot.command(A, "start")
    assert notices(items, PendingList, A)
    assert isinstance(step_of(items, A), Ask)

    # pressing the reminder button again resumes the same form rather than a new one
    items = await bot.start(A, round_id)
    resumed = only(items, FormPrompt, A)
    assert resumed.resumed and isinstance(resumed.step, Ask)
    assert resumed.step.field.id == "dd-within-sla"
    assert len(rows(bot.db, FormSession, person_id=A)) == 1

    items = await bot.command(C, "cancel")
    assert kinds(items) == [(C, "FormCancelled")]
    assert only(items, FormCancelled, C).form == "measurement"
    assert [f.status for f in rows(bot.db, FormSession, person_id=C)] == ["cancelled"]

    items = await bot.say(A, "96,5", "1")
    assert len(only(items, MeasurementsRecorded, A).results) == 2


async def test_c01_abandoned_form_expires_across_a_restart(
    bot: Bot, recording: RecordingChannel
) -> None:
    round_id = await open_round(bot)
    assert bot.plan.plan.form_timeout_minutes == 30
    bot.at(0)
    await bot.start(B, round_id)
    items = await bot.say(B, "58,5", "Saite nedarbojās")
    assert isinstance(step_of(items, B), Confirm)  # abandoned at the confirmation step
    (form,) = rows(bot.db, FormSession, person_id=B)
    assert form.expires_at == (START + timedelta(minutes=30)).astimezone(form.expires_at.tzinfo)

    bot.at(10)
    bot.restart()

    bot.at(29)  # not yet expired: still shown as in progress
    items = await bot.command(B, "pending")
    assert only(items, PendingList, B).form_in_progress is not None

    bot.at(35)
    recording.clear()
    items = await bot.say(B, "1")
    expired = only(items, FormExpired, B)
    assert expired.minutes == 30
    assert expired.header.round_id == round_id
    assert len(items) == 1
    # nothing of B's partial answers became a measurement
    assert rows(bot.db, Measurement) == []
    (form,) = rows(bot.db, FormSession, person_id=B)
    assert form.status == "expired"
    assert len(audit(bot.db, "form.expired")) == 1
    # B is offered a fresh form, in B's language (Latvian by the plan)
    (message,) = recording.to(B)
    assert [c.token for c in message.choices] == [
        tokens.continue_draft(round_id),  # the answers are kept as a draft
        tokens.start_round(round_id),
    ]
    assert "2026. gada oktobris" in message.plain()
    assert "melnraksts" in message.plain()

    # another word is not an answer to the expired form
    items = await bot.say(B, "1")
    assert [type(i.notice).__name__ for i in items] == ["Problem"]

    # "Start again": the fresh form starts at the first question with nothing carried over
    items = await bot.dispatcher.handle(press(B, message.choices[1].token))
    step = step_of(items, B)
    assert isinstance(step, Ask) and step.field.id == "dd-e-share" and step.number == 1
    old, fresh = rows(bot.db, FormSession, person_id=B)
    assert (old.status, fresh.status) == ("expired", "active")
    assert fresh.answers == {}
    assert fresh.expires_at > old.expires_at
    items = await bot.say(B, "75", "1")
    assert [r.value for r in only(items, MeasurementsRecorded, B).results] == [Decimal(75)]


async def test_c01_expired_form_is_reported_on_pending_cancel_and_start(bot: Bot) -> None:
    round_id = await open_round(bot)
    await bot.start(B, round_id)
    await bot.say(B, "58,5")
    bot.restart()
    bot.at(45)

    items = await bot.command(B, "cancel")
    assert notices(items, FormExpired, B)
    assert notices(items, FormCancelled) == []
    (form,) = rows(bot.db, FormSession, person_id=B)
    assert form.status == "expired"

    items = await bot.command(B, "pending")
    assert only(items, PendingList, B).form_in_progress is None
    assert notices(items, FormPrompt) == []
    assert rows(bot.db, Measurement) == []


async def test_c01_an_expired_form_continues_from_its_draft(bot: Bot) -> None:
    round_id = await open_round(bot)
    await bot.start(B, round_id)
    await bot.say(B, "75")  # B's only question; the confirmation is left open
    bot.at(40)
    items = await bot.command(B, "pending")
    assert only(items, FormExpired, B).draft
    assert rows(bot.db, Measurement) == []  # a draft is not a measurement
    items = await bot.dispatcher.handle(press(B, tokens.continue_draft(round_id)))
    confirm = step_of(items, B)
    assert isinstance(confirm, Confirm) and dict(confirm.answers) == {"dd-e-share": "75"}
    items = await bot.say(B, "1")
    assert [r.value for r in only(items, MeasurementsRecorded, B).results] == [Decimal(75)]
    assert audit(bot.db, "form.started")[-1].details == {"form": "measurement", "from_draft": True}
