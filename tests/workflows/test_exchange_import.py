"""Importing values (issue 7): validated like chat answers, idempotent, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage.db import Database
from storage.models import ControlRound, ImprovementDecision, Measurement
from tests.support.flow import audit, rows
from workflows.context import Context
from workflows.exchange import (
    ImportRefused,
    ImportResult,
    IncomingRow,
    export_periods,
    gather,
    import_rows,
)
from workflows.notices import DecisionRequested
from workflows.periods import Period
from workflows.rounds.measuring import new_measurement
from workflows.rounds.opening import ensure_round

ADMIN = "kristaps-sils"
ACTIVITY = "dzivesvietas-deklaresana"


def row(n: int, indicator: str, period: str, value: str | Decimal, **extra: str) -> IncomingRow:
    return IncomingRow(
        row=n,
        indicator=indicator,
        period=period,
        value=value,
        source=extra.pop("source", "zabbix"),
        **extra,
    )


def run(
    db: Database, ctx: Context, items: list[IncomingRow], lang: str = "lv", dry_run: bool = False
) -> ImportResult:
    return db.transaction(
        lambda s: import_rows(s, ctx, items, lang=lang, actor=ADMIN, dry_run=dry_run)  # type: ignore[arg-type]
    )


def refused(
    db: Database, ctx: Context, items: list[IncomingRow], lang: str = "lv"
) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRefused) as caught:
        run(db, ctx, items, lang)
    return [(e.row, e.column, e.code) for e in caught.value.result.errors]


def test_values_with_a_decimal_comma_are_stored_evaluated_and_open_a_decision(
    any_db: Database, ctx: Context
) -> None:
    result = run(
        any_db,
        ctx,
        [
            row(2, "dd-within-sla", "2026-10", "88,5", comment="Sistēmas kļūme; “pārbaudīt”"),
            row(3, "dd-e-share", "2026-10", "71,2", activity=ACTIVITY),
            row(4, "dd-cost-per-case", "2026-Q3", "6,20"),
        ],
    )
    assert [(r.row, r.outcome, r.status) for r in result.rows] == [
        (2, "stored", "critical"),
        (3, "stored", "ok"),
        (4, "stored", "ok"),
    ]
    stored = {m.indicator_id: m for m in rows(any_db, Measurement)}
    assert stored["dd-within-sla"].value == Decimal("88.5")
    assert stored["dd-within-sla"].comment == "Sistēmas kļūme; “pārbaudīt”"
    assert {m.source for m in stored.values()} == {"zabbix"}
    assert {m.submitted_by for m in stored.values()} == {ADMIN}
    rounds = rows(any_db, ControlRound)
    assert sorted((r.frequency, r.period, r.opened_by) for r in rounds) == [
        ("monthly", "2026-10", ADMIN),
        ("quarterly", "2026-Q3", ADMIN),
    ]
    (decision,) = rows(any_db, ImprovementDecision)
    assert decision.indicator_id == "dd-within-sla" and decision.trigger == "critical"
    requested = [o.notice for o in result.notices if isinstance(o.notice, DecisionRequested)]
    assert requested, "the decision request must reach the approver"
    assert [e.details["source"] for e in audit(any_db, "measurement.imported")] == ["zabbix"] * 3


def test_the_same_import_again_changes_nothing(any_db: Database, ctx: Context) -> None:
    items = [row(2, "dd-within-sla", "2026-10", "96,5"), row(3, "dd-e-share", "2026-10", "71")]
    run(any_db, ctx, items)
    again = run(any_db, ctx, [row(2, "dd-within-sla", "2026-10", "96.50"), items[1]])
    assert [r.outcome for r in again.rows] == ["unchanged", "unchanged"]
    assert again.notices == ()
    assert len(rows(any_db, Measurement)) == 2
    assert len(audit(any_db, "measurement.imported")) == 2


def test_a_different_value_from_the_same_source_is_refused_and_nothing_is_written(
    any_db: Database, ctx: Context
) -> None:
    run(any_db, ctx, [row(2, "dd-within-sla", "2026-10", "96,5")])
    items = [
        row(2, "dd-e-share", "2026-10", "71"),  # valid on its own
        row(3, "dd-within-sla", "2026-10", "97"),
    ]
    with pytest.raises(ImportRefused) as caught:
        run(any_db, ctx, items)
    result = caught.value.result
    assert [(e.row, e.code) for e in result.errors] == [(3, "conflict")]
    assert result.conflict_only
    assert result.errors[0].params["stored"] == "96.5"
    assert [m.indicator_id for m in rows(any_db, Measurement)] == ["dd-within-sla"]


def test_a_value_entered_in_chat_counts_first(any_db: Database, ctx: Context) -> None:
    def chat(session):  # type: ignore[no-untyped-def]
        activity = ctx.plan.activity(ACTIVITY)
        control_round, _ = ensure_round(session, ctx, activity, Period.parse("2026-10"), ADMIN)
        session.add(
            new_measurement(ctx, control_round, "dd-within-sla", Decimal("97"), None, "anna-ozola")
        )

    any_db.transaction(chat)
    with pytest.raises(ImportRefused) as caught:
        run(any_db, ctx, [row(2, "dd-within-sla", "2026-10", "97")])
    (error,) = caught.value.result.errors
    assert error.code == "already_answered"
    assert error.params["source"] == "chat" and error.params["by"] == "anna-ozola"
    (stored,) = rows(any_db, Measurement)
    assert stored.source == "chat"


def test_every_bad_row_is_reported_and_nothing_is_stored(any_db: Database, ctx: Context) -> None:
    items = [
        row(2, "dd-within-sla", "2026-10", "96,5"),  # fine
        row(3, "nav-tada", "2026-10", "1"),
        row(4, "dd-within-sla", "2026-09", "1", activity="socialas-palidzibas-pabalsti"),
        row(5, "dd-within-sla", "oktobris", "1"),
        row(6, "dd-within-sla", "2026-Q3", "1"),
        row(7, "dd-within-sla", "2026-11", "1"),
        row(8, "dd-within-sla", "2019-10", "1"),
        row(9, "dd-within-sla", "2026-08", "101"),
        row(10, "dd-within-sla", "2026-07", "-1"),
        row(11, "dd-within-sla", "2026-06", "95,55"),
        row(12, "dd-within-sla", "2026-05", "6O,5"),
        row(13, "dd-avg-processing", "2026-10", "1.234"),
        row(14, "dd-within-sla", "2026-10", "96,5"),
        row(15, "dd-e-share", "2026-10", "70", source="chat"),
        row(16, "dd-e-share", "2026-09", "70", source="ar atstarpi"),
        row(17, "dd-e-share", "2026-08", "70", comment="bīstams\x00simbols"),
        row(18, "dd-e-share", "2026-07", ""),
        row(19, "sp-avg-decision", "2026-10", "2,5"),
        row(20, "dd-e-share", "2026-06", "70", comment="x" * 501),
    ]
    assert refused(any_db, ctx, items) == [
        (3, "indicator", "unknown_indicator"),
        (4, "activity", "wrong_activity"),
        (5, "period", "bad_period"),
        (6, "period", "wrong_frequency"),
        (7, "period", "period_not_over"),
        (8, "period", "period_too_old"),
        (9, "value", "above_maximum"),
        (10, "value", "below_minimum"),
        (11, "value", "too_many_decimals"),
        (12, "value", "malformed"),
        (13, "value", "ambiguous"),
        (14, "row", "duplicate_row"),
        (15, "source", "reserved_source"),
        (16, "source", "bad_source"),
        (17, "comment", "control_characters"),
        (18, "value", "empty"),
        (19, "value", "not_integer"),
        (20, "comment", "too_long"),
    ]
    assert rows(any_db, Measurement) == []
    assert rows(any_db, ControlRound) == []  # no round opened either
    assert audit(any_db, "measurement.imported") == []


def test_english_numbers_take_a_point_and_json_numbers_are_exact(
    db: Database, ctx: Context
) -> None:
    assert refused(db, ctx, [row(2, "dd-within-sla", "2026-10", "96,5")], lang="en") == [
        (2, "value", "comma_decimal_in_english")
    ]
    result = run(
        db,
        ctx,
        [
            row(1, "dd-within-sla", "2026-10", "96.5"),
            row(2, "dvs-availability", "2026-10", Decimal("99.95")),
        ],
        lang="en",
    )
    assert [r.value for r in result.rows] == [Decimal("96.5"), Decimal("99.95")]


def test_a_dry_run_validates_and_stores_nothing(db: Database, ctx: Context) -> None:
    result = run(db, ctx, [row(2, "dd-within-sla", "2026-10", "88,5")], dry_run=True)
    assert [(r.outcome, r.status) for r in result.rows] == [("valid", "critical")]
    assert rows(db, Measurement) == [] and rows(db, ControlRound) == []
    assert result.notices == ()


def test_an_empty_import_is_refused(db: Database, ctx: Context) -> None:
    assert refused(db, ctx, []) == [(0, "row", "no_rows")]


def test_comments_keep_their_line_breaks(db: Database, ctx: Context) -> None:
    run(db, ctx, [row(2, "dd-e-share", "2026-10", "71", comment="pirmā rinda\r\n\r\notrā; “x”")])
    (stored,) = rows(db, Measurement)
    assert stored.comment == "pirmā rinda\notrā; “x”"


def test_values_are_stored_in_period_order_so_warnings_in_a_row_open_a_decision(
    db: Database, ctx: Context
) -> None:
    # dd-e-share: warning below 60; three warnings in a row need a decision (plan)
    items = [
        row(2, "dd-e-share", "2026-10", "55"),
        row(3, "dd-e-share", "2026-08", "55"),
        row(4, "dd-e-share", "2026-09", "55"),
    ]
    result = run(db, ctx, items)
    assert [r.status for r in result.rows] == ["warning"] * 3
    (decision,) = rows(db, ImprovementDecision)
    assert decision.trigger == "warnings"
    (measurement,) = rows(db, Measurement, id=decision.measurement_id)
    assert measurement.period == "2026-10"


def test_export_takes_the_latest_period_of_each_frequency_with_decisions(
    any_db: Database, ctx: Context
) -> None:
    run(
        any_db,
        ctx,
        [
            row(2, "dd-within-sla", "2026-09", "96"),
            row(3, "dd-within-sla", "2026-10", "88,5"),
            row(4, "dd-e-share", "2026-10", "71"),
            row(5, "dd-cost-per-case", "2026-Q3", "6,2"),
        ],
    )

    def export(s):  # type: ignore[no-untyped-def]
        periods = export_periods(s, ctx, None)
        return periods, gather(s, ctx, periods)

    periods, exported = any_db.transaction(export)
    assert [str(p) for p in periods] == ["2026-Q3", "2026-10"]
    assert [(r.period, r.indicator_id) for r in exported] == [
        ("2026-Q3", "dd-cost-per-case"),
        ("2026-10", "dd-within-sla"),
        ("2026-10", "dd-e-share"),
    ]
    sla = exported[1]
    assert sla.decision is not None and sla.decision.status == "open"
    assert sla.responsible == ("janis-berzins", "pakalpojuma_saimnieks")
    assert (sla.target, sla.warning, sla.critical) == (Decimal(95), Decimal(95), Decimal(90))
    assert exported[2].decision is None
    september = any_db.transaction(lambda s: gather(s, ctx, export_periods(s, ctx, "2026-09")))
    assert [(r.period, r.value) for r in september] == [("2026-09", Decimal(96))]


def test_a_value_stored_between_the_check_and_the_write_refuses_the_whole_import(
    any_db: Database, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflows.exchange import incoming

    def chat(session):  # type: ignore[no-untyped-def]
        activity = ctx.plan.activity(ACTIVITY)
        control_round, _ = ensure_round(session, ctx, activity, Period.parse("2026-10"), ADMIN)
        session.add(
            new_measurement(ctx, control_round, "dd-e-share", Decimal("70"), None, "janis-berzins")
        )

    any_db.transaction(chat)
    monkeypatch.setattr(incoming, "_stored", lambda session, valid: {})  # the check saw nothing
    items = [
        row(2, "dd-within-sla", "2026-10", "88,5"),  # critical: would open a decision
        row(3, "dd-avg-processing", "2026-10", "0,9"),
        row(4, "dd-e-share", "2026-10", "71"),  # the other process's value is already there
        row(5, "dd-cost-per-case", "2026-Q3", "6,2"),  # would open a new round
    ]
    assert refused(any_db, ctx, items) == [(0, "row", "changed_meanwhile")]
    assert [(m.indicator_id, m.source) for m in rows(any_db, Measurement)] == [
        ("dd-e-share", "chat")
    ]
    assert rows(any_db, ImprovementDecision) == []
    assert [r.period for r in rows(any_db, ControlRound)] == ["2026-10"]


def test_a_round_opened_by_someone_else_meanwhile_is_taken_not_refused(
    any_db: Database, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler opens a round for its reminders while an import opens the same one."""
    from workflows.rounds import open_many

    opened_elsewhere = []
    real_round_values = open_many.round_values

    def racing_round_values(ctx_, activity_id, period, actor):  # type: ignore[no-untyped-def]
        if not opened_elsewhere:  # another process commits the same round first
            opened_elsewhere.append(
                any_db.transaction(
                    lambda s: ensure_round(
                        s, ctx, ctx.plan.activity(activity_id), period, "system"
                    )
                )[0].id
            )
        return real_round_values(ctx_, activity_id, period, actor)

    monkeypatch.setattr(open_many, "round_values", racing_round_values)
    result = run(any_db, ctx, [row(2, "dd-within-sla", "2026-10", "96")])
    assert [o.outcome for o in result.rows] == ["stored"]
    (control_round,) = rows(any_db, ControlRound)
    assert control_round.id == opened_elsewhere[0]
    (stored,) = rows(any_db, Measurement)
    assert stored.round_id == control_round.id
