"""This module contains the synchronisation of the plan's people into the database."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, col, delete, select

from storage.models import Person, RoleAssignment
from workflows import audit
from workflows.context import Context
from workflows.notices import Outgoing, PersonLeft, ToChannel, ToPerson
from workflows.people import accounts, web_access
from workflows.plan import accounts as plan_accounts
from workflows.plan.schema import Mark


def sync_people(session: Session, ctx: Context) -> list[Outgoing]:
    """Make ``person`` and ``role_assignment`` rows match the plan.

    People missing from the plan are kept (their history refers to them) but marked
    inactive; they get no more messages. Every person gets a console identity (the console
    user id is the person id). Choices made in chat (``chosen_language``) survive.

    Rows are read and written as plain column values, a statement per kind of change (a
    national plan has 10,000 people: ORM objects for each made every start take seconds
    and tens of megabytes, issue 16); only people leaving are loaded as objects.

    Returns:
        For each person who just left the plan, one notice to the responsible (A) of each
        activity they had a role in, and to the admin channel, naming who measures now. A
        person leaving is reported once: at the sync that deactivates them.
    """
    plan = ctx.plan
    now = ctx.now()
    accounts.forget_all(session)  # names, languages, zones and who is active may change
    connection = session.connection()
    active = dict(connection.execute(select(col(Person.id), col(Person.active))).all())
    rows = [
        {
            "pid": person.id,
            "display_name": person.name,
            plan_accounts.ADDRESS_KEY: plan_accounts.address_of(person),
            "plan_language": person.language,
            "timezone": person.timezone,
            "active": True,
            "synced_at": now,
        }
        for person in plan.plan.people
    ]
    new = [r for r in rows if r["pid"] not in active]
    if new:
        connection.execute(
            insert(Person),
            [
                {**_NEW_PERSON, **{k: v for k, v in r.items() if k != "pid"}, "id": r["pid"]}
                for r in new
            ],
        )
    known = [r for r in rows if r["pid"] in active]
    if known:
        connection.execute(_UPDATE_PERSON, known)
    leaving = [pid for pid, on in active.items() if on and not plan.has_person(pid)]
    left: list[Outgoing] = []
    for row in session.exec(select(Person).where(col(Person.id).in_(leaving))).all():
        row.active = False
        session.add(row)
        web_access.end_all(session, ctx, row.id)  # their web links and sessions too
        left.extend(_left(session, ctx, row))
    session.flush()
    session.exec(delete(RoleAssignment))
    roles = [
        {
            "person_id": holder.person,
            "activity_id": activity.id,
            "scale": scale.value,
            "role": holder.role,
            "mark": mark,
        }
        for activity in plan.activities
        for scale, resp in activity.responsibility.items()
        for mark, holders in (("A", resp.A), ("L", resp.L))
        for holder in dict.fromkeys(holders)
    ]
    if roles:
        connection.execute(insert(RoleAssignment), roles)
    accounts.link_console(session, ctx, now)
    return left


_NEW_PERSON = {"chosen_language": None, "chosen_platform": None}
"""Columns of a new person the plan does not set."""
_UPDATE_PERSON = (
    update(Person)
    .where(col(Person.id) == bindparam("pid"))
    .values(
        display_name=bindparam("display_name"),
        **{plan_accounts.ADDRESS_KEY: bindparam(plan_accounts.ADDRESS_KEY)},
        plan_language=bindparam("plan_language"),
        timezone=bindparam("timezone"),
        active=bindparam("active"),
        synced_at=bindparam("synced_at"),
    )
)


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
