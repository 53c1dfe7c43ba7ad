"""This module contains absences (``/away``): reminders held, measuring passed to a deputy.

While a person is away their reminders are held, and whatever they measure passes to a
deputy: the one the plan names for them, else the activity's co-responsible (L), else their
manager. The delegation is recorded (audit log, ``absence`` table) and shown in summaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from storage.models import Absence
from workflows import audit
from workflows.context import Context
from workflows.notices import AwayCancelled, AwayList, AwayRecorded, Outgoing, ToPerson, problem
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity, Indicator, Mark

LONGEST = timedelta(days=366)
"""An absence may last at most a year."""


@dataclass(frozen=True)
class Away:
    """An absence as the domain uses it."""

    person_id: str
    starts: date
    ends: date


def away_on(session: Session, day: date) -> dict[str, Away]:
    """Everyone away on ``day``, by person id."""
    rows = session.exec(
        select(Absence).where(
            col(Absence.starts) <= day,
            col(Absence.ends) >= day,
            col(Absence.cancelled_at).is_(None),
        )
    ).all()
    return {r.person_id: Away(r.person_id, r.starts, r.ends) for r in rows}


class AwayByDay:
    """Who is away on each day of ``first``..``last``, from one read of the absences.

    A sweep asks for many recipients on a few days (issue 16: ``away_on`` ran 107,006 times
    in one catch-up); this reads the absences once and answers each day from memory.

    Raises:
        ValueError: From :meth:`on`, for a day outside the span read.
    """

    def __init__(self, session: Session, first: date, last: date) -> None:
        rows = session.exec(
            select(col(Absence.person_id), col(Absence.starts), col(Absence.ends)).where(
                col(Absence.starts) <= last,
                col(Absence.ends) >= first,
                col(Absence.cancelled_at).is_(None),
            )
        ).all()
        self.first, self.last = first, last
        self._absences = [Away(person, starts, ends) for person, starts, ends in rows]
        self._days: dict[date, dict[str, Away]] = {}

    def on(self, day: date) -> dict[str, Away]:
        """Everyone away on ``day``, by person id (as :func:`away_on`)."""
        found = self._days.get(day)
        if found is None:
            if not self.first <= day <= self.last:
                raise ValueError(f"{day} is outside the absences read ({self.first}..{self.last})")
            found = {a.person_id: a for a in self._absences if a.starts <= day <= a.ends}
            self._days[day] = found
        return found


def deputy_for(
    ctx: Context, activity: Activity, person_id: str, away: Mapping[str, Away] | None = None
) -> str | None:
    """Who measures for ``person_id`` in ``activity`` while they are away.

    The plan's ``deputy`` for them, else the activity's co-responsible (L), else their
    manager: the first of these who is someone else and not away too (``away``).
    """
    plan = ctx.plan
    gone = away or {}
    candidates: list[str | None] = []
    if plan.has_person(person_id):
        candidates.append(plan.person(person_id).deputy)
    candidates += [h.person for h in plan.holders(activity, activity.scale, Mark.L)]
    candidates.append(plan.manager_of(person_id, activity))
    for candidate in candidates:
        if candidate is not None and candidate != person_id and candidate not in gone:
            return candidate
    return None


def effective_measurers(
    ctx: Context, activity: Activity, indicator: Indicator, away: Mapping[str, Away]
) -> tuple[str, ...]:
    """The plan's measurers of ``indicator``, each one away replaced by their deputy."""
    out: list[str] = []
    for person_id in ctx.plan.measurers(activity, indicator):
        if person_id in away:
            deputy = deputy_for(ctx, activity, person_id, away)
            if deputy is not None:
                out.append(deputy)
        else:
            out.append(person_id)
    return tuple(dict.fromkeys(out))


def _deputies(ctx: Context, person_id: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for activity in ctx.plan.activities:
        if any(person_id in ctx.plan.measurers(activity, i) for i in activity.indicators):
            deputy = deputy_for(ctx, activity, person_id)
            if deputy is not None:
                pairs.append((activity.id, deputy))
    return tuple(pairs)


def register(
    session: Session, ctx: Context, person_id: str, starts: date, ends: date, actor: str
) -> list[Outgoing]:
    """Record that ``person_id`` is away from ``starts`` to ``ends`` (inclusive).

    Returns:
        A confirmation naming each activity's deputy, and a notice to each deputy; or a
        problem (dates in the wrong order, in the past, longer than a year).
    """
    me = ToPerson(actor)
    if ends < starts:
        return [Outgoing(me, problem("away_dates_order"))]
    if ends < ctx.today():
        return [Outgoing(me, problem("away_in_past"))]
    if ends - starts > LONGEST:
        return [Outgoing(me, problem("away_too_long"))]
    overlapping = session.exec(
        select(Absence).where(
            col(Absence.person_id) == person_id,
            col(Absence.starts) <= ends,
            col(Absence.ends) >= starts,
            col(Absence.cancelled_at).is_(None),
        )
    ).first()
    if overlapping is not None:
        return [Outgoing(me, problem("away_overlaps"))]
    try:
        deputies = _deputies(ctx, person_id)
    except UnknownPlanItem:  # pragma: no cover - people come from the plan
        deputies = ()
    session.add(
        Absence(
            person_id=person_id, starts=starts, ends=ends, created_by=actor, created_at=ctx.now()
        )
    )
    audit.record(
        session,
        ctx,
        actor,
        "person.away",
        f"person:{person_id}",
        starts=starts.isoformat(),
        ends=ends.isoformat(),
        deputies=",".join(f"{a}={d}" for a, d in deputies),
    )
    notice = AwayRecorded(person_id, starts, ends, deputies)
    out = [Outgoing(ToPerson(person_id), notice)]
    if actor != person_id:
        out.append(Outgoing(me, notice))
    for deputy in dict.fromkeys(d for _a, d in deputies):
        out.append(Outgoing(ToPerson(deputy), notice))
    return out


def listing(session: Session, ctx: Context, person_id: str) -> list[Outgoing]:
    """The person's current and coming absences."""
    rows = session.exec(
        select(Absence)
        .where(
            col(Absence.person_id) == person_id,
            col(Absence.ends) >= ctx.today(),
            col(Absence.cancelled_at).is_(None),
        )
        .order_by(col(Absence.starts))
    ).all()
    items = tuple((r.starts, r.ends) for r in rows)
    return [Outgoing(ToPerson(person_id), AwayList(items))]


def cancel(session: Session, ctx: Context, person_id: str) -> list[Outgoing]:
    """Cancel the person's current and coming absences (back early)."""
    rows = session.exec(
        select(Absence).where(
            col(Absence.person_id) == person_id,
            col(Absence.ends) >= ctx.today(),
            col(Absence.cancelled_at).is_(None),
        )
    ).all()
    for row in rows:
        row.cancelled_at = ctx.now()
        session.add(row)
    if not rows:
        return [Outgoing(ToPerson(person_id), AwayList(()))]
    audit.record(session, ctx, person_id, "person.back", f"person:{person_id}")
    notice = AwayCancelled(person_id, tuple((r.starts, r.ends) for r in rows))
    out = [Outgoing(ToPerson(person_id), notice)]
    for deputy in dict.fromkeys(d for _a, d in _deputies(ctx, person_id)):
        out.append(Outgoing(ToPerson(deputy), notice))
    return out
