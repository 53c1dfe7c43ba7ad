"""A catch-up sweep reads what is due, then decides it batch by batch (issue 16).

What people do between the sweep's reading steps and their batch must count: an absence
taken, a reminder snoozed, a value submitted. Each test lets the sweep read, commits the
person's action, then lets the batches run (``ScheduleRunner.queue_due``).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.outbox import Outbox
from bot.scheduler import ScheduleRunner
from storage.db import Database
from storage.messages import OutboxMessage
from storage.models import Absence, Delivery
from tests.workflows.test_issue16_catch_up_in_batches import AWAY, NOW, _world
from workflows.context import Context
from workflows.periods import Period
from workflows.rounds import snooze
from workflows.rounds.opening import ensure_round
from workflows.schedule import sweep_read
from workflows.schedule.memo import closed_keys_for
from workflows.schedule.planned import PlannedSend, SendKind

DUE_DAY = datetime(2026, 11, 6, 9, 30, tzinfo=ZoneInfo("Europe/Riga"))
"""The due day of the October rounds: "due" reminders go out, no escalation yet."""


def _after_reading(
    monkeypatch: pytest.MonkeyPatch, db: Database, change: Any
) -> list[sweep_read.DueNow]:
    """Commit ``change(session, due)`` right after the first sweep's reading steps."""
    real = sweep_read.read_due
    seen: list[sweep_read.DueNow] = []

    def read_then_change(*args: Any) -> sweep_read.DueNow:
        due = real(*args)
        seen.append(due)
        if len(seen) == 1:
            db.transaction(lambda s: change(s, due))
        return due

    monkeypatch.setattr(sweep_read, "read_due", read_then_change)
    return seen


def _a_reminded_person(ctx: Context, due: sweep_read.DueNow) -> tuple[str, str, str]:
    """A person (not the one away) whose last step due is a plain reminder (not an
    escalation, which a snooze does not hold back): (person, activity, period)."""
    latest: dict[tuple[str, str, str], PlannedSend] = {}
    for send in due.fresh:
        group = (send.recipient, send.subject, send.period)
        if send.kind is not SendKind.SUMMARY and (
            group not in latest or send.step > latest[group].step
        ):
            latest[group] = send
    for (person, activity, period), send in sorted(latest.items()):
        if send.kind is SendKind.DUE and person != AWAY:
            return person, activity, period
    raise AssertionError("no reminder due")


def _messages_to(db: Database, person: str, about: str = "") -> list[str]:
    """The kinds of messages queued for ``person`` (whose payload mentions ``about``)."""
    with db.session() as session:
        rows = session.exec(
            select(OutboxMessage).where(
                col(OutboxMessage.recipient) == person,
                col(OutboxMessage.recipient_kind) == "person",
            )
        ).all()
        return [r.kind for r in rows if f'"{about}' in r.payload]


def test_breaker_an_absence_taken_while_a_catch_up_runs_holds_the_persons_reminders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, db = _world(tmp_path, "away.sqlite3")
    ctx.clock.set(DUE_DAY)  # type: ignore[attr-defined]  # a FixedClock
    chosen: list[str] = []

    def goes_away(session: Session, due: sweep_read.DueNow) -> None:
        person, _activity, _period = _a_reminded_person(ctx, due)
        chosen.append(person)
        session.add(
            Absence(
                person_id=person,
                starts=date(2026, 11, 1),
                ends=date(2026, 11, 30),
                created_by=person,
                created_at=NOW,
            )
        )

    _after_reading(monkeypatch, db, goes_away)
    runner = ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv"))
    asyncio.run(runner.queue_due(DUE_DAY))
    try:
        assert _messages_to(db, chosen[0]) == []
        asyncio.run(runner.queue_due(DUE_DAY + timedelta(minutes=1)))  # the next sweep
        assert _messages_to(db, chosen[0]) == []
        with db.session() as session:  # nothing lost: their deputy was reminded instead
            rows = session.exec(
                select(Delivery).where(
                    col(Delivery.recipient) == chosen[0], col(Delivery.kind) == "due"
                )
            ).all()
            assert rows and all(r.status == "queued" for r in rows)
            carriers = session.exec(
                select(OutboxMessage.recipient).where(
                    col(OutboxMessage.id).in_([r.outbox_id for r in rows])
                )
            ).all()
            assert carriers and chosen[0] not in carriers
    finally:
        db.dispose()


def test_breaker_a_reminder_snoozed_while_a_catch_up_runs_is_not_sent_anyway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, db = _world(tmp_path, "snooze.sqlite3")
    ctx.clock.set(DUE_DAY)  # type: ignore[attr-defined]  # a FixedClock
    chosen: list[str] = []
    about: list[str] = []

    def snoozes(session: Session, due: sweep_read.DueNow) -> None:
        person, activity, period = _a_reminded_person(ctx, due)
        chosen.append(person)
        about.append(activity)
        control_round, _created = ensure_round(
            session, ctx, ctx.plan.activity(activity), Period.parse(period), "system"
        )
        assert control_round.id is not None
        out = snooze.snooze(session, ctx, person, control_round.id, "tomorrow")
        assert type(out[0].notice).__name__ == "Snoozed"

    _after_reading(monkeypatch, db, snoozes)
    runner = ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv"))
    asyncio.run(runner.queue_due(DUE_DAY))
    asyncio.run(runner.queue_due(DUE_DAY + timedelta(minutes=1)))  # the next sweep
    try:
        with db.session() as session:
            notes = session.exec(
                select(Delivery.kind, Delivery.status, Delivery.note).where(
                    col(Delivery.recipient) == chosen[0]
                )
            ).all()
        assert _messages_to(db, chosen[0], about[0]) == [], notes
        assert ("due", "skipped", "snoozed") in notes  # decided, as the next sweep sees it
    finally:
        db.dispose()


def test_breaker_the_closed_keys_memo_does_not_grow_for_ever_over_a_long_run(
    tmp_path: Path,
) -> None:
    """Keys of sends that left the sweep's look-back window are never asked for again: the
    memo of closed keys (one per database, for the process's lifetime) must let them go,
    or a bot running for months keeps every key it ever sent (~3,000 a day, national plan)."""
    ctx, db = _world(tmp_path, "memo.sqlite3")
    asyncio.run(ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv")).queue_due(NOW))
    sweep_read.read_due(db.transaction, ctx, NOW)  # learns the keys just closed
    closed = closed_keys_for(db.engine)
    november = {k for k in _ledger_keys(db)}
    assert november & set(closed._keys)  # remembered while in the window
    later = NOW + timedelta(days=60)
    ctx.clock.set(later)  # type: ignore[attr-defined]  # a FixedClock
    sweep_read.read_due(db.transaction, ctx, later)
    db.dispose()
    assert not november & set(closed._keys)


def _ledger_keys(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.exec(select(Delivery.key)).all())
