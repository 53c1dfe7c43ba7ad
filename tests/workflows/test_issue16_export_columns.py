"""Issue 16: an export gathers its rows from columns in one statement, and they are the same.

The gathering as it was (ORM objects, decisions read in chunks) is kept in
``tests/support/export_orm.py``; on a seeded year of history (values late, missing,
corrected, returned; decisions open, approved and rejected, and a value that opened a second
decision after its first was withdrawn) every selection of periods and indicators must give
identical export rows, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import ImprovementDecision, Measurement
from tests.support import export_orm
from tests.support.summary_world import seed_year
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.exchange import export_periods, gather, stored_periods

RIGA = ZoneInfo("Europe/Riga")


def _twice_decided(session: Session) -> None:
    """A corrected value whose first decision was withdrawn and a second one opened."""
    value = session.exec(
        select(Measurement).where(
            col(Measurement.indicator_id) == "dd-avg-processing",
            col(Measurement.period) == "2026-06",
        )
    ).one()
    value.version, value.correction_reason = 2, "typo"
    for status, decided in (("withdrawn", None), ("rejected", datetime(2026, 7, 9, 9, 0))):
        session.add(
            ImprovementDecision(
                activity_id=value.activity_id,
                indicator_id=value.indicator_id,
                round_id=value.round_id,
                measurement_id=value.id or 0,
                trigger="critical",
                approver_id="janis-berzins",
                status=status,
                decide_by=date(2026, 7, 10),
                opened_at=datetime(2026, 7, 3, 9, 0, tzinfo=RIGA),
                rejection_reason="Vienreizējs" if decided else None,
                decided_by="janis-berzins" if decided else None,
                decided_at=decided.replace(tzinfo=RIGA) if decided else None,
            )
        )
    session.add(value)


@pytest.fixture
def seeded(any_db: Database, ctx: Context, clock: FixedClock) -> Database:
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA))
    seed_year(any_db, ctx)
    any_db.transaction(_twice_decided)
    return any_db


@pytest.mark.parametrize(
    ("period", "indicators"),
    [
        (None, None),
        ("2026", None),
        ("2026-Q3", None),
        ("2026", ("dd-avg-processing", "sp-within-term")),
        ("2026", ("no-such-indicator",)),
    ],
)
def test_issue16_export_rows_from_columns_equal_the_orm_ones(
    seeded: Database, ctx: Context, period: str | None, indicators: tuple[str, ...] | None
) -> None:
    with seeded.session() as session:
        periods = export_periods(session, ctx, period)
        before = export_orm.gather(session, ctx, periods, indicators)
        after = gather(session, ctx, periods, indicators)
    assert after == before
    if indicators != ("no-such-indicator",):
        assert after


def test_issue16_every_stored_value_in_one_statement(seeded: Database, ctx: Context) -> None:
    with seeded.session() as session:
        periods = tuple(stored_periods(session))
        before = export_orm.gather(session, ctx, periods)
        statements: list[str] = []
        event.listen(
            seeded.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
        )
        after = gather(session, ctx, periods)
    assert after == before
    assert len(statements) == 1
    twice = [r for r in after if r.indicator_id == "dd-avg-processing" and r.period == "2026-06"]
    assert [(r.version, r.decision and r.decision.status) for r in twice] == [(2, "rejected")]
    assert sum(1 for r in after if r.decision is not None) >= 3
