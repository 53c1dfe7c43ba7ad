"""This module contains the web view's lists: decisions and actions with filters, roll-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlmodel import Session

from bot.i18n import Translator
from bot.web.downloads import file_response, measurement_rows
from bot.web.pages import parts, respond
from workflows.evaluation import Status
from workflows.overview import DecisionFilter, decision_list, is_overdue, latest_values
from workflows.plan.model import UnknownPlanItem
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
class ScaleLine:
    """One activity's line in a roll-up: its indicators' latest statuses and open decisions."""

    activity: Activity
    counts: dict[str, int] = field(default_factory=dict)
    unmeasured: int = 0


@dataclass
class ScaleBlock:
    """A channel (a team channel, or a roll-up at a wider scale) and its visible activities."""

    channel_id: str
    label: str
    scale: str
    lines: list[ScaleLine]


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


async def rollups(request: web.Request) -> web.Response:
    """Roll-ups by scale: each channel's activities with their latest statuses."""
    view, viewer = parts(request)
    plan = view.ctx.plan
    latest = await view.db.run(lambda s: latest_values(s, viewer.activity_ids))
    blocks: list[ScaleBlock] = []
    for channel in plan.plan.channels:
        try:
            under = plan.activities_under(channel.id)
        except UnknownPlanItem:
            continue
        lines = []
        for activity in under:
            if activity.id not in viewer.activity_ids:
                continue
            line = ScaleLine(activity, {s.value: 0 for s in Status})
            for indicator in activity.indicators:
                value = latest.get(indicator.id)
                if value is None:
                    line.unmeasured += 1
                else:
                    line.counts[value.status] = line.counts.get(value.status, 0) + 1
            lines.append(line)
        if lines:
            scale = channel.rollup.scale if channel.rollup is not None else lines[0].activity.scale
            label = channel.label.get(viewer.t.lang)
            blocks.append(ScaleBlock(channel.id, label, scale_words(scale, viewer.t), lines))
    return respond(request, "rollups.html", blocks=blocks)
