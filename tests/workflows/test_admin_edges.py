"""Edge cases of erasure, plan diffs and decisions proposed upwards (an admin breaker pass)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from bot.dispatch import Dispatcher
from storage.db import Database
from storage.models import AuditEntry, ImprovementDecision, Measurement, Person
from tests.support.flow import rows
from tests.support.recording import command
from tests.workflows.test_round_flow import anna_critical, remind
from workflows import audit, decisions
from workflows.context import Context
from workflows.people import privacy
from workflows.plan.changes import diff


async def test_erasing_a_short_id_leaves_longer_ids_and_names_alone(
    dispatcher: Dispatcher, db: Database, ctx: Context
) -> None:
    round_id = await remind(dispatcher)
    await anna_critical(dispatcher, round_id)  # Anna Ozola's comment and audit entries
    now = datetime.now(UTC)

    def leaver(session: Session) -> None:  # a person "anna", not in the plan
        session.add(Person(id="anna", display_name="Anna", active=False, synced_at=now))
        session.flush()
        audit.record(session, ctx, "anna", "person.note", "person:anna")

    db.transaction(leaver)
    before = {e.id: (e.actor, e.subject) for e in rows(db, AuditEntry) if e.actor != "anna"}
    comments = {m.id: m.comment for m in rows(db, Measurement)}
    erased = db.transaction(lambda s: privacy.erase_person(s, ctx, "anna", "kristaps-sils"))
    after = {e.id: (e.actor, e.subject) for e in rows(db, AuditEntry) if e.id in before}
    assert after == before  # anna-ozola's entries untouched
    assert {m.id: m.comment for m in rows(db, Measurement)} == comments
    assert erased.rewritten >= 1  # the one entry of "anna" itself


def test_erasing_someone_again_after_they_came_back(db: Database, ctx: Context) -> None:
    now = datetime.now(UTC)
    for _ in range(2):
        db.transaction(
            lambda s: s.add(
                Person(id="visitor", display_name="Vieslektors Ozols", active=False, synced_at=now)
            )
        )
        db.transaction(lambda s: privacy.erase_person(s, ctx, "visitor", "kristaps-sils"))
    assert [p.id for p in rows(db, Person) if p.id.startswith("erased-")] == [
        privacy.pseudonym("visitor")
    ]


def test_reordering_a_holders_is_a_change_because_the_first_one_approves() -> None:
    def plan(order: list[str]) -> dict[str, object]:
        holders = [{"role": "saimnieks", "person": p} for p in order]
        activity = {
            "id": "a",
            "label": {"lv": "A"},
            "indicators": [],
            "responsibility": {"pakalpojuma": {"A": holders, "L": []}},
        }
        return {"services": [activity], "people": []}

    (change,) = diff(plan(["janis", "liga"]), plan(["liga", "janis"]))
    assert (change.kind, change.key) == ("holders_changed", "pakalpojuma/A")
    assert change.after.startswith("liga")
    same = {
        "services": [
            {
                "id": "a",
                "label": {"lv": "A"},
                "responsibility": {},
                "indicators": [{"id": "i", "target": "16.00"}],
            }
        ],
        "people": [],
    }
    moved = {
        "services": [
            {
                "id": "a",
                "label": {"lv": "A"},
                "responsibility": {},
                "indicators": [{"id": "i", "target": "16.0"}],
            }
        ],
        "people": [],
    }
    assert diff(same, moved) == []  # the same number written differently


async def test_a_decision_proposed_to_someone_who_left_passes_on(
    dispatcher: Dispatcher, db: Database, ctx: Context
) -> None:
    round_id = await remind(dispatcher)
    await anna_critical(dispatcher, round_id)
    await dispatcher.handle(command("janis-berzins", "propose", "1"))
    (decision,) = rows(db, ImprovementDecision)
    assert decision.approver_id == "marta-kalnina"

    def gone(session: Session) -> None:  # as if Mārta had left the plan (still stored)
        now = datetime.now(UTC)
        session.add(Person(id="someone-who-left", display_name="X", active=False, synced_at=now))
        session.flush()
        row = session.get(ImprovementDecision, decision.id)
        row.approver_id = "someone-who-left"
        session.add(row)

    db.transaction(gone)
    checked = db.transaction(
        lambda s: decisions.check_can_decide(s, ctx, "marta-kalnina", decision.id or 0)
    )
    assert isinstance(checked, ImprovementDecision)  # the one above Jānis decides again
