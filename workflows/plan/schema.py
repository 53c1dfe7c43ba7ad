"""This module contains the control plan's schema (pydantic models).

A control plan is the YAML document that says which activities are controlled and why
(PU3-3 step 1), with which indicators (step 2), by whom (the A and L role holders at each
scale, step 3) and where summaries go. ``docs/plan-format.md`` documents every key.
Cross-references (people, roles, channels) are checked by :mod:`workflows.plan.references`,
so every model here only checks its own fields.

This module holds the document's top level (the plan, its people, channels and activities);
the building blocks are in :mod:`~workflows.plan.basics`, :mod:`~workflows.plan.vocabulary`,
:mod:`~workflows.plan.indicator` and :mod:`~workflows.plan.schedule`, and every public name of
the schema is re-exported here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from workflows.plan.accounts import (
    ChannelAccountKeys,
    ChannelAccounts,
    PersonAccountKeys,
    PersonAccounts,
)
from workflows.plan.basics import (
    NUMBER_LIMIT,
    Identifier,
    LocalText,
    PlanNumber,
    RoleLabel,
    Unit,
    VisibleText,
    _Strict,
)
from workflows.plan.indicator import (
    CHOICE_TYPES,
    INTERNAL_KEYS,
    ChoiceOption,
    Indicator,
    OptionId,
    OptionStatus,
    ValueType,
)
from workflows.plan.schedule import (
    ClockTime,
    FrequencySchedule,
    LadderStep,
    QuietHours,
    Schedule,
    StepKind,
    StepTarget,
    in_quiet_hours,
)
from workflows.plan.vocabulary import (
    MAX_INDICATORS,
    SCALE_ORDER,
    ControlDepth,
    ControlType,
    Direction,
    Frequency,
    IndicatorKind,
    Level,
    LifecycleStage,
    Mark,
    Scale,
    scale_above,
    wider,
)


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


__all__ = [
    "CHOICE_TYPES",
    "INTERNAL_KEYS",
    "MAX_INDICATORS",
    "NUMBER_LIMIT",
    "SCALE_ORDER",
    "Activity",
    "Capabilities",
    "Channel",
    "ChoiceOption",
    "ClockTime",
    "ControlDepth",
    "ControlType",
    "Direction",
    "Frequency",
    "FrequencySchedule",
    "Holder",
    "Identifier",
    "Indicator",
    "IndicatorKind",
    "LadderStep",
    "Level",
    "LifecycleStage",
    "LocalText",
    "Mark",
    "OptionId",
    "OptionStatus",
    "Organisation",
    "Person",
    "Plan",
    "PlanNumber",
    "QuietHours",
    "RoleLabel",
    "Rollup",
    "Scale",
    "ScaleResponsibility",
    "Schedule",
    "StepKind",
    "StepTarget",
    "Unit",
    "ValueType",
    "VisibleText",
    "WhyControl",
    "in_quiet_hours",
    "scale_above",
    "wider",
]
