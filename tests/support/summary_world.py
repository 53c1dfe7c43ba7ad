"""A year of sample-plan history for summary, roll-up and chart tests.

Every indicator of the bundled plan gets values for the 12 months (or 4 quarters) up to
October 2026 (Q3 2026), wandering between OK, warning and critical; some values come late,
some never; one decision is open and one improvement action is overdue.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import ImprovementDecision, Measurement
from workflows.context import Context
from workflows.periods import Period
from workflows.reports.trends import periods_back
from workflows.rounds.measuring import new_measurement
from workflows.rounds.opening import new_round

RIGA = ZoneInfo("Europe/Riga")
LAST_MONTH = Period.parse("2026-10")
LAST_QUARTER = Period.parse("2026-Q3")
# share of the target-to-critical span: < 0 better than target, > 1 beyond critical
_PATTERN = (-0.3, 0.1, 0.4, 0.7, 0.5, 0.2, -0.1, 0.3, 0.6, 1.2, 0.8, 0.4)
LATE = {"2026-02", "2026-07", "2026-10", "2026-Q2"}
"""Periods whose values came two days after the due date."""
MISSING = {("dd-e-share", "2026-10"), ("sp-within-term", "2026-05"), ("dvs-mttr", "2026-10")}
"""Values never submitted."""


def sample_value(ctx: Context, indicator_id: str, step: int) -> Decimal:
    """A value wandering around the indicator's target, within its bounds."""
    _activity, indicator = ctx.plan.indicator(indicator_id)
    shift = sum(map(ord, indicator_id)) % len(_PATTERN)
    share = Decimal(str(_PATTERN[(step + shift) % len(_PATTERN)]))
    value = indicator.target + share * (indicator.critical - indicator.target)
    low, high = indicator.bounds
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value.quantize(Decimal(1).scaleb(-indicator.decimals))


def _at(day: date, days: int) -> datetime:
    return datetime.combine(day + timedelta(days=days), time(10), RIGA)


def seed_year(db: Database, ctx: Context) -> None:
    """Store the year of rounds, values, a decision and an action (see the module)."""

    def work(session: Session) -> None:
        for activity in ctx.plan.activities:
            for last in (LAST_MONTH, LAST_QUARTER):
                indicators = [i for i in activity.indicators if i.frequency == last.frequency]
                for step, period in enumerate(periods_back(last)):
                    control_round = new_round(ctx, activity.id, period, "system", "closed")
                    session.add(control_round)
                    session.flush()
                    for indicator in indicators:
                        if (indicator.id, str(period)) in MISSING:
                            continue
                        value = sample_value(ctx, indicator.id, step)
                        person = ctx.plan.measurers(activity, indicator)[0]
                        m = new_measurement(ctx, control_round, indicator.id, value, None, person)
                        m.submitted_at = _at(
                            control_round.due_date, 2 if str(period) in LATE else -1
                        )
                        session.add(m)
        session.flush()
        _decisions(session, ctx)

    db.transaction(work)


def _measurement(session: Session, indicator_id: str, period: str) -> Measurement:
    return session.exec(
        select(Measurement).where(
            col(Measurement.indicator_id) == indicator_id, col(Measurement.period) == period
        )
    ).one()


def _decisions(session: Session, ctx: Context) -> None:
    """An approved action on dd-within-sla, overdue since 15.10.; an open decision on sp."""
    sla = _measurement(session, "dd-within-sla", "2026-08")
    session.add(
        ImprovementDecision(
            activity_id="dzivesvietas-deklaresana",
            indicator_id="dd-within-sla",
            round_id=sla.round_id,
            measurement_id=sla.id or 0,
            trigger="critical",
            approver_id="janis-berzins",
            status="approved",
            decide_by=date(2026, 9, 25),
            opened_at=_at(date(2026, 9, 8), 0),
            action="Pārdalīt rindu starp darbiniekiem",
            owner_id="anna-ozola",
            action_due=date(2026, 10, 15),
            action_status="planned",
            decided_by="janis-berzins",
            decided_at=_at(date(2026, 10, 20), 0),
        )
    )
    appealed = _measurement(session, "sp-avg-decision", "2026-10")
    session.add(
        ImprovementDecision(
            activity_id="socialas-palidzibas-pabalsti",
            indicator_id="sp-avg-decision",
            round_id=appealed.round_id,
            measurement_id=appealed.id or 0,
            trigger="critical",
            approver_id="liga-zarina",
            status="open",
            decide_by=date(2026, 11, 2),
            opened_at=_at(date(2026, 11, 2), -10),
        )
    )
