"""Storage on every configured backend: column types, the migration, append-only audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, inspect, text, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, SQLModel, col, select

from storage.db import AppendOnlyViolation, Database
from storage.migrate import current_revision, head_revision
from storage.models import AuditEntry, ControlRound, Measurement
from workflows.context import Context

RIGA = ZoneInfo("Europe/Riga")


def add_round(db: Database, opened_at: datetime, period: str = "2026-10") -> int:
    def work(session: Session) -> int:
        row = ControlRound(
            activity_id="dzivesvietas-deklaresana",
            frequency="monthly",
            period=period,
            due_date=date(2026, 11, 6),
            opened_by="kristaps-sils",
            opened_at=opened_at,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id

    return db.transaction(work)


def read_round(db: Database, round_id: int) -> ControlRound:
    def work(session: Session) -> ControlRound:
        row = session.get(ControlRound, round_id)
        assert row is not None
        return row

    return db.transaction(work)


def measurement(round_id: int, indicator_id: str, value: Decimal) -> Measurement:
    return Measurement(
        round_id=round_id,
        activity_id="dzivesvietas-deklaresana",
        indicator_id=indicator_id,
        period="2026-10",
        value=value,
        unit="percent",
        direction="higher_is_better",
        target=Decimal("95.0"),
        warning=Decimal("95.0"),
        critical=Decimal("90.0"),
        status="critical",
        target_met=False,
        submitted_by="anna-ozola",
        submitted_at=datetime(2026, 11, 3, 7, 26, tzinfo=UTC),
    )


# --- UTCDateTime ----------------------------------------------------------------------------


def test_utc_datetime_round_trips_aware_utc(any_db: Database) -> None:
    moment = datetime(2026, 11, 3, 7, 0, 0, 123456, tzinfo=UTC)
    loaded = read_round(any_db, add_round(any_db, moment)).opened_at
    assert loaded == moment
    assert loaded.tzinfo is not None
    assert loaded.utcoffset() == timedelta(0)
    assert loaded.microsecond == 123456


OTHER_ZONES = (
    datetime(2026, 11, 3, 9, 0, tzinfo=RIGA),  # winter, UTC+2
    datetime(2026, 6, 2, 9, 0, tzinfo=RIGA),  # summer, UTC+3
    datetime(2026, 3, 29, 4, 30, tzinfo=RIGA),  # just after spring-forward
    datetime(2026, 10, 25, 3, 30, tzinfo=RIGA, fold=1),  # the repeated hour, second time
    datetime(2026, 11, 3, 1, 0, tzinfo=timezone(timedelta(hours=-5))),
)


def test_utc_datetime_converts_other_zones_to_utc(any_db: Database) -> None:
    ids = [add_round(any_db, moment, f"2025-{n:02d}") for n, moment in enumerate(OTHER_ZONES, 1)]
    for round_id, moment in zip(ids, OTHER_ZONES, strict=True):
        loaded = read_round(any_db, round_id).opened_at
        # (PEP 495: an inter-zone == is always false for a fold=1 time, so compare in UTC)
        assert loaded == moment.astimezone(UTC)
        assert loaded.timestamp() == moment.timestamp()
        assert loaded.utcoffset() == timedelta(0)
        assert loaded.replace(tzinfo=None) == moment.astimezone(UTC).replace(tzinfo=None)
    # the two 03:30 of 25 October 2026 are an hour apart once stored
    assert read_round(any_db, ids[3]).opened_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_utc_datetime_is_stored_as_utc_wall_time(any_db: Database) -> None:
    add_round(any_db, datetime(2026, 6, 2, 9, 0, tzinfo=RIGA))
    with any_db.engine.connect() as conn:
        if any_db.engine.dialect.name == "sqlite":
            raw = conn.execute(text("SELECT opened_at FROM control_round")).scalar_one()
            assert str(raw).startswith("2026-06-02 06:00:00")
        else:
            raw = conn.execute(
                text("SELECT to_char(opened_at AT TIME ZONE 'UTC', 'HH24:MI') FROM control_round")
            ).scalar_one()
            assert raw == "06:00"


def test_utc_datetime_refuses_naive_datetimes(any_db: Database) -> None:
    with pytest.raises(StatementError) as raised:
        add_round(any_db, datetime(2026, 11, 3, 9, 0))
    assert isinstance(raised.value.orig, ValueError)
    assert "naive" in str(raised.value.orig)
    assert any_db.transaction(lambda s: s.exec(select(ControlRound)).all()) == []


def test_utc_datetime_where_clause_compares_instants(any_db: Database) -> None:
    add_round(any_db, datetime(2026, 11, 3, 9, 0, tzinfo=RIGA), "2026-10")
    add_round(any_db, datetime(2026, 11, 3, 12, 0, tzinfo=RIGA), "2026-09")
    cutoff = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)  # 10:00 in Riga

    def work(session: Session) -> list[str]:
        query = select(ControlRound.period).where(col(ControlRound.opened_at) > cutoff)
        return list(session.exec(query).all())

    assert any_db.transaction(work) == ["2026-09"]


# --- ExactDecimal ---------------------------------------------------------------------------


EXACT = ("88.5", "0.125", "1234567.89", "0", "100", "-3.5", "0.000001", "9999999999999999")


def test_exact_decimal_round_trips(any_db: Database) -> None:
    round_id = add_round(any_db, datetime(2026, 11, 3, 7, 0, tzinfo=UTC))

    def store(session: Session) -> None:
        for n, value in enumerate(EXACT):
            session.add(measurement(round_id, f"i{n}", Decimal(value)))

    any_db.transaction(store)

    def load(session: Session) -> list[Measurement]:
        return list(session.exec(select(Measurement).order_by(col(Measurement.id))).all())

    loaded = any_db.transaction(load)
    assert [m.indicator_id for m in loaded] == [f"i{n}" for n in range(len(EXACT))]
    for row, value in zip(loaded, EXACT, strict=True):
        assert isinstance(row.value, Decimal)
        assert row.value == Decimal(value)
        assert str(row.value) == value
    assert {(m.target, m.warning, m.critical) for m in loaded} == {
        (Decimal(95), Decimal(95), Decimal(90))
    }


def test_exact_decimal_refuses_floats(any_db: Database) -> None:
    round_id = add_round(any_db, datetime(2026, 11, 3, 7, 0, tzinfo=UTC))
    row = measurement(round_id, "dd-within-sla", Decimal("88.5"))
    row.value = 88.5  # type: ignore[assignment]
    with pytest.raises(StatementError) as raised:
        any_db.transaction(lambda s: s.add(row))
    assert isinstance(raised.value.orig, TypeError)


# --- migrations -----------------------------------------------------------------------------


def test_migration_matches_the_models(any_db: Database) -> None:
    assert current_revision(any_db.engine) == head_revision(any_db.engine)
    with any_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_migration_creates_every_model_table(any_db: Database) -> None:
    tables = set(inspect(any_db.engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_prepare_database_synchronised_the_plans_people(any_db: Database, ctx: Context) -> None:
    from storage.models import Person, PlatformIdentity

    people = any_db.transaction(lambda s: s.exec(select(Person.id)).all())
    assert sorted(people) == sorted(p.id for p in ctx.plan.plan.people)
    consoles = any_db.transaction(lambda s: s.exec(select(PlatformIdentity)).all())
    assert {i.external_id for i in consoles} == set(people)


# --- append-only audit ----------------------------------------------------------------------


def add_audit(db: Database) -> int:
    def work(session: Session) -> int:
        entry = AuditEntry(
            at=datetime(2026, 11, 3, 7, 0, tzinfo=UTC),
            actor="kristaps-sils",
            action="round.opened",
            subject="round:1",
            details={"period": "2026-10", "due": "2026-11-06"},
        )
        session.add(entry)
        session.flush()
        assert entry.id is not None
        return entry.id

    return db.transaction(work)


def load_audit(db: Database) -> list[AuditEntry]:
    return list(db.transaction(lambda s: s.exec(select(AuditEntry)).all()))


def test_audit_entry_cannot_be_updated(any_db: Database) -> None:
    entry_id = add_audit(any_db)
    before = load_audit(any_db)

    def tamper(session: Session) -> None:
        entry = session.get(AuditEntry, entry_id)
        assert entry is not None
        entry.actor = "someone-else"
        session.add(entry)

    with pytest.raises(AppendOnlyViolation):
        any_db.transaction(tamper)
    assert load_audit(any_db) == before
    assert before[0].actor == "kristaps-sils"


def test_audit_entry_details_cannot_be_changed(any_db: Database) -> None:
    entry_id = add_audit(any_db)

    def tamper(session: Session) -> None:
        entry = session.get(AuditEntry, entry_id)
        assert entry is not None
        entry.details = {"period": "2026-09"}
        session.flush()

    with pytest.raises(AppendOnlyViolation):
        any_db.transaction(tamper)
    assert load_audit(any_db)[0].details == {"period": "2026-10", "due": "2026-11-06"}


def test_audit_entry_cannot_be_deleted(any_db: Database) -> None:
    entry_id = add_audit(any_db)

    def remove(session: Session) -> None:
        entry = session.get(AuditEntry, entry_id)
        assert entry is not None
        session.delete(entry)

    with pytest.raises(AppendOnlyViolation):
        any_db.transaction(remove)
    assert [e.id for e in load_audit(any_db)] == [entry_id]


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEntry).values(actor="someone-else"),
        delete(AuditEntry),
        delete(AuditEntry.__table__),  # type: ignore[arg-type]
        update(AuditEntry.__table__).values(details={}),  # type: ignore[arg-type]
    ],
    ids=["update", "delete", "core-delete", "core-update"],
)
def test_audit_entries_cannot_be_bulk_updated_or_deleted(
    any_db: Database, statement: object
) -> None:
    add_audit(any_db)
    before = load_audit(any_db)
    with pytest.raises(AppendOnlyViolation):
        any_db.transaction(lambda s: s.exec(statement))  # type: ignore[call-overload]
    assert load_audit(any_db) == before


def test_audit_entries_can_be_appended(any_db: Database) -> None:
    add_audit(any_db)
    add_audit(any_db)
    assert len(load_audit(any_db)) == 2


# --- constraints ----------------------------------------------------------------------------


def test_one_measurement_per_round_and_indicator(any_db: Database) -> None:
    round_id = add_round(any_db, datetime(2026, 11, 3, 7, 0, tzinfo=UTC))
    any_db.transaction(lambda s: s.add(measurement(round_id, "dd-within-sla", Decimal("88.5"))))

    with pytest.raises(IntegrityError):
        any_db.transaction(lambda s: s.add(measurement(round_id, "dd-within-sla", Decimal("97"))))
    # another indicator of the round, or the same indicator in another round, is fine
    other_round = add_round(any_db, datetime(2026, 11, 3, 7, 0, tzinfo=UTC), "2026-09")
    any_db.transaction(lambda s: s.add(measurement(round_id, "dd-avg-processing", Decimal(1))))
    any_db.transaction(lambda s: s.add(measurement(other_round, "dd-within-sla", Decimal(97))))

    stored = any_db.transaction(lambda s: s.exec(select(Measurement)).all())
    assert sorted((m.round_id, m.indicator_id, m.value) for m in stored) == sorted(
        [
            (round_id, "dd-within-sla", Decimal("88.5")),
            (round_id, "dd-avg-processing", Decimal(1)),
            (other_round, "dd-within-sla", Decimal(97)),
        ]
    )


def test_one_round_per_activity_frequency_and_period(any_db: Database) -> None:
    add_round(any_db, datetime(2026, 11, 3, 7, 0, tzinfo=UTC))
    with pytest.raises(IntegrityError):
        add_round(any_db, datetime(2026, 11, 3, 8, 0, tzinfo=UTC))


def test_foreign_keys_are_enforced(any_db: Database) -> None:
    with pytest.raises(IntegrityError):
        any_db.transaction(lambda s: s.add(measurement(999, "dd-within-sla", Decimal(1))))


def test_a_savepoint_as_the_first_write_rolls_back_with_its_transaction(
    any_db: Database,
) -> None:
    """pysqlite begins transactions only before DML; our engine emits BEGIN itself."""

    def work(session: Session) -> None:
        with session.begin_nested():
            session.add(
                ControlRound(
                    activity_id="a",
                    frequency="monthly",
                    period="2026-10",
                    due_date=date(2026, 11, 6),
                    opened_by="system",
                    opened_at=datetime(2026, 11, 3, tzinfo=UTC),
                )
            )
        raise RuntimeError("the outer transaction fails after the savepoint was released")

    with pytest.raises(RuntimeError):
        any_db.transaction(work)
    with any_db.session() as session:
        assert session.exec(select(ControlRound)).all() == []
