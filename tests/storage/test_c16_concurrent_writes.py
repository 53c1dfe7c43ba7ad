"""Field case C16: concurrent writes on one SQLite file.

20 role holders submit their final answer in the same instant, while an administrator
posts a summary and a manager approves an improvement decision. Every event runs in its own
worker thread (22 at once), through the real dispatcher, outbox and database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlmodel import Session, select

from bot import tokens
from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from storage.models import ControlRound, FormSession, ImprovementDecision, Measurement
from tests.support.flow import audit, notices, only, problem_codes, rows
from tests.support.recording import RecordingChannel, command, press, say
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.decisions import maybe_open_decision
from workflows.forms import conversation
from workflows.forms.engine import Confirm
from workflows.notices import (
    DecisionRecorded,
    FormPrompt,
    MeasurementsRecorded,
    Outgoing,
    Reminder,
    Summary,
    SummaryPosted,
)
from workflows.periods import Period
from workflows.plan.loader import load_plan
from workflows.rounds import measuring
from workflows.rounds import opening as rounds
from workflows.rounds.measuring import new_measurement

PEOPLE = 20
ADMIN = "admins"
MANAGER = "vaditajs"
CHANNEL = "pk-c16"
PERIOD = "2026-10"
RIGA = ZoneInfo("Europe/Riga")


def person(n: int) -> str:
    return f"p{n:02d}"


def service(n: int) -> str:
    return f"s{n:02d}"


def indicator(n: int) -> str:
    return f"s{n:02d}-share"


def text(lv: str, en: str) -> dict[str, str]:
    return {"lv": lv, "en": en}


def c16_plan() -> dict[str, object]:
    """A valid plan: 20 services, each with one L holder measuring its one indicator."""
    services = [
        {
            "id": service(n),
            "label": text(f"Pakalpojums {n}", f"Service {n}"),
            "level": "pamatdarbibas",
            "scale": "pakalpojuma",
            "why_control": {
                "need": text("Vajag", "Needed"),
                "feasibility": text("Var", "Feasible"),
            },
            "responsibility": {
                "pakalpojuma": {
                    "A": [{"role": "saimnieks", "person": MANAGER}],
                    "L": [{"role": "sniedzejs", "person": person(n)}],
                }
            },
            "channel": CHANNEL,
            "indicators": [
                {
                    "id": indicator(n),
                    "label": text(f"Īpatsvars {n}", f"Share {n}"),
                    "control_type": "result",
                    "kind": "kpi",
                    "unit": {"code": "percent", "lv": "%", "en": "%"},
                    "direction": "higher_is_better",
                    "target": 90,
                    "warning": 80,
                    "critical": 70,
                    "frequency": "monthly",
                    "measured_by": "L",
                }
            ],
        }
        for n in range(PEOPLE)
    ]
    return {
        "version": 1,
        "locale": "lv",
        "timezone": "Europe/Riga",
        "organisation": {
            "id": "c16-novads",
            "label": text("C16 novads", "C16 municipality"),
            "scale": "pasvaldibas",
            "lead": {"role": "vadosa", "person": MANAGER},
        },
        "admins": [ADMIN],
        "admin_channel": "admin",
        "roles": {
            "vadosa": text("Vadošā iestāde", "Lead authority"),
            "saimnieks": text("Pakalpojuma saimnieks", "Service owner"),
            "sniedzejs": text("Pakalpojuma sniedzējs", "Service delivery staff"),
        },
        "people": [
            {"id": MANAGER, "name": "Vadītājs Vadītājs"},
            {"id": ADMIN, "name": "Admins Administrators"},
            *({"id": person(n), "name": f"Darbinieks {n}"} for n in range(PEOPLE)),
        ],
        "channels": [
            {"id": "admin", "label": text("Administrēšana", "Administration")},
            {"id": CHANNEL, "label": text("Pakalpojumi", "Services")},
        ],
        "services": services,
    }


@pytest.fixture
def c16_ctx(tmp_path: Path, clock: FixedClock) -> Context:
    path = tmp_path / "c16-plan.yaml"
    path.write_text(yaml.safe_dump(c16_plan(), allow_unicode=True), encoding="utf-8")
    plan = load_plan(path)
    assert len(plan.activities) == PEOPLE
    return Context(plan, clock, WorkingCalendar(), RIGA, "lv")


@pytest.fixture
def c16_db(tmp_path: Path, c16_ctx: Context) -> Iterator[Database]:
    db = Database.from_url(f"sqlite:///{tmp_path / 'c16.sqlite3'}")
    prepare_database(db, c16_ctx)
    yield db
    db.dispose()


def open_rounds(db: Database, ctx: Context) -> dict[int, int]:
    """Open the October round of every service; returns round id by person number."""

    def work(session: Session) -> dict[int, int]:
        out: dict[int, int] = {}
        for n in range(PEOPLE):
            items = rounds.open_round(session, ctx, service(n), PERIOD, "system")
            out[n] = only(items, Reminder, person(n)).round_id
        return out

    return db.transaction(work)


def open_decision(db: Database, ctx: Context) -> int:
    """A critical September value of service 0 opens a decision for the manager."""
    period = Period.parse("2026-09")

    def work(session: Session) -> int:
        control_round = ControlRound(
            activity_id=service(0),
            frequency="monthly",
            period=str(period),
            due_date=ctx.calendar.due_date(period, 5),
            status="closed",
            opened_by="system",
            opened_at=ctx.now(),
        )
        session.add(control_round)
        session.flush()
        row = new_measurement(ctx, control_round, indicator(0), Decimal(60), "Slimoja", person(0))
        session.add(row)
        session.flush()
        assert maybe_open_decision(session, ctx, row)
        decision = session.exec(select(ImprovementDecision)).one()
        assert decision.id is not None
        return decision.id

    return db.transaction(work)


async def test_c16_twenty_final_answers_a_summary_and_an_approval_at_once(
    c16_ctx: Context, c16_db: Database, recording: RecordingChannel
) -> None:
    ctx, db = c16_ctx, c16_db
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"), "lv")
    round_ids = open_rounds(db, ctx)
    decision_id = open_decision(db, ctx)
    measurements_before = len(rows(db, Measurement))

    # everyone gets to the confirmation step, one after the other
    for n in range(PEOPLE):
        await dispatcher.handle(press(person(n), tokens.start_round(round_ids[n])))
        items = await dispatcher.handle(say(person(n), f"{91 + n % 9},5"))
        assert isinstance(only(items, FormPrompt, person(n)).step, Confirm)
    await dispatcher.handle(command(MANAGER, "approve", str(decision_id)))
    for line in ("Apmācīt aizvietotāju", "Darbinieks 0", "30.11.2026."):
        items = await dispatcher.handle(say(MANAGER, line))
    assert isinstance(only(items, FormPrompt, MANAGER).step, Confirm)
    recording.clear()

    # now all final answers, the summary and the approval in the same instant
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=PEOPLE + 4)
    loop.set_default_executor(executor)
    events = [say(person(n), "1") for n in range(PEOPLE)]
    events.append(say(MANAGER, "jā"))
    events.append(command(ADMIN, "summary", CHANNEL, PERIOD))
    started = time.perf_counter()
    results = await asyncio.gather(*(dispatcher.handle(e) for e in events))
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"contention took {elapsed:.1f} s"

    everything: list[Outgoing] = [item for items in results for item in items]
    assert problem_codes(everything) == []  # nobody saw an error (no internal_error)

    # every answer was stored, once, with its audit entry
    everything_stored = rows(db, Measurement)
    assert len(everything_stored) == measurements_before + PEOPLE
    stored = {m.indicator_id: m for m in everything_stored if m.period == PERIOD}
    assert len(stored) == PEOPLE
    for n in range(PEOPLE):
        recorded = only(results[n], MeasurementsRecorded, person(n))
        (result,) = recorded.results
        assert result.indicator_id == indicator(n)
        assert result.value == Decimal(f"{91 + n % 9}.5")
        row = stored[indicator(n)]
        assert (row.submitted_by, row.value, row.round_id) == (
            person(n),
            result.value,
            round_ids[n],
        )
    submitted = audit(db, "measurement.submitted")
    assert sorted(e.subject for e in submitted) == sorted(
        f"round:{round_ids[n]}/{indicator(n)}" for n in range(PEOPLE)
    )

    # the approval is stored whole: outcome, action, owner, due date and its audit entry
    (decision,) = rows(db, ImprovementDecision)
    assert decision.status == "approved"
    assert decision.action == "Apmācīt aizvietotāju"
    assert decision.owner_id == person(0)
    assert decision.action_due is not None and decision.decided_by == MANAGER
    assert len(audit(db, "decision.approved")) == 1
    assert notices(results[PEOPLE], DecisionRecorded, CHANNEL)

    # the summary was posted and recorded
    summary = only(results[PEOPLE + 1], Summary, CHANNEL)
    assert len(summary.activities) == PEOPLE
    assert only(results[PEOPLE + 1], SummaryPosted, ADMIN) == SummaryPosted(CHANNEL, PERIOD)
    (entry,) = audit(db, "summary.posted")
    assert entry.actor == ADMIN

    # no half-written work: every form finished, every message went out
    assert {f.status for f in rows(db, FormSession)} == {"completed"}
    assert {a.target for a, _ in recording.sent} >= {person(n) for n in range(PEOPLE)}
    assert len(recording.sent) == sum(len(items) for items in results)


# --- the same indicator answered twice at once ----------------------------------------------


def _answer(db: Database, ctx: Context, who: str, *lines: str) -> list[Outgoing]:
    out: list[Outgoing] = []
    for line in lines:
        out = db.transaction(
            lambda s, line=line: conversation.answer_form(s, ctx, who, line, "lv") or []
        )
    return out


def test_c16_losing_a_race_for_the_same_indicator_is_refused_not_an_error(
    any_db: Database, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both L holders pass the "not answered yet" check before either commits.

    The loser's insert meets the unique (round, indicator) constraint inside a savepoint;
    the transaction must go on and tell them who answered, not fail.
    """
    db = any_db
    activity = "dzivesvietas-deklaresana"

    def open_october(session: Session) -> int:
        items = rounds.open_round(session, ctx, activity, PERIOD, "kristaps-sils")
        return only(items, Reminder, "anna-ozola").round_id

    round_id = db.transaction(open_october)
    for who, lines in (("anna-ozola", ("0,9", "96,5")), ("peteris-liepa", ("0.8", "97"))):
        db.transaction(lambda s, who=who: conversation.start_measurement(s, ctx, who, round_id))
        _answer(db, ctx, who, *lines)
    _answer(db, ctx, "anna-ozola", "1")

    # Pēteris read "nothing submitted yet" just before Anna committed
    real_first = measuring._first
    calls: list[str] = []

    def stale_first(session: Session, rid: int, indicator_id: str) -> Measurement | None:
        calls.append(indicator_id)
        if calls.count(indicator_id) == 1:
            return None
        return real_first(session, rid, indicator_id)

    monkeypatch.setattr(measuring, "_first", stale_first)
    items = _answer(db, ctx, "peteris-liepa", "1")

    assert calls == ["dd-avg-processing", "dd-avg-processing", "dd-within-sla", "dd-within-sla"]
    late = only(items, MeasurementsRecorded, "peteris-liepa")
    assert late.results == ()
    assert [(a.indicator_id, a.person_id) for a in late.already_answered] == [
        ("dd-avg-processing", "anna-ozola"),
        ("dd-within-sla", "anna-ozola"),
    ]
    stored = rows(db, Measurement)
    assert sorted((m.indicator_id, m.submitted_by, m.value) for m in stored) == [
        ("dd-avg-processing", "anna-ozola", Decimal("0.9")),
        ("dd-within-sla", "anna-ozola", Decimal("96.5")),
    ]
    assert [e.actor for e in audit(db, "measurement.submitted")] == ["anna-ozola"] * 2
    forms = {f.person_id: f.status for f in rows(db, FormSession)}
    assert forms == {"anna-ozola": "completed", "peteris-liepa": "completed"}
