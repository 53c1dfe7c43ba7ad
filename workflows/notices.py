"""This module contains what the domain tells people and channels: platform-neutral notices.

The domain never formats text. It returns :class:`Outgoing` items (a recipient and a notice
dataclass); the ``bot`` package renders each notice in the recipient's language and sends it
through whichever chat channel reaches them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

from workflows.evaluation import Status
from workflows.forms.engine import Ask, Confirm
from workflows.forms.fields import FieldSpec
from workflows.forms.parsing import AnswerError
from workflows.problems import ProblemCode


@dataclass(frozen=True)
class ToPerson:
    """A direct message to a person of the plan."""

    person_id: str


@dataclass(frozen=True)
class ToChannel:
    """A post in a team channel of the plan."""

    channel_id: str


Recipient: TypeAlias = ToPerson | ToChannel


# --- rounds and reminders -------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """Please measure ``indicator_ids`` of ``activity_id`` for ``period`` by ``due_date``.

    ``overdue`` is true when the due date has already passed. Scheduled sends also say which
    ladder ``step`` this is (``reminder``, ``due``, ``escalation``); an escalation to someone
    who does not measure names the ``measurers`` who have not answered; ``late`` marks a send
    caught up after downtime.
    """

    round_id: int
    activity_id: str
    period: str
    due_date: date
    indicator_ids: tuple[str, ...]
    overdue: bool = False
    step: str = "reminder"
    measurers: tuple[str, ...] = ()
    late: bool = False
    can_enter: bool = True


@dataclass(frozen=True)
class Digest:
    """Everything due for one person on one day, in one message (scheduled sends)."""

    items: tuple[Reminder, ...]


@dataclass(frozen=True)
class SnoozeOptions:
    """When to be reminded again about a round (the "Atlikt atgādinājumu" choices).

    ``later_today``: three hours from now is still within working hours today.
    """

    round_id: int
    activity_id: str
    period: str
    next_working_day_is_tomorrow: bool = False
    later_today: bool = True


@dataclass(frozen=True)
class Snoozed:
    """The reminder comes again at ``until``; ``capped``: moved up to the escalation step."""

    activity_id: str
    period: str
    until: datetime
    capped: bool


@dataclass(frozen=True)
class AwayRecorded:
    """``person_id`` is away ``starts``..``ends``; ``deputies``: (activity id, deputy id)."""

    person_id: str
    starts: date
    ends: date
    deputies: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AwayCancelled:
    """``person_id`` is back: these absences were cancelled (the deputies are told too)."""

    person_id: str
    items: tuple[tuple[date, date], ...]


@dataclass(frozen=True)
class AwayList:
    """The person's current and coming absences (empty: none, or just cancelled)."""

    items: tuple[tuple[date, date], ...]


@dataclass(frozen=True)
class PersonLeft:
    """``name`` left the plan; ``takeover``: (activity id, who measures it now)."""

    name: str
    takeover: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class HistoryRow:
    """One period's value of an indicator, with the status it was judged with."""

    period: str
    value: Decimal
    status: Status
    target_met: bool
    comment: str | None
    submitted_by: str
    version: int = 1
    """Above 1 when the value was corrected (or measured again after a return)."""
    correction_reason: str | None = None
    """Set when the current version is a correction (not a measurement after a return)."""
    approval: str = "none"
    """``none``, ``submitted`` (waiting for approval), ``approved`` or ``rejected`` (returned)."""


@dataclass(frozen=True)
class History:
    """An indicator's last values, newest first (``/history``)."""

    indicator_id: str
    rows: tuple[HistoryRow, ...]
    not_measured: tuple[tuple[str, str], ...] = ()
    """``(period, reason)`` of the periods reported as not measured, in the same window."""


@dataclass(frozen=True)
class IndicatorList:
    """A person's indicators to pick from (``/indicators``, or a ``/history`` not yet clear).

    ``items``: ``(number in the person's list, or 0 for someone else's, indicator id)``;
    ``query``: what ``/history`` was given, if anything; ``matched``: the items are what the
    query fits (several), not the whole list shown because nothing fitted.
    """

    items: tuple[tuple[int, str], ...]
    query: str = ""
    matched: bool = False


@dataclass(frozen=True)
class Unreached:
    """A recipient a message did not reach, and why.

    ``reason``: ``no_account``, ``blocked``, ``not_in_channel``, ``channel_gone``,
    ``not_bound``, ``render_failed``, ``expired`` or ``queued`` (still being retried).
    """

    recipient: str
    kind: str
    reason: str


@dataclass(frozen=True)
class DeliveryOutcome:
    """What became of a fan-out when its sender reported back (issue 12: honest reports)."""

    delivered: tuple[str, ...]
    unreached: tuple[Unreached, ...]


@dataclass(frozen=True)
class DeliveryProblems:
    """The admin channel's daily digest: who and what the robot could not reach, and why."""

    unreached: tuple[Unreached, ...]


@dataclass(frozen=True)
class RoundOpened:
    """Acknowledgement to whoever opened a round: who was to be reminded.

    ``delivery`` is filled in once the reminders were sent: who got them and who not.
    """

    round_id: int
    activity_id: str
    period: str
    due_date: date
    reminded: tuple[str, ...]
    already_open: bool
    delivery: DeliveryOutcome | None = None


# --- forms ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormHeader:
    """What a form is about, shown above its questions."""

    form: str
    session_id: int
    activity_id: str
    period: str
    decision_id: int | None = None
    round_id: int | None = None
    measurement: ValueBrief | None = None
    """The stored value a correction or return form is about."""


@dataclass(frozen=True)
class FormPrompt:
    """Ask a question or ask to confirm (``step`` is an engine :class:`Ask` or ``Confirm``).

    ``answers`` are the answers so far (e.g. to show the value a comment is asked about);
    ``earlier`` the previous period's and last year's values per indicator (trend hints).
    """

    header: FormHeader
    step: Ask | Confirm
    fields: tuple[FieldSpec, ...]
    resumed: bool = False
    answers: Mapping[str, str] = field(default_factory=dict)
    earlier: Mapping[str, tuple[tuple[str, Decimal], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerRefused:
    """An answer to ``field`` was refused with ``error``; the question follows again."""

    header: FormHeader
    field: FieldSpec
    error: AnswerError


@dataclass(frozen=True)
class FormCancelled:
    """The form was cancelled; nothing was saved."""

    form: str


@dataclass(frozen=True)
class FormExpired:
    """The form was left unanswered longer than ``minutes``.

    Nothing was stored; ``draft``: the answers given are kept, to continue from.
    """

    header: FormHeader
    minutes: int
    draft: bool = False


@dataclass(frozen=True)
class NothingToCancel:
    """``/cancel`` with no form in progress."""


# --- measurements ---------------------------------------------------------------------------


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


# --- improvement decisions (PU3-3 step 5) ---------------------------------------------------


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


# --- summaries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPoint:
    """One period's value of an indicator, for a trend chart (oldest first in a series)."""

    period: str
    value: Decimal
    status: Status


@dataclass(frozen=True)
class SummaryLine:
    """One indicator in a summary; ``value`` is ``None`` when nothing was submitted.

    Attributes:
        late: The value was submitted after the round's due date (local date).
        unconfirmed: The value waits for its confirmation.
        corrected: The value was corrected after it was first submitted.
        not_measured: Why the indicator was not measured this period (``None``: it was, or
            nobody said why).
        series: The indicator's values of up to the last 12 periods, oldest first, ending
            with this one (for the chart).
    """

    indicator_id: str
    value: Decimal | None
    status: Status | None
    target_met: bool | None
    previous: Decimal | None
    comment: str | None
    corrected: bool = False
    last_year: Decimal | None = None
    late: bool = False
    unconfirmed: bool = False
    not_measured: str | None = None
    series: tuple[SeriesPoint, ...] = ()


@dataclass(frozen=True)
class Participation:
    """How the controls of a round were answered: on time, late, not at all.

    This is the control of the control process itself: a control is one indicator value a
    round expects; ``late`` ones were submitted after the round's due date.
    """

    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        """How many controls were expected."""
        return self.on_time + self.late + self.missing

    def __add__(self, other: Participation) -> Participation:
        return Participation(
            self.on_time + other.on_time, self.late + other.late, self.missing + other.missing
        )


@dataclass(frozen=True)
class PeriodParticipation:
    """:class:`Participation` of one period (for the participation chart)."""

    period: str
    participation: Participation


@dataclass(frozen=True)
class SummaryDecision:
    """A decision shown in a summary: open, or taken on this period's values."""

    decision: DecisionBrief
    status: str
    action: str | None = None
    owner_id: str | None = None
    action_due: date | None = None
    reason: str | None = None
    overdue: bool = False
    decided_at: datetime | None = None
    action_status: str | None = None
    """The improvement action's status (:mod:`workflows.actions`), when one was decided."""


@dataclass(frozen=True)
class ActivitySummary:
    """One activity's part of a summary.

    ``decisions`` are the open decisions and those taken on this period's values or since
    the last summary; ``actions`` the improvement actions open, overdue (``overdue``: the due
    date passed and the action is not done), done, or verified since; ``participation``
    how this period's controls were answered.
    """

    activity_id: str
    period: str
    due_date: date | None
    lines: tuple[SummaryLine, ...]
    answered_by: tuple[str, ...]
    not_answered: tuple[str, ...]
    decisions: tuple[SummaryDecision, ...]
    overdue: bool = False
    delegations: tuple[tuple[str, str, date, date], ...] = ()
    participation: Participation = Participation()
    actions: tuple[SummaryDecision, ...] = ()


@dataclass(frozen=True)
class Summary:
    """A channel's periodic summary (PU3-3 step 4, "izmanto rezultātus").

    ``participation`` is the channel's participation in up to the last 12 periods, oldest
    first; ``since`` when the previous summary went to the channel (``None``: never).
    """

    channel_id: str
    period: str
    activities: tuple[ActivitySummary, ...]
    participation: tuple[PeriodParticipation, ...] = ()
    since: datetime | None = None


@dataclass(frozen=True)
class RollupPart:
    """One covered channel in a roll-up: its indicators by status and its participation.

    ``statuses`` counts the indicators that are OK, warning, critical and without data.
    """

    channel_id: str
    statuses: tuple[int, int, int, int]
    participation: Participation
    open_decisions: int
    overdue_actions: int


@dataclass(frozen=True)
class RollupLine:
    """An indicator picked for a roll-up (one of the worst), with its activity."""

    activity_id: str
    line: SummaryLine


@dataclass(frozen=True)
class RollupSummary:
    """A roll-up to a wider scale's channel: the channels below it, aggregated.

    Attributes:
        channel_id: The roll-up channel.
        period: The period.
        scale: The scale the roll-up is for (``iestades``, ``pasvaldibas`` …).
        parts: One per covered channel, in the plan's order.
        worst: The indicators furthest off target (critical first), at most 8.
        decisions: Decisions taken since the last summary, and the open ones.
        actions: Open and overdue improvement actions.
        participation: Participation in up to the last 12 periods, oldest first.
        since: When the previous summary went to the channel (``None``: never).
    """

    channel_id: str
    period: str
    scale: str
    parts: tuple[RollupPart, ...]
    worst: tuple[RollupLine, ...]
    decisions: tuple[SummaryDecision, ...]
    actions: tuple[SummaryDecision, ...]
    participation: tuple[PeriodParticipation, ...] = ()
    since: datetime | None = None


@dataclass(frozen=True)
class SummaryPosted:
    """Acknowledgement: the summary went to ``channel_id`` (once ``delivery`` says so)."""

    channel_id: str
    period: str
    delivery: DeliveryOutcome | None = None


# --- approval and correction of values (PU3-3 step 4, data quality) -------------------------


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


# --- lists, commands and problems -----------------------------------------------------------


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
class OthersFilling:
    """Other measurers have the same round's form open right now; the first to submit counts."""

    person_ids: tuple[str, ...]


@dataclass(frozen=True)
class PendingList:
    """What waits for the person: rounds to measure and decisions to take."""

    rounds: tuple[PendingRound, ...]
    decisions: tuple[DecisionBrief, ...]
    form_in_progress: FormHeader | None
    approvals: tuple[ValueBrief, ...] = ()
    """Values waiting for this person's approval (plan ``requires_approval``)."""


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


@dataclass(frozen=True)
class Help:
    """The command list; admins and managers see their extra commands."""

    is_admin: bool
    is_approver: bool
    is_manager: bool = False


@dataclass(frozen=True)
class WebLink:
    """A one-time sign-in link to the web view (``/web``), working until ``expires_at``."""

    url: str
    expires_at: datetime


@dataclass(frozen=True)
class LanguageChanged:
    """The person's language is now ``lang`` (``changed`` false: it only says which)."""

    lang: str
    changed: bool = True


@dataclass(frozen=True)
class Enrolled:
    """A chat account was linked to ``person_id`` (``already``: it had been before)."""

    person_id: str
    already: bool = False


@dataclass(frozen=True)
class ChannelBound:
    """This chat now receives the posts of team channel ``channel_id``.

    ``dropped``: channels that were bound to this chat before and no longer are.
    """

    channel_id: str
    platform: str
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonUnreachable:
    """``person_id`` cannot be reached on ``platform`` (they blocked the bot, field case C03).

    Sent once to the person's manager; cleared when the person writes to the bot again.
    """

    person_id: str
    platform: str


@dataclass(frozen=True)
class ChannelUnreachable:
    """The bot cannot post to team channel ``channel_id`` on ``platform`` (field case C04).

    Sent to the admin channel: someone must add the bot to the chat again.
    """

    channel_id: str
    platform: str


@dataclass(frozen=True)
class ChartNotDelivered:
    """A post to ``target`` went out without its chart (field case C11); for the admin channel."""

    target: str
    platform: str


@dataclass(frozen=True)
class PlatformChosen:
    """DMs now go to ``platform`` (``None``: to the platform the person used last)."""

    platform: str | None
    linked: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """A request that could not be carried out; ``code`` selects a translated message."""

    code: ProblemCode
    params: tuple[tuple[str, str], ...] = ()

    def param_dict(self) -> dict[str, str]:
        """``params`` as a dict."""
        return dict(self.params)


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


def problem(code: ProblemCode, **params: object) -> Problem:
    """Build a :class:`Problem` with text params."""
    return Problem(code, tuple((k, str(v)) for k, v in params.items()))
