"""Issue 16: a sweep remembers the planned sends and the closed ledger keys between minutes.

What the remembered window returns must be what computing the schedule afresh returns, at
every minute; a key the ledger has not closed must never be taken for closed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import Delivery
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.schedule import ledger as delivery_ledger
from workflows.schedule import sweep as deliveries
from workflows.schedule.memo import closed_keys_for, window_for
from workflows.schedule.planned import planned_sends

RIGA = ZoneInfo("Europe/Riga")


def fresh(ctx: Context) -> Context:
    """The same plan with a calendar of its own, so that nothing is remembered yet."""
    return Context(ctx.plan, ctx.clock, WorkingCalendar(), ctx.timezone, ctx.default_lang)


def test_the_remembered_window_holds_the_same_sends_as_the_schedule(ctx: Context) -> None:
    ctx = fresh(ctx)
    window = window_for(ctx)
    for first in (date(2026, 10, 20), date(2026, 10, 25), date(2026, 11, 2), date(2027, 3, 26)):
        for length in (0, 1, 16, 40):
            last = first + timedelta(days=length)
            expected = planned_sends(ctx, first, last)
            span = window.span(ctx, first, last)
            assert list(span.sends) == expected
            assert list(span.keys) == [s.key for s in expected]
    assert window_for(ctx) is window


def test_next_instant_is_the_first_planned_send_after_every_minute(
    ctx: Context, db: Database
) -> None:
    ctx = fresh(ctx)
    moment = datetime(2026, 11, 2, 6, 0, tzinfo=RIGA)
    while moment < datetime(2026, 11, 12, tzinfo=RIGA):
        start = moment.date()
        expected = min(
            s.at for s in planned_sends(ctx, start, start + timedelta(days=40)) if s.at > moment
        )

        def ask(session: Session, at: datetime = moment) -> datetime | None:
            return deliveries.next_instant(session, ctx, at)

        found = db.transaction(ask)
        assert found == expected, moment
        moment += timedelta(hours=7, minutes=13)


def test_only_keys_the_ledger_closed_are_remembered(
    ctx: Context, db: Database, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 10, 30, 8, 0, tzinfo=RIGA))
    db.transaction(lambda s: delivery_ledger.scheduler_epoch(s, ctx))
    now = datetime(2026, 11, 3, 9, 0, tzinfo=RIGA)
    due = db.transaction(lambda s: deliveries.due_now(s, ctx, now))
    assert len(due) >= 2
    sent, in_flight = due[0], due[1]

    def record(session: Session) -> None:
        for send, status in ((sent, "sent"), (in_flight, "sending")):
            session.add(
                Delivery(
                    key=send.key,
                    kind=send.kind.value,
                    subject=send.subject,
                    period=send.period,
                    recipient=send.recipient,
                    step=send.step,
                    planned_at=send.at,
                    status=status,
                    attempted_at=now,
                )
            )

    db.transaction(record)
    later = db.transaction(lambda s: deliveries.due_now(s, ctx, now + timedelta(minutes=1)))
    assert sent not in later and in_flight not in later  # a live sweep is sending it
    closed = closed_keys_for(db.engine)
    assert sent.key in closed and in_flight.key not in closed
    # the sweep that was sending it crashed: ten minutes on, it is taken up again
    stale = now + delivery_ledger.STALE_SENDING + timedelta(minutes=1)
    assert in_flight in db.transaction(lambda s: deliveries.due_now(s, ctx, stale))
    assert sent not in db.transaction(lambda s: deliveries.due_now(s, ctx, stale))
    with db.session() as session:
        rows = session.exec(select(Delivery.key).where(col(Delivery.key) == sent.key)).all()
    assert rows == [sent.key]
