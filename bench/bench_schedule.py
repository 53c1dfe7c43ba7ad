"""Benchmark: computing the schedule (every planned send) and one scheduler sweep.

Run: .venv/bin/python bench/bench_schedule.py
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bench_plan import synthetic
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.loader import load_plan
from workflows.schedule.planned import planned_sends

RIGA = ZoneInfo("Europe/Riga")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (1, 10, 100):
            path = Path(tmp) / f"plan-{copies}.yaml"
            path.write_text(yaml.safe_dump(synthetic(copies), allow_unicode=True), "utf-8")
            plan = load_plan(path)
            ctx = Context(
                plan, FixedClock(datetime(2026, 1, 1, tzinfo=UTC)), WorkingCalendar(), RIGA, "lv"
            )
            planned_sends(ctx, date(2026, 1, 1), date(2026, 1, 31))  # warm the calendar
            t0 = time.perf_counter()
            year = planned_sends(ctx, date(2026, 1, 1), date(2026, 12, 31))
            year_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            planned_sends(ctx, date(2026, 11, 14), date(2026, 11, 29))  # one sweep's window
            sweep_s = time.perf_counter() - t0
            print(
                f"activities={len(plan.activities):4d} sends/year={len(year):6d} "
                f"year={year_s * 1000:8.1f} ms  sweep-window={sweep_s * 1000:7.1f} ms"
            )


if __name__ == "__main__":
    main()
