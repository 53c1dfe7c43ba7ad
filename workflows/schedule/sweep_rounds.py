"""This module contains :class:`RoundStates`: the rounds one sweep batch reminds of, read once.

Each reminder needs its round (opened if need be: a batch's missing rounds together, in one
statement), what has been measured or reported as not measured in it, and who still measures
what today. Asked per recipient, that was about 38
statements a send (issue 16); here a batch reads its rounds, their values and their reports
in three queries and answers every recipient from memory. The rules stay in
:mod:`workflows.rounds.opening` (:func:`~workflows.rounds.opening.outstanding_among`,
:func:`~workflows.rounds.opening.measurers_among`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from sqlmodel import Session, col, select

from storage.models import ControlRound, Measurement, NotMeasured
from workflows.context import Context
from workflows.people.absences import Away
from workflows.periods import Period
from workflows.plan.schema import Activity
from workflows.rounds.open_many import open_and_audit
from workflows.rounds.opening import ensure_round, measurers_among, outstanding_among

_PER_QUERY = 2000
"""Values asked for in one ``IN`` (well under SQLite's parameter limit)."""

T = TypeVar("T")

_Key = tuple[str, str, str]
"""(activity id, frequency, period)."""


def _chunks(values: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), _PER_QUERY):
        yield values[start : start + _PER_QUERY]


class RoundStates:
    """Rounds of ``wanted`` (activity id, period) pairs with their values and reports.

    Args:
        session: The batch's transaction.
        ctx: Plan, clock, calendar.
        wanted: The rounds the batch may remind of.
        away: Who is away today (their deputies measure for them).
    """

    def __init__(
        self,
        session: Session,
        ctx: Context,
        wanted: Iterable[tuple[str, str]],
        away: Mapping[str, Away],
    ) -> None:
        self.session, self.ctx, self.away = session, ctx, away
        pairs = set(wanted)
        self._rounds: dict[_Key, ControlRound] = {}
        self._done: dict[int, dict[str, Measurement]] = {}
        self._gaps: dict[int, dict[str, NotMeasured]] = {}
        self._outstanding: dict[tuple[int, str], tuple[str, ...]] = {}
        self._measurers: dict[int, tuple[str, ...]] = {}
        if pairs:
            self._read(pairs)

    def _read(self, pairs: set[tuple[str, str]]) -> None:
        activities = sorted({a for a, _p in pairs})
        periods = sorted({p for _a, p in pairs})
        for chunk in _chunks(list(activities)):
            rows = self.session.exec(
                select(ControlRound).where(
                    col(ControlRound.activity_id).in_(chunk),
                    col(ControlRound.period).in_(periods),
                )
            ).all()
            for row in rows:
                if (row.activity_id, row.period) in pairs:
                    self._rounds[(row.activity_id, row.frequency, row.period)] = row
        self._read_answers([r.id for r in self._rounds.values() if r.id is not None])

    def _read_answers(self, ids: list[int]) -> None:
        for round_id in ids:
            self._done[round_id], self._gaps[round_id] = {}, {}
        for chunk in _chunks(list(ids)):
            for m in self.session.exec(
                select(Measurement).where(
                    col(Measurement.round_id).in_(chunk), col(Measurement.approval) != "rejected"
                )
            ).all():
                self._done[m.round_id][m.indicator_id] = m
            for gap in self.session.exec(
                select(NotMeasured).where(col(NotMeasured.round_id).in_(chunk))
            ).all():
                self._gaps[gap.round_id][gap.indicator_id] = gap

    def open_missing(self, wanted: Iterable[tuple[Activity, Period]]) -> None:
        """Open the rounds of ``wanted`` not open yet, together (one statement, issue 16).

        In ``wanted`` order, so ids follow the order in which :meth:`round` would have opened
        them one by one; each is audited as :func:`~workflows.rounds.opening.ensure_round`
        audits it. A round another process opened meanwhile is skipped by the insert and read.
        """
        missing: dict[tuple[str, str], tuple[str, Period]] = {}
        for activity, period in wanted:
            key = (activity.id, period.frequency.value, str(period))
            if key not in self._rounds:
                missing.setdefault((activity.id, key[2]), (activity.id, period))
        if not missing:
            return
        opened = open_and_audit(self.session, self.ctx, list(missing.values()), "system")
        for row in opened:
            self._done[row.id], self._gaps[row.id] = {}, {}
        pairs = set(missing)
        for chunk in _chunks(sorted({a for a, _p in pairs})):
            for found in self.session.exec(
                select(ControlRound).where(
                    col(ControlRound.activity_id).in_(chunk),
                    col(ControlRound.period).in_(sorted({p for _a, p in pairs})),
                )
            ).all():
                if (found.activity_id, found.period) in pairs:
                    self._rounds[(found.activity_id, found.frequency, found.period)] = found

    def round(self, activity: Activity, period: Period) -> ControlRound:
        """The round of ``activity`` for ``period``, opened now (and audited) if need be."""
        key = (activity.id, period.frequency.value, str(period))
        found = self._rounds.get(key)
        if found is None:
            found, created = ensure_round(
                self.session, self.ctx, activity, period, "system", known_missing=True
            )
            self._rounds[key] = found
            if created and found.id is not None:
                self._done[found.id], self._gaps[found.id] = {}, {}
        return found

    def answers(
        self, control_round: ControlRound
    ) -> tuple[dict[str, Measurement], dict[str, NotMeasured]]:
        """The round's values that count and its "not measured" reports, by indicator id."""
        round_id = control_round.id or 0
        if round_id not in self._done:  # opened meanwhile by someone else: read it now
            self._read_answers([round_id])
        return self._done[round_id], self._gaps[round_id]

    def outstanding(self, control_round: ControlRound, person_id: str) -> tuple[str, ...]:
        """What ``person_id`` still has to measure in the round (as ``outstanding_for``)."""
        key = (control_round.id or 0, person_id)
        found = self._outstanding.get(key)
        if found is None:
            done, gaps = self.answers(control_round)
            found = outstanding_among(self.ctx, control_round, person_id, done, gaps, self.away)[0]
            self._outstanding[key] = found
        return found

    def measurers(self, control_round: ControlRound) -> tuple[str, ...]:
        """Everyone who measures something in the round today (as ``measurers_of_round``)."""
        round_id = control_round.id or 0
        found = self._measurers.get(round_id)
        if found is None:
            found = measurers_among(self.ctx, control_round, self.away)
            self._measurers[round_id] = found
        return found
