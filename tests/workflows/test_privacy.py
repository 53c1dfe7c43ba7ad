"""Erasing a leaver: personal data gone everywhere, history kept under a pseudonym."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from bot import tokens
from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from storage.models import AuditEntry, Delivery, Measurement, Person, PostedMessage
from tests.support.flow import rows
from tests.support.recording import RecordingChannel, command, press, say
from tests.workflows.test_people_leaving import _without_peteris
from workflows.calendar import WorkingCalendar
from workflows.context import Context
from workflows.people import enrolment, privacy
from workflows.plan.loader import load_plan

PETERIS = "peteris-liepa"
ADMIN = "kristaps-sils"


async def history_of_peteris(db: Database, ctx: Context) -> None:
    """Pēteris measures a round (with a comment), has a Telegram account and an invite."""
    outbox = Outbox(ctx, db, {"console": RecordingChannel()}, "lv")
    dispatcher = Dispatcher(ctx, db, outbox, "lv")
    await dispatcher.handle(command(ADMIN, "remind", "dzivesvietas-deklaresana", "2026-10"))
    from storage.models import ControlRound

    (control_round,) = rows(db, ControlRound)
    from storage.models import MeasurementRevision, NotMeasured

    await dispatcher.handle(press(PETERIS, tokens.start_round(control_round.id or 0)))
    for answer in ("0.9", "88.5", "Pēteris Liepa slimoja", "1"):
        await dispatcher.handle(say(PETERIS, answer))
    # a correction (the old version is kept with his name and reason) …
    await dispatcher.handle(command(PETERIS, "correct", "dd-avg-processing"))
    for answer in ("0.8", "Pēteris Liepa pārrēķināja", "1"):
        await dispatcher.handle(say(PETERIS, answer))
    # … and a "not measured" report with a reason, in an earlier round
    await dispatcher.handle(command(ADMIN, "remind", "dzivesvietas-deklaresana", "2026-09"))
    (earlier,) = rows(db, ControlRound, period="2026-09")
    await dispatcher.handle(press(PETERIS, tokens.start_round(earlier.id or 0)))
    for answer in ("not measured", "Pēteris Liepa atvaļinājumā", "not measured", "x", "1"):
        await dispatcher.handle(say(PETERIS, answer))
    assert rows(db, MeasurementRevision) and rows(db, NotMeasured)
    db.transaction(lambda s: enrolment.link(s, ctx, PETERIS, "telegram", "1002", "en-GB"))
    db.transaction(lambda s: enrolment.issue(s, ctx, PETERIS))

    def ledger(session: Any) -> None:  # a reminder the scheduler sent him
        now = ctx.now()
        session.add(
            Delivery(
                key=f"reminder:dzivesvietas-deklaresana:2026-10:{PETERIS}:0",
                kind="reminder",
                subject="dzivesvietas-deklaresana",
                period="2026-10",
                recipient=PETERIS,
                step=0,
                planned_at=now,
                status="sent",
                attempted_at=now,
            )
        )
        session.add(
            PostedMessage(
                platform="telegram", ref="decision:1", target="1002", message_id="5", posted_at=now
            )
        )

    db.transaction(ledger)


def everything_mentioning(db: Database, needle: str) -> list[str]:
    """Every table.column whose text contains ``needle`` (a whole-database scan)."""
    found = []
    with db.engine.connect() as connection:
        for table in inspect(db.engine).get_table_names():
            for column in inspect(db.engine).get_columns(table):
                name = column["name"]
                query = text(
                    f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{name}" AS TEXT) LIKE :n'
                )
                if connection.execute(query, {"n": f"%{needle}%"}).scalar():
                    found.append(f"{table}.{name}")
    return found


async def test_erase_a_leaver_with_history(any_db: Database, ctx: Context, tmp_path: Path) -> None:
    await history_of_peteris(any_db, ctx)
    changed = Context(
        load_plan(_without_peteris(tmp_path)), ctx.clock, WorkingCalendar(), ctx.timezone, "lv"
    )
    prepare_database(any_db, changed, auto_upgrade=True)  # he leaves the plan
    audit_before = len(rows(any_db, AuditEntry))

    erased = any_db.transaction(lambda s: privacy.erase_person(s, changed, PETERIS, ADMIN))

    assert erased.pseudonym.startswith("erased-")
    for needle in ("peteris-liepa", "Pēteris", "peteris.liepa@", "1002"):
        assert everything_mentioning(any_db, needle) == [], needle
    # the history stays: his values, under the pseudonym, and every audit entry (plus one)
    stored = {m.indicator_id: m for m in rows(any_db, Measurement)}
    assert stored["dd-within-sla"].value == Decimal("88.5")
    assert stored["dd-within-sla"].submitted_by == erased.pseudonym
    assert len(rows(any_db, AuditEntry)) == audit_before + 1
    assert [e.subject for e in rows(any_db, AuditEntry, action="person.erased")] == [
        f"person:{erased.pseudonym}"
    ]
    (shown,) = rows(any_db, Person, id=erased.pseudonym)
    assert shown.email is None and not shown.active


def test_someone_still_in_the_plan_is_not_erased(any_db: Database, ctx: Context) -> None:
    with pytest.raises(privacy.StillInPlan):
        any_db.transaction(lambda s: privacy.erase_person(s, ctx, PETERIS, ADMIN))
    with pytest.raises(privacy.UnknownPerson):
        any_db.transaction(lambda s: privacy.erase_person(s, ctx, "nobody", ADMIN))


def test_the_command_line_erases_a_leaver_and_refuses_others(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("CONTROLBOT_DEFAULT_LOCALE", "en")
    assert main(["person", "erase", PETERIS, "--yes"]) == 1  # still in the plan
    assert "still in the control plan" in capsys.readouterr().err
    monkeypatch.setenv("CONTROLBOT_PLAN", str(_without_peteris(tmp_path)))
    assert main(["person", "erase", PETERIS]) == 2  # no terminal to ask: --yes needed
    assert "--yes" in capsys.readouterr().err
    assert main(["person", "erase", PETERIS, "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Erased {PETERIS}.") and privacy.pseudonym(PETERIS) in out
    assert main(["person", "erase", PETERIS, "--yes"]) == 2  # gone now
