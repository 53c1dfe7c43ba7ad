"""This module contains the control plan's schema (pydantic models).

A control plan is the YAML document that says which activities are controlled and why
(PU3-3 step 1), with which indicators (step 2), by whom (the A and L role holders at each
scale, step 3) and where summaries go. ``docs/plan-format.md`` documents every key.
Cross-references (people, roles, channels) are checked by :mod:`workflows.plan.references`,
so every model here only checks its own fields.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)

from workflows.plan.accounts import (
    ChannelAccountKeys,
    ChannelAccounts,
    PersonAccountKeys,
    PersonAccounts,
)
from workflows.plan.checks import check_options, choice_defaults, yes_no_id

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", min_length=1, max_length=64)
]
"""An ASCII id: lower-case letters, digits, ``-`` and ``_`` (domain.md §5.5)."""


NUMBER_LIMIT = Decimal("1e15")
"""Plan numbers must be finite and smaller than this in size (storage keeps 16 digits)."""


def _bounded(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) >= NUMBER_LIMIT:
        raise ValueError("number must be finite and smaller than 10^15 in size")
    return value


PlanNumber = Annotated[Decimal, AfterValidator(_bounded)]
"""A threshold, target or bound: a finite decimal below 10^15 in size."""


def _visible(value: str) -> str:
    text = value.strip()
    if not any(not ch.isspace() and unicodedata.category(ch)[0] != "C" for ch in text):
        raise ValueError("text has no visible characters")
    return text


VisibleText = Annotated[str, AfterValidator(_visible)]
"""A text with at least one visible character (surrounding spaces are dropped)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(_Strict):
    """A text in Latvian and English (``{lv: ..., en: ...}``)."""

    lv: VisibleText = Field(min_length=1)
    en: VisibleText = Field(min_length=1)

    def get(self, locale: str) -> str:
        """Return the text in ``locale`` (``lv`` or ``en``; anything else gives Latvian)."""
        return self.en if locale == "en" else self.lv


class RoleLabel(LocalText):
    """A role's name in the role catalogue; ``nick_lv`` is the document's nickname."""

    nick_lv: str | None = None


class Scale(StrEnum):
    """Scales (mērogi), from the widest to the narrowest (domain.md §1.5)."""

    VALSTS = "valsts"
    NOZARES = "nozares"
    PASVALDIBAS = "pasvaldibas"
    IESTADES = "iestades"
    PAKALPOJUMA = "pakalpojuma"
    RESURSA = "resursa"


SCALE_ORDER: tuple[Scale, ...] = (
    Scale.VALSTS,
    Scale.NOZARES,
    Scale.PASVALDIBAS,
    Scale.IESTADES,
    Scale.PAKALPOJUMA,
    Scale.RESURSA,
)
"""Wider first. Service and resource scales are siblings: both sit below the institution."""


def scale_above(scale: Scale) -> Scale | None:
    """Return the next wider scale, or ``None`` above the national scale.

    Service and resource scales both report to the institution scale (domain.md §2.3).
    """
    if scale in (Scale.PAKALPOJUMA, Scale.RESURSA):
        return Scale.IESTADES
    index = SCALE_ORDER.index(scale)
    return SCALE_ORDER[index - 1] if index > 0 else None


class Level(StrEnum):
    """Management levels (pārvaldības līmeņi, domain.md §1.4)."""

    POLITIKAS = "politikas"
    PAMATDARBIBAS = "pamatdarbibas"
    NODROSINAJUMA = "nodrosinajuma"


class LifecycleStage(StrEnum):
    """Lifecycle stages (domain.md §1.7)."""

    PLANOSANA = "planosana"
    IZVEIDE = "izveide"
    IEVIESANA = "ieviesana"
    SNIEGSANA = "sniegsana"
    UZTURESANA = "uzturesana"
    LIKVIDESANA = "likvidesana"
    SAGATAVOSANAS = "sagatavosanas"
    ISTENOSANA = "istenosana"


class ControlType(StrEnum):
    """The three kinds of control of PU3-3 step 2."""

    PROCESS = "process"
    RESULT = "result"
    EFFICIENCY = "efficiency"


class IndicatorKind(StrEnum):
    """KPI, service level term (SLA) or process indicator (domain.md §1.8)."""

    KPI = "kpi"
    SLA = "sla"
    PROCESS = "process"


class Direction(StrEnum):
    """Whether a larger value is better or worse."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Frequency(StrEnum):
    """Measurement frequency (mērīšanas biežums)."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


class ValueType(StrEnum):
    """How a value is given: a decimal number, a percentage, a whole number, or a check.

    ``yes_no`` and ``choice`` are checks (process control is often one): the measurer picks
    one of the indicator's ``options``, each of which carries its own status.
    """

    NUMBER = "number"
    PERCENT = "percent"
    INTEGER = "integer"
    YES_NO = "yes_no"
    CHOICE = "choice"


CHOICE_TYPES = frozenset({ValueType.YES_NO, ValueType.CHOICE})
"""The value types answered by picking an option."""
INTERNAL_KEYS = frozenset({"target_option"})
"""Indicator fields the schema fills itself: never written in a plan nor offered as keys."""


class OptionStatus(StrEnum):
    """The status an option of a yes/no or choice indicator gives its value."""

    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"


class ControlDepth(StrEnum):
    """How detailed control is; each depth caps the indicator count (PU3-3, over-control)."""

    LIGHT = "light"
    STANDARD = "standard"
    DEEP = "deep"


MAX_INDICATORS: dict[ControlDepth, int] = {
    ControlDepth.LIGHT: 3,
    ControlDepth.STANDARD: 5,
    ControlDepth.DEEP: 8,
}


class Mark(StrEnum):
    """Responsibility marks: A (responsible) and L (co-responsible), domain.md §1.3."""

    A = "A"
    L = "L"


class Unit(_Strict):
    """A unit of measure: a code (``percent``, ``EUR``, ``hours`` …) and its labels."""

    code: str = Field(min_length=1, max_length=32)
    lv: VisibleText = Field(min_length=1, max_length=60)
    en: VisibleText = Field(min_length=1, max_length=60)

    def get(self, locale: str) -> str:
        """Return the label in ``locale``."""
        return self.en if locale == "en" else self.lv


def wider(scale: Scale, than: Scale) -> bool:
    """Whether ``scale`` lies above ``than`` (institution is wider than service or resource).

    Service and resource scales are siblings, neither wider than the other (domain.md §1.5).
    """
    if {scale, than} == {Scale.PAKALPOJUMA, Scale.RESURSA}:
        return False
    return SCALE_ORDER.index(scale) < SCALE_ORDER.index(than)


class Rollup(_Strict):
    """What a roll-up channel aggregates: the channels ``covers`` lists, at ``scale``.

    A covered channel is a team channel (its activities) or another roll-up channel (what
    that one covers), so roll-ups chain by scale: service → institution → municipality.
    """

    scale: Scale
    covers: tuple[Identifier, ...] = Field(min_length=1)


class Channel(_Strict, ChannelAccountKeys):
    """A team channel: where summaries and decisions of its activities are posted.

    With ``rollup`` it is a roll-up channel instead: it gets no activities of its own but an
    aggregated summary of the channels it covers, each in its own post.

    ``language`` is the language posts use (default: the plan's ``locale``); ``both`` puts
    the plan's ``locale`` first and the other language after it, in one message.
    ``accounts`` names the chat of each platform that receives them
    (:class:`~workflows.plan.accounts.ChannelAccounts`).
    """

    id: Identifier
    label: LocalText
    language: Literal["lv", "en", "both"] | None = None
    accounts: ChannelAccounts = ChannelAccounts()
    rollup: Rollup | None = None


class Person(_Strict, PersonAccountKeys):
    """A person who holds roles. ``language``/``timezone`` override the plan's defaults.

    ``deputy`` takes over their measuring while they are away (``/away``); without one, the
    co-responsible (L) of the activity does, else their manager. ``accounts`` names their
    account on each platform (:class:`~workflows.plan.accounts.PersonAccounts`); ``platform``
    is where their messages go by default (a platform's name), until they choose with
    ``/platform``.
    """

    id: Identifier
    name: VisibleText = Field(min_length=1, max_length=200)
    language: Literal["lv", "en"] | None = None
    timezone: str | None = Field(default=None, max_length=64)
    deputy: Identifier | None = None
    accounts: PersonAccounts = PersonAccounts()
    platform: Identifier | None = None


class Holder(_Strict):
    """One role assignment: this ``person`` holds ``role``."""

    role: Identifier
    person: Identifier


class ScaleResponsibility(_Strict):
    """The A and L holders at one scale."""

    A: tuple[Holder, ...] = ()
    L: tuple[Holder, ...] = ()


class WhyControl(_Strict):
    """PU3-3 step 1: why this activity is controlled."""

    need: LocalText
    feasibility: LocalText


OptionId = Annotated[Identifier, BeforeValidator(yes_no_id)]
"""An option's id; an unquoted YAML ``yes``/``no`` (a boolean) reads as ``yes``/``no``."""


class ChoiceOption(_Strict):
    """One option of a yes/no or choice indicator, with the status choosing it gives.

    ``label`` is required for a ``choice`` option; a ``yes_no`` option without one is shown
    as the bot's own "Jā"/"Nē" ("Yes"/"No").
    """

    id: OptionId
    label: LocalText | None = None
    status: OptionStatus


class Indicator(_Strict):
    """One indicator of an activity (PU3-3 step 2).

    Thresholds follow ``direction``: for ``higher_is_better`` a value below ``critical`` is
    critical and below ``warning`` is a warning; for ``lower_is_better`` above them. The
    target is met when the value is at least (at most) ``target``.

    A ``yes_no`` or ``choice`` indicator (a check) has ``options`` instead: choosing one
    gives its status, and the target is met when the chosen option is ``target_option``
    (written ``target`` in the plan). Its value is the chosen option's number, 1-based in
    plan order (see :func:`workflows.plan.checks.choice_defaults`).
    """

    id: Identifier
    label: LocalText
    control_type: ControlType
    kind: IndicatorKind
    unit: Unit
    value_type: ValueType | None = None
    direction: Direction
    target: PlanNumber
    warning: PlanNumber
    critical: PlanNumber
    decimals: Annotated[int, Strict()] = Field(default=1, ge=0, le=6)
    minimum: PlanNumber | None = None
    maximum: PlanNumber | None = None
    frequency: Frequency
    measured_by: Mark
    approved_by: Identifier | Literal["A"] = "A"
    data_source: LocalText | None = None
    method: LocalText | None = None
    allow_skip: bool = False
    requires_approval: bool = False
    options: tuple[ChoiceOption, ...] = ()
    target_option: OptionId | None = None
    """Set from ``target`` for a check (:func:`~workflows.plan.checks.choice_defaults`); never
    written in a plan."""

    @model_validator(mode="before")
    @classmethod
    def _choices(cls, data: Any) -> Any:
        return choice_defaults(data)

    @model_validator(mode="after")
    def _options_fit(self) -> Indicator:
        check_options(self)
        return self

    @property
    def is_choice(self) -> bool:
        """Whether the indicator is a check (``yes_no`` or ``choice``)."""
        return self.effective_value_type in CHOICE_TYPES

    def option(self, option_id: str) -> ChoiceOption | None:
        """The option called ``option_id``, or ``None``."""
        return next((o for o in self.options if o.id == option_id), None)

    def option_at(self, value: Decimal) -> ChoiceOption | None:
        """The option a stored value (its 1-based number) stands for, or ``None``."""
        if not self.is_choice or value != value.to_integral_value():
            return None
        number = int(value)
        return self.options[number - 1] if 1 <= number <= len(self.options) else None

    def option_number(self, option_id: str) -> int | None:
        """The 1-based number (the stored value) of the option ``option_id``, or ``None``."""
        ids = [o.id for o in self.options]
        return ids.index(option_id) + 1 if option_id in ids else None

    @model_validator(mode="after")
    def _thresholds_follow_direction(self) -> Indicator:
        target, warning, critical = self.target, self.warning, self.critical
        if self.direction is Direction.HIGHER_IS_BETTER:
            wrong = "warning" if warning > target else "critical" if critical > warning else ""
            hint = "critical <= warning <= target"
        else:
            wrong = "warning" if warning < target else "critical" if critical < warning else ""
            hint = "target <= warning <= critical"
        if wrong:  # the values and the key out of order, for a message that points at it
            raise ValueError(
                f"thresholds must satisfy {hint} for {self.direction.value}: "
                f"target={target} warning={warning} critical={critical} at={wrong}"
            )
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum must not be greater than maximum")
        for name in ("target", "warning", "critical", "minimum", "maximum"):
            value: Decimal | None = getattr(self, name)
            exponent = value.normalize().as_tuple().exponent if value is not None else 0
            if isinstance(exponent, int) and -exponent > self.decimals:
                raise ValueError(
                    f"{name} {value} has more decimal places than decimals ({self.decimals})"
                )
        low, high = self.bounds
        for name in ("target", "warning", "critical"):
            value = getattr(self, name)
            if (low is not None and value < low) or (high is not None and value > high):
                shown = f"{'-inf' if low is None else low}..{'inf' if high is None else high}"
                raise ValueError(
                    f"{name} {value} is outside the range {shown} that values may take"
                )
        return self

    @property
    def bounds(self) -> tuple[Decimal | None, Decimal | None]:
        """The range a value may take: ``minimum``/``maximum``; for percentages 0..100."""
        if self.effective_value_type is ValueType.PERCENT:
            low = Decimal(0) if self.minimum is None else self.minimum
            high = Decimal(100) if self.maximum is None else self.maximum
            return low, high
        return self.minimum, self.maximum

    @property
    def effective_value_type(self) -> ValueType:
        """The value type, derived from the unit and decimals when not set."""
        if self.value_type is not None:
            return self.value_type
        if self.unit.code == "percent":
            return ValueType.PERCENT
        return ValueType.INTEGER if self.decimals == 0 else ValueType.NUMBER


class Capabilities(_Strict):
    """PU3-3 step 3: the capabilities and resources that control of an activity needs.

    Responsible people are the activity's ``responsibility``; the rest is listed here.
    """

    competences: tuple[LocalText, ...] = ()
    processes: tuple[LocalText, ...] = ()
    information: tuple[LocalText, ...] = ()
    technologies: tuple[LocalText, ...] = ()


class Activity(_Strict):
    """A controlled activity: a service (``services``) or a resource (``resources``)."""

    id: Identifier
    label: LocalText
    level: Level
    scale: Scale
    lifecycle_stage: LifecycleStage = LifecycleStage.SNIEGSANA
    institution: LocalText | None = None
    why_control: WhyControl
    control_depth: ControlDepth = ControlDepth.STANDARD
    responsibility: dict[Scale, ScaleResponsibility]
    channel: Identifier
    capabilities: Capabilities = Capabilities()
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Organisation(_Strict):
    """The organisation that owns the plan; ``lead`` holds A at the organisation's scale."""

    id: Identifier
    label: LocalText
    scale: Scale
    lead: Holder | None = None


class FrequencySchedule(_Strict):
    """Dates of one frequency, in Latvian working days of the period after the measured one.

    Measurements are due on the ``due_working_day``-th working day; the summary goes out on
    the ``summary_working_day``-th (default: two working days after the due day).
    """

    due_working_day: int = Field(ge=1, le=60)
    summary_working_day: int | None = Field(default=None, ge=1, le=80)

    @property
    def summary_day(self) -> int:
        """The summary's working day (explicit, or two after the due day)."""
        return self.summary_working_day or self.due_working_day + 2


class StepKind(StrEnum):
    """What a ladder step is (domain.md §1.11: atgādinājums, termiņš šodien, nokavēts)."""

    REMINDER = "reminder"
    DUE = "due"
    ESCALATION = "escalation"


class StepTarget(StrEnum):
    """Who a ladder step goes to."""

    MEASURED_BY = "measured_by"
    L = "L"
    A = "A"
    MANAGER = "manager"


class LadderStep(_Strict):
    """One rung of the reminder and escalation ladder, relative to the due date.

    ``offset`` counts Latvian working days: negative before the due date, 0 on it, positive
    after it. Steps after the due date go out only while measurements are missing.
    """

    offset: int = Field(ge=-20, le=40)
    step: StepKind
    to: StepTarget

    @property
    def rung(self) -> str:
        """A stable name of the step (``due@0>measured_by``), used in idempotency keys.

        It does not depend on the step's position, so editing the ladder never makes an
        already sent step look new.
        """
        return f"{self.step.value}@{self.offset}>{self.to.value}"


_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?")


def _clock_time(value: object) -> object:
    """``"9:00"`` or ``"09:00"``; a number (``9``, ``9.00``) is refused with the fix shown.

    YAML reads an unquoted ``9`` as nine and ``9.00`` as a decimal, which pydantic took as
    seconds (00:00:09) and hours-since-midnight nonsense; the loader keeps an unquoted
    ``9:00`` as text, so only text reaches here as a time.
    """
    if isinstance(value, time):
        return value
    if isinstance(value, str) and (match := _CLOCK.fullmatch(value.strip())):
        return time(int(match[1]), int(match[2]), int(match[3] or 0))
    hint = "09:00"
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        hours = int(value)
        if 0 <= hours <= 23:
            hint = f"{hours:02d}:00"
    raise ValueError(f'clock time must be text "HH:MM": value={value} hint={hint}')


ClockTime = Annotated[time, BeforeValidator(_clock_time)]
"""A local wall-clock time written ``"9:00"`` or ``"09:00"``."""


class QuietHours(_Strict):
    """Local hours in which nothing is sent; a send due then waits until ``end``."""

    start: ClockTime
    end: ClockTime


def in_quiet_hours(moment: time, quiet: QuietHours) -> bool:
    """Whether a local time falls in the quiet hours (which may run past midnight)."""
    start, end = quiet.start, quiet.end
    if start == end:
        return False
    return start <= moment < end if start < end else (moment >= start or moment < end)


def _default_ladder() -> tuple[LadderStep, ...]:
    return (
        LadderStep(offset=-3, step=StepKind.REMINDER, to=StepTarget.MEASURED_BY),
        LadderStep(offset=0, step=StepKind.DUE, to=StepTarget.MEASURED_BY),
        LadderStep(offset=2, step=StepKind.ESCALATION, to=StepTarget.L),
        LadderStep(offset=4, step=StepKind.ESCALATION, to=StepTarget.A),
        LadderStep(offset=6, step=StepKind.ESCALATION, to=StepTarget.MANAGER),
    )


class Schedule(_Strict):
    """When reminders, escalations and summaries go out (PU3-3 step 4).

    Every frequency has its own dates; ``send_time`` is the local wall-clock time of every
    send (in each recipient's zone), and ``ladder`` the reminder and escalation steps.
    """

    send_time: ClockTime = time(9, 0)
    quiet_hours: QuietHours | None = None
    ladder: tuple[LadderStep, ...] = Field(default_factory=_default_ladder, min_length=1)
    catch_up_days: int = Field(default=7, ge=1, le=60)
    weekly: FrequencySchedule = FrequencySchedule(due_working_day=4)
    monthly: FrequencySchedule = FrequencySchedule(due_working_day=5)
    quarterly: FrequencySchedule = FrequencySchedule(due_working_day=10)
    half_yearly: FrequencySchedule = FrequencySchedule(due_working_day=10)
    yearly: FrequencySchedule = FrequencySchedule(due_working_day=15)

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        offsets = [step.offset for step in self.ladder]
        if offsets != sorted(offsets) or len({s.rung for s in self.ladder}) != len(self.ladder):
            raise ValueError("ladder steps must be in increasing offset order, each once")
        earliest = min(offsets)
        for frequency in Frequency:
            rule = self.of(frequency)
            if rule.due_working_day + earliest < 1:
                raise ValueError(
                    f"ladder step at offset {earliest} comes before the {frequency.value} "
                    "period ends; raise due_working_day or the offset"
                )
            if rule.summary_day < rule.due_working_day:
                raise ValueError(
                    f"{frequency.value} summary_working_day is before due_working_day"
                )
        if self.quiet_hours is not None and in_quiet_hours(self.send_time, self.quiet_hours):
            raise ValueError("send_time falls inside quiet_hours")
        return self

    def of(self, frequency: Frequency) -> FrequencySchedule:
        """The dates of ``frequency``."""
        found: FrequencySchedule = getattr(self, frequency.value)
        return found


class Plan(_Strict):
    """A whole control plan."""

    version: Literal[1] = 1
    organisation: Organisation
    locale: Literal["lv", "en"] | None = None
    timezone: str | None = None
    admins: tuple[Identifier, ...] = Field(min_length=1)
    admin_channel: Identifier
    decision_after_warnings: int = Field(default=3, ge=1, le=24)
    decision_within_working_days: int = Field(default=10, ge=1, le=60)
    form_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    schedule: Schedule = Schedule()
    roles: dict[Identifier, RoleLabel]
    people: tuple[Person, ...] = Field(min_length=1)
    channels: tuple[Channel, ...] = Field(min_length=1)
    services: tuple[Activity, ...] = ()
    resources: tuple[Activity, ...] = ()
