"""This module contains the notices of submitted measurements and what was already answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from workflows.rounds.evaluation import Status


@dataclass(frozen=True)
class AnsweredBy:
    """``indicator_id`` was already submitted by ``person_id`` at ``at``."""

    indicator_id: str
    person_id: str
    at: datetime


@dataclass(frozen=True)
class MeasurementResult:
    """One stored value and its evaluation."""

    indicator_id: str
    value: Decimal
    status: Status
    target_met: bool
    comment: str | None


@dataclass(frozen=True)
class MeasurementsRecorded:
    """The submitted values (``results``) and those refused as already answered."""

    round_id: int
    activity_id: str
    period: str
    results: tuple[MeasurementResult, ...]
    already_answered: tuple[AnsweredBy, ...]
    skipped: tuple[str, ...] = ()
    not_measured: tuple[tuple[str, str], ...] = ()
    """``(indicator id, reason)`` of each indicator reported as not measured."""
    not_measured_ids: tuple[int, ...] = ()
    """The stored reports of ``not_measured``, in the same order (to give the value later)."""
    awaiting_approval: tuple[str, ...] = ()
    """Indicators whose values now wait for the approver (plan ``requires_approval``)."""


@dataclass(frozen=True)
class NothingToMeasure:
    """Everything this person could measure in the round was already submitted."""

    round_id: int
    activity_id: str
    period: str
    answered: tuple[AnsweredBy, ...]
