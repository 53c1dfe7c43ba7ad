"""This module contains the plan's ``schedule``: due and summary days, the ladder, times."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from workflows.plan.basics import _Strict
from workflows.plan.vocabulary import Frequency


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
