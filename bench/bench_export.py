"""Benchmark: gathering an export (every stored value of the chosen periods) from columns.

The bundled plan's year of history (``tests/support/summary_world.py``) plus filler values
until the database holds N of them; every stored period is exported. In the same run,
interleaved: ``workflows.exchange.gather`` (one statement of columns, issue 16) and the
gathering as it was (ORM objects, decisions in chunks: ``tests/support/export_orm.py``).
Both must give the same rows. CPU seconds, best of 3.

Run: PYTHONPATH=. .venv/bin/python bench/bench_export.py [SIZES...]
     (and with CONTROLBOT_TEST_DATABASE_URL for PostgreSQL)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.bench_summary import RIGA, fill, fresh_database
from bot.app import prepare_database
from tests.support import export_orm
from tests.support.summary_world import seed_year
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.exchange import gather, stored_periods
from workflows.plan.loader import load_default_plan


def main(sizes: list[int]) -> None:
    clock = FixedClock(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA))
    ctx = Context(load_default_plan(None), clock, WorkingCalendar(), RIGA, "lv")
    backend = "PostgreSQL" if os.environ.get("CONTROLBOT_TEST_DATABASE_URL") else "SQLite"
    print(f"{backend}; load average {os.getloadavg()[0]:.1f}; CPU, best of 3")
    print("| values | columns (now) | ORM objects (before) | ratio |")
    print("| --- | --- | --- | --- |")
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            db = fresh_database(Path(folder))
            prepare_database(db, ctx, auto_upgrade=True)
            seed_year(db, ctx)
            stored = fill(db, size)
            with db.session() as session:
                periods = tuple(stored_periods(session))
                assert gather(session, ctx, periods) == export_orm.gather(session, ctx, periods)
            spent: dict[str, list[float]] = {"now": [], "before": []}
            for _ in range(3):
                for name, work in (("now", gather), ("before", export_orm.gather)):
                    with db.session() as session:
                        started = time.process_time()
                        work(session, ctx, periods)
                        spent[name].append(time.process_time() - started)
            now, before = min(spent["now"]), min(spent["before"])
            print(f"| {stored:,} | {now:.2f} s | {before:.2f} s | {before / now:.1f}× |")
            db.dispose()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [20_000])
