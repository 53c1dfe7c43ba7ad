"""This module contains when a decision opens, and when it is withdrawn.

It opens on a critical value or on warnings in a row; it is withdrawn when its triggering value
was corrected or returned before the decision was taken.
"""

from __future__ import annotations

from contextlib import suppress
from itertools import pairwise

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db import rows_touched
from storage.models import ImprovementDecision, Measurement
from workflows import audit
from workflows.context import Context
from workflows.decisions.approvers import _still_open
from workflows.decisions.briefs import (
    TRIGGER_CRITICAL,
    TRIGGER_WARNINGS,
    WITHDRAWN,
    _mid,
    brief,
    load_brief,
)
from workflows.notices import DecisionRequested, DecisionWithdrawn, Outgoing, ToChannel, ToPerson
from workflows.periods import Period
from workflows.plan.model import UnknownPlanItem
from workflows.rounds.evaluation import Status


def _last_decided_period(session: Session, measurement: Measurement) -> str | None:
    """The period of the value that opened the indicator's latest decision, if any."""
    return session.exec(
        select(Measurement.period)
        .join(ImprovementDecision, col(ImprovementDecision.measurement_id) == col(Measurement.id))
        .where(
            col(ImprovementDecision.indicator_id) == measurement.indicator_id,
            col(ImprovementDecision.activity_id) == measurement.activity_id,
        )
        .order_by(col(Measurement.period).desc())
        .limit(1)
    ).first()


def _warnings_in_a_row(session: Session, measurement: Measurement, needed: int) -> bool:
    """Whether the indicator's latest ``needed`` values are all warning or worse.

    The values must come from consecutive periods ending with the latest one, and
    ``measurement`` must be among them (values may arrive out of period order). Values at or
    before the one that opened the indicator's latest decision do not count again: after a
    decision, a new series has to build up.
    """
    query = select(Measurement.status, Measurement.period).where(
        col(Measurement.indicator_id) == measurement.indicator_id,
        col(Measurement.activity_id) == measurement.activity_id,
    )
    decided = _last_decided_period(session, measurement)
    if decided is not None:
        query = query.where(col(Measurement.period) > decided)
    rows = session.exec(query.order_by(col(Measurement.period).desc()).limit(needed)).all()
    if len(rows) < needed or any(status == Status.OK for status, _period in rows):
        return False
    periods = [Period.parse(period) for _status, period in rows]
    if measurement.period not in {str(p) for p in periods}:
        return False
    return all(newer.previous() == older for newer, older in pairwise(periods))


def maybe_open_decision(
    session: Session, ctx: Context, measurement: Measurement
) -> list[Outgoing]:
    """Open an improvement decision if ``measurement`` calls for one.

    A decision opens when the value is critical, or when the last
    ``decision_after_warnings`` values of the indicator (this one included, by period) are
    all warning or critical — and no decision on the indicator is open yet.

    Returns:
        The request to the approver (with approve/reject) and a notice to the team channel;
        nothing if no decision was opened.
    """
    needed = ctx.plan.plan.decision_after_warnings
    if measurement.status == Status.CRITICAL:
        trigger = TRIGGER_CRITICAL
    elif measurement.status == Status.WARNING:
        if not _warnings_in_a_row(session, measurement, needed):
            return []
        trigger = TRIGGER_WARNINGS
    else:
        return []
    already = session.exec(
        select(ImprovementDecision).where(
            col(ImprovementDecision.activity_id) == measurement.activity_id,
            col(ImprovementDecision.indicator_id) == measurement.indicator_id,
            col(ImprovementDecision.status) == "open",
        )
    ).first()
    if already is not None:
        return _still_open(session, ctx, already, measurement)
    activity, indicator = ctx.plan.indicator(measurement.indicator_id)
    decision = ImprovementDecision(
        activity_id=activity.id,
        indicator_id=indicator.id,
        round_id=measurement.round_id,
        measurement_id=_mid(measurement),
        trigger=trigger,
        approver_id=ctx.plan.approver(activity, indicator),
        decide_by=ctx.calendar.add_working_days(
            ctx.today(), ctx.plan.plan.decision_within_working_days
        ),
        opened_at=ctx.now(),
    )
    try:
        with session.begin_nested():
            session.add(decision)
    except IntegrityError:  # another process opened one for this indicator just now
        return []
    audit.record(
        session,
        ctx,
        "system",
        "decision.opened",
        f"decision:{decision.id}",
        indicator=indicator.id,
        trigger=trigger,
        approver=decision.approver_id,
    )
    summary = brief(decision, measurement)
    return [
        Outgoing(ToPerson(decision.approver_id), DecisionRequested(summary, ask=True)),
        Outgoing(ToChannel(activity.channel), DecisionRequested(summary, ask=False)),
    ]


def withdraw_for(
    session: Session, ctx: Context, measurement: Measurement, why: str
) -> list[Outgoing]:
    """Withdraw the open decision ``measurement`` opened, when its value no longer counts.

    ``why`` is ``returned`` (the approver returned the value) or ``corrected`` (then only
    when the corrected value would not open a decision itself). The change is one
    conditional UPDATE, so a decision taken a moment ago stays taken.

    Returns:
        :class:`DecisionWithdrawn` for the approver and the team channel, or nothing.
    """
    decision = session.exec(
        select(ImprovementDecision).where(
            col(ImprovementDecision.measurement_id) == measurement.id,
            col(ImprovementDecision.status) == "open",
        )
    ).first()
    if decision is None:
        return []
    if why == "corrected":
        needed = ctx.plan.plan.decision_after_warnings
        if measurement.status == Status.CRITICAL or (
            measurement.status == Status.WARNING
            and _warnings_in_a_row(session, measurement, needed)
        ):
            return []  # still called for: it stays open, showing the corrected value
    result = session.execute(
        update(ImprovementDecision)
        .where(
            col(ImprovementDecision.id) == decision.id,
            col(ImprovementDecision.status) == "open",
        )
        .values(status=WITHDRAWN, decided_at=ctx.now())
        .execution_options(synchronize_session=False)
    )
    if not rows_touched(result):
        return []
    session.refresh(decision)
    audit.record(session, ctx, "system", "decision.withdrawn", f"decision:{decision.id}", why=why)
    notice = DecisionWithdrawn(load_brief(session, decision), why)
    out = [Outgoing(ToPerson(decision.approver_id), notice)]
    with suppress(UnknownPlanItem):
        out.append(Outgoing(ToChannel(ctx.plan.activity(decision.activity_id).channel), notice))
    return out
