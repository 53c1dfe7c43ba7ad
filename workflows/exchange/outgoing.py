"""This module contains what an export holds: stored measurements with their decisions.

One :class:`ExportRow` per stored measurement of the chosen periods, in period, plan and
indicator order, with the target and thresholds it was judged against (stored with the value)
and the improvement decision it opened, if any, with its action (PU3-3 steps 4 and 5).
Labels and languages are the formats' business (``bot.exchange``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlmodel import Session, col, select

from storage.models import ImprovementDecision, Measurement
from workflows.context import Context
from workflows.periods import Period, PeriodError
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Frequency, Indicator, Mark
from workflows.rounds.evaluation import stored_value

CHUNK = 500
"""Ids per ``IN (…)`` list, well below every backend's limit on bound parameters."""


@dataclass(frozen=True)
class DecisionFacts:
    """The improvement decision a measurement opened, and its action (PU3-3 step 5).

    Attributes:
        id: The decision number people see in chat.
        status: ``open``, ``approved`` or ``rejected``.
        trigger: ``critical`` or ``warnings`` (several warnings in a row).
        approver_id: Who decides.
        decide_by: Decision deadline (a local date).
        opened_at: When it opened (aware UTC).
        action: The improvement action, once approved.
        owner_id: Who carries out the action.
        action_due: When the action is due (a local date).
        decided_by: Who decided.
        decided_at: When (aware UTC).
        rejection_reason: Why it was rejected.
        action_status: The action's state (:mod:`workflows.decisions.actions`), or ``None``.
    """

    id: int
    status: str
    trigger: str
    approver_id: str
    decide_by: date
    opened_at: datetime
    action: str | None
    owner_id: str | None
    action_due: date | None
    decided_by: str | None
    decided_at: datetime | None
    rejection_reason: str | None
    action_status: str | None = None


@dataclass(frozen=True)
class ExportRow:
    """One stored measurement as exported.

    Attributes:
        activity_id: The service or resource.
        indicator_id: The indicator.
        period: Canonical period text (``2026-10``, ``2026-Q3``).
        value: The value, exact.
        unit: The unit code (``percent``, ``EUR``, …).
        decimals: Decimal places the indicator shows (``None`` if it left the plan).
        direction: ``higher_is_better`` or ``lower_is_better``.
        target: Target in force when it was stored.
        warning: Warning threshold in force.
        critical: Critical threshold in force.
        status: ``ok``, ``warning`` or ``critical``.
        target_met: Whether the target was met.
        comment: The comment, if any (may hold line breaks when imported).
        source: ``chat`` or the import source's name.
        submitted_by: Person id of who submitted or imported it.
        submitted_at: When (aware UTC).
        responsible: ``(person id, role id)`` of the activity's first responsible (A) at its
            own scale, or ``None``.
        decision: The decision this value opened, or ``None``.
        version: 1, or more once corrected or measured again after a return.
        approval: ``none``, ``submitted`` (waiting for the approver), ``approved`` or
            ``rejected`` (returned: it no longer counts).
        correction_reason: Why the current version corrected the previous one.
        choice: For a yes/no or choice indicator, the chosen option's id (``value`` is its
            number); ``None`` for a numeric value.
    """

    activity_id: str
    indicator_id: str
    period: str
    value: Decimal
    unit: str
    decimals: int | None
    direction: str
    target: Decimal
    warning: Decimal
    critical: Decimal
    status: str
    target_met: bool
    comment: str | None
    source: str
    submitted_by: str
    submitted_at: datetime
    responsible: tuple[str, str] | None
    decision: DecisionFacts | None
    version: int = 1
    approval: str = "none"
    correction_reason: str | None = None
    choice: str | None = None


def stored_periods(session: Session) -> list[Period]:
    """Every period with a stored measurement, oldest first."""
    found = []
    for text in session.exec(select(Measurement.period).distinct()).all():
        try:
            found.append(Period.parse(text))
        except PeriodError:  # pragma: no cover - only canonical periods are stored
            continue
    return sorted(found, key=lambda p: (p.start, p.end))


def _within(period: Period, first: date, last: date) -> bool:
    """Whether ``period`` belongs to the range from ``first`` to ``last``.

    It starts in the range (a week by its Thursday, as ISO 8601 counts weeks) and is no
    longer than the range, so the year 2025 is not part of its fourth quarter.
    """
    anchor = period.start + timedelta(days=3 if period.frequency is Frequency.WEEKLY else 0)
    longest = last - first
    return first <= anchor <= last and period.end - period.start <= longest


def export_periods(
    session: Session,
    ctx: Context,
    period_text: str | None,
    *,
    first_text: str | None = None,
    last_text: str | None = None,
) -> tuple[Period, ...]:
    """The stored periods to export.

    Args:
        session: The open session.
        ctx: The plan.
        period_text: A period of any frequency: the stored periods within it (``2025``: its
            months, quarters, half-years, weeks and the year itself; ``2025-Q4``: October to
            December, the quarter and its weeks). ``None`` with no range means the latest
            period with stored values of every frequency (monthly and quarterly indicators:
            two periods).
        first_text: With ``last_text``, or alone (up to the newest): the range starts where
            this period starts.
        last_text: The range ends where this period ends (alone: from the oldest).

    Returns:
        The periods, oldest first; empty when nothing stored lies in the range.

    Raises:
        workflows.periods.PeriodError: If a text is not a period.
    """
    stored = stored_periods(session)
    if period_text is not None:
        wanted = Period.parse(period_text)
        return tuple(p for p in stored if _within(p, wanted.start, wanted.end))
    if first_text is not None or last_text is not None:
        first = Period.parse(first_text).start if first_text is not None else date.min
        last = Period.parse(last_text).end if last_text is not None else date.max
        return tuple(p for p in stored if _within(p, first, last))
    latest: dict[Frequency, Period] = {}
    for period in stored:
        if period.frequency not in latest or latest[period.frequency] < period:
            latest[period.frequency] = period
    return tuple(sorted(latest.values(), key=lambda p: (p.start, p.end)))


class _Stored(NamedTuple):
    """A stored measurement's columns, as an export reads them."""

    id: int
    activity_id: str
    indicator_id: str
    period: str
    value: Decimal
    unit: str
    direction: str
    target: Decimal
    warning: Decimal
    critical: Decimal
    status: str
    target_met: bool
    comment: str | None
    source: str
    submitted_by: str
    submitted_at: datetime
    version: int
    approval: str
    correction_reason: str | None
    choice: str | None


_M, _D = Measurement, ImprovementDecision
_DECISION = tuple(f.name for f in fields(DecisionFacts))
_STORED = select(
    *(col(getattr(_M, name)) for name in _Stored._fields),
    *(col(getattr(_D, name)) for name in _DECISION),
).outerjoin(_D, col(_D.measurement_id) == col(_M.id))
"""A measurement's columns, then those of :class:`DecisionFacts` (NULL without one)."""


def gather(
    session: Session,
    ctx: Context,
    periods: Sequence[Period],
    indicator_ids: Collection[str] | None = None,
) -> list[ExportRow]:
    """Every stored measurement of ``periods`` with its decision, in a stable order.

    One statement: the measurements' and their decisions' columns (an outer join; no ORM
    object a row, issue 16). A value that opened several decisions (one withdrawn after a
    correction, then another) shows the newest.

    Args:
        session: The open session.
        ctx: The plan.
        periods: The periods to export.
        indicator_ids: Only these indicators' measurements (``None``: every indicator), as
            the web view downloads one indicator's or one activity's values: read by the
            index rather than every value of the periods (at 1,000 activities an activity's
            download read 54,060 values for its 60).

    Order: period start, then the activity's and the indicator's place in the plan (items
    that left the plan last, by id).
    """
    texts = [str(p) for p in periods]
    if not texts or (indicator_ids is not None and not indicator_ids):
        return []
    stored = _STORED.where(col(Measurement.period).in_(texts))
    wanted = None if indicator_ids is None else set(indicator_ids)
    if wanted is not None and len(wanted) <= CHUNK:
        stored = stored.where(col(Measurement.indicator_id).in_(sorted(wanted)))
    stored = stored.order_by(col(Measurement.id), col(ImprovementDecision.id))
    session.flush()
    width = len(_Stored._fields)
    by_id: dict[int, tuple[_Stored, DecisionFacts | None]] = {}
    for cells in session.connection().execute(stored):
        row = _Stored._make(cells[:width])
        if (wanted is None or row.indicator_id in wanted) and (
            row.id not in by_id or cells[width] is not None
        ):
            decision = DecisionFacts(*cells[width:]) if cells[width] is not None else None
            by_id[row.id] = (row, decision)
    found = list(by_id.values())
    place = _plan_order(ctx)
    starts = {str(p): p.start for p in periods}
    found.sort(
        key=lambda item: (
            starts[item[0].period],
            *place.get(item[0].indicator_id, (1 << 30, 0)),
            item[0].indicator_id,
        )
    )
    responsible = _responsible(ctx)
    plan = _indicators(ctx, (m.indicator_id for m, _decision in found))
    return [_row(m, plan[m.indicator_id], decision, responsible) for m, decision in found]


def _plan_order(ctx: Context) -> dict[str, tuple[int, int]]:
    return {
        indicator.id: (a, i)
        for a, activity in enumerate(ctx.plan.activities)
        for i, indicator in enumerate(activity.indicators)
    }


def _responsible(ctx: Context) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for activity in ctx.plan.activities:
        holders = ctx.plan.holders(activity, activity.scale, Mark.A)
        if holders:
            out[activity.id] = (holders[0].person, holders[0].role)
    return out


def _indicators(ctx: Context, ids: Iterable[str]) -> dict[str, Indicator | None]:
    """The plan's indicator of each id, ``None`` for one that left the plan.

    Looked up once an id, not twice a row.
    """
    out: dict[str, Indicator | None] = {}
    for indicator_id in ids:
        if indicator_id not in out:
            try:
                out[indicator_id] = ctx.plan.indicator(indicator_id)[1]
            except UnknownPlanItem:
                out[indicator_id] = None
    return out


def _row(
    m: _Stored,
    indicator: Indicator | None,
    facts: DecisionFacts | None,
    responsible: dict[str, tuple[str, str]],
) -> ExportRow:
    return ExportRow(
        activity_id=m.activity_id,
        indicator_id=m.indicator_id,
        period=m.period,
        value=m.value if indicator is None else stored_value(indicator, m.value, m.choice),
        unit=m.unit,
        decimals=None if indicator is None else indicator.decimals,
        direction=m.direction,
        target=m.target,
        warning=m.warning,
        critical=m.critical,
        status=m.status,
        target_met=m.target_met,
        comment=m.comment,
        source=m.source,
        submitted_by=m.submitted_by,
        submitted_at=m.submitted_at,
        responsible=responsible.get(m.activity_id),
        decision=facts,
        version=m.version,
        approval=m.approval,
        correction_reason=m.correction_reason,
        choice=m.choice,
    )
