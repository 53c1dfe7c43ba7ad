"""Benchmark: one scheduler sweep with nothing due, on a national-scale plan (issue 16).

A plan of about 1,000 activities and 10,000 people (:mod:`bench.national`), a fresh SQLite
file (or ``CONTROLBOT_TEST_DATABASE_URL``), and the clock at 03:00 in Riga, between send
times. Every minute the runner (:mod:`bot.scheduler`) calls ``deliveries.prepare`` (the due
computation) and ``deliveries.next_instant`` (to arm its date trigger); this times both, as
CPU seconds of the process, for ten successive minutes. The first minute also pays for
computing the window once; the goal (≤ 50 ms) is for the minutes after it. The scheduler
is taken to have run for 20 days already: every send of its look-back window is in the
delivery ledger as sent, so the sweep has the whole window to check and nothing to send.

Run: PYTHONPATH=. .venv/bin/python bench/bench_sweep.py [ACTIVITIES] [PEOPLE] [MINUTES]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session

from bench.national import write_national
from bot.app import prepare_database
from storage.db import Database
from storage.models import Delivery
from workflows.schedule import sweep as deliveries
from workflows.schedule import ledger as delivery_ledger
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.loader import load_plan

RIGA = ZoneInfo("Europe/Riga")
START = datetime(2026, 11, 17, 3, 0, tzinfo=RIGA)


def database(folder: Path) -> Database:
    url = os.environ.get("CONTROLBOT_TEST_DATABASE_URL")
    if not url:
        return Database.from_url(f"sqlite:///{folder / 'sweep.sqlite3'}")
    db = Database.from_url(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    return db


def seed_ledger(db: Database, ctx: Context, clock: FixedClock) -> None:
    """The scheduler first ran 20 days ago and has sent everything due since."""
    clock.set(START - timedelta(days=20))
    db.transaction(lambda s: delivery_ledger.scheduler_epoch(s, ctx))
    clock.set(START)

    def sent(session: Session) -> int:
        due = deliveries.due_now(session, ctx, ctx.now())
        for send in due:
            session.add(
                Delivery(
                    key=send.key,
                    kind=send.kind.value,
                    subject=send.subject,
                    period=send.period,
                    recipient=send.recipient,
                    step=send.step,
                    planned_at=send.at,
                    status="sent",
                    attempted_at=send.at,
                    done_at=send.at,
                )
            )
        return len(due)

    print(f"ledger: {db.transaction(sent)} sends of the window marked sent")


def main(activities: int, people: int, minutes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = load_plan(write_national(folder / "plan.yaml", activities, people))
        clock = FixedClock(START)
        ctx = Context(plan, clock, WorkingCalendar(), RIGA, "lv")
        db = database(folder)
        prepare_database(db, ctx, auto_upgrade=True)
        seed_ledger(db, ctx, clock)
        print(f"{len(plan.activities)} activities, {len(plan.plan.people)} people")
        cpu: list[float] = []
        for minute in range(minutes):
            clock.set(START + timedelta(minutes=minute))
            now = ctx.now()
            t0 = time.process_time()
            prepared = db.transaction(lambda s, n=now: deliveries.prepare(s, ctx, n))
            upcoming = db.transaction(lambda s, n=now: deliveries.next_instant(s, ctx, n))
            cpu.append(time.process_time() - t0)
            assert not prepared, prepared
            print(f"minute {minute}: {cpu[-1] * 1000:8.1f} ms CPU, next send {upcoming}")
        later = cpu[1:] or cpu
        print(
            f"sweep with nothing due: first {cpu[0] * 1000:.1f} ms, "
            f"then median {statistics.median(later) * 1000:.1f} ms CPU (goal ≤ 50 ms); "
            f"load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:4]]
    main(*(args + [1000, 10_000, 10][len(args) :]))
