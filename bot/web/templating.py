"""This module contains the web view's templates (Jinja2, autoescaped) and what they format with.

Pages are rendered on the server in the viewer's language: templates call ``gettext`` and
``ngettext`` (extracted into the same catalogues as the chat texts by ``make messages``) and
the formatters of :mod:`bot.formatting`, so numbers, dates and periods read as in chat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.formatting import (
    fmt_date,
    fmt_datetime,
    fmt_indicator_value,
    fmt_number,
    fmt_period,
    fmt_thresholds,
)
from bot.i18n import Translator
from bot.render import ledger
from bot.render.context import RenderContext
from bot.render.decisions import action_status_word
from workflows.plan.model import LoadedPlan, UnknownPlanItem
from workflows.plan.schema import Indicator
from workflows.rounds.evaluation import Status

ENV = Environment(
    loader=PackageLoader("bot.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Viewer:
    """Who looks at a page, in which language, with the token forms must carry."""

    person_id: str
    name: str
    t: Translator
    tz: ZoneInfo
    is_admin: bool
    csrf: str
    activity_ids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Formats:
    """The formatters a template uses, bound to the viewer's language and the plan."""

    t: Translator
    tz: ZoneInfo
    plan: LoadedPlan
    names: dict[str, str] = field(default_factory=dict)

    def number(self, value: Decimal | None, decimals: int = 1) -> str:
        """A number as the language writes it (``12,5`` in Latvian); empty for ``None``."""
        return "" if value is None else fmt_number(value, decimals, self.t)

    def value(self, value: Decimal | None, indicator: Indicator) -> str:
        """A stored value as chat shows it: in the indicator's decimals, a check's option."""
        return "" if value is None else fmt_indicator_value(value, indicator, self.t)

    def measured(self, value: Decimal | None, indicator_id: str) -> str:
        """A stored value of the indicator ``indicator_id`` exactly as chat shows it."""
        return "" if value is None else self._rc().value(indicator_id, value)

    def status(self, status: str | None) -> str:
        """A status as chat shows it, mark and word (``❌ kritisks``); ``—`` for none."""
        try:
            return self._rc().status(Status(status or ""))
        except ValueError:
            return "—"

    def action_state(self, state: str | None) -> str:
        """An improvement action's state in the words chat uses (``procesā``); ``—``."""
        return action_status_word(state, self._rc()) if state else "—"

    def _rc(self) -> RenderContext:
        return RenderContext(self.t, self.plan, self.tz)

    def thresholds(self, indicator: Indicator) -> str:
        """The indicator's target and thresholds (a check: its target and status options)."""
        return fmt_thresholds(indicator, self.t)

    def date(self, day: date | None) -> str:
        """``06.11.2026.`` / ``6 Nov 2026``; empty for ``None``."""
        return "" if day is None else fmt_date(day, self.t)

    def datetime(self, moment: datetime | None) -> str:
        """A local date and time; empty for ``None``."""
        return "" if moment is None else fmt_datetime(moment, self.tz, self.t)

    def period(self, text: str) -> str:
        """A reporting period in words."""
        return fmt_period(text, self.t)

    def person(self, person_id: str | None) -> str:
        """A person's name (their id when unknown)."""
        if person_id is None:
            return ""
        if person_id in self.names:
            return self.names[person_id]
        try:
            return self.plan.person(person_id).name
        except UnknownPlanItem:
            return person_id

    def delivery_kind(self, kind: str) -> str:
        """What kind of message a delivery row is, in words (never a class name)."""
        return ledger.kind_name(kind, self.t)

    def delivery_state(self, state: str) -> str:
        """A delivery state in words (``delivered``, ``undeliverable`` …)."""
        return ledger.state_name(state, self.t)

    def delivery_note(self, reason: str | None, last_error: str | None) -> str:
        """Why a message was not delivered, in words; else the platform's last error."""
        return ledger.note(reason, last_error, self.t)

    def activity(self, activity_id: str) -> str:
        """An activity's name in the viewer's language."""
        return self.plan.activity_label(activity_id, self.t.lang)

    def indicator(self, indicator_id: str) -> str:
        """An indicator's name in the viewer's language."""
        return self.plan.indicator_label(indicator_id, self.t.lang)


def page(
    viewer: Viewer | None,
    template: str,
    plan: LoadedPlan,
    t: Translator,
    tz: ZoneInfo,
    *,
    status: int = 200,
    **values: Any,
) -> web.Response:
    """Render ``template`` as an HTML response in ``t``'s language."""
    html = ENV.get_template(template).render(
        viewer=viewer,
        lang=t.lang,
        gettext=t.gettext,
        ngettext=t.ngettext,
        f=Formats(t, tz, plan, values.pop("names", {})),
        **values,
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status)
