"""Field case C15: local times are stored as the right instants and read back unchanged.

"09:00 Europe/Riga" is 07:00 UTC in winter (UTC+2) and 06:00 UTC in summer (UTC+3). The
instants are written with the host zone set to UTC, then re-read through a brand-new engine
(a "restart") with the host zone set elsewhere, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from bot.formatting import fmt_datetime
from bot.i18n import translator
from storage.db import Database
from storage.models import FormSession

RIGA = ZoneInfo("Europe/Riga")
NINE = clock_time(9, 0)
DUE_DAYS = (date(2026, 3, 2), date(2026, 6, 2))
EXPECTED_UTC = (
    datetime(2026, 3, 2, 7, 0, tzinfo=UTC),
    datetime(2026, 6, 2, 6, 0, tzinfo=UTC),
)


@pytest.fixture
def host_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Lets a test set the process's local zone (``TZ``); restored afterwards."""
    yield
    monkeypatch.undo()
    time.tzset()


def set_host_zone(monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()


def due_at_nine(day: date) -> datetime:
    return datetime.combine(day, NINE, tzinfo=RIGA)


def store_due_instants(db: Database) -> list[int]:
    def work(session: Session) -> list[int]:
        ids = []
        for day in DUE_DAYS:
            due = due_at_nine(day)
            row = FormSession(
                person_id="anna-ozola",
                form="measurement",
                subject_id=1,
                state="measurement:dd-avg-processing",
                status="completed",  # one person has at most one active form
                started_at=due - timedelta(minutes=30),
                updated_at=due - timedelta(minutes=30),
                expires_at=due,
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            ids.append(row.id)
        return ids

    return db.transaction(work)


def load_due_instants(db: Database, ids: list[int]) -> list[datetime]:
    def work(session: Session) -> list[datetime]:
        query = select(FormSession).where(col(FormSession.id).in_(ids))
        found = {f.id: f.expires_at for f in session.exec(query).all()}
        return [found[i] for i in ids]

    return db.transaction(work)


def restarted(db: Database) -> Database:
    """A new engine on the same database; on PostgreSQL with a session zone far from UTC."""
    url = db.engine.url.render_as_string(hide_password=False)
    db.dispose()
    if db.engine.dialect.name == "postgresql":
        engine = create_engine(url, connect_args={"options": "-c timezone=Asia/Tokyo"})
        return Database(engine)
    return Database.from_url(url)


def test_c15_nine_in_riga_is_stored_as_seven_and_six_utc(
    any_db: Database, monkeypatch: pytest.MonkeyPatch, host_zone: None
) -> None:
    set_host_zone(monkeypatch, "UTC")
    assert [due_at_nine(d).astimezone(UTC) for d in DUE_DAYS] == list(EXPECTED_UTC)
    ids = store_due_instants(any_db)

    loaded = load_due_instants(any_db, ids)
    assert loaded == list(EXPECTED_UTC)
    assert [(d.hour, d.minute) for d in loaded] == [(7, 0), (6, 0)]
    assert all(d.utcoffset() == timedelta(0) for d in loaded)


def test_c15_instants_are_unchanged_and_aware_after_a_restart(
    any_db: Database, monkeypatch: pytest.MonkeyPatch, host_zone: None
) -> None:
    set_host_zone(monkeypatch, "UTC")
    ids = store_due_instants(any_db)
    before = load_due_instants(any_db, ids)

    set_host_zone(monkeypatch, "America/New_York")
    fresh = restarted(any_db)
    try:
        after = load_due_instants(fresh, ids)
    finally:
        fresh.dispose()

    assert after == before == list(EXPECTED_UTC)
    for instant in after:
        assert instant.tzinfo is not None
        assert instant.utcoffset() == timedelta(0)
        # shown in Riga it is 09:00 again, summer and winter alike
        assert instant.astimezone(RIGA).time() == NINE


def test_c15_answer_at_nine_ten_is_ten_minutes_late_without_error(
    any_db: Database, monkeypatch: pytest.MonkeyPatch, host_zone: None
) -> None:
    set_host_zone(monkeypatch, "UTC")
    ids = store_due_instants(any_db)
    fresh = restarted(any_db)
    try:
        _march, june = load_due_instants(fresh, ids)
    finally:
        fresh.dispose()
    answered = datetime(2026, 6, 2, 9, 10, tzinfo=RIGA)
    assert answered > june
    assert answered - june == timedelta(minutes=10)


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_c15_due_instants_show_as_nine_in_both_languages(lang: str) -> None:
    t = translator("lv" if lang == "lv" else "en")
    shown = [fmt_datetime(instant, RIGA, t) for instant in EXPECTED_UTC]
    assert all("09:00" in text for text in shown), shown
    if lang == "lv":
        assert shown[0].startswith("02.03.2026.")
        assert shown[1].startswith("02.06.2026.")
    else:
        assert shown[0].startswith("2 Mar 2026")
        assert shown[1].startswith("2 Jun 2026")
