"""This module contains a notice's envelope: its recipient and the :data:`Notice` union.

The domain never formats text. It returns :class:`Outgoing` items (a recipient and a notice
dataclass); the ``bot`` package renders each notice in the recipient's language and sends it
through whichever chat channel reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from workflows.notices.decisions import (
    ActionDue,
    ActionUpdated,
    ActionVerified,
    DecisionAlreadyTaken,
    DecisionProposed,
    DecisionRecorded,
    DecisionRequested,
    DecisionStillOpen,
    DecisionWithdrawn,
    NotApprover,
)
from workflows.notices.delivery import DeliveryProblems
from workflows.notices.forms import (
    AnswerRefused,
    FormCancelled,
    FormExpired,
    FormPrompt,
    NothingToCancel,
)
from workflows.notices.indicators import IndicatorList
from workflows.notices.misc import (
    AwayCancelled,
    AwayList,
    AwayRecorded,
    ChannelBound,
    ChannelUnreachable,
    ChartNotDelivered,
    Enrolled,
    Help,
    LanguageChanged,
    PersonLeft,
    PersonUnreachable,
    PlatformChosen,
    Problem,
)
from workflows.notices.results import MeasurementsRecorded, NothingToMeasure
from workflows.notices.rollup import RollupSummary
from workflows.notices.rounds import Digest, Reminder, RoundOpened, Snoozed, SnoozeOptions
from workflows.notices.status import HomeView, OthersFilling, PendingList, StatusReport
from workflows.notices.summary import History, Summary, SummaryPosted
from workflows.notices.values import (
    ApprovalAlreadyGiven,
    ApprovalRequested,
    CorrectionChoices,
    NotValueApprover,
    ValueApproved,
    ValueCorrected,
    ValueReturned,
)
from workflows.notices.web import WebLink


@dataclass(frozen=True)
class ToPerson:
    """A direct message to a person of the plan."""

    person_id: str


@dataclass(frozen=True)
class ToChannel:
    """A post in a team channel of the plan."""

    channel_id: str


Recipient: TypeAlias = ToPerson | ToChannel


Notice: TypeAlias = (
    Reminder
    | Digest
    | DeliveryProblems
    | SnoozeOptions
    | AwayRecorded
    | AwayList
    | AwayCancelled
    | PersonLeft
    | History
    | IndicatorList
    | Snoozed
    | RoundOpened
    | FormPrompt
    | AnswerRefused
    | FormCancelled
    | FormExpired
    | NothingToCancel
    | MeasurementsRecorded
    | NothingToMeasure
    | DecisionRequested
    | DecisionStillOpen
    | ActionDue
    | ActionUpdated
    | DecisionWithdrawn
    | ActionVerified
    | NotApprover
    | DecisionAlreadyTaken
    | DecisionRecorded
    | DecisionProposed
    | Summary
    | RollupSummary
    | SummaryPosted
    | PendingList
    | StatusReport
    | HomeView
    | OthersFilling
    | Help
    | LanguageChanged
    | WebLink
    | Enrolled
    | PlatformChosen
    | ChartNotDelivered
    | ChannelBound
    | PersonUnreachable
    | ChannelUnreachable
    | ApprovalRequested
    | ValueApproved
    | ValueReturned
    | ApprovalAlreadyGiven
    | NotValueApprover
    | ValueCorrected
    | CorrectionChoices
    | Problem
)


@dataclass(frozen=True)
class Outgoing:
    """One notice for one recipient."""

    to: Recipient
    notice: Notice
