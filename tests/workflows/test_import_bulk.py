"""Issue 16: plain imported values are written in bulk, and the database ends up the same.

Values that need nothing but their row and audit entry (on target and OK, no approval, no
"not measured" report to replace, no done action to judge; or quiet history) are inserted
with one statement per table. Each import below is run twice in a transaction rolled back:
as the product does it, and with every row stored one by one through the ORM (the way every
row was stored before); the measurements, audit entries, decisions and notices must match.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import AuditEntry, ControlRound, ImprovementDecision, Measurement, NotMeasured
from tests.support.summary_world import seed_year
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.exchange import IncomingRow, import_rows, incoming
from workflows.periods import Period
from workflows.rounds.opening import new_round

RIGA = ZoneInfo("Europe/Riga")
ADMIN = "kristaps-sils"
ACTIVITY = "dzivesvietas-deklaresana"


def _rows() -> list[IncomingRow]:
    """Values for November 2026 (after the seeded year), some off target."""
    values = {
        "dd-avg-processing": "2",  # warning
        "dd-within-sla": "96",
        "dd-e-share": "75",
        "sp-within-term": "80",  # critical
        "sp-avg-decision": "5",
        "dvs-availability": "99,95",
    }
    return [
        IncomingRow(row=n + 2, indicator=i, period="2026-11", value=v, source="zabbix")
        for n, (i, v) in enumerate(values.items())
    ]


def _history() -> list[IncomingRow]:
    return [
        IncomingRow(row=n + 2, indicator="dd-within-sla", period=p, value="88", source="arhivs")
        for n, p in enumerate(("2024-01", "2024-02", "2024-03"))
    ]


def _snapshot(session: Session) -> dict[str, Any]:
    rounds = {r.id: (r.activity_id, r.period) for r in session.exec(select(ControlRound))}

    def plain(row: Any, drop: tuple[str, ...] = ("id",)) -> dict[str, Any]:
        data = {k: v for k, v in row.model_dump().items() if k not in drop}
        if "round_id" in data:
            data["round_id"] = rounds.get(data["round_id"])
        if "subject" in data:
            data["subject"] = re.sub(
                r"round:(\d+)", lambda m: f"round:{rounds.get(int(m.group(1)))}", data["subject"]
            )
        return data

    return {
        "measurements": [
            plain(m) for m in session.exec(select(Measurement).order_by(col(Measurement.id)))
        ],
        "audit": [plain(a) for a in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))],
        "decisions": [
            plain(d, ("id", "measurement_id"))
            for d in session.exec(
                select(ImprovementDecision).order_by(col(ImprovementDecision.id))
            )
        ],
        "gaps": [
            plain(g) for g in session.exec(select(NotMeasured).order_by(col(NotMeasured.id)))
        ],
    }


def _both_ways(
    db: Database,
    ctx: Context,
    items: list[IncomingRow],
    monkeypatch: pytest.MonkeyPatch,
    **kw: Any,
) -> tuple[Any, Any]:
    found = []
    for one_by_one in (False, True):
        with monkeypatch.context() as patch:
            if one_by_one:
                patch.setattr(incoming, "plain", lambda *args, **kwargs: False)
            with db.session() as session:
                result = import_rows(session, ctx, items, lang="lv", actor=ADMIN, **kw)
                session.flush()
                found.append((result, _snapshot(session)))
                session.rollback()
    return found[0], found[1]


@pytest.fixture
def world(db: Database, ctx: Context, clock: FixedClock) -> Database:
    """A seeded year, a "not measured" report and a done action to judge."""
    clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=RIGA))
    seed_year(db, ctx)

    def more(session: Session) -> None:
        decision = session.exec(select(ImprovementDecision)).first()
        assert decision is not None
        decision.action_status = "done"
        session.add(decision)
        control_round = new_round(ctx, ACTIVITY, Period.parse("2026-11"), "system")
        session.add(control_round)
        session.flush()
        session.add(
            NotMeasured(
                round_id=control_round.id or 0,
                activity_id=ACTIVITY,
                indicator_id="dd-e-share",
                period="2026-11",
                reason="sistēma nestrādāja",
                reported_by="anna-ozola",
                reported_at=datetime(2026, 12, 2, 10, 0, tzinfo=RIGA),
            )
        )

    db.transaction(more)
    return db


def test_bulk_written_values_leave_the_database_as_one_by_one_did(
    world: Database, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk_written: list[bool] = []
    real = incoming.plain

    def counted(*args: Any, **kwargs: Any) -> bool:
        bulk_written.append(real(*args, **kwargs))
        return bulk_written[-1]

    monkeypatch.setattr(incoming, "plain", counted)
    (bulk, bulk_rows), (single, single_rows) = _both_ways(world, ctx, _rows(), monkeypatch)
    assert bulk_written.count(True) == 2  # sp-avg-decision, dvs-availability
    assert bulk == single
    assert bulk_rows == single_rows
    assert {r.status for r in bulk.rows} == {"ok", "warning", "critical"}
    assert bulk.notices  # the critical value opened a decision, the done action was judged
    assert not bulk_rows["gaps"]  # the value replaced the "not measured" report


def test_quiet_history_is_written_in_bulk_the_same(
    world: Database, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    (bulk, bulk_rows), (single, single_rows) = _both_ways(
        world, ctx, _history(), monkeypatch, history_before=Period.parse("2026-01")
    )
    assert bulk == single and bulk.history == 3
    assert bulk_rows == single_rows
