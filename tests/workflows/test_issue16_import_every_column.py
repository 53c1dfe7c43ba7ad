"""Issue 16: the set-based import leaves every column of every table as the old path did.

A 500-row Latvian CSV on the bundled plan (values on target, warnings and critical ones,
comments, a "not measured" report to replace, a done action to judge, quiet history) is
imported twice into the same database, each time in a transaction rolled back: by the
product, and by the path before issue 16 (every value through ``record_imported`` as ORM
objects, rounds through Core's ``execute(insert(...), rows)`` and read back). Every table is
then read back in full and compared column by column; ids, which differ between the two runs on
PostgreSQL (sequences do not roll back), are compared by their rank within the table, and
foreign keys and ``round:<id>`` subjects through the rank of the row they name. Importing
the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import Connection, insert, select
from sqlmodel import Session, SQLModel
from sqlmodel import select as sqlmodel_select

from bot.app import prepare_database
from bot.exchange.csv_files import read_csv
from storage.db import Database
from storage.models import ControlRound, ImprovementDecision, NotMeasured
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.exchange import ImportResult, IncomingRow, import_rows, incoming, record
from workflows.periods import Period, last_closed
from workflows.plan.loader import load_plan
from workflows.plan.schema import Direction, Frequency
from workflows.rounds.open_many import RoundRow
from workflows.rounds.opening import implausibly_old, new_round, round_values

RIGA = ZoneInfo("Europe/Riga")
ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 3, 9, 0, tzinfo=RIGA)
ADMIN = "kristaps-sils"
SEEDED = 56  # the rows imported before: decisions to have an action done
ROWS = 500
HISTORY_BEFORE = Period.parse("2025-01")
SUBJECTS = {
    "round": "control_round",
    "decision": "improvement_decision",
    "measurement": "measurement",
}
"""Audit subjects' prefixes and the tables whose ids follow them."""


def _file(ctx: Context) -> list[IncomingRow]:
    """SEEDED + ROWS rows: pass n gives every indicator's n-th period back, all from a file.

    Every seventh value is past the critical threshold and every fifth on it (a warning);
    two rows in three have a comment.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["activity", "indicator", "period", "value", "comment", "source"])
    count, back = 0, 0
    while count < SEEDED + ROWS:
        for activity in ctx.plan.activities:
            for indicator in activity.indicators:
                period = last_closed(Frequency(indicator.frequency), ctx.today())
                for _ in range(back):
                    period = period.previous()
                if implausibly_old(ctx, period) or count == SEEDED + ROWS:
                    continue
                value = indicator.target
                if indicator.critical is not None and count % 7 == 3:  # past it: critical
                    step = -1 if indicator.direction is Direction.HIGHER_IS_BETTER else 1
                    value = max(indicator.critical + step, Decimal(0))
                elif indicator.critical is not None and count % 5 == 1:  # on it: a warning
                    value = indicator.critical
                comment = f"Pārbaudīts {count}; “ok”" if count % 3 else ""
                text = str(value).replace(".", ",")
                writer.writerow([activity.id, indicator.id, period, text, comment, "zabbix"])
                count += 1
        back += 1
    parsed, _lang = read_csv(("\ufeff" + buffer.getvalue()).encode("utf-8"), "fails")
    return list(parsed)


def _core_insert(connection: Connection, model: type[SQLModel], rows: Sequence[Any]) -> None:
    connection.execute(insert(model), list(rows))  # the write before issue 16


def _core_open(
    session: Session, ctx: Context, missing: Sequence[tuple[str, Period]], actor: str
) -> list[RoundRow]:
    """Rounds opened the way before issue 16: Core's insert, then read back."""
    rows = [round_values(ctx, activity_id, period, actor) for activity_id, period in missing]
    _core_insert(session.connection(), ControlRound, rows)
    table = ControlRound.__table__  # type: ignore[attr-defined]
    found = {
        (r.activity_id, r.period): RoundRow(r.id, r.activity_id, r.frequency, r.period, r.due_date)
        for r in session.connection().execute(select(table))
    }
    return [found[(activity_id, str(period))] for activity_id, period in missing]


def _snapshot(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, ids replaced by their rank within the table."""
    tables = SQLModel.metadata.sorted_tables
    raw: dict[str, list[Mapping[str, Any]]] = {}
    ranks: dict[str, dict[Any, int]] = {}
    for table in tables:
        keys = list(table.primary_key.columns)
        rows = list(session.connection().execute(select(table).order_by(*keys)).mappings())
        raw[table.name] = rows
        if len(keys) == 1:
            ranks[table.name] = {row[keys[0].name]: n for n, row in enumerate(rows)}

    def rank(match: re.Match[str]) -> str:
        table = SUBJECTS[match.group(1)]
        return f"{match.group(1)}#{ranks.get(table, {}).get(int(match.group(2)))}"

    def subject(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        return re.sub(r"\b(round|decision|measurement):(\d+)", rank, text)

    out: dict[str, list[dict[str, Any]]] = {}
    for table in tables:
        rows_out = []
        for row in raw[table.name]:
            data: dict[str, Any] = {}
            for column in table.columns:
                value = row[column.name]
                if column.primary_key and table.name in ranks:
                    value = ranks[table.name].get(value)
                for fk in column.foreign_keys:
                    target = fk.column.table.name
                    if value is not None and target in ranks and fk.column.primary_key:
                        value = ranks[target].get(value)
                if isinstance(value, dict):
                    value = {k: subject(v) for k, v in value.items()}
                data[column.name] = subject(value)
            rows_out.append(data)
        out[table.name] = rows_out
    return out


def _numbered(result: ImportResult) -> str:
    """The notices as text, decision ids numbered by first mention (sequences differ)."""
    text = repr(result.notices)
    order: dict[str, int] = {}
    return re.sub(
        r"decision_id=(\d+)",
        lambda m: f"decision_id=#{order.setdefault(m.group(1), len(order))}",
        text,
    )


def _import(db: Database, ctx: Context, rows: list[IncomingRow]) -> ImportResult:
    def run(session: Session) -> ImportResult:
        return import_rows(
            session, ctx, rows, lang="lv", actor=ADMIN, history_before=HISTORY_BEFORE
        )

    return db.transaction(run)


def _imported_then_rolled_back(
    db: Database, ctx: Context, rows: list[IncomingRow]
) -> tuple[ImportResult, dict[str, list[dict[str, Any]]]]:
    with db.session() as session:
        result = import_rows(
            session, ctx, rows, lang="lv", actor=ADMIN, history_before=HISTORY_BEFORE
        )
        session.flush()
        found = _snapshot(session)
        session.rollback()
    return result, found


@pytest.fixture
def world(any_db_url: str, tmp_path: Path) -> Iterator[tuple[Context, Database]]:
    """A synthetic plan of three copies of the bundled services, SEEDED rows imported.

    One decision those rows opened has its action done (the compared rows judge it), and
    one of the compared rows' rounds has a "not measured" report (its value replaces it).
    """
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from bench_plan import synthetic
    finally:
        sys.path.remove(str(ROOT / "bench"))
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(synthetic(3), allow_unicode=True), encoding="utf-8")
    ctx = Context(load_plan(path), FixedClock(NOW), WorkingCalendar(), RIGA, "lv")
    db = Database.from_url(any_db_url)
    prepare_database(db, ctx, auto_upgrade=True)
    rows = _file(ctx)
    _import(db, ctx, rows[:SEEDED])
    gap = rows[SEEDED + 1]
    activity, _indicator = ctx.plan.indicator(gap.indicator)

    def seed(session: Session) -> None:
        decision = session.exec(sqlmodel_select(ImprovementDecision)).first()
        assert decision is not None
        decision.action_status = "done"
        session.add(decision)
        control_round = new_round(ctx, activity.id, Period.parse(gap.period), "system")
        session.add(control_round)
        session.flush()
        session.add(
            NotMeasured(
                round_id=control_round.id or 0,
                activity_id=activity.id,
                indicator_id=gap.indicator,
                period=gap.period,
                reason="sistēma nestrādāja",
                reported_by=ADMIN,
                reported_at=datetime(2026, 11, 2, 10, 0, tzinfo=RIGA),
            )
        )

    db.transaction(seed)
    yield ctx, db
    db.dispose()


def test_issue16_import_leaves_every_column_as_the_old_path(
    world: tuple[Context, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, db = world
    rows = _file(ctx)[SEEDED:]
    assert len(rows) == ROWS
    with monkeypatch.context() as old:
        old.setattr(incoming, "plain", lambda *args, **kwargs: False)
        old.setattr(incoming, "open_rounds", _core_open)
        old.setattr(record, "insert_many", _core_insert)
        before, before_rows = _imported_then_rolled_back(db, ctx, rows)
    now, now_rows = _imported_then_rolled_back(db, ctx, rows)
    assert now.rows == before.rows and now.history == before.history
    assert _numbered(now) == _numbered(before)
    assert now.count("stored") == ROWS and now.history
    assert {r.status for r in now.rows} == {"ok", "warning", "critical"}
    assert now.notices
    for table, expected in before_rows.items():
        assert now_rows[table] == expected, table
    assert len(now_rows["measurement"]) == SEEDED + ROWS
    assert not now_rows["not_measured"]  # the value replaced the report

    stored = _import(db, ctx, rows)
    assert stored.count("stored") == ROWS
    with db.session() as session:
        first = _snapshot(session)
    again = _import(db, ctx, rows)  # exactly once: the same file changes nothing
    assert again.count("unchanged") == ROWS and not again.notices
    with db.session() as session:
        assert _snapshot(session) == first
