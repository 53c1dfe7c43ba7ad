"""This module contains the notices of measurement rounds: reminders, snoozes, opening."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from workflows.notices.delivery import DeliveryOutcome


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
