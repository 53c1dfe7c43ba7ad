"""Benchmark: importing 10,000 values beside ``executemany`` of the same rows (issue 16).

A synthetic plan (copies of the bundled plan's services), a Latvian-variant CSV with one
value per indicator and period (``bench_exchange.build_csv``), a fresh database. The product:
``import_rows`` in one transaction (every row validated like a chat answer, 4,000-odd rounds
opened, values evaluated and stored, each one audited). The reference, in the same run and
the same database: the rows the import wrote (rounds, measurements, audit entries) read back,
deleted, and inserted again with the driver's ``executemany``, one statement per table, and
committed — the least any import of these rows can cost. Wall-clock and CPU time
(``time.process_time``: the driver's work on SQLite, the client's side on PostgreSQL) of both.

Run: PYTHONPATH=. .venv/bin/python bench/bench_import.py [ROWS]
     CONTROLBOT_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_bench \\
         PYTHONPATH=. .venv/bin/python bench/bench_import.py [ROWS]
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import text

from bench.bench_exchange import NOW, RIGA, build_csv
from bench.bench_plan import synthetic
from bot.app import prepare_database
from bot.exchange.csv_files import read_csv
from storage.db import Database
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.exchange import import_rows
from workflows.plan.loader import load_plan

TABLES = ("control_round", "measurement", "audit_entry")


def fresh(folder: Path) -> Database:
    url = os.environ.get("CONTROLBOT_TEST_DATABASE_URL")
    if not url:
        return Database.from_url(f"sqlite:///{folder / 'import.sqlite3'}")
    db = Database.from_url(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    return db


def reference(db: Database) -> tuple[float, float, int]:
    """Read back what the import wrote, delete it, and time ``executemany`` putting it back."""
    raw: Any = db.engine.raw_connection()
    mark = "?" if db.engine.dialect.name == "sqlite" else "%s"
    try:
        cursor = raw.cursor()
        saved = {}
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} WHERE id > 0 ORDER BY id")
            saved[table] = ([d[0] for d in cursor.description], cursor.fetchall())
        for table in reversed(TABLES):
            cursor.execute(f"DELETE FROM {table}")
        raw.commit()
        if db.engine.dialect.name != "sqlite":  # psycopg reads JSON back as dicts
            from psycopg.types.json import Json

            names, rows = saved["audit_entry"]
            at = names.index("details")
            saved["audit_entry"] = (
                names,
                [(*r[:at], Json(r[at]), *r[at + 1 :]) for r in rows],
            )
        started, cpu = time.perf_counter(), time.process_time()
        for table in TABLES:
            names, rows = saved[table]
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(names)})"
                f" VALUES ({', '.join([mark] * len(names))})",
                rows,
            )
        raw.commit()
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        return took, cpu, sum(len(r) for _n, r in saved.values())
    finally:
        raw.close()


def first_use_of_the_calendar() -> float:
    """Import the ``holidays`` package's countries (once a process, ~0.1 s), timed apart.

    Every other module the import uses is imported before the timed section; this one is
    imported at the working-day calendar's first use, so it is done here too, and printed.
    """
    started = time.process_time()
    importlib.import_module("holidays.countries")
    return time.process_time() - started


def main(wanted: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan_path = folder / "plan.yaml"
        plan_path.write_text(yaml.safe_dump(synthetic(wanted // 60 + 1)), "utf-8")
        plan = load_plan(plan_path)
        ctx = Context(plan, FixedClock(NOW), WorkingCalendar(), RIGA, "lv")
        db = fresh(folder)
        prepare_database(db, ctx, auto_upgrade=True)
        data, rows = build_csv(ctx, wanted)
        parsed, lang = read_csv(data, "bench")
        calendar = first_use_of_the_calendar()
        started, cpu = time.perf_counter(), time.process_time()
        result = db.transaction(
            lambda s: import_rows(s, ctx, parsed, lang=lang, actor=plan.plan.admins[0])
        )
        product, product_cpu = time.perf_counter() - started, time.process_time() - cpu
        assert result.count("stored") == rows
        ref, ref_cpu, written = reference(db)
        print(
            f"{db.engine.dialect.name}, {rows:,} values ({written:,} rows written); "
            f"load average {os.getloadavg()[0]:.1f}; importing the holidays package "
            f"before (once a process, not counted): {calendar:.2f} s CPU"
        )
        print(
            "| values | product (validate + store) | executemany of the same rows | ratio "
            "| product CPU | reference CPU | CPU ratio |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        print(
            f"| {rows:,} | {product:.2f} s | {ref:.2f} s | {product / ref:.1f}× "
            f"| {product_cpu:.2f} s | {ref_cpu:.2f} s | {product_cpu / ref_cpu:.1f}× |"
        )
        db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
