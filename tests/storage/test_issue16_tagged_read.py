"""Issue 16: ``storage.prepared.TaggedRead`` gives each part's rows as Core would.

Several selects of different columns in one ``UNION ALL`` statement: the values (dates,
aware datetimes, exact decimals, booleans, NULLs) must be those ``connection.execute`` of
each select gives, in the order of the part's first integer column, on SQLite and on
PostgreSQL; ``IN`` lists bound from lists; an expanding ``IN`` list refused.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from storage import prepared
from storage.db import Database
from storage.models import Absence, ControlRound, Measurement
from storage.prepared import AnySelect, TaggedRead

VALUES = (Decimal("12.5"), Decimal("0.00012345"), Decimal(7), Decimal("99.90"), Decimal(100))


def _seed(session: Session) -> None:
    for n, value in enumerate(VALUES):
        control_round = ControlRound(
            activity_id=f"a{n % 2}",
            frequency="monthly",
            period=f"2026-0{n + 1}",
            due_date=date(2026, n + 2, 5),
            status="closed",
            opened_by="system",
            opened_at=datetime(2026, n + 1, 1, 6, 0, tzinfo=UTC),
        )
        session.add(control_round)
        session.flush()
        session.add(
            Measurement(
                round_id=control_round.id or 0,
                activity_id=control_round.activity_id,
                indicator_id=f"i{n}",
                period=control_round.period,
                value=value,
                unit="count",
                direction="higher_is_better",
                target=Decimal(10),
                warning=Decimal(8),
                critical=Decimal(5),
                status="ok",
                target_met=n % 2 == 0,
                comment=None if n % 2 else f"c{n}",
                submitted_by="anna-ozola",
                submitted_at=datetime(2026, n + 2, 3, 9, 30, 15, 120000, tzinfo=UTC),
            )
        )
    session.add(
        Absence(
            person_id="anna-ozola",
            starts=date(2026, 11, 10),
            ends=date(2026, 11, 20),
            created_by="anna-ozola",
            created_at=datetime(2026, 11, 1, 10, 0, tzinfo=UTC),
        )
    )


def _parts(shape: Hashable) -> dict[str, AnySelect]:
    activities = int(shape)  # type: ignore[call-overload]
    names = [bindparam(f"a_{n}") for n in range(activities)]
    return {
        "values": select(
            col(Measurement.id),
            col(Measurement.indicator_id),
            col(Measurement.value),
            col(Measurement.target_met),
            col(Measurement.comment),
            col(Measurement.submitted_at),
        ).where(col(Measurement.activity_id).in_(names)),
        "rounds": select(
            col(ControlRound.id), col(ControlRound.period), col(ControlRound.due_date)
        ).where(col(ControlRound.activity_id).in_(names), col(ControlRound.status) == "closed"),
        "away": select(col(Absence.person_id), col(Absence.starts)).where(
            col(Absence.starts) <= bindparam("day")
        ),
    }


def test_issue16_tagged_read_gives_what_core_gives(any_db: Database) -> None:
    any_db.transaction(_seed)
    read = TaggedRead(_parts)
    params: dict[str, Any] = {"a": ["a0", "a1"], "day": date(2026, 11, 12)}
    with any_db.session() as session:
        found = read.run(session.connection(), 2, params, {})
        again = read.run(session.connection(), 2, params, {"rounds": lambda cells: cells[1]})
        core = {
            name: [tuple(r) for r in session.connection().execute(part, {**_flat(params)})]
            for name, part in _parts(2).items()
        }
    assert found["values"] == sorted(core["values"]) and len(found["values"]) == len(VALUES)
    assert found["rounds"] == sorted(core["rounds"])
    assert found["away"] == core["away"] == [("anna-ozola", date(2026, 11, 10))]
    assert [v for _i, _ind, v, *_rest in found["values"]] == [
        Decimal("12.5"),
        Decimal("0.00012345"),
        Decimal(7),
        Decimal("99.9"),
        Decimal(100),
    ]
    assert again["rounds"] == [f"2026-0{n + 1}" for n in range(len(VALUES))]
    assert again["values"] == found["values"]


def _flat(params: dict[str, Any]) -> dict[str, Any]:
    out = {f"a_{n}": item for n, item in enumerate(params["a"])}
    return {**out, "day": params["day"]}


def test_issue16_tagged_read_refuses_an_expanding_in_list(any_db: Database) -> None:
    read = TaggedRead(
        lambda _shape: {
            "rounds": select(col(ControlRound.id)).where(
                col(ControlRound.activity_id).in_(bindparam("a", expanding=True))
            )
        }
    )
    with any_db.session() as session, pytest.raises(ValueError, match="expanding"):
        read.run(session.connection(), None, {"a": ["x"]}, {})


def test_issue16_remembered_decimals_are_forgotten_when_too_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[object] = []
    kind = Measurement.__table__.c.value.type  # type: ignore[attr-defined]

    def convert(value: object) -> Decimal:
        calls.append(value)
        return Decimal(str(value))

    monkeypatch.setattr(prepared, "REMEMBERED", 2)
    remembering = prepared._remembering(kind, convert)
    assert remembering is not None
    for text in ("1.5", "1.5", "2", "3", "1.5"):
        remembering(text)
    assert remembering(Decimal("1.50")) == Decimal("1.50")  # not text: never remembered
    assert calls == ["1.5", "2", "3", "1.5", Decimal("1.50")]  # "1.5" again after "3"


def test_issue16_compiled_shapes_past_kept_are_dropped(
    any_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    any_db.transaction(_seed)
    monkeypatch.setattr(prepared, "KEPT", 1)
    read = TaggedRead(_parts)
    with any_db.session() as session:
        one = read.run(session.connection(), 1, {"a": ["a0"], "day": date(2026, 1, 1)}, {})
        two = read.run(session.connection(), 2, {"a": ["a0", "a1"], "day": date(2026, 1, 1)}, {})
        again = read.run(session.connection(), 1, {"a": ["a1"], "day": date(2026, 1, 1)}, {})
    assert [len(one["values"]), len(two["values"]), len(again["values"])] == [3, 5, 2]
    assert one["away"] == two["away"] == again["away"] == []
