"""This module contains the notices of improvement decisions (PU3-3 step 5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from workflows.rounds.evaluation import Status


@dataclass(frozen=True)
class DecisionBrief:
    """An improvement decision as shown in lists and requests."""

    decision_id: int
    activity_id: str
    indicator_id: str
    period: str
    value: Decimal
    status: Status
    trigger: str
    approver_id: str
    decide_by: date
    comment: str | None


@dataclass(frozen=True)
class DecisionRequested:
    """A decision is needed; ``ask`` is true for the approver (with approve/reject)."""

    decision: DecisionBrief
    ask: bool


@dataclass(frozen=True)
class DecisionStillOpen:
    """Another off-target value arrived while ``decision`` on the indicator is still open."""

    decision: DecisionBrief
    period: str
    value: Decimal
    status: Status
    comment: str | None


@dataclass(frozen=True)
class ActionDue:
    """Follow-up of an improvement action decided in ``decision``, due on ``due``.

    ``stage``: ``soon`` (to the owner, a few working days before), ``due`` (to the owner, on
    the day) or ``overdue`` (to the approver, after it, while the action is not done).
    """

    decision: DecisionBrief
    action: str
    due: date
    stage: str = "due"
    owner_id: str | None = None
    action_status: str = "planned"


@dataclass(frozen=True)
class ActionUpdated:
    """The action's owner (or approver) changed its status; ``by`` did it."""

    decision: DecisionBrief
    action: str
    status: str
    by: str


@dataclass(frozen=True)
class ActionVerified:
    """The indicator's next value after a done action: ``verified`` says whether it worked."""

    decision: DecisionBrief
    action: str
    value: Decimal
    period: str
    value_status: Status
    target_met: bool
    verified: bool


@dataclass(frozen=True)
class DecisionWithdrawn:
    """An open decision whose triggering value was corrected or returned: no longer needed.

    ``why``: ``corrected`` (the corrected value no longer calls for a decision) or
    ``returned`` (the approver returned the value; a new value may open a new decision).
    """

    decision: DecisionBrief
    why: str


@dataclass(frozen=True)
class NotApprover:
    """Only ``approver_id`` may decide; nothing changed."""

    decision_id: int
    approver_id: str


@dataclass(frozen=True)
class DecisionAlreadyTaken:
    """The decision was already taken; nothing changed."""

    decision_id: int
    status: str
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class DecisionProposed:
    """``proposer`` passed the decision upwards; ``approver`` decides now."""

    decision: DecisionBrief
    proposer: str
    approver: str


@dataclass(frozen=True)
class DecisionRecorded:
    """An approved or rejected improvement decision."""

    decision: DecisionBrief
    outcome: str
    decided_by: str
    decided_at: datetime
    action: str | None = None
    owner_id: str | None = None
    action_due: date | None = None
    reason: str | None = None
