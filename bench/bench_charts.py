"""Benchmark: summary charts (matplotlib, Agg) and the data a summary gathers.

Seeds a year of the bundled plan's history into a temporary SQLite file (the same world the
chart tests use), then times, per channel: gathering the summary (``post_summary``: values,
12-period series, participation, decisions, actions), and drawing its chart in Latvian and
English. The first chart also pays matplotlib's import, reported on its own. Last, a
C06-sized summary (120 indicators, of which 8 are charted) is drawn.

Run: .venv/bin/python bench/bench_charts.py [REPEATS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests.support for the seeded world

from bot.app import prepare_database
from bot.charts.attach import chart_or_none
from bot.i18n import translator
from bot.render import RenderContext
from storage.db import Database
from tests.support.summary_world import sample_value, seed_year
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.rounds.evaluation import Thresholds, evaluate
from workflows.notices import ActivitySummary, SeriesPoint, Summary, SummaryLine, ToChannel
from workflows.plan.loader import load_default_plan
from workflows.reports.summaries import post_summary

RIGA = ZoneInfo("Europe/Riga")
CHANNELS = (
    ("pk-dzivesvieta", "2026-10"),
    ("resurss-dvs", "2026-Q3"),
    ("iestade-centrala-administracija", "2026-10"),
    ("pakalpojumu-parvaldiba", "2026-10"),
)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main(repeats: int) -> None:
    ctx = Context(
        load_default_plan(None),
        FixedClock(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA)),
        WorkingCalendar(),
        RIGA,
        "lv",
    )
    with tempfile.TemporaryDirectory() as folder:
        db = Database.from_url(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        prepare_database(db, ctx, auto_upgrade=True)
        seed_year(db, ctx)
        started = time.perf_counter()
        import matplotlib.figure  # noqa: F401 - the one-off import cost, measured alone

        print(f"import matplotlib: {ms(time.perf_counter() - started)}")
        print(
            "| channel | period | gather (median) | chart lv (median) | chart en (median) | PNG |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        for channel, period in CHANNELS:
            gather, charts = [], {"lv": [], "en": []}
            size = 0
            for _ in range(repeats):
                t0 = time.perf_counter()
                items = db.transaction(
                    lambda s, c=channel, p=period: post_summary(s, ctx, c, p, "system")
                )
                gather.append(time.perf_counter() - t0)
                (notice,) = [i.notice for i in items if isinstance(i.to, ToChannel)]
                for lang in ("lv", "en"):
                    rc = RenderContext(translator(lang), ctx.plan, RIGA, "channel")
                    t0 = time.perf_counter()
                    png = chart_or_none(notice, rc)  # type: ignore[arg-type]
                    charts[lang].append(time.perf_counter() - t0)
                    size = len(png or b"")
            print(
                f"| {channel} | {period} | {ms(statistics.median(gather))} | "
                f"{ms(statistics.median(charts['lv']))} | {ms(statistics.median(charts['en']))} "
                f"| {size // 1024} KiB |"
            )
        db.dispose()
    big = c06_summary(ctx)
    rc = RenderContext(translator("lv"), ctx.plan, RIGA, "channel")
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        chart_or_none(big, rc)
        runs.append(time.perf_counter() - t0)
    print(f"C06 summary, 120 indicators (8 charted): {ms(statistics.median(runs))} median")


def c06_summary(ctx: Context) -> Summary:
    """120 lines over the plan's monthly indicators, 12 periods each, some off target."""
    monthly = [
        (a.id, i.id) for a in ctx.plan.activities for i in a.indicators if i.frequency == "monthly"
    ]
    periods = [f"{2025 + (m + 10) // 12}-{(m + 10) % 12 + 1:02d}" for m in range(12)]
    lines = []
    for n in range(120):
        _activity, indicator_id = monthly[n % len(monthly)]
        indicator = ctx.plan.indicator(indicator_id)[1]
        series = []
        for k, p in enumerate(periods):
            value = sample_value(ctx, indicator_id, n + k)
            series.append(SeriesPoint(p, value, evaluate(value, Thresholds.of(indicator)).status))
        last = series[-1]
        lines.append(
            SummaryLine(
                indicator_id, last.value, last.status, None, None, None, series=tuple(series)
            )
        )
    part = ActivitySummary("dzivesvietas-deklaresana", "2026-10", None, tuple(lines), (), (), ())
    return Summary("pk-dzivesvieta", "2026-10", (part,))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
