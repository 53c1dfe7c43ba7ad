"""Issue 16: two processes opening the same rounds at the same moment get one round each.

``open_many.open_rounds`` inserts with ``ON CONFLICT DO NOTHING``: the second writer's
insert waits for the first (PostgreSQL: on the unique key; SQLite: on the write lock), skips
the rounds the first opened and opens only the rest. Each process has its own engine (its
own connections), as two ``controlbot`` processes would; each audits only what it opened.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlmodel import Session, col, select

from bot.app import prepare_database
from storage.db import Database
from storage.models import AuditEntry, ControlRound
from workflows.context import Context
from workflows.periods import Period
from workflows.rounds.open_many import RoundRow, open_and_audit

ACTIVITY = "dzivesvietas-deklaresana"


def test_issue16_two_processes_opening_the_same_round_get_one(
    any_db_url: str, ctx: Context
) -> None:
    first, second = Database.from_url(any_db_url), Database.from_url(any_db_url)
    prepare_database(first, ctx, auto_upgrade=True)
    shared = [(ACTIVITY, Period.parse("2026-09")), (ACTIVITY, Period.parse("2026-10"))]
    own = [(ACTIVITY, Period.parse("2026-08"))]
    inserted, started = threading.Event(), threading.Event()
    opened: dict[str, list[RoundRow]] = {}
    failed: list[BaseException] = []

    def one(name: str, db: Database, missing: list[tuple[str, Period]]) -> None:
        try:
            with db.session() as session:
                if name == "second":
                    assert inserted.wait(10)
                    started.set()
                opened[name] = open_and_audit(session, ctx, missing, name)
                if name == "first":  # hold the rounds uncommitted while the other inserts
                    inserted.set()
                    assert started.wait(10)
                    time.sleep(0.3)
                session.commit()
        except BaseException as exc:  # reported below
            failed.append(exc)

    threads = [
        threading.Thread(target=one, args=("first", first, shared)),
        threading.Thread(target=one, args=("second", second, [*shared, *own])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failed, failed
    assert [r.period for r in opened["first"]] == ["2026-09", "2026-10"]
    assert [r.period for r in opened["second"]] == ["2026-08"]  # the shared ones were taken

    def stored(session: Session) -> tuple[list[Any], list[Any]]:
        rounds = session.exec(select(ControlRound).order_by(col(ControlRound.period))).all()
        audit = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "round.opened")
        ).all()
        return list(rounds), list(audit)

    rounds, audit = first.transaction(stored)
    assert [(r.period, r.opened_by) for r in rounds] == [
        ("2026-08", "second"),
        ("2026-09", "first"),
        ("2026-10", "first"),
    ]
    assert sorted((a.subject, a.actor) for a in audit) == sorted(
        (f"round:{r.id}", r.opened_by) for r in rounds
    )
    first.dispose()
    second.dispose()
