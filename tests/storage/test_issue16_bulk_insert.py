"""Issue 16: ``storage.bulk.insert_many`` stores what Core's ``execute(insert(...))`` does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from storage.bulk import insert_many
from storage.db import Database
from storage.models import AuditEntry, ControlRound


def _rows(mark: str) -> list[dict[str, Any]]:
    at = datetime(2026, 11, 3, 7, 0, 0, 123456, tzinfo=UTC)
    return [
        {
            "at": at,
            "actor": "kristaps-sils",
            "action": "measurement.imported",
            "subject": f"{mark}:{n}",
            "details": {"value": "99.95", "target_met": n % 2 == 0, "n": n, "none": None},
        }
        for n in range(5)
    ]


def test_issue16_insert_many_stores_what_core_insert_stores(any_db: Database) -> None:
    def write(session: Any) -> None:
        connection = session.connection()
        connection.execute(insert(AuditEntry), _rows("core"))
        insert_many(connection, AuditEntry, _rows("bulk"))

    any_db.transaction(write)
    with any_db.engine.connect() as conn:
        found = conn.execute(select(AuditEntry.__table__)).mappings().all()  # type: ignore[attr-defined]
    core = [
        {k: v for k, v in r.items() if k not in ("id", "subject")}
        for r in found
        if r["subject"].startswith("core:")
    ]
    bulk = [
        {k: v for k, v in r.items() if k not in ("id", "subject")}
        for r in found
        if r["subject"].startswith("bulk:")
    ]
    assert len(core) == 5 and core == bulk
    assert core[0]["at"] == datetime(2026, 11, 3, 7, 0, 0, 123456, tzinfo=UTC)


def test_issue16_insert_many_refuses_rows_of_other_columns(any_db: Database) -> None:
    rows = _rows("bulk")
    del rows[1]["details"]
    with pytest.raises(ValueError, match="different columns"):
        any_db.transaction(lambda s: insert_many(s.connection(), AuditEntry, rows))
    missing = [{k: v for k, v in r.items() if k != "action"} for r in _rows("bulk")]
    with pytest.raises(IntegrityError):  # a NOT NULL column left out: the database refuses
        any_db.transaction(lambda s: insert_many(s.connection(), AuditEntry, missing))


def test_issue16_insert_many_wants_columns_with_a_python_default(any_db: Database) -> None:
    """``control_round.status`` has a Python-side default that the driver would not apply."""
    row = {
        "activity_id": "dzivesvietas-deklaresana",
        "frequency": "monthly",
        "period": "2026-10",
        "due_date": datetime(2026, 11, 6, tzinfo=UTC).date(),
        "opened_by": "system",
        "opened_at": datetime(2026, 11, 3, 7, 0, tzinfo=UTC),
    }
    with pytest.raises(ValueError, match="no value for status"):
        any_db.transaction(lambda s: insert_many(s.connection(), ControlRound, [row]))
    any_db.transaction(
        lambda s: insert_many(s.connection(), ControlRound, [{**row, "status": "open"}])
    )
    with any_db.engine.connect() as conn:
        stored = conn.execute(select(ControlRound.__table__)).mappings().one()  # type: ignore[attr-defined]
    assert stored["status"] == "open" and stored["period"] == "2026-10"
