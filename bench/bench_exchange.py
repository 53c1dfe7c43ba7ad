"""Benchmark: importing and exporting ~10,000 measurements (``controlbot import`` / ``export``).

Builds a synthetic plan from copies of the bundled plan's services (bench_plan.py), writes a
Latvian-variant CSV with one value per indicator for each of the last 12 months (or 4
quarters), then times, in one process on a fresh database:

* import: reading the CSV and validating + storing every row in one transaction;
* the same file again (every row unchanged), and a dry run;
* export of every stored row as CSV (lv), XLSX and JSON.

Run: PYTHONPATH=. .venv/bin/python bench/bench_exchange.py [ROWS]
     CONTROLBOT_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_bench \\
         PYTHONPATH=. .venv/bin/python bench/bench_exchange.py
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import text

from bench.bench_plan import synthetic
from bot.app import prepare_database
from bot.exchange.csv_files import read_csv, write_csv
from bot.exchange.json_files import write_json
from bot.exchange.xlsx_files import write_xlsx
from bot.i18n import translator
from bot.render.context import RenderContext
from storage.db import Database, make_engine
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.exchange import gather, import_rows
from workflows.periods import Period, last_closed
from workflows.plan.loader import load_plan
from workflows.plan.schema import Frequency

RIGA = ZoneInfo("Europe/Riga")
NOW = datetime(2026, 11, 3, 9, 0, tzinfo=RIGA)


def lap(label: str, started: float, rows: int) -> float:
    elapsed = time.perf_counter() - started
    print(f"{label:34s} {elapsed * 1000:9.0f} ms  {elapsed / rows * 1e6:7.0f} µs/row")
    return elapsed


def periods_back(frequency: Frequency, count: int) -> list[Period]:
    period = last_closed(frequency, NOW.date())
    out = [period]
    while len(out) < count:
        period = period.previous()
        out.append(period)
    return out


def build_csv(ctx: Context, wanted: int) -> tuple[bytes, int]:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["activity", "indicator", "period", "value", "comment"])
    count = 0
    for activity in ctx.plan.activities:
        for indicator in activity.indicators:
            n = 12 if indicator.frequency == Frequency.MONTHLY else 4
            for period in periods_back(Frequency(indicator.frequency), n):
                if count == wanted:
                    break
                value = str(indicator.target).replace(".", ",")
                writer.writerow([activity.id, indicator.id, period, value, "Pārbaudīts; “ok”"])
                count += 1
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        plan_path = Path(tmp) / "plan.yaml"
        copies = wanted // 60 + 1  # about 76 rows a copy
        plan_path.write_text(yaml.safe_dump(synthetic(copies), allow_unicode=True), "utf-8")
        plan = load_plan(plan_path)
        ctx = Context(plan, FixedClock(NOW), WorkingCalendar(), RIGA, "lv")
        url = os.environ.get("CONTROLBOT_TEST_DATABASE_URL")
        if url:
            engine = make_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        db = Database.from_url(url)
        prepare_database(db, ctx, auto_upgrade=True)
        data, rows = build_csv(ctx, wanted)
        print(f"{db.engine.dialect.name}: {rows} rows, {len(data) // 1024} KiB CSV")

        started = time.perf_counter()
        parsed, lang = read_csv(data, "bench")
        lap("read CSV", started, rows)
        started = time.perf_counter()
        result = db.transaction(
            lambda s: import_rows(s, ctx, parsed, lang=lang, actor=plan.plan.admins[0])
        )
        lap("validate + store (one transaction)", started, rows)
        assert result.count("stored") == rows, result.count("stored")
        started = time.perf_counter()
        again = db.transaction(
            lambda s: import_rows(s, ctx, parsed, lang=lang, actor=plan.plan.admins[0])
        )
        lap("the same file again (unchanged)", started, rows)
        assert again.count("unchanged") == rows
        started = time.perf_counter()
        db.transaction(
            lambda s: import_rows(
                s, ctx, parsed, lang=lang, actor=plan.plan.admins[0], dry_run=True
            )
        )
        lap("dry run", started, rows)

        rc = RenderContext(translator("lv"), plan, RIGA)
        every = sorted(
            {p for f in (Frequency.MONTHLY, Frequency.QUARTERLY) for p in periods_back(f, 12)},
            key=lambda p: p.start,
        )
        started = time.perf_counter()
        exported = db.transaction(lambda s: gather(s, ctx, every))
        lap("gather rows for export", started, len(exported))
        assert len(exported) == rows
        for label, write in (
            ("CSV (lv)", lambda: write_csv(exported, rc, "lv")),
            ("XLSX", lambda: write_xlsx(exported, rc)),
            ("JSON", lambda: write_json(exported, every, rc, NOW)),
        ):
            started = time.perf_counter()
            size = len(write())
            lap(f"write {label} ({size // 1024} KiB)", started, rows)
        db.dispose()


if __name__ == "__main__":
    main()
