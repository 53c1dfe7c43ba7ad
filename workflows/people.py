"""This module contains the synchronisation of the plan's people into the database."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from storage.models import Person, PlatformIdentity, RoleAssignment
from workflows import audit, web_access
from workflows.context import Context
from workflows.notices import Outgoing, PersonLeft, ToChannel, ToPerson
from workflows.plan.schema import Mark

CONSOLE = "console"


def sync_people(session: Session, ctx: Context) -> list[Outgoing]:
    """Make ``person`` and ``role_assignment`` rows match the plan.

    People missing from the plan are kept (their history refers to them) but marked
    inactive; they get no more messages. Every person gets a console identity (the console
    user id is the person id). Choices made in chat (``chosen_language``) survive.

    Returns:
        For each person who just left the plan, one notice to the responsible (A) of each
        activity they had a role in, and to the admin channel, naming who measures now. A
        person leaving is reported once: at the sync that deactivates them.
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
    left: list[Outgoing] = []
    for person_id, row in existing.items():
        if not plan.has_person(person_id) and row.active:
            row.active = False
            session.add(row)
            web_access.end_all(session, ctx, person_id)  # their web links and sessions too
            left.extend(_left(session, ctx, row))
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
    _console_identities(session, ctx, now)
    return left


def _left(session: Session, ctx: Context, person: Person) -> list[Outgoing]:
    """Notices that ``person`` left the plan, from the roles they held before."""
    held = session.exec(
        select(RoleAssignment.activity_id).where(col(RoleAssignment.person_id) == person.id)
    ).all()
    activities = [a for a in ctx.plan.activities if a.id in set(held)]
    audit.record(
        session,
        ctx,
        "system",
        "person.removed",
        f"person:{person.id}",
        activities=",".join(a.id for a in activities),
    )
    takeover = tuple(
        (a.id, tuple(dict.fromkeys(p for i in a.indicators for p in ctx.plan.measurers(a, i))))
        for a in activities
    )
    notice = PersonLeft(person.display_name, takeover)
    managers = dict.fromkeys(
        h.person for a in activities for h in ctx.plan.holders(a, a.scale, Mark.A)
    )
    out = [Outgoing(ToPerson(m), notice) for m in managers]
    out.append(Outgoing(ToChannel(ctx.plan.plan.admin_channel), notice))
    return out


def _console_identities(session: Session, ctx: Context, now: datetime) -> None:
    plan = ctx.plan
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
