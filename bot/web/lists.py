"""This module contains the web view's lists: decisions and actions with filters, roll-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlmodel import Session

from bot.i18n import Translator
from bot.web.downloads import file_response, measurement_rows
from bot.web.pages import parts, respond
from storage.models import Measurement
from workflows.evaluation import Status
from workflows.overview import DecisionFilter, decision_list, is_overdue, latest_values
from workflows.plan.schema import Activity, Scale

DECISION_STATES = ("open", "approved", "rejected", "withdrawn")
"""The states a decision list can be filtered by."""


def add_routes(routes: web.UrlDispatcher) -> None:
    """Register this module's pages."""
    routes.add_get("/decisions", decisions)
    routes.add_get("/decisions/export.{fmt}", decisions_export)
    routes.add_get("/rollups", rollups)


def _filter(request: web.Request) -> DecisionFilter:
    q = request.query
    status = q.get("status", "")
    return DecisionFilter(
        status=status if status in DECISION_STATES else None,
        overdue=q.get("overdue") == "1",
        owner=q.get("owner") or None,
        period=q.get("period") or None,
    )


async def decisions(request: web.Request) -> web.Response:
    """Improvement decisions and their actions of the viewer's activities, filtered."""
    view, viewer = parts(request)
    ctx = view.ctx
    wanted = _filter(request)
    found = await view.db.run(lambda s: decision_list(s, ctx, viewer.activity_ids, wanted))
    today = ctx.today()
    return respond(
        request,
        "decisions.html",
        decisions=[(d, m, is_overdue(d, today)) for d, m in found],
        wanted=wanted,
        states=DECISION_STATES,
        query=request.query_string,
    )


async def decisions_export(request: web.Request) -> web.Response:
    """The values that opened the listed decisions, as the export has them (CSV or XLSX)."""
    view, viewer = parts(request)
    ctx = view.ctx
    wanted = _filter(request)

    def load(session: Session) -> Any:
        found = decision_list(session, ctx, viewer.activity_ids, wanted)
        keys = {(m.indicator_id, m.period) for _d, m in found}
        periods = {period for _i, period in keys}
        return measurement_rows(
            session, ctx, periods, lambda r: (r.indicator_id, r.period) in keys
        )

    rows = await view.db.run(load)
    return file_response(rows, ctx, viewer, request.match_info["fmt"], "decisions")


@dataclass
class StatusRow:
    """A row of a roll-up: an activity or a covered channel, its latest statuses counted.

    ``unmeasured`` counts the indicators with no value yet.
    """

    label: str
    href: str | None
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in Status})
    unmeasured: int = 0

    def add(self, other: StatusRow) -> None:
        """Count ``other``'s indicators in this row too."""
        for status, count in other.counts.items():
            self.counts[status] += count
        self.unmeasured += other.unmeasured


@dataclass
class ScaleBlock:
    """A channel and its rows: a team channel's activities, a roll-up's covered channels."""

    label: str
    scale: str
    rows: list[StatusRow]


def scale_words(scale: Scale, t: Translator) -> str:
    """A scale in words (``pašvaldības mērogs``), as the roll-up summaries name it."""
    words = {
        Scale.VALSTS: t.gettext("national scale"),
        Scale.NOZARES: t.gettext("sector scale"),
        Scale.PASVALDIBAS: t.gettext("municipal scale"),
        Scale.IESTADES: t.gettext("institution scale"),
        Scale.PAKALPOJUMA: t.gettext("service scale"),
        Scale.RESURSA: t.gettext("resource scale"),
    }
    return words[scale]


def activity_rows(
    activities: list[Activity], latest: dict[str, Measurement], lang: str
) -> dict[str, StatusRow]:
    """Each activity's row: its indicators counted by their latest status."""
    rows: dict[str, StatusRow] = {}
    for activity in activities:
        row = StatusRow(activity.label.get(lang), f"/web/activity/{activity.id}")
        for indicator in activity.indicators:
            value = latest.get(indicator.id)
            if value is None:
                row.unmeasured += 1
            else:
                row.counts[value.status] += 1
        rows[activity.id] = row
    return rows


async def rollups(request: web.Request) -> web.Response:
    """Roll-ups by scale, as the roll-up summaries show them.

    Each roll-up lists its covered channels and each team channel its activities, with their
    indicators' latest statuses counted.
    """
    view, viewer = parts(request)
    plan = view.ctx.plan
    lang = viewer.t.lang
    latest = await view.db.run(lambda s: latest_values(s, viewer.activity_ids))
    shown = [a for a in plan.activities if a.id in viewer.activity_ids]
    by_activity = activity_rows(shown, latest, lang)

    def channel_row(channel_id: str) -> StatusRow | None:
        channel = plan.channel(channel_id)
        total = StatusRow(channel.label.get(lang), None)
        found = False
        for activity in plan.activities_under(channel_id):
            if activity.id in by_activity:
                total.add(by_activity[activity.id])
                found = True
        return total if found else None

    blocks: list[ScaleBlock] = []
    for channel in plan.plan.channels:
        if channel.rollup is not None:
            rows = [r for c in channel.rollup.covers if (r := channel_row(c)) is not None]
            scale = channel.rollup.scale
        else:
            mine = [a for a in plan.activities_in_channel(channel.id) if a.id in by_activity]
            rows = [by_activity[a.id] for a in mine]
            scale = mine[0].scale if mine else Scale.PAKALPOJUMA
        if rows:
            blocks.append(ScaleBlock(channel.label.get(lang), scale_words(scale, viewer.t), rows))
    return respond(request, "rollups.html", blocks=blocks)
