"""This module contains control rounds: opening one and reminding whoever measures.

A round is (activity, frequency, period). Opening it computes the due date on Latvian
working days (plan ``schedule``: the N-th working day of the next period) and sends one
reminder to each person who measures (the ``measured_by`` holders at the activity's scale)
listing what they still have to measure (PU3-3 step 4, "mēra").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import ControlRound, Measurement, NotMeasured
from workflows import audit
from workflows.context import Context
from workflows.notices import (
    AnsweredBy,
    Digest,
    Outgoing,
    Recipient,
    Reminder,
    RoundOpened,
    ToPerson,
    problem,
)
from workflows.people.absences import Away, away_on, effective_measurers
from workflows.periods import Period, PeriodError, last_closed
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity, Frequency, Indicator

OLDEST_YEARS_BACK = 3
"""Periods further back than this many years are refused as implausible (typos like 1999)."""


def implausibly_old(ctx: Context, period: Period) -> bool:
    """Whether ``period`` lies more than :data:`OLDEST_YEARS_BACK` years back."""
    return period.year < ctx.today().year - OLDEST_YEARS_BACK


def round_indicators(activity: Activity, frequency: Frequency | str) -> tuple[Indicator, ...]:
    """The indicators of ``activity`` measured at ``frequency``, in plan order."""
    return tuple(i for i in activity.indicators if i.frequency == frequency)


def get_round(session: Session, activity_id: str, period: Period) -> ControlRound | None:
    """The round of ``activity_id`` for ``period``, if opened."""
    return session.exec(
        select(ControlRound).where(
            col(ControlRound.activity_id) == activity_id,
            col(ControlRound.frequency) == period.frequency.value,
            col(ControlRound.period) == str(period),
        )
    ).first()


def submitted(session: Session, round_id: int) -> dict[str, Measurement]:
    """The measurements of a round that count, by indicator id.

    A value the approver returned (approval ``rejected``) does not count: its indicator is
    outstanding again until it is measured anew.
    """
    rows = session.exec(
        select(Measurement).where(
            col(Measurement.round_id) == round_id, col(Measurement.approval) != "rejected"
        )
    ).all()
    return {m.indicator_id: m for m in rows}


def answered(session: Session, round_id: int) -> set[str]:
    """The round's indicators that need nothing more: a value that counts, or "not measured"."""
    return set(submitted(session, round_id)) | set(reported_not_measured(session, round_id))


def reported_not_measured(session: Session, round_id: int) -> dict[str, NotMeasured]:
    """The round's indicators reported as not measured (with reasons), by indicator id."""
    rows = session.exec(select(NotMeasured).where(col(NotMeasured.round_id) == round_id)).all()
    return {row.indicator_id: row for row in rows}


def outstanding_for(
    session: Session, ctx: Context, control_round: ControlRound, person_id: str
) -> tuple[tuple[str, ...], tuple[AnsweredBy, ...]]:
    """What ``person_id`` still has to measure in a round, and what others already did.

    Whoever is away today measures nothing; their deputy measures for them (``/away``).

    Returns:
        ``(missing indicator ids, answered)``: indicators the person measures that have no
        value yet, and those of theirs that someone has submitted.
    """
    return outstanding_among(
        ctx,
        control_round,
        person_id,
        submitted(session, _id(control_round)),
        reported_not_measured(session, _id(control_round)),
        away_on(session, ctx.today()),
    )


def outstanding_among(
    ctx: Context,
    control_round: ControlRound,
    person_id: str,
    done: Mapping[str, Measurement],
    gaps: Mapping[str, NotMeasured],
    away: Mapping[str, Away],
) -> tuple[tuple[str, ...], tuple[AnsweredBy, ...]]:
    """:func:`outstanding_for` from a round's values, reports and today's absences already read.

    A sweep reads these once for many rounds and people (issue 16).
    """
    activity = ctx.plan.activity(control_round.activity_id)
    missing: list[str] = []
    answered: list[AnsweredBy] = []
    for indicator in round_indicators(activity, control_round.frequency):
        if person_id not in effective_measurers(ctx, activity, indicator, away):
            continue
        found = done.get(indicator.id)
        gap = gaps.get(indicator.id)
        if found is not None:
            answered.append(AnsweredBy(indicator.id, found.submitted_by, found.submitted_at))
        elif gap is not None:
            answered.append(AnsweredBy(indicator.id, gap.reported_by, gap.reported_at))
        else:
            missing.append(indicator.id)
    return tuple(missing), tuple(answered)


def measurers_of_round(
    session: Session, ctx: Context, control_round: ControlRound
) -> tuple[str, ...]:
    """Everyone who measures something in the round today (deputies for those away)."""
    return measurers_among(ctx, control_round, away_on(session, ctx.today()))


def measurers_among(
    ctx: Context, control_round: ControlRound, away: Mapping[str, Away]
) -> tuple[str, ...]:
    """:func:`measurers_of_round` with today's absences already read."""
    activity = ctx.plan.activity(control_round.activity_id)
    people: Iterable[str] = (
        p
        for indicator in round_indicators(activity, control_round.frequency)
        for p in effective_measurers(ctx, activity, indicator, away)
    )
    return tuple(dict.fromkeys(people))


def same_period_last_year(period: Period) -> Period | None:
    """The same period one year earlier (``None`` for an ISO week 53 without a twin)."""
    try:
        return Period(period.frequency, period.year - 1, period.index)
    except PeriodError:
        return None


def earlier_values(
    session: Session, activity_id: str, period: Period
) -> dict[str, tuple[tuple[str, Decimal], ...]]:
    """Per indicator, the previous period's and last year's values (trend hints).

    Returns:
        ``indicator id → ((period, value), …)``: the previous period first, then the same
        period a year earlier, each only where a value exists.
    """
    out: dict[str, list[tuple[str, Decimal]]] = {}
    for earlier in (period.previous(), same_period_last_year(period)):
        if earlier is None:
            continue
        control_round = get_round(session, activity_id, earlier)
        if control_round is None or control_round.id is None:
            continue
        for indicator_id, m in submitted(session, control_round.id).items():
            out.setdefault(indicator_id, []).append((str(earlier), m.value))
    return {k: tuple(v) for k, v in out.items()}


def open_round(
    session: Session, ctx: Context, activity_id: str, period_text: str | None, actor: str
) -> list[Outgoing]:
    """Open the round(s) of an activity and remind whoever measures.

    Args:
        session: The open session.
        ctx: Plan, clock and calendar.
        activity_id: A service or resource id of the plan.
        period_text: ``2026-11``, ``2026-Q4``, ``2026-W48``, ``2026-H2`` or ``2026``; ``None``
            opens, for every frequency the activity uses, its last closed period.
        actor: Who asked (a person id, or ``system``).

    Returns:
        Reminders to the measurers, and a :class:`RoundOpened` for ``actor`` (unless the
        actor is ``system``), or one problem notice for the actor.
    """
    reply_to = ToPerson(actor)
    try:
        activity = ctx.plan.activity(activity_id)
    except UnknownPlanItem:
        known = ", ".join(a.id for a in ctx.plan.activities)
        return [Outgoing(reply_to, problem("unknown_activity", activity=activity_id, known=known))]
    if period_text is not None:
        try:
            period = Period.parse(period_text)
        except PeriodError:
            return [Outgoing(reply_to, problem("bad_period", period=period_text))]
        if implausibly_old(ctx, period):
            return [Outgoing(reply_to, problem("period_too_old", period=period_text))]
        if not round_indicators(activity, period.frequency):
            return [
                Outgoing(
                    reply_to,
                    problem("no_indicators_at_frequency", activity=activity_id, period=period),
                )
            ]
        periods = [period]
    else:
        frequencies = dict.fromkeys(Frequency(i.frequency) for i in activity.indicators)
        periods = [last_closed(f, ctx.today()) for f in frequencies]
    unfinished = [p for p in periods if p.end >= ctx.today()]
    if unfinished:
        return [Outgoing(reply_to, problem("period_not_over", period=unfinished[0]))]
    out: list[Outgoing] = []
    for period in periods:
        out.extend(_open_one(session, ctx, activity, period, actor))
    return one_message_each([o for o in out if not (actor == "system" and o.to == reply_to)])


def one_message_each(items: list[Outgoing]) -> list[Outgoing]:
    """Reminders to the same person merged into one :class:`Digest` (in first-seen order).

    Opening an activity's month and quarter at once reminds each measurer once, listing
    everything due, as the scheduled sends do; other notices are kept as they are.
    """
    grouped: dict[Recipient, list[Reminder]] = {}
    for item in items:
        if isinstance(item.notice, Reminder):
            grouped.setdefault(item.to, []).append(item.notice)
    out: list[Outgoing] = []
    for item in items:
        reminders = grouped.get(item.to) if isinstance(item.notice, Reminder) else None
        if reminders is None or len(reminders) == 1:
            out.append(item)
        elif reminders[0] is item.notice:
            out.append(Outgoing(item.to, Digest(tuple(reminders))))
    return out


def new_round(
    ctx: Context, activity_id: str, period: Period, actor: str, status: str = "open"
) -> ControlRound:
    """A round row for ``period``, due on the plan's working day of the next period."""
    return ControlRound(**round_values(ctx, activity_id, period, actor, status))


def round_values(
    ctx: Context, activity_id: str, period: Period, actor: str, status: str = "open"
) -> dict[str, Any]:
    """The columns of :func:`new_round`'s row (for writing many rounds in one statement)."""
    rule = ctx.plan.schedule(period.frequency)
    return {
        "activity_id": activity_id,
        "frequency": period.frequency.value,
        "period": str(period),
        "due_date": ctx.calendar.due_date(period, rule.due_working_day),
        "status": status,
        "opened_by": actor,
        "opened_at": ctx.now(),
    }


def ensure_round(
    session: Session,
    ctx: Context,
    activity: Activity,
    period: Period,
    actor: str,
    *,
    known_missing: bool = False,
) -> tuple[ControlRound, bool]:
    """The round of ``activity`` for ``period``, opened now if needed.

    ``known_missing``: the caller has just read that it is not open (a sweep's batch reads
    its rounds together), so it is not asked again before opening.

    Returns:
        ``(round, created)``; opening is audited. A round opened at the same moment by
        another process is reused.
    """
    existing = None if known_missing else get_round(session, activity.id, period)
    if existing is not None:
        return existing, False
    control_round = new_round(ctx, activity.id, period, actor)
    try:
        with session.begin_nested():
            session.add(control_round)
    except IntegrityError:  # another process opened it at the same moment
        existing = get_round(session, activity.id, period)
        if existing is None:  # pragma: no cover - the conflict was something else
            raise
        return existing, False
    audit.record(
        session,
        ctx,
        actor,
        "round.opened",
        f"round:{control_round.id}",
        activity=activity.id,
        period=str(period),
        due=control_round.due_date.isoformat(),
    )
    return control_round, True


def _open_one(
    session: Session, ctx: Context, activity: Activity, period: Period, actor: str
) -> list[Outgoing]:
    control_round, created = ensure_round(session, ctx, activity, period, actor)
    out: list[Outgoing] = []
    reminded: list[str] = []
    for person_id in measurers_of_round(session, ctx, control_round):
        missing, _answered = outstanding_for(session, ctx, control_round, person_id)
        if not missing:
            continue
        reminded.append(person_id)
        out.append(
            Outgoing(
                ToPerson(person_id),
                Reminder(
                    round_id=_id(control_round),
                    activity_id=activity.id,
                    period=control_round.period,
                    due_date=control_round.due_date,
                    indicator_ids=missing,
                    overdue=control_round.due_date < ctx.today(),
                ),
            )
        )
    audit.record(
        session,
        ctx,
        actor,
        "reminder.queued",
        f"round:{control_round.id}",
        recipients=",".join(reminded),
    )
    out.append(
        Outgoing(
            ToPerson(actor),
            RoundOpened(
                round_id=_id(control_round),
                activity_id=activity.id,
                period=control_round.period,
                due_date=control_round.due_date,
                reminded=tuple(reminded),
                already_open=not created,
            ),
        )
    )
    return out


def _id(row: ControlRound) -> int:
    if row.id is None:  # pragma: no cover - rows here are always flushed
        raise ValueError("round has no id yet")
    return row.id
