"""This module contains the notices of value approval and correction (PU3-3 step 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from workflows.rounds.evaluation import Status


@dataclass(frozen=True)
class ValueBrief:
    """A stored measurement as shown to its approver or corrector."""

    measurement_id: int
    version: int
    round_id: int
    activity_id: str
    indicator_id: str
    period: str
    value: Decimal
    status: Status
    target_met: bool
    comment: str | None
    submitted_by: str
    correction_reason: str | None = None


@dataclass(frozen=True)
class ApprovalRequested:
    """Ask the indicator's approver to approve ``value`` or return it with a reason."""

    value: ValueBrief


@dataclass(frozen=True)
class ValueApproved:
    """``value`` was approved by ``approved_by`` (to the measurer, and the approver's receipt)."""

    value: ValueBrief
    approved_by: str


@dataclass(frozen=True)
class ValueReturned:
    """``value`` was returned by ``returned_by`` with ``reason``; the measurer measures again."""

    value: ValueBrief
    returned_by: str
    reason: str


@dataclass(frozen=True)
class ApprovalAlreadyGiven:
    """The value was approved or returned already, or replaced by a newer version."""

    value: ValueBrief
    approval: str
    by: str | None
    at: datetime | None
    replaced: bool = False
    correction: bool = False
    """True when the person wanted to correct the value (not to approve it)."""


@dataclass(frozen=True)
class NotValueApprover:
    """Only ``approver_id`` may approve or return this value; nothing changed."""

    measurement_id: int
    approver_id: str


@dataclass(frozen=True)
class ValueCorrected:
    """The correction was stored: ``value`` is the new version, ``previous`` the old value."""

    value: ValueBrief
    previous: Decimal
    awaiting_approval: bool


@dataclass(frozen=True)
class CorrectionChoices:
    """The values the person may correct; one button each."""

    values: tuple[ValueBrief, ...]
