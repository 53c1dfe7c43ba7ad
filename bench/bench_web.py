"""Benchmark: web view pages on a plan of 1,000 activities with a year of values (issue 17).

Builds the synthetic plan of ``bench_plan`` (500 copies of the bundled services: 1,000
activities), stores 12 months (4 quarters) of values for every indicator and opens the
November round of every activity, then times each page and each list's CSV/XLSX download
over loopback HTTP (request to last byte: an upper bound of the server-side time) for the
administrator, who sees everything, and for one service's measurer.

Run: .venv/bin/python bench/bench_web.py [COPIES]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlmodel import Session

from bench_plan import synthetic
from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from tests.support.recording import RecordingChannel
from tests.support.summary_world import LAST_MONTH, LAST_QUARTER, sample_value
from tests.support.web_client import Browser, web_world
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.rounds.measuring import new_measurement
from workflows.plan.loader import load_plan
from workflows.rounds.opening import new_round
from workflows.reports.trends import periods_back

REPEATS = 15


def seed(db: Database, ctx: Context) -> int:
    """Closed rounds with values for 12 months and 4 quarters, and an open November round."""

    def work(session: Session) -> int:
        rounds = []
        for activity in ctx.plan.activities:
            for last in (LAST_MONTH, LAST_QUARTER):
                for step, period in enumerate(periods_back(last)):
                    rounds.append(
                        (
                            activity,
                            last.frequency,
                            step,
                            new_round(ctx, activity.id, period, "system", "closed"),
                        )
                    )
            session.add(new_round(ctx, activity.id, LAST_MONTH.next(), "system", "open"))
        session.add_all([r for _a, _f, _s, r in rounds])
        session.flush()
        values = [
            new_measurement(
                ctx,
                control_round,
                indicator.id,
                sample_value(ctx, indicator.id, step),
                None,
                ctx.plan.measurers(activity, indicator)[0],
            )
            for activity, frequency, step, control_round in rounds
            for indicator in activity.indicators
            if indicator.frequency == frequency
        ]
        session.add_all(values)
        return len(values)

    return db.transaction(work)


async def time_pages(browser: Browser, paths: list[str]) -> None:
    for path in paths:
        page = await browser.get(path)  # the first one warms caches (plan lookups, chart)
        assert page.status == 200, (path, page.status)
        timings = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            await browser.get(path)
            timings.append(time.perf_counter() - t0)
        timings.sort()
        print(
            f"  {path:48s} median {statistics.median(timings) * 1000:6.1f} ms"
            f"  max {timings[-1] * 1000:6.1f} ms  {len(page.body) // 1024:5d} KiB"
        )


async def main(copies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.yaml"
        path.write_text(yaml.safe_dump(synthetic(copies), allow_unicode=True), "utf-8")
        plan = load_plan(path)
        clock = FixedClock(datetime(2026, 11, 3, 7, 0, tzinfo=UTC))
        ctx = Context(plan, clock, WorkingCalendar(), ZoneInfo("Europe/Riga"), "lv")
        db = Database.from_url(f"sqlite:///{tmp}/bench.sqlite3")
        prepare_database(db, ctx, auto_upgrade=True)
        t0 = time.perf_counter()
        stored = seed(db, ctx)
        print(
            f"{len(plan.activities)} activities, {len(plan.all_indicators())} indicators, "
            f"{stored} values (seeded in {time.perf_counter() - t0:.1f} s)"
        )
        recording = RecordingChannel()
        dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"), "lv")
        async with web_world(ctx, db, dispatcher, recording) as world:
            activity = plan.activities[-1]
            indicator = activity.indicators[0]
            measurer = plan.measurers(activity, indicator)[0]
            common = [
                f"/web/activity/{activity.id}",
                f"/web/indicator/{indicator.id}",
                f"/web/indicator/{indicator.id}/chart.png",
                "/web/decisions",
            ]
            print("administrator (sees every activity):")
            admin = await world.signed_in(plan.plan.admins[0])
            everyone = ["/web/", "/web/activities", "/web/rounds", *common, "/web/rollups"]
            downloads = [
                "/web/export.csv",
                "/web/activities/export.csv",
                "/web/rounds/export.xlsx",
                f"/web/activity/{activity.id}/export.xlsx",
                f"/web/indicator/{indicator.id}/export.csv",
                "/web/decisions/export.xlsx",
                "/web/rollups/export.xlsx",
            ]
            everyone = [*everyone, *downloads]
            admin_only = [
                "/web/admin/people",
                "/web/admin/people/export.xlsx",
                "/web/admin/channels/export.csv",
                "/web/admin/deliveries/export.csv",
            ]
            await time_pages(admin, [*everyone, *admin_only])
            print(f"measurer {measurer} (sees one activity):")
            person = await world.signed_in(measurer)
            await time_pages(person, everyone)
        db.dispose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
