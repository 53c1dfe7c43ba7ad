"""This module contains the notices of what waits: the pending list, ``/status`` and home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from workflows.notices.decisions import DecisionBrief
from workflows.notices.delivery import Unreached
from workflows.notices.forms import FormHeader
from workflows.notices.values import ValueBrief


@dataclass(frozen=True)
class PendingRound:
    """An open round in which the person still has indicators to measure."""

    round_id: int
    activity_id: str
    period: str
    due_date: date
    indicator_ids: tuple[str, ...]
    overdue: bool = False


@dataclass(frozen=True)
class PendingAction:
    """An improvement action the person carries out that is not done yet (``/action N``)."""

    decision_id: int
    activity_id: str
    indicator_id: str
    action: str
    due: date | None
    status: str
    overdue: bool = False


@dataclass(frozen=True)
class OthersFilling:
    """Other measurers have the same round's form open right now; the first to submit counts."""

    person_ids: tuple[str, ...]


@dataclass(frozen=True)
class PendingList:
    """What waits for the person: rounds to measure, decisions to take, actions to carry out."""

    rounds: tuple[PendingRound, ...]
    decisions: tuple[DecisionBrief, ...]
    form_in_progress: FormHeader | None
    approvals: tuple[ValueBrief, ...] = ()
    """Values waiting for this person's approval (plan ``requires_approval``)."""
    actions: tuple[PendingAction, ...] = ()
    """Improvement actions the person owns, planned or in progress, earliest due first."""


@dataclass(frozen=True)
class RoundStatus:
    """One open round as a manager sees it in ``/status``."""

    activity_id: str
    period: str
    due_date: date
    answered: int
    total: int
    waiting_for: tuple[str, ...]
    overdue: bool


@dataclass(frozen=True)
class StatusReport:
    """``/status``: the manager's open rounds and open decisions.

    ``decisions`` items are ``(decision id, indicator id, approver id, decide by)``.
    """

    rounds: tuple[RoundStatus, ...]
    decisions: tuple[tuple[int, str, str, date], ...]
    today: date
    unreachable: tuple[Unreached, ...] = ()
    """People of these activities whose last message could not be delivered, and why."""


@dataclass(frozen=True)
class HomeDecision:
    """One recent improvement decision on the home view."""

    decision_id: int
    indicator_id: str
    status: str
    approver_id: str
    decided_by: str | None
    decided_at: datetime | None
    decide_by: date


@dataclass(frozen=True)
class HomeView:
    """A person's home page: what waits for them, and recent decisions of their activities."""

    pending: PendingList
    recent: tuple[HomeDecision, ...]
    today: date
