"""Issue 16: summaries gathered with a few set-based statements say exactly what they said.

The summary as the ORM gathered it row by row is kept in ``tests/support/summary_orm.py``;
on a seeded year of history (late, missing, corrected, returned and "not measured" values,
an absence with a deputy, a decision and an overdue action) every channel's summary of every
period must come out identical, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import (
    Absence,
    AuditEntry,
    ControlRound,
    ImprovementDecision,
    Measurement,
    NotMeasured,
)
from tests.support import summary_orm
from tests.support.summary_world import seed_year
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.decisions.follow_up import SUMMARY_POSTED
from workflows.notices import RollupSummary, Summary
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


def _moved_value(session: Session) -> None:
    """A value of dd-e-share stored in another activity's round (the indicator moved).

    The series shows a period's newest value whichever round holds it; the round's own
    summary part does not count it.
    """
    mine = _value(session, "dd-e-share", "2026-03")
    other = session.exec(
        select(ControlRound).where(
            col(ControlRound.activity_id) == "socialas-palidzibas-pabalsti",
            col(ControlRound.period) == "2026-03",
        )
    ).one()
    moved = Measurement.model_validate(
        mine.model_dump(exclude={"id", "round_id", "activity_id", "value"})
        | {"round_id": other.id, "activity_id": other.activity_id, "value": mine.value + 1}
    )
    session.add(moved)


@pytest.fixture
def seeded(any_db: Database, ctx: Context, clock: FixedClock) -> Database:
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA))
    seed_year(any_db, ctx)
    any_db.transaction(_more_history)
    any_db.transaction(_moved_value)
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


def _later_decisions(session: Session) -> None:
    """A previous summary of two channels on 25.10., and decisions taken around it.

    Rejected after it (new since), approved before it on an earlier period's value (not
    new), an action verified before it (told already) and one not verified after it.
    """
    for channel in ("pk-dzivesvieta", "iestade-centrala-administracija"):
        session.add(
            AuditEntry(
                at=datetime(2026, 10, 25, 12, 0, tzinfo=RIGA),
                actor="system",
                action=SUMMARY_POSTED,
                subject=f"channel:{channel}",
            )
        )
    cases = (
        ("dd-avg-processing", "2026-07", "rejected", None, datetime(2026, 11, 1, 9, 0)),
        ("dd-e-share", "2026-06", "approved", None, datetime(2026, 10, 20, 9, 0)),
        ("dd-avg-processing", "2026-05", "approved", "verified", datetime(2026, 10, 21, 9, 0)),
        ("dd-e-share", "2026-04", "approved", "not_verified", datetime(2026, 11, 3, 9, 0)),
    )
    for indicator, period, status, action_status, at in cases:
        value = _value(session, indicator, period)
        session.add(
            ImprovementDecision(
                activity_id="dzivesvietas-deklaresana",
                indicator_id=indicator,
                round_id=value.round_id,
                measurement_id=value.id or 0,
                trigger="critical",
                approver_id="janis-berzins",
                status=status,
                decide_by=date(2026, 10, 30),
                opened_at=datetime(2026, 10, 1, 9, 0, tzinfo=RIGA),
                action="Pārskatīt procesu" if status == "approved" else None,
                owner_id="anna-ozola" if status == "approved" else None,
                action_due=date(2026, 10, 28) if status == "approved" else None,
                rejection_reason="Vienreizējs gadījums" if status == "rejected" else None,
                action_status=action_status or ("planned" if status == "approved" else None),
                action_status_at=at.replace(tzinfo=RIGA) if action_status else None,
                decided_by="janis-berzins",
                decided_at=at.replace(tzinfo=RIGA),
            )
        )


@pytest.mark.parametrize(
    ("channel", "period"),
    [
        ("pk-dzivesvieta", "2026-10"),
        ("pk-dzivesvieta", "2026-07"),
        ("iestade-centrala-administracija", "2026-10"),
        ("pakalpojumu-parvaldiba", "2026-10"),
    ],
)
def test_issue16_summary_after_a_previous_one_equals_the_row_by_row_one(
    seeded: Database, ctx: Context, channel: str, period: str
) -> None:
    seeded.transaction(_later_decisions)
    with seeded.session() as session:
        before = summary_orm.post_summary(session, ctx, channel, period, "system")
        session.rollback()
        after = summaries.post_summary(session, ctx, channel, period, "system")
        session.rollback()
    assert after == before
    notice = after[0].notice
    if channel == "pk-dzivesvieta" and period == "2026-10":  # the cases above, as meant
        assert isinstance(notice, Summary)
        assert notice.since == datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
        (part,) = notice.activities
        assert [d.status for d in part.decisions] == ["rejected", "approved"]  # 1.11., 3.11.
        assert [a.action_status for a in part.actions] == ["planned", "planned", "not_verified"]
        with seeded.session() as session:
            moved = session.exec(
                select(Measurement).where(
                    col(Measurement.indicator_id) == "dd-e-share",
                    col(Measurement.activity_id) == "socialas-palidzibas-pabalsti",
                )
            ).one()
        (line,) = [x for x in part.lines if x.indicator_id == "dd-e-share"]
        assert [p.value for p in line.series if p.period == "2026-03"] == [moved.value]


def test_issue16_a_summary_is_one_statement_however_many_activities(
    seeded: Database, ctx: Context
) -> None:
    statements: list[str] = []
    event.listen(seeded.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with seeded.session() as session:
        out = summaries.post_summary(session, ctx, "pakalpojumu-parvaldiba", "2026-10", "system")
        session.rollback()
    assert len(statements) == 1, statements
    assert isinstance(out[0].notice, RollupSummary)
    assert len(ctx.plan.activities_under("pakalpojumu-parvaldiba")) > 1
