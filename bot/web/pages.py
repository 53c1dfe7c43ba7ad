"""This module contains the web view's pages of one person's work: home, activities, indicators.

Every page checks the activity against what the viewer may see; an id they may not see
answers 404 exactly like an id that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web
from sqlmodel import Session

from bot.web.downloads import (
    check_format,
    decision_rows,
    file_response,
    measurement_rows,
    render_context,
    sheet_response,
)
from bot.web.keys import VIEW, VIEWER
from bot.web.sheets import activities_sheet, waiting_sheet
from bot.web.templating import Viewer, page
from workflows.context import Context
from workflows.notices import SeriesPoint
from workflows.periods import Period, PeriodError
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity, Indicator
from workflows.reports.overview import RecordRow, actions_of, decision_list, indicator_record
from workflows.rounds.pending import pending_for

if TYPE_CHECKING:
    from bot.web.app import WebView

T = TypeVar("T")
RECENT_PERIODS = 12
"""Periods an activity page shows per indicator."""
MOST_CHART_PERIODS = 60
"""Periods an indicator's chart spans at most (five years of months)."""


def add_routes(routes: web.UrlDispatcher) -> None:
    """Register this module's pages."""
    routes.add_get("/", home)
    routes.add_get("/export.{fmt}", home_export)
    routes.add_get("/activities", activities)
    routes.add_get("/activities/export.{fmt}", activities_export)
    routes.add_get("/activity/{id}", activity_page)
    routes.add_get("/activity/{id}/export.{fmt}", activity_export)
    routes.add_get("/activity/{id}/decisions.{fmt}", activity_decisions_export)
    routes.add_get("/indicator/{id}", indicator_page)
    routes.add_get("/indicator/{id}/chart.png", indicator_chart)
    routes.add_get("/indicator/{id}/export.{fmt}", indicator_export)


def parts(request: web.Request) -> tuple[WebView, Viewer]:
    """The web view and the signed-in viewer of a request."""
    return request.app[VIEW], request[VIEWER]


def respond(request: web.Request, template: str, **values: Any) -> web.Response:
    """Render ``template`` for the request's viewer."""
    view, viewer = parts(request)
    return page(viewer, template, view.ctx.plan, viewer.t, viewer.tz, **values)


def page_number(request: web.Request) -> int:
    """The ``?page=`` asked for (1 when missing or not a small positive number)."""
    raw = request.query.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 6 and int(raw) > 0 else 1


def one_page(items: Sequence[T], number: int, size: int) -> tuple[int, int, Sequence[T]]:
    """Page ``number`` (kept within range) of ``items``: its number, how many, its items."""
    pages = max(1, -(-len(items) // size))
    number = min(number, pages)
    return number, pages, items[(number - 1) * size : number * size]


def visible_activity(view: WebView, viewer: Viewer, activity_id: str) -> Activity:
    """The activity, if the viewer may see it; else 404."""
    if activity_id not in viewer.activity_ids:
        raise web.HTTPNotFound()
    try:
        return view.ctx.plan.activity(activity_id)
    except UnknownPlanItem:
        raise web.HTTPNotFound() from None


def visible_indicator(
    view: WebView, viewer: Viewer, indicator_id: str
) -> tuple[Activity, Indicator]:
    """The indicator with its activity, if the viewer may see it; else 404."""
    try:
        activity, indicator = view.ctx.plan.indicator(indicator_id)
    except UnknownPlanItem:
        raise web.HTTPNotFound() from None
    if activity.id not in viewer.activity_ids:
        raise web.HTTPNotFound()
    return activity, indicator


async def _waiting(view: WebView, viewer: Viewer) -> dict[str, Any]:
    """What waits for the viewer, as the home page and its download show it."""
    ctx = view.ctx

    def load(session: Session) -> dict[str, Any]:
        return {
            "pending": pending_for(session, ctx, viewer.person_id),
            "actions": actions_of(session, viewer.person_id),
        }

    return await view.db.run(load)


async def home(request: web.Request) -> web.Response:
    """What waits for me: rounds to measure, decisions to take, values to approve, actions."""
    view, viewer = parts(request)
    return respond(request, "home.html", today=view.ctx.today(), **await _waiting(view, viewer))


async def home_export(request: web.Request) -> web.Response:
    """What waits for me as CSV or XLSX: the home page's four lists in one sheet."""
    view, viewer = parts(request)
    fmt = request.match_info["fmt"]
    check_format(fmt)
    found = await _waiting(view, viewer)
    rc = render_context(view.ctx, viewer)
    sheet = waiting_sheet(found["pending"], found["actions"], view.ctx.today(), rc)
    return await sheet_response(sheet, rc, fmt, "waiting")


def _activities(view: WebView, viewer: Viewer) -> list[Activity]:
    return [a for a in view.ctx.plan.activities if a.id in viewer.activity_ids]


async def activities(request: web.Request) -> web.Response:
    """The activities the viewer may see, by channel."""
    view, viewer = parts(request)
    return respond(request, "activities.html", activities=_activities(view, viewer))


async def activities_export(request: web.Request) -> web.Response:
    """The activities the viewer may see as CSV or XLSX."""
    view, viewer = parts(request)
    rc = render_context(view.ctx, viewer)
    sheet = activities_sheet(_activities(view, viewer), rc)
    return await sheet_response(sheet, rc, request.match_info["fmt"], "activities")


@dataclass(frozen=True)
class IndicatorRecent:
    """An indicator and its last periods, for the activity page."""

    indicator: Indicator
    rows: list[RecordRow]


async def activity_page(request: web.Request) -> web.Response:
    """An activity: its indicators' last 12 periods, its decisions and actions."""
    view, viewer = parts(request)
    activity = visible_activity(view, viewer, request.match_info["id"])
    ctx = view.ctx

    def load(session: Session) -> dict[str, Any]:
        recent = [
            IndicatorRecent(i, indicator_record(session, ctx, i.id)[-RECENT_PERIODS:][::-1])
            for i in activity.indicators
        ]
        return {"recent": recent, "decisions": decision_list(session, ctx, [activity.id])}

    data = await view.db.run(load)
    return respond(request, "activity.html", activity=activity, today=ctx.today(), **data)


async def activity_export(request: web.Request) -> web.Response:
    """The activity page's values (last 12 periods of each indicator) as CSV or XLSX."""
    view, viewer = parts(request)
    activity = visible_activity(view, viewer, request.match_info["id"])
    fmt = request.match_info["fmt"]
    check_format(fmt)
    ctx = view.ctx

    def load(session: Session) -> Any:
        keys = {
            (i.id, row.period)
            for i in activity.indicators
            for row in indicator_record(session, ctx, i.id)[-RECENT_PERIODS:]
        }
        periods = {period for _i, period in keys}
        indicators = [i.id for i in activity.indicators]
        return measurement_rows(
            session, ctx, periods, indicators, lambda r: (r.indicator_id, r.period) in keys
        )

    rows = await view.db.run(load)
    return await file_response(rows, ctx, viewer, fmt, activity.id)


async def activity_decisions_export(request: web.Request) -> web.Response:
    """The activity page's decisions and actions: the values that opened them, as exported."""
    view, viewer = parts(request)
    activity = visible_activity(view, viewer, request.match_info["id"])
    fmt = request.match_info["fmt"]
    check_format(fmt)
    ctx = view.ctx

    def load(session: Session) -> Any:
        return decision_rows(session, ctx, decision_list(session, ctx, [activity.id]))

    rows = await view.db.run(load)
    return await file_response(rows, ctx, viewer, fmt, f"{activity.id}-decisions")


def chart_periods(rows: list[RecordRow]) -> list[str]:
    """Every period from the first stored to the last (gaps included), at most 60."""
    try:
        first, last = Period.parse(rows[0].period), Period.parse(rows[-1].period)
    except (IndexError, PeriodError):
        return [row.period for row in rows]
    out = [last]
    while out[-1] != first and len(out) < MOST_CHART_PERIODS:
        try:
            out.append(out[-1].previous())
        except PeriodError:
            break
    return [str(p) for p in reversed(out)]


def chart_points(rows: list[RecordRow]) -> list[SeriesPoint]:
    """The values a chart shows: stored ones, not those returned by the approver."""
    return [
        SeriesPoint(r.period, r.value, r.status)
        for r in rows
        if r.value is not None and r.status is not None and r.approval != "rejected"
    ]


async def _record(view: WebView, indicator_id: str) -> list[RecordRow]:
    ctx: Context = view.ctx
    return await view.db.run(lambda s: indicator_record(s, ctx, indicator_id))


async def indicator_page(request: web.Request) -> web.Response:
    """An indicator: all its periods as a chart and as a table with every mark."""
    view, viewer = parts(request)
    activity, indicator = visible_indicator(view, viewer, request.match_info["id"])
    rows = await _record(view, indicator.id)
    key = ""
    if rows:
        key, _png = await view.charts.chart(
            indicator, chart_periods(rows), chart_points(rows), viewer.t
        )
    return respond(
        request,
        "indicator.html",
        activity=activity,
        indicator=indicator,
        rows=rows[::-1],
        chart_key=key,
    )


async def indicator_chart(request: web.Request) -> web.Response:
    """The indicator's chart as a PNG (cached by content)."""
    view, viewer = parts(request)
    _activity, indicator = visible_indicator(view, viewer, request.match_info["id"])
    rows = await _record(view, indicator.id)
    _key, png = await view.charts.chart(
        indicator, chart_periods(rows), chart_points(rows), viewer.t
    )
    return web.Response(body=png, content_type="image/png")


async def indicator_export(request: web.Request) -> web.Response:
    """The indicator's values of every period as CSV or XLSX."""
    view, viewer = parts(request)
    _activity, indicator = visible_indicator(view, viewer, request.match_info["id"])
    fmt = request.match_info["fmt"]
    check_format(fmt)
    ctx = view.ctx

    def load(session: Session) -> Any:
        periods = {row.period for row in indicator_record(session, ctx, indicator.id)}
        return measurement_rows(session, ctx, periods, [indicator.id], lambda _r: True)

    rows = await view.db.run(load)
    return await file_response(rows, ctx, viewer, fmt, indicator.id)
