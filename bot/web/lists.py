"""This module contains the web view's lists: decisions and actions with filters, roll-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlmodel import Session

from bot.i18n import Translator
from bot.web.downloads import (
    check_format,
    decision_rows,
    file_response,
    render_context,
    sheet_response,
)
from bot.web.pages import one_page, page_number, parts, respond
from bot.web.sheets import rollups_sheet, rounds_sheet
from bot.web.templating import Viewer
from workflows.decisions import actions
from workflows.plan.schema import Activity, Scale
from workflows.reports.overview import (
    DecisionFilter,
    OpenRound,
    decision_list,
    is_overdue,
    latest_statuses,
    open_rounds,
)
from workflows.rounds.evaluation import Status

if TYPE_CHECKING:
    from bot.web.app import WebView

ROUNDS_PER_PAGE = 100
DECISION_STATES = ("open", "approved", "rejected", "withdrawn")
"""The states a decision list can be filtered by."""
ACTION_STATES = (
    actions.PLANNED,
    actions.IN_PROGRESS,
    actions.DONE,
    actions.VERIFIED,
    actions.NOT_VERIFIED,
    actions.CANCELLED,
)
"""The states of an improvement action a decision list can be filtered by."""


def add_routes(routes: web.UrlDispatcher) -> None:
    """Register this module's pages."""
    routes.add_get("/decisions", decisions)
    routes.add_get("/decisions/export.{fmt}", decisions_export)
    routes.add_get("/rollups", rollups)
    routes.add_get("/rollups/export.{fmt}", rollups_export)
    routes.add_get("/rounds", rounds)
    routes.add_get("/rounds/export.{fmt}", rounds_export)


def _filter(request: web.Request) -> DecisionFilter:
    q = request.query
    status = q.get("status", "")
    action = q.get("action", "")
    return DecisionFilter(
        status=status if status in DECISION_STATES else None,
        action_status=action if action in ACTION_STATES else None,
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
        action_states=ACTION_STATES,
        query=request.query_string,
    )


async def decisions_export(request: web.Request) -> web.Response:
    """The values that opened the listed decisions, as the export has them (CSV or XLSX).

    One row per decision the page lists with the same filters: the value with the
    decision's and its action's columns.
    """
    view, viewer = parts(request)
    fmt = request.match_info["fmt"]
    check_format(fmt)
    ctx = view.ctx
    wanted = _filter(request)

    def load(session: Session) -> Any:
        return decision_rows(
            session, ctx, decision_list(session, ctx, viewer.activity_ids, wanted)
        )

    rows = await view.db.run(load)
    return await file_response(rows, ctx, viewer, fmt, "decisions")


_NONE_YET = {s.value: 0 for s in Status}


@dataclass
class StatusRow:
    """A row of a roll-up: an activity or a covered channel, its latest statuses counted.

    ``unmeasured`` counts the indicators with no value yet.
    """

    label: str
    activity_id: str | None
    """The activity of an activity's row (its page is linked); ``None`` for a channel."""
    counts: dict[str, int] = field(default_factory=lambda: dict(_NONE_YET))
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
    activities: list[Activity], latest: dict[str, str], lang: str
) -> dict[str, StatusRow]:
    """Each activity's row: its indicators counted by their latest status."""
    rows: dict[str, StatusRow] = {}
    for activity in activities:
        row = StatusRow(activity.label.get(lang), activity.id)
        for indicator in activity.indicators:
            status = latest.get(indicator.id)
            if status is None:
                row.unmeasured += 1
            else:
                row.counts[status] += 1
        rows[activity.id] = row
    return rows


async def rollups(request: web.Request) -> web.Response:
    """Roll-ups by scale, as the roll-up summaries show them."""
    view, viewer = parts(request)
    return respond(request, "rollups.html", blocks=await rollup_blocks(view, viewer))


async def rollups_export(request: web.Request) -> web.Response:
    """The roll-ups as CSV or XLSX: one row per row of the page's tables."""
    view, viewer = parts(request)
    fmt = request.match_info["fmt"]
    check_format(fmt)
    sheet = rollups_sheet(await rollup_blocks(view, viewer))
    return await sheet_response(sheet, render_context(view.ctx, viewer), fmt, "rollups")


async def rollup_blocks(view: WebView, viewer: Viewer) -> list[ScaleBlock]:
    """The roll-ups' blocks the viewer may see.

    Each roll-up lists its covered channels and each team channel its activities, with their
    indicators' latest statuses counted.
    """
    plan = view.ctx.plan
    lang = viewer.t.lang
    shown = [a for a in plan.activities if a.id in viewer.activity_ids]
    indicators = [i.id for a in shown for i in a.indicators]
    latest = await view.db.run(lambda s: latest_statuses(s, indicators))
    rows = activity_rows(shown, latest, lang)
    by_channel: dict[str, list[Activity]] = {}
    for activity in shown:
        by_channel.setdefault(activity.channel, []).append(activity)
    totals: dict[str, StatusRow | None] = {}

    def total(channel_id: str) -> StatusRow | None:
        """A channel's visible activities added up (``None``: none visible), once each."""
        if channel_id not in totals:
            channel = plan.channel(channel_id)
            row = StatusRow(channel.label.get(lang), None)
            parts_ = (
                [total(c) for c in channel.rollup.covers]
                if channel.rollup is not None
                else [rows[a.id] for a in by_channel.get(channel_id, [])]
            )
            found = [p for p in parts_ if p is not None]
            for part in found:
                row.add(part)
            totals[channel_id] = row if found else None
        return totals[channel_id]

    blocks: list[ScaleBlock] = []
    for channel in plan.plan.channels:
        if channel.rollup is not None:
            covered = [r for c in channel.rollup.covers if (r := total(c)) is not None]
            if covered:
                scale = scale_words(channel.rollup.scale, viewer.t)
                blocks.append(ScaleBlock(channel.label.get(lang), scale, covered))
        elif channel.id in by_channel:
            mine = by_channel[channel.id]
            scale = scale_words(mine[0].scale, viewer.t)
            blocks.append(ScaleBlock(channel.label.get(lang), scale, [rows[a.id] for a in mine]))
    return blocks


async def _open_rounds(view: WebView, viewer: Viewer) -> list[OpenRound]:
    ctx = view.ctx
    return await view.db.run(lambda s: open_rounds(s, ctx, viewer.activity_ids))


async def rounds(request: web.Request) -> web.Response:
    """The open control rounds of the viewer's activities: answered so far, overdue first."""
    view, viewer = parts(request)
    found = await _open_rounds(view, viewer)
    page, pages, shown = one_page(found, page_number(request), ROUNDS_PER_PAGE)
    return respond(
        request,
        "rounds.html",
        rounds=shown,
        total=len(found),
        overdue=sum(1 for r in found if r.overdue),
        page=page,
        pages=pages,
    )


async def rounds_export(request: web.Request) -> web.Response:
    """Every open round the page lists (all its pages) as CSV or XLSX."""
    view, viewer = parts(request)
    fmt = request.match_info["fmt"]
    check_format(fmt)
    rc = render_context(view.ctx, viewer)
    return await sheet_response(
        rounds_sheet(await _open_rounds(view, viewer), rc), rc, fmt, "rounds"
    )
