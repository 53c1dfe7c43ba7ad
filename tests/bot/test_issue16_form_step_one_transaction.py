"""Issue 16: a typed form value is one short transaction, and its reply one statement more.

The inbox records and applies the value in one transaction with its reply, queued already
claimed (``bot.inbox_now``); the reply is delivered right after the commit and its outcome
recorded in one statement. The person's language and route come from the statement that
identified the sender and are cached per person while their rows stay the same
(``workflows.people.accounts.seen``): a change made by another process (``/lang``, linking,
unlinking, a people sync with a new plan) shows in the very next reply.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from bot import tokens
from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from storage.messages import InboxEvent, OutboxMessage
from storage.models import FormSession
from tests.support.flow import only, rows
from tests.support.recording import RecordingChannel, command, press, say
from workflows.calendar import WorkingCalendar
from workflows.context import Context
from workflows.forms.engine import Ask
from workflows.notices import FormPrompt, LanguageChanged, RoundOpened
from workflows.people import accounts
from workflows.people.accounts import seen as seen_people
from workflows.plan.loader import load_plan

ADMIN, ANNA, OTHER = "kristaps-sils", "anna-ozola", "janis-berzins"
ACTIVITY = "dzivesvietas-deklaresana"
TRANSACTIONS, STATEMENTS = 2, 7
"""A typed value on the console: (identify, record, apply, queue the reply claimed) and
(record its delivery). Before issue 16's form step: 8 transactions, 24 statements."""


class Counted:
    """Transactions begun and statements run on a database's engine."""

    def __init__(self, db: Database) -> None:
        self.transactions = 0
        self.statements: list[str] = []
        event.listen(db.engine, "begin", self._begin)
        event.listen(db.engine, "before_cursor_execute", self._statement)

    def _begin(self, _conn: object) -> None:
        self.transactions += 1

    def _statement(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        self.statements.append(statement)


def _replica(ctx: Context, url: str, channel: RecordingChannel) -> Dispatcher:
    """Another process on the same database: its own engine, outbox and caches."""
    db = Database.from_url(url)
    return Dispatcher(ctx, db, Outbox(ctx, db, {"console": channel}, "lv"), "lv")


@pytest.fixture
def url(any_db_url: str) -> str:
    return any_db_url


@pytest.fixture
def db(url: str, ctx: Context) -> Iterator[Database]:
    database = Database.from_url(url)
    prepare_database(database, ctx, auto_upgrade=True)
    yield database
    database.dispose()


async def _in_form(dispatcher: Dispatcher) -> None:
    """The admin opens October's round and Anna starts her form (Anna is now known here)."""
    opened = await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    round_id = only(opened, RoundOpened, ADMIN).round_id
    await dispatcher.handle(press(ANNA, tokens.start_round(round_id)))


async def test_issue16_a_typed_value_is_two_transactions_and_seven_statements(  # both DBs
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    await _in_form(dispatcher)
    counted = Counted(db)
    items = await dispatcher.handle(say(ANNA, "0,9"))
    step = only(items, FormPrompt, ANNA).step
    assert isinstance(step, Ask) and step.field.id == "dd-within-sla"
    found = (counted.transactions, len(counted.statements))
    assert found == (TRANSACTIONS, STATEMENTS), "\n".join(counted.statements)
    assert "Noteiktajā termiņā" in recording.last(ANNA).plain()
    last = rows(db, OutboxMessage)[-1]
    assert (last.recipient, last.status, last.attempts) == (ANNA, "delivered", 1)
    assert {e.status for e in rows(db, InboxEvent)} == {"done"}
    (form,) = rows(db, FormSession, person_id=ANNA)
    assert "dd-avg-processing" in str(form.answers)


async def test_issue16_a_language_chosen_on_another_replica_shows_in_the_next_reply(
    ctx: Context, url: str, db: Database
) -> None:
    here, there = RecordingChannel(), RecordingChannel()
    bot = Dispatcher(ctx, db, Outbox(ctx, db, {"console": here}, "lv"), "lv")
    await _in_form(bot)
    await bot.handle(say(ANNA, "0,9"))
    assert here.last(ANNA).lang == "lv"
    assert db.transaction(lambda s: seen_people.remembered(s, ANNA))  # cached here
    other = _replica(ctx, url, there)
    try:
        await other.handle(command(ANNA, "lang", "en"))
    finally:
        other.db.dispose()
    assert there.last(ANNA).lang == "en"
    await bot.handle(say(ANNA, "96,5"))  # this process was not told: its next read tells
    assert here.last(ANNA).lang == "en"
    items = await bot.handle(command(ANNA, "lang", "lv"))  # here, on the one-transaction path
    assert only(items, LanguageChanged, ANNA) == LanguageChanged("lv")
    assert here.last(ANNA).lang == "lv"  # the answer to /lang is already in the new language


async def test_issue16_linking_and_unlinking_an_account_shows_in_the_next_reply(
    dispatcher: Dispatcher, db: Database, ctx: Context, recording: RecordingChannel, url: str
) -> None:
    await _in_form(dispatcher)
    await dispatcher.handle(say(ANNA, "0,9"))
    assert recording.last(ANNA).lang == "lv"
    elsewhere = Database.from_url(url)  # another process: this one's cache is not told
    try:
        # Anna links a Telegram account whose client speaks English
        elsewhere.transaction(lambda s: accounts.link(s, ctx, ANNA, "telegram", "7001", "en-GB"))
        await dispatcher.handle(command(ANNA, "pending"))
        assert recording.last(ANNA).lang == "en"  # the client of her latest chat account
        # the account is linked to someone else: Anna's language is Latvian again
        elsewhere.transaction(lambda s: accounts.link(s, ctx, OTHER, "telegram", "7001", "en"))
        await dispatcher.handle(command(ANNA, "pending"))
        assert recording.last(ANNA).lang == "lv"
    finally:
        elsewhere.dispose()
    # here (the same process): forgotten at once, so the same transaction reads it again
    db.transaction(lambda s: accounts.link(s, ctx, ANNA, "telegram", "7002", "en-GB"))
    assert not db.transaction(lambda s: seen_people.remembered(s, ANNA))


async def test_issue16_a_people_sync_with_a_new_plan_shows_in_the_next_reply(
    dispatcher: Dispatcher,
    db: Database,
    ctx: Context,
    recording: RecordingChannel,
    tmp_path: Path,
    url: str,
) -> None:
    await _in_form(dispatcher)
    await dispatcher.handle(say(ANNA, "0,9"))
    assert recording.last(ANNA).lang == "lv"
    source = ctx.plan.sources[0].read_text(encoding="utf-8")
    anna = '{id: anna-ozola, name: "Anna Ozola", email: anna.ozola@parauga-novads.example}'
    assert anna in source
    path = tmp_path / "plan.yaml"
    path.write_text(source.replace(anna, anna[:-1] + ", language: en}"), encoding="utf-8")
    changed = Context(load_plan(path), ctx.clock, WorkingCalendar(), ctx.timezone, "lv")
    elsewhere = Database.from_url(url)  # `controlbot plan apply`, elsewhere
    try:
        prepare_database(elsewhere, changed, auto_upgrade=True)
    finally:
        elsewhere.dispose()
    await dispatcher.handle(say(ANNA, "96,5"))
    assert recording.last(ANNA).lang == "en"
    prepare_database(db, ctx, auto_upgrade=True)  # the old plan again, in this process
    assert not db.transaction(lambda s: seen_people.remembered(s, ANNA))  # all forgotten
    await dispatcher.handle(command(ANNA, "pending"))
    assert recording.last(ANNA).lang == "lv"


async def test_issue16_a_redelivered_update_on_the_short_path_has_no_second_effect(
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    await _in_form(dispatcher)
    first = await dispatcher.handle(say(ANNA, "0,9"), key="telegram:16", seq=16)
    assert only(first, FormPrompt, ANNA)
    sent = len(recording.to(ANNA))
    assert await dispatcher.handle(say(ANNA, "0,9"), key="telegram:16", seq=16) == []
    assert len(recording.to(ANNA)) == sent
    assert len(rows(db, InboxEvent, key="telegram:16")) == 1
    (form,) = rows(db, FormSession, person_id=ANNA)
    assert str(form.answers).count("0.9") == 1
