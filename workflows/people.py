"""This module contains the synchronisation of the plan's people into the database."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from storage.models import Person, PlatformIdentity, RoleAssignment
from workflows.context import Context

CONSOLE = "console"


def sync_people(session: Session, ctx: Context) -> None:
    """Make ``person`` and ``role_assignment`` rows match the plan.

    People missing from the plan are kept (their history refers to them) but marked
    inactive. Every person gets a console identity (the console user id is the person id).
    Choices made in chat (``chosen_language``) survive.
    """
    plan = ctx.plan
    now = ctx.now()
    existing = {p.id: p for p in session.exec(select(Person)).all()}
    for person in plan.plan.people:
        row = existing.get(person.id) or Person(
            id=person.id, display_name=person.name, synced_at=now
        )
        row.display_name = person.name
        row.email = person.email
        row.plan_language = person.language
        row.timezone = person.timezone
        row.active = True
        row.synced_at = now
        session.add(row)
    for person_id, row in existing.items():
        if not plan.has_person(person_id) and row.active:
            row.active = False
            session.add(row)
    session.flush()
    session.exec(delete(RoleAssignment))
    for activity in plan.activities:
        for scale, resp in activity.responsibility.items():
            for mark, holders in (("A", resp.A), ("L", resp.L)):
                for holder in dict.fromkeys(holders):
                    session.add(
                        RoleAssignment(
                            person_id=holder.person,
                            activity_id=activity.id,
                            scale=scale.value,
                            role=holder.role,
                            mark=mark,
                        )
                    )
    linked = set(
        session.exec(
            select(PlatformIdentity.person_id).where(col(PlatformIdentity.platform) == CONSOLE)
        ).all()
    )
    for person in plan.plan.people:
        if person.id not in linked:
            session.add(
                PlatformIdentity(
                    person_id=person.id, platform=CONSOLE, external_id=person.id, linked_at=now
                )
            )
