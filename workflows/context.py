"""This module contains :class:`Context`: the plan, the clock and the calendar the domain uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from workflows.calendar import WorkingCalendar
from workflows.clock import Clock
from workflows.plan.model import LoadedPlan


@dataclass(frozen=True)
class Context:
    """Everything a domain operation reads besides the database.

    Attributes:
        plan: The loaded control plan.
        clock: Source of the current instant (UTC).
        calendar: Latvian working days.
        timezone: The plan's zone (plan ``timezone`` > ``CONTROLBOT_TIMEZONE``).
        default_lang: The plan's ``locale`` > ``CONTROLBOT_DEFAULT_LOCALE``.
    """

    plan: LoadedPlan
    clock: Clock
    calendar: WorkingCalendar
    timezone: ZoneInfo
    default_lang: str

    def now(self) -> datetime:
        """The current instant, aware UTC."""
        return self.clock.now()

    def today(self) -> date:
        """Today's date in the plan's zone (Europe/Riga by default)."""
        return self.clock.now().astimezone(self.timezone).date()

    def form_timeout(self) -> timedelta:
        """How long a form may wait for an answer before it expires."""
        return timedelta(minutes=self.plan.plan.form_timeout_minutes)
