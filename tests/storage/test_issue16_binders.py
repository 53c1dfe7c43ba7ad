"""Issue 16: the bulk writes' plain bind functions give exactly what SQLAlchemy's processors do.

``storage.binders.binder`` replaces the ``TypeDecorator`` chains of ``UTCDateTime`` and
``ExactDecimal``; the values handed to the driver, their types and the errors must be the
same on SQLite and PostgreSQL, and so must the stored bytes (read back raw, with the driver).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Dialect, insert
from sqlalchemy.dialects import postgresql, sqlite

from storage.binders import binder
from storage.bulk import insert_many, insert_new
from storage.db import Database
from storage.models import AuditEntry, ControlRound, Measurement

DIALECTS: list[Dialect] = [sqlite.dialect(), postgresql.psycopg.dialect()]  # type: ignore[attr-defined]
RIGA = ZoneInfo("Europe/Riga")
INSTANTS = [
    datetime(2026, 11, 3, 7, 0, tzinfo=UTC),
    datetime(2026, 11, 3, 9, 0, 0, 123456, tzinfo=RIGA),
    datetime(2026, 3, 29, 3, 30, 0, 1, tzinfo=RIGA),  # the morning the clocks go forward
    datetime(5, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    None,
]
DECIMALS = [Decimal(t) for t in ("1", "1.0", "1.00", "-0", "1E+3", "0.00000001", "99.95")]


def _column(model: Any, name: str) -> Column[Any]:
    return model.__table__.c[name]  # type: ignore[no-any-return]


def _sqlalchemy(column: Column[Any], dialect: Dialect) -> Any:
    return column.type.dialect_impl(dialect).bind_processor(dialect)


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_issue16_plain_binders_bind_what_sqlalchemy_binds(dialect: Dialect) -> None:
    cases = [
        (_column(AuditEntry, "at"), INSTANTS),
        (_column(ControlRound, "opened_at"), INSTANTS),
        (_column(Measurement, "value"), [*DECIMALS, None]),
    ]
    for column, values in cases:
        ours, theirs = binder(column, dialect), _sqlalchemy(column, dialect)
        assert ours is not None and theirs is not None
        for value in [*values, *values]:  # twice: the second answer is remembered
            expected = theirs(value)
            got = ours(value)
            assert (type(got), got) == (type(expected), expected), (column, value)
            if isinstance(got, datetime):
                assert got.tzinfo == expected.tzinfo


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_issue16_plain_binders_refuse_what_sqlalchemy_refuses(dialect: Dialect) -> None:
    at, value = _column(AuditEntry, "at"), _column(Measurement, "value")
    for column, bad, error in ((at, datetime(2026, 11, 3), ValueError), (value, 1.5, TypeError)):
        with pytest.raises(error):
            _sqlalchemy(column, dialect)(bad)
        with pytest.raises(error):
            binder(column, dialect)(bad)  # type: ignore[misc]


def test_issue16_other_types_keep_sqlalchemys_processor() -> None:
    details, due = _column(AuditEntry, "details"), _column(ControlRound, "due_date")
    for dialect in DIALECTS:
        bind = binder(details, dialect)
        assert bind is not None
        assert repr(bind({"a": 1})) == repr(_sqlalchemy(details, dialect)({"a": 1}))
    assert binder(due, DIALECTS[0])(date(2026, 11, 6)) == "2026-11-06"  # type: ignore[misc]


def _raw(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def test_issue16_bulk_writes_store_the_bytes_core_stores(any_db: Database) -> None:
    audit = [
        {"at": at, "actor": "system", "action": "x", "subject": "s", "details": {"n": n}}
        for n, at in enumerate(INSTANTS[:5])
    ]
    rounds = [
        {
            "activity_id": "dzivesvietas-deklaresana",
            "frequency": "monthly",
            "period": f"{mark}-{n:02d}",
            "due_date": date(2026, 11, 6),
            "status": "open",
            "opened_by": "system",
            "opened_at": INSTANTS[n],
        }
        for mark in ("core", "bulk")
        for n in range(1, 5)
    ]

    def write(session: Any) -> None:
        connection = session.connection()
        connection.execute(insert(AuditEntry), audit)
        insert_many(connection, AuditEntry, audit)
        connection.execute(insert(ControlRound), rounds[:4])
        insert_new(
            connection, ControlRound, rounds[4:], ("activity_id", "frequency", "period"), ("id",)
        )

    any_db.transaction(write)
    entries = _raw(
        any_db, "SELECT at, actor, action, subject, details FROM audit_entry ORDER BY id"
    )
    assert len(entries) == 10 and entries[:5] == entries[5:]
    opened = _raw(any_db, "SELECT due_date, opened_by, opened_at FROM control_round ORDER BY id")
    assert len(opened) == 8 and opened[:4] == opened[4:]
