"""Benchmark: the summary of one channel beside hand-written SQL giving the same figures.

The bundled plan with a year of history (``tests/support/summary_world.py``), plus filler
measurements of other activities until the database holds N of them. Per channel, in the
same run: ``post_summary`` (rolled back, so the audit log does not grow), the same summary
gathered row by row through the ORM as before issue 16 (``tests/support/summary_orm.py``),
and the reference: three hand-written SQL statements on the driver's own cursor (rounds,
values, "not measured" reports) and the least Python that turns them into the summary's
figures — each line's value, status, previous and last year's value, lateness and 12-period
series, and the participation per period. The run checks that the reference's figures are
the product's. The reference is a lower bound: it reads no decision, absence or previous
summary and builds no notice, while the product's one statement also reads those (decisions
and actions, delegations, who has not answered, "since").

Each figure is the median of 41 interleaved runs, wall clock / CPU of this process
(``time.process_time``: on PostgreSQL the server's time is in the wall figure only).

Run: PYTHONPATH=. .venv/bin/python bench/bench_summary.py [SIZES...]
     CONTROLBOT_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_bench \\
         PYTHONPATH=. .venv/bin/python bench/bench_summary.py [SIZES...]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from bot.app import prepare_database
from storage.db import Database
from storage.models import ControlRound, Measurement
from tests.support import summary_orm
from tests.support.summary_world import seed_year
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import ActivitySummary, RollupSummary, Summary, ToChannel
from workflows.periods import Period
from workflows.plan.loader import load_default_plan
from workflows.rounds.opening import round_indicators, same_period_last_year
from workflows.reports.channel_plan import channel_plan
from workflows.reports.summaries import activity_summary, frame_of, post_summary, read_channel
from workflows.reports.trends import periods_back

RIGA = ZoneInfo("Europe/Riga")
CHANNELS = (("pk-dzivesvieta", "2026-10"), ("iestade-centrala-administracija", "2026-10"))
REPEATS = 41


def fresh_database(folder: Path) -> Database:
    url = os.environ.get("CONTROLBOT_TEST_DATABASE_URL")
    if not url:
        return Database.from_url(f"sqlite:///{folder / 'summary.sqlite3'}")
    db = Database.from_url(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    return db


def fill(db: Database, size: int) -> int:
    """Filler values of other activities (monthly, from 1990) until ``size`` are stored."""
    with db.session() as session:
        have = session.execute(text("SELECT count(*) FROM measurement")).scalar_one()
    wanted = max(0, size - have)
    per_round = 10
    rounds, values = [], []
    period = Period.parse("1990-01")
    for n in range(-(-wanted // per_round)):
        activity = f"filler-{n % 50}"
        if n % 50 == 0 and n:
            period = period.next()
        rounds.append(
            {
                "id": 1_000_000 + n,
                "activity_id": activity,
                "frequency": "monthly",
                "period": str(period),
                "due_date": period.end + timedelta(days=7),
                "status": "closed",
                "opened_by": "system",
                "opened_at": datetime(1990, 1, 1, tzinfo=UTC),
            }
        )
        for k in range(min(per_round, wanted - n * per_round)):
            values.append(
                {
                    "round_id": 1_000_000 + n,
                    "activity_id": activity,
                    "indicator_id": f"{activity}-i{k}",
                    "period": str(period),
                    "value": Decimal("12.5"),
                    "unit": "count",
                    "direction": "higher_is_better",
                    "target": Decimal(10),
                    "warning": Decimal(8),
                    "critical": Decimal(5),
                    "status": "ok",
                    "target_met": True,
                    "submitted_by": "anna-ozola",
                    "submitted_at": datetime(1990, 1, 2, tzinfo=UTC),
                }
            )
    with db.engine.begin() as conn:
        for start in range(0, len(rounds), 20_000):
            conn.execute(insert(ControlRound), rounds[start : start + 20_000])
        for start in range(0, len(values), 20_000):
            conn.execute(insert(Measurement), values[start : start + 20_000])
    with db.session() as session:
        return int(session.execute(text("SELECT count(*) FROM measurement")).scalar_one())


def product_figures(notice: Summary | RollupSummary, parts: tuple[ActivitySummary, ...]) -> Any:
    lines = {
        line.indicator_id: (
            line.value,
            line.status and line.status.value,
            line.previous,
            line.last_year,
            line.late,
            tuple((p.period, p.value, p.status.value) for p in line.series),
        )
        for part in parts
        for line in part.lines
    }
    participation = {
        part.activity_id: (
            part.participation.on_time,
            part.participation.late,
            part.participation.missing,
        )
        for part in parts
    }
    history = tuple(
        (p.period, p.participation.on_time, p.participation.late, p.participation.missing)
        for p in notice.participation
    )
    return lines, participation, history


def product_parts(
    db: Database, ctx: Context, channel: str, period: Period
) -> tuple[ActivitySummary, ...]:
    """Each activity's part of the product's summary (a roll-up shows only aggregates)."""
    plan = channel_plan(ctx.plan, channel, period.frequency.value)
    frame = frame_of(ctx, period)
    with db.session() as session:
        data = read_channel(session, channel, plan, frame)
        return tuple(activity_summary(ctx, data, plan, a, frame) for a in plan.activities)


def reference(db: Database, ctx: Context, channel: str, period_text: str) -> Any:
    """The summary's figures from three hand-written statements on the driver's cursor."""
    period = Period.parse(period_text)
    activities = [
        a for a in ctx.plan.activities_under(channel) if round_indicators(a, period.frequency)
    ]
    back = [str(p) for p in periods_back(period)]
    last_year = str(same_period_last_year(period))
    previous = str(period.previous())
    indicators = {i.id: a.id for a in activities for i in round_indicators(a, period.frequency)}
    raw = db.engine.raw_connection()
    mark = "?" if db.engine.dialect.name == "sqlite" else "%s"

    def marks(items: list[Any]) -> str:
        return ",".join([mark] * len(items))

    try:
        cursor = raw.cursor()
        ids = [a.id for a in activities]
        cursor.execute(
            f"SELECT id, activity_id, period, due_date FROM control_round"
            f" WHERE activity_id IN ({marks(ids)}) AND frequency = {mark}"
            f" AND period IN ({marks([*back, last_year])})",
            [*ids, period.frequency.value, *back, last_year],
        )
        rounds = {r[0]: (r[1], r[2], _day(r[3])) for r in cursor.fetchall()}
        round_ids = list(rounds)
        inds = list(indicators)
        cursor.execute(
            "SELECT round_id, indicator_id, period, value, status, submitted_at"
            f" FROM measurement WHERE approval <> 'rejected' AND (round_id IN ({marks(round_ids)})"
            f" OR (indicator_id IN ({marks(inds)}) AND period IN ({marks(back)})))"
            " ORDER BY id",
            [*round_ids, *inds, *back],
        )
        values = cursor.fetchall()
        cursor.execute(
            f"SELECT round_id, indicator_id, reported_at FROM not_measured"
            f" WHERE round_id IN ({marks(round_ids)}) ORDER BY id",
            round_ids,
        )
        gaps = cursor.fetchall()
    finally:
        raw.close()
    by_round: dict[tuple[str, str], dict[str, tuple[Decimal, str, bool]]] = {}
    series: dict[str, dict[str, tuple[str, Decimal, str]]] = {i: {} for i in indicators}
    answers: dict[int, dict[str, bool]] = {r: {} for r in rounds}
    for round_id, indicator, value_period, value, status, at in values:
        number = Decimal(str(value)).normalize()
        if round_id in rounds:
            activity, round_period, due = rounds[round_id]
            tardy = _local_day(at) > due
            by_round.setdefault((activity, round_period), {})[indicator] = (number, status, tardy)
            answers[round_id][indicator] = tardy
        if indicator in series and value_period in back:
            series[indicator][value_period] = (value_period, number, status)
    for round_id, indicator, at in gaps:
        answers[round_id][indicator] = _local_day(at) > rounds[round_id][2]
    lines = {}
    for indicator, activity in indicators.items():
        now = by_round.get((activity, str(period)), {}).get(indicator)
        before = by_round.get((activity, previous), {}).get(indicator)
        year = by_round.get((activity, last_year), {}).get(indicator)
        points = series[indicator]
        lines[indicator] = (
            now and now[0],
            now and now[1],
            before and before[0],
            year and year[0],
            bool(now and now[2]),
            tuple(points[p] for p in back if p in points),
        )
    expected = {a.id: {i.id for i in round_indicators(a, period.frequency)} for a in activities}
    participation: dict[str, tuple[int, int, int]] = {}
    totals: dict[str, list[int]] = {}
    for round_id, (activity, round_period, _due) in rounds.items():
        mine = {i: t for i, t in answers[round_id].items() if i in expected[activity]}
        tardy = sum(mine.values())
        counts = (len(mine) - tardy, tardy, len(expected[activity]) - len(mine))
        if round_period == str(period):
            participation[activity] = counts
        if round_period in back:
            total = totals.setdefault(round_period, [0, 0, 0])
            for n in range(3):
                total[n] += counts[n]
    for activity in expected:
        participation.setdefault(activity, (0, 0, len(expected[activity])))
    history = tuple((p, *totals[p]) for p in back if p in totals)
    return lines, participation, history


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _local_day(value: Any) -> date:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(RIGA).date()


def interleaved(*works: Callable[[], object]) -> list[tuple[float, float]]:
    """Median wall and CPU milliseconds of each of ``works``, run in turn (so all see the
    same load)."""
    times: list[list[tuple[float, float]]] = [[] for _ in works]
    for _ in range(REPEATS):
        for work, spent in zip(works, times, strict=True):
            wall, cpu = time.perf_counter(), time.process_time()
            work()
            spent.append((time.perf_counter() - wall, time.process_time() - cpu))
    return [
        (statistics.median(w for w, _c in t) * 1000, statistics.median(c for _w, c in t) * 1000)
        for t in times
    ]


def summary(db: Database, ctx: Context, channel: str, period: str, gather: Any) -> Any:
    with db.session() as session:
        items = gather(session, ctx, channel, period, "system")
        session.rollback()
    return next(i.notice for i in items if isinstance(i.to, ToChannel))


def main(sizes: list[int]) -> None:
    ctx = Context(
        load_default_plan(None),
        FixedClock(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA)),
        WorkingCalendar(),
        RIGA,
        "lv",
    )
    backend = "PostgreSQL" if os.environ.get("CONTROLBOT_TEST_DATABASE_URL") else "SQLite"
    print(f"{backend}; load average {os.getloadavg()[0]:.1f}; medians of {REPEATS}, wall / CPU")
    print(
        "| measurements | channel | product | ORM row by row (before) | reference "
        "| ratio wall | ratio CPU |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            db = fresh_database(Path(folder))
            prepare_database(db, ctx, auto_upgrade=True)
            seed_year(db, ctx)
            stored = fill(db, size)
            for channel, period in CHANNELS:
                notice = summary(db, ctx, channel, period, post_summary)
                parts = product_parts(db, ctx, channel, Period.parse(period))
                figures = reference(db, ctx, channel, period)
                assert product_figures(notice, parts) == figures, channel
                product, before, ref = interleaved(
                    lambda c=channel, p=period, db=db: summary(db, ctx, c, p, post_summary),
                    lambda c=channel, p=period, db=db: summary(
                        db, ctx, c, p, summary_orm.post_summary
                    ),
                    lambda c=channel, p=period, db=db: reference(db, ctx, c, p),
                )
                print(
                    f"| {stored:,} | {channel} | {product[0]:.2f} / {product[1]:.2f} ms "
                    f"| {before[0]:.1f} / {before[1]:.1f} ms | {ref[0]:.2f} / {ref[1]:.2f} ms "
                    f"| {product[0] / ref[0]:.1f}× | {product[1] / ref[1]:.1f}× |"
                )
            db.dispose()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 100_000])
