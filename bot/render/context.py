"""This module contains :class:`RenderContext`, what a renderer needs besides the notice."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from bot.formatting import fmt_indicator_value
from bot.i18n import Translator
from workflows.plan.model import LoadedPlan, UnknownPlanItem
from workflows.rounds.evaluation import Status

STATUS_MARK = {Status.OK: "✅", Status.WARNING: "⚠️", Status.CRITICAL: "❌"}
"""Status marks that differ in shape (tick, triangle, cross), not only in colour, so they
read the same to colour-blind people and in greyscale; the status word always follows."""


@dataclass(frozen=True)
class RenderContext:
    """The recipient's language, the plan (for labels) and the zone for times.

    Attributes:
        t: Translations in the recipient's language.
        plan: The loaded plan.
        tz: The recipient's time zone.
        audience: ``dm`` for a person, ``channel`` for a team channel.
        images: Whether the recipient's platform shows pictures (the console does not, so
            no chart is drawn for it).
    """

    t: Translator
    plan: LoadedPlan
    tz: ZoneInfo
    audience: Literal["dm", "channel"] = "dm"
    images: bool = True

    def person(self, person_id: str) -> str:
        """A person's display name (the id if they left the plan)."""
        try:
            return self.plan.person(person_id).name
        except UnknownPlanItem:
            return person_id

    def people(self, person_ids: tuple[str, ...] | list[str]) -> str:
        """Display names joined with commas."""
        return ", ".join(self.person(p) for p in person_ids)

    def activity(self, activity_id: str) -> str:
        """An activity's label in the recipient's language."""
        return self.plan.activity_label(activity_id, self.t.lang)

    def indicator(self, indicator_id: str) -> str:
        """An indicator's label in the recipient's language."""
        return self.plan.indicator_label(indicator_id, self.t.lang)

    def value(self, indicator_id: str, value: Decimal) -> str:
        """A value in its indicator's unit; plain when the indicator left the plan."""
        try:
            indicator = self.plan.indicator(indicator_id)[1]
        except UnknownPlanItem:
            return str(value)
        return fmt_indicator_value(value, indicator, self.t)

    def status(self, status: Status) -> str:
        """A status with its mark: ``❌ kritisks``."""
        t = self.t
        words = {
            Status.OK: t.gettext("OK"),
            Status.WARNING: t.gettext("warning"),
            Status.CRITICAL: t.gettext("critical"),
        }
        return f"{STATUS_MARK[status]} {words[status]}"

    def channel(self, channel_id: str) -> str:
        """A team channel's label in the recipient's language (``#id`` if the plan dropped it).

        The label is the one name people see for a channel, in posts, replies and summaries;
        the id is only what commands take.
        """
        try:
            return self.plan.channel(channel_id).label.get(self.t.lang)
        except UnknownPlanItem:
            return f"#{channel_id}"
