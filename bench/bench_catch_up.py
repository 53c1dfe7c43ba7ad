"""Benchmark: one catch-up sweep after downtime, on a national-scale plan (issue 16).

The scheduler first ran 20 days ago and then stopped; at restart every send of the last
``catch_up_days`` is due at once. This times ``deliveries.prepare`` (one transaction today),
counts its statements, and prints where its time goes (cProfile, top 25 by own time), for
whoever batches the sweep (no transaction over ~200 ms).

Run: PYTHONPATH=. .venv/bin/python bench/bench_catch_up.py [ACTIVITIES] [PEOPLE]
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event

from bench.bench_sweep import RIGA, START, database
from bench.national import write_national
from bot.app import prepare_database
from workflows import deliveries
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.loader import load_plan


def main(activities: int, people: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = load_plan(write_national(folder / "plan.yaml", activities, people))
        clock = FixedClock(START - timedelta(days=20))
        ctx = Context(plan, clock, WorkingCalendar(), RIGA, "lv")
        db = database(folder)
        prepare_database(db, ctx, auto_upgrade=True)
        db.transaction(lambda s: deliveries.scheduler_epoch(s, ctx))
        clock.set(START)
        statements = [0]
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *_a: statements.__setitem__(0, statements[0] + 1),
        )
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        prepared = db.transaction(lambda s: deliveries.prepare(s, ctx, ctx.now()))
        profile.disable()
        elapsed = time.perf_counter() - started
        print(
            f"catch-up: {len(prepared)} messages ({sum(len(p.keys) for p in prepared)} sends) "
            f"prepared in one transaction of {elapsed:.1f} s (under cProfile), "
            f"{statements[0]} statements; load average {os.getloadavg()[0]:.1f}"
        )
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*(args + [1000, 10_000][len(args) :]))
