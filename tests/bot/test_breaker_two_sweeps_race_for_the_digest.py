"""Two replicas' sweeps overlap (a leader change while a sweep runs: the old leader finishes
its sweep, the new one starts its own). Both reach the day's delivery-problems digest: the
one that loses the race for its ledger key must not fail the sweep (an error logged, the
messages it queued not sent right away, its next trigger not armed)."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from bot.outbox import Outbox
from bot.scheduler import ScheduleRunner
from storage.messages import OutboxMessage
from tests.conftest import PG_ENV
from tests.workflows.test_issue16_catch_up_in_batches import NOW, _world
from workflows.notices import Outgoing
from workflows.reports import deliveries as delivery_reports


def test_breaker_a_sweep_that_loses_the_race_for_the_days_digest_does_not_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = os.environ.get(PG_ENV)  # replicas need PostgreSQL (SQLite serves one process)
    if not url:
        pytest.skip(f"{PG_ENV} is not set")
    ctx, db = _world(tmp_path, "race.sqlite3", url)
    ours = ScheduleRunner(ctx, db, Outbox(ctx, db, {}, "lv"))
    asyncio.run(ours.sweep())  # nobody has an account: undeliverable, so a digest is due
    later = NOW + timedelta(minutes=1)
    other = Outbox(ctx, db, {}, "lv")
    real = delivery_reports.problems_digest
    raced = [0]

    def the_other_replica_is_quicker(session: Session, *args: object) -> list[Outgoing]:
        found = real(session, *args)  # type: ignore[arg-type]
        if found and not raced[0]:  # the other sweep queues the digest and commits first
            raced[0] += 1

            def theirs(s: Session) -> None:
                other.enqueue(s, real(s, ctx, later), origin="scheduler")

            db.transaction(theirs)
        return found

    monkeypatch.setattr(delivery_reports, "problems_digest", the_other_replica_is_quicker)
    asyncio.run(ours.queue_due(later))  # must not raise
    with db.session() as session:
        digests = session.exec(
            select(OutboxMessage.id).where(col(OutboxMessage.kind) == "DeliveryProblems")
        ).all()
    db.dispose()
    assert raced[0] == 1
    assert len(digests) == 1
