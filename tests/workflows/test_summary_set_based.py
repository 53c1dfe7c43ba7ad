"""Issue 16: summaries gathered with a few set-based statements say exactly what they said.

The summary as the ORM gathered it row by row is kept in ``tests/support/summary_orm.py``;
on a seeded year of history (late, missing, corrected, returned and "not measured" values,
an absence with a deputy, a decision and an overdue action) every channel's summary of every
period must come out identical, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import Absence, ControlRound, Measurement, NotMeasured
from tests.support import summary_orm
from tests.support.summary_world import seed_year
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.reports import summaries

RIGA = ZoneInfo("Europe/Riga")
CASES = (
    ("pk-dzivesvieta", "2026-10"),
    ("pk-dzivesvieta", "2026-09"),
    ("pk-dzivesvieta", "2025-11"),
    ("pk-socialapalidziba", "2026-10"),
    ("resurss-dvs", "2026-Q3"),
    ("resurss-dvs", "2025-Q4"),
    ("iestade-centrala-administracija", "2026-10"),
    ("iestade-socialais-dienests", "2026-10"),
    ("pakalpojumu-parvaldiba", "2026-10"),
    ("pakalpojumu-parvaldiba", "2026-Q3"),
    ("pk-dzivesvieta", "2024-10"),  # no round: a problem, the same one
    ("pk-dzivesvieta", None),
)


def _value(session: Session, indicator: str, period: str) -> Measurement:
    return session.exec(
        select(Measurement).where(
            col(Measurement.indicator_id) == indicator, col(Measurement.period) == period
        )
    ).one()


def _more_history(session: Session) -> None:
    """A returned value, a corrected one, a "not measured" report and an absence."""
    returned = _value(session, "dd-avg-processing", "2026-09")
    returned.approval = "rejected"
    corrected = _value(session, "dd-within-sla", "2026-10")
    corrected.version, corrected.correction_reason = 2, "typo"
    waiting = _value(session, "sp-within-term", "2026-10")
    waiting.approval = "submitted"
    round_id = session.exec(
        select(ControlRound.id).where(
            col(ControlRound.activity_id) == "dzivesvietas-deklaresana",
            col(ControlRound.period) == "2026-10",
        )
    ).one()
    session.add_all(
        [
            returned,
            corrected,
            waiting,
            NotMeasured(
                round_id=round_id,
                activity_id="dzivesvietas-deklaresana",
                indicator_id="dd-e-share",
                period="2026-10",
                reason="sistēma nestrādāja",
                reported_by="anna-ozola",
                reported_at=datetime(2026, 11, 4, 10, 0, tzinfo=RIGA),
            ),
            Absence(
                person_id="anna-ozola",
                starts=date(2026, 11, 10),
                ends=date(2026, 11, 20),
                created_by="anna-ozola",
                created_at=datetime(2026, 11, 1, 10, 0, tzinfo=RIGA),
            ),
        ]
    )


@pytest.fixture
def seeded(any_db: Database, ctx: Context, clock: FixedClock) -> Database:
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA))
    seed_year(any_db, ctx)
    any_db.transaction(_more_history)
    return any_db


@pytest.mark.parametrize(("channel", "period"), CASES)
def test_set_based_summary_equals_the_row_by_row_one(
    seeded: Database, ctx: Context, channel: str, period: str | None
) -> None:
    with seeded.session() as session:
        before = summary_orm.post_summary(session, ctx, channel, period, "system")
        session.rollback()
        after = summaries.post_summary(session, ctx, channel, period, "system")
        session.rollback()
    assert after == before


def test_a_summary_takes_a_few_statements_however_many_activities(
    seeded: Database, ctx: Context
) -> None:
    statements: list[str] = []
    event.listen(seeded.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with seeded.session() as session:
        summaries.post_summary(session, ctx, "pakalpojumu-parvaldiba", "2026-10", "system")
        session.rollback()
    assert len(statements) <= 6, statements
