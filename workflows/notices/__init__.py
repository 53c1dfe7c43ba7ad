"""What the domain tells people and channels: platform-neutral notices.

The domain never formats text. It returns :class:`Outgoing` items (a recipient and a notice
dataclass); the ``bot`` package renders each notice in the recipient's language and sends it
through whichever chat channel reaches them. Each module here holds the notices of one concern
and mirrors the ``bot.render`` module that renders them; every name is re-exported here, so
``from workflows.notices import Reminder`` is the one way to import a notice, and the outbox
codec (:mod:`workflows.notices.codec`) stores each under this package's name.
"""

from workflows.notices.decisions import (
    ActionDue,
    ActionUpdated,
    ActionVerified,
    DecisionAlreadyTaken,
    DecisionBrief,
    DecisionProposed,
    DecisionRecorded,
    DecisionRequested,
    DecisionStillOpen,
    DecisionWithdrawn,
    NotApprover,
)
from workflows.notices.delivery import (
    DeliveryOutcome,
    DeliveryProblems,
    Unreached,
)
from workflows.notices.forms import (
    AnswerRefused,
    FormCancelled,
    FormExpired,
    FormHeader,
    FormPrompt,
    NothingToCancel,
)
from workflows.notices.indicators import (
    IndicatorList,
)
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
    problem,
)
from workflows.notices.outgoing import (
    Notice,
    Outgoing,
    Recipient,
    ToChannel,
    ToPerson,
)
from workflows.notices.results import (
    AnsweredBy,
    MeasurementResult,
    MeasurementsRecorded,
    NothingToMeasure,
)
from workflows.notices.rollup import (
    RollupLine,
    RollupPart,
    RollupSummary,
)
from workflows.notices.rounds import (
    Digest,
    Reminder,
    RoundOpened,
    Snoozed,
    SnoozeOptions,
)
from workflows.notices.status import (
    HomeDecision,
    HomeView,
    OthersFilling,
    PendingAction,
    PendingList,
    PendingRound,
    RoundStatus,
    StatusReport,
)
from workflows.notices.summary import (
    ActivitySummary,
    History,
    HistoryRow,
    Participation,
    PeriodParticipation,
    SeriesPoint,
    Summary,
    SummaryDecision,
    SummaryLine,
    SummaryPosted,
)
from workflows.notices.values import (
    ApprovalAlreadyGiven,
    ApprovalRequested,
    CorrectionChoices,
    NotValueApprover,
    ValueApproved,
    ValueBrief,
    ValueCorrected,
    ValueReturned,
)
from workflows.notices.web import (
    WebLink,
)

__all__ = [
    "ActionDue",
    "ActionUpdated",
    "ActionVerified",
    "ActivitySummary",
    "AnswerRefused",
    "AnsweredBy",
    "ApprovalAlreadyGiven",
    "ApprovalRequested",
    "AwayCancelled",
    "AwayList",
    "AwayRecorded",
    "ChannelBound",
    "ChannelUnreachable",
    "ChartNotDelivered",
    "CorrectionChoices",
    "DecisionAlreadyTaken",
    "DecisionBrief",
    "DecisionProposed",
    "DecisionRecorded",
    "DecisionRequested",
    "DecisionStillOpen",
    "DecisionWithdrawn",
    "DeliveryOutcome",
    "DeliveryProblems",
    "Digest",
    "Enrolled",
    "FormCancelled",
    "FormExpired",
    "FormHeader",
    "FormPrompt",
    "Help",
    "History",
    "HistoryRow",
    "HomeDecision",
    "HomeView",
    "IndicatorList",
    "LanguageChanged",
    "MeasurementResult",
    "MeasurementsRecorded",
    "NotApprover",
    "NotValueApprover",
    "NothingToCancel",
    "NothingToMeasure",
    "Notice",
    "OthersFilling",
    "Outgoing",
    "Participation",
    "PendingAction",
    "PendingList",
    "PendingRound",
    "PeriodParticipation",
    "PersonLeft",
    "PersonUnreachable",
    "PlatformChosen",
    "Problem",
    "Recipient",
    "Reminder",
    "RollupLine",
    "RollupPart",
    "RollupSummary",
    "RoundOpened",
    "RoundStatus",
    "SeriesPoint",
    "SnoozeOptions",
    "Snoozed",
    "StatusReport",
    "Summary",
    "SummaryDecision",
    "SummaryLine",
    "SummaryPosted",
    "ToChannel",
    "ToPerson",
    "Unreached",
    "ValueApproved",
    "ValueBrief",
    "ValueCorrected",
    "ValueReturned",
    "WebLink",
    "problem",
]
