"""Issue 16: a catch-up sweep queued in short batches decides exactly what one transaction did.

Eight copies of the bundled plan's services; the scheduler first ran on 2 November and then
stopped until 12 November, so reminders, escalations and summaries of ten days are due at
once (some too old, some superseded, a summary with nothing to say, one recipient away). The
batched sweep (``ScheduleRunner.queue_due``, batches made tiny here) must leave the same
ledger and the same outbox as ``deliveries.prepare`` in one transaction; killed between
batches and run again, it must still queue every send exactly once.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot import scheduler
from bot.app import prepare_database
from bot.outbox import Outbox
from bot.scheduler import ScheduleRunner
from storage import prepared
from storage.db import Database
from storage.messages import OutboxMessage
from storage.models import Absence, Delivery
from tests.conftest import PG_ENV, _reset_postgres
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.periods import Period
from workflows.plan.loader import load_plan
from workflows.reports import channel_plan, summaries
from workflows.rounds.opening import ensure_round, new_round
from workflows.schedule import ledger as delivery_ledger
from workflows.schedule import sweep as deliveries
from workflows.schedule import sweep_plan, sweep_read
from workflows.schedule.planned import SendKind

ROOT = Path(__file__).resolve().parents[2]
RIGA = ZoneInfo("Europe/Riga")
EPOCH = datetime(2026, 11, 2, 8, 0, tzinfo=RIGA)
NOW = datetime(2026, 11, 12, 9, 30, tzinfo=RIGA)
AWAY = "anna-ozola-1"


def _world(tmp_path: Path, name: str, url: str | None = None) -> tuple[Context, Database]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from bench_plan import synthetic
    finally:
        sys.path.remove(str(ROOT / "bench"))
    path = tmp_path / "plan.yaml"
    if not path.exists():
        path.write_text(yaml.safe_dump(synthetic(8), allow_unicode=True), encoding="utf-8")
    clock = FixedClock(EPOCH)
    ctx = Context(load_plan(path), clock, WorkingCalendar(), RIGA, "lv")
    if url is not None:
        _reset_postgres(url)
    db = Database.from_url(url or f"sqlite:///{tmp_path / name}")
    prepare_database(db, ctx, auto_upgrade=True)

    def start(session: Session) -> None:
        delivery_ledger.scheduler_epoch(session, ctx)
        session.add(
            Absence(
                person_id=AWAY,
                starts=date(2026, 11, 1),
                ends=date(2026, 11, 30),
                created_by=AWAY,
                created_at=EPOCH,
            )
        )

    db.transaction(start)
    clock.set(NOW)
    return ctx, db


def _ledger(db: Database) -> dict[str, tuple[str, str | None]]:
    with db.session() as session:
        rows = session.exec(select(Delivery)).all()
        return {r.key: (r.status, r.note) for r in rows}


def _outbox(db: Database) -> Counter[tuple[str, str, str]]:
    with db.session() as session:
        rows = session.exec(select(OutboxMessage)).all()
        return Counter((r.recipient, r.kind, r.payload) for r in rows)


def _reference(
    tmp_path: Path,
) -> tuple[dict[str, tuple[str, str | None]], Counter[tuple[str, str, str]]]:
    """The sweep as one transaction: ``deliveries.prepare``, then the outbox rows."""
    ctx, db = _world(tmp_path, "one.sqlite3")
    outbox = Outbox(ctx, db, {}, "lv")

    def queue(session: Session) -> None:
        for item in deliveries.prepare(session, ctx, NOW):
            ids = outbox.enqueue(session, [item.outgoing], origin="scheduler")
            delivery_ledger.link(session, [(item.keys, ids[0])])

    db.transaction(queue)
    try:
        return _ledger(db), _outbox(db)
    finally:
        db.dispose()


def _commits(db: Database) -> list[int]:
    """Counts the writing transactions committed on ``db``."""
    commits = [0]
    event.listen(db.engine, "commit", lambda _conn: commits.__setitem__(0, commits[0] + 1))
    return commits


def _backend(name: str) -> str | None:
    """``None`` for SQLite, else the PostgreSQL URL (the test is skipped without one)."""
    if name == "sqlite":
        return None
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set")
    return url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_issue16_batched_catch_up_queues_what_one_transaction_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    ledger, messages = _reference(tmp_path)
    assert sum(status == "queued" for status, _note in ledger.values()) > 40
    assert {note for _s, note in ledger.values()} >= {None, "too_old", "superseded"}
    monkeypatch.setattr(sweep_plan, "BATCH_WEIGHT", 2)
    ctx, db = _world(tmp_path, "batched.sqlite3", _backend(backend))
    commits = _commits(db)
    runner = ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv"))
    queued = asyncio.run(runner.queue_due(NOW))
    assert commits[0] > 20  # many short transactions, not one
    assert _ledger(db) == ledger
    assert _outbox(db) == messages
    assert len(queued) == sum(messages.values())
    db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_issue16_a_crash_between_batches_loses_nothing_and_queues_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    ledger, messages = _reference(tmp_path)
    monkeypatch.setattr(sweep_plan, "BATCH_WEIGHT", 2)
    ctx, db = _world(tmp_path, "crash.sqlite3", _backend(backend))
    real = deliveries.queue_batch
    calls = [0]

    def dies_in_a_batch(*args: object) -> list[deliveries.Prepared]:
        calls[0] += bool(getattr(args[4], "people", ()))
        if calls[0] == 3:  # the third batch with people's reminders
            raise RuntimeError("killed")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(deliveries, "queue_batch", dies_in_a_batch)
    runner = ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv"))
    with pytest.raises(RuntimeError):
        asyncio.run(runner.queue_due(NOW))
    partly = _ledger(db)
    assert (
        0
        < sum(s == "queued" for s, _n in partly.values())
        < sum(s == "queued" for s, _n in ledger.values())
    )
    monkeypatch.setattr(deliveries, "queue_batch", real)
    asyncio.run(ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv")).queue_due(NOW))
    assert _ledger(db) == ledger
    assert _outbox(db) == messages
    with db.session() as session:  # every queued send carried by exactly one outbox row
        carried = session.exec(
            select(Delivery.outbox_id).where(col(Delivery.status) == "queued")
        ).all()
        assert None not in carried
    db.dispose()


def test_issue16_slow_batches_halve_the_batches_still_to_come(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch whose CPU time is over half the budget halves the rest (down to a quarter of
    the weight); the ledger and the outbox are still what one transaction leaves."""
    ledger, messages = _reference(tmp_path)
    monkeypatch.setattr(sweep_plan, "BATCH_WEIGHT", 16)
    ctx, db = _world(tmp_path, "even.sqlite3")
    counted = _commits(db)
    asyncio.run(ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv")).queue_due(NOW))
    db.dispose()
    monkeypatch.setattr(scheduler, "BATCH_BUDGET_SECONDS", 0.0)  # every batch is "slow"
    ctx, db = _world(tmp_path, "halved.sqlite3")
    commits = _commits(db)
    asyncio.run(ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv")).queue_due(NOW))
    assert commits[0] > counted[0] + 5  # more, shorter transactions
    assert _ledger(db) == ledger
    assert _outbox(db) == messages
    db.dispose()


def _sweep(ctx: Context, db: Database) -> sweep_plan.Sweep:
    due = sweep_read.read_due(db.transaction, ctx, NOW)
    return sweep_plan.plan_sweep(ctx, due)


def test_issue16_batches_keep_the_order_and_never_split_a_person(tmp_path: Path) -> None:
    ctx, db = _world(tmp_path, "order.sqlite3")
    whole = _sweep(ctx, db).whole
    db.dispose()
    batches = sweep_plan.Batches(whole)
    taken = []
    while batches:
        taken.append(batches.take(3))
    assert not batches.take(3).keys  # nothing left: an empty batch
    assert [k for b in taken for k in b.keys] == whole.keys
    assert [p for b in taken for p in b.people] == list(whole.people)  # whole people only
    assert len(taken) > 10
    for batch in taken:  # about 3 reminders' work; one item may weigh more alone
        items = len(batch.skips) + len(batch.singles) + len(batch.people)
        assert items == 1 or len(batch.people) <= 3


def test_issue16_a_channel_summary_is_decided_in_a_transaction_of_its_own(
    tmp_path: Path,
) -> None:
    ctx, db = _world(tmp_path, "alone.sqlite3")
    whole = _sweep(ctx, db).whole
    db.dispose()
    summaries = [s for s in whole.singles if s.kind is SendKind.SUMMARY]
    assert summaries
    batches = sweep_plan.Batches(whole)
    seen = 0
    while batches:
        batch = batches.take(1_000)  # room for everything: summaries still go alone
        if any(s.kind is SendKind.SUMMARY for s in batch.singles):
            assert batch.keys == [batch.singles[0].key]
            seen += 1
    assert seen == len(summaries)


def test_issue16_what_is_due_is_read_in_short_steps_with_the_same_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each step its own transaction, the ledger a few keys at a time: the same as reading
    everything in one session."""
    ctx, db = _world(tmp_path, "steps.sqlite3")
    with db.session() as session:
        whole = sweep_read.read_due(sweep_read.InSession(session), ctx, NOW)
    monkeypatch.setattr(sweep_read, "KEYS_PER_READ", 7)
    keys: list[int] = []

    def in_parameters(
        _conn: object, _cur: object, statement: str, params: object, *_a: object
    ) -> None:
        if "FROM delivery" in statement and isinstance(params, tuple | list):
            keys.append(len(params))

    event.listen(db.engine, "before_cursor_execute", in_parameters)
    steps = [0]

    def read(work):  # type: ignore[no-untyped-def]
        steps[0] += 1
        return db.transaction(work)

    stepped = sweep_read.read_due(read, ctx, NOW)
    db.dispose()
    assert stepped.fresh == whole.fresh and stepped.too_old == whole.too_old
    assert stepped.snoozes == whole.snoozes and stepped.until == whole.until
    assert len(whole.fresh) + len(whole.too_old) > 40
    assert steps[0] >= (len(whole.fresh) + len(whole.too_old)) // 7
    assert keys and max(keys) <= 7 + 3  # a chunk's keys, and the statement's own values


def test_issue16_a_warmed_summary_compiles_nothing_in_its_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, db = _world(tmp_path, "warm.sqlite3")
    whole = _sweep(ctx, db).whole
    summary = next(s for s in whole.singles if s.kind is SendKind.SUMMARY)
    period = Period.parse(summary.period)

    def open_rounds(session: Session) -> None:  # so that the summary has something to say
        for activity in channel_plan.activities_under(ctx.plan, summary.subject):
            ensure_round(session, ctx, activity, period, "system")

    db.transaction(open_rounds)
    batch = sweep_plan.Batch(singles=(summary,))
    deliveries.warm_batch(ctx, db.engine.dialect, batch)

    def no_compiling(*_args: object) -> None:
        raise AssertionError("compiled inside the transaction")

    monkeypatch.setattr(prepared, "_compile", no_compiling)
    monkeypatch.setattr(channel_plan, "activities_under", no_compiling)
    found = db.transaction(
        lambda s: summaries.post_summary(s, ctx, summary.subject, summary.period, "system")
    )
    db.dispose()
    assert [type(o.notice).__name__ for o in found] in (["Summary"], ["RollupSummary"])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_breaker_only_the_ledger_key_is_taken_for_another_sweep_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    """A batch that meets the ledger's unique key stops quietly (another sweep has those
    sends); any other integrity error fails the sweep loudly instead of hiding a defect."""
    ctx, db = _world(tmp_path, "loud.sqlite3", _backend(backend))
    activity = ctx.plan.plan.services[0].id
    period = Period.parse("2026-10")

    def duplicate_round(*_args: object) -> list[deliveries.Prepared]:
        session = _args[0]
        assert isinstance(session, Session)
        session.add(new_round(ctx, activity, period, "system"))
        session.add(new_round(ctx, activity, period, "system"))
        session.flush()
        return []

    def duplicate_key(*_args: object) -> list[deliveries.Prepared]:
        session = _args[0]
        assert isinstance(session, Session)
        for _twice in range(2):
            session.add(
                Delivery(
                    key="reminder:taken-meanwhile",
                    kind="reminder",
                    subject=activity,
                    period="2026-10",
                    recipient=AWAY,
                    step=0,
                    planned_at=NOW,
                    status="queued",
                    attempted_at=NOW,
                )
            )
        session.flush()
        return []

    runner = ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv"))
    calls = [0]
    real_duplicate_key = duplicate_key

    def counted(*args: object) -> list[deliveries.Prepared]:
        calls[0] += 1
        return real_duplicate_key(*args)

    monkeypatch.setattr(deliveries, "queue_batch", counted)
    assert asyncio.run(runner.queue_due(NOW)) == []  # quietly: someone else sends them
    assert calls[0] == 1  # and the rest is left to the next sweep
    monkeypatch.setattr(deliveries, "queue_batch", duplicate_round)
    with pytest.raises(IntegrityError):
        asyncio.run(runner.queue_due(NOW))
    db.dispose()
