"""This module contains the administrators' pages: people and channels, deliveries, readiness.

Anyone else gets 404 there, as for a page that does not exist. The data comes from
:mod:`workflows.reports.reach` (one place to point at a fuller delivery record later).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlmodel import Session

from bot.plan_overview import format_readiness
from bot.web.admin_sheets import channels_sheet, deliveries_sheet, people_sheet
from bot.web.downloads import check_format, render_context, sheet_response
from bot.web.pages import one_page, page_number, parts, respond
from workflows.context import Context
from workflows.people import accounts
from workflows.reports.reach import (
    PersonReach,
    channel_bindings,
    people_reach,
    recent_deliveries,
)

PEOPLE_PER_PAGE = 100


def add_routes(routes: web.UrlDispatcher) -> None:
    """Register this module's pages."""
    routes.add_get("/admin/people", people)
    routes.add_get("/admin/people/export.{fmt}", people_export)
    routes.add_get("/admin/channels", channels)
    routes.add_get("/admin/channels/export.{fmt}", channels_export)
    routes.add_get("/admin/deliveries", deliveries)
    routes.add_get("/admin/deliveries/export.{fmt}", deliveries_export)
    routes.add_get("/admin/readiness", readiness)


def _admin_only(request: web.Request, fmt: str | None = None) -> None:
    """404 for anyone but an administrator (and for a download in another format)."""
    _view, viewer = parts(request)
    if not viewer.is_admin:
        raise web.HTTPNotFound()
    if fmt is not None:
        check_format(fmt)


def _people_in_order(session: Session, ctx: Context) -> list[PersonReach]:
    """Everyone, those a platform refused first, then those without a chat account."""
    everyone = people_reach(session, ctx)
    everyone.sort(key=lambda p: (not p.active, p.reachable, not p.refused))  # then by name
    return everyone


async def people(request: web.Request) -> web.Response:
    """People (linked platforms, reachability, last seen, open invites) and channel bindings.

    People come :data:`PEOPLE_PER_PAGE` at a time: first those a platform refused, then
    those without a chat account, then the others.
    """
    _admin_only(request)
    view, _viewer = parts(request)
    ctx = view.ctx
    number = page_number(request)

    def load(session: Session) -> dict[str, Any]:
        page, pages, shown = one_page(_people_in_order(session, ctx), number, PEOPLE_PER_PAGE)
        return {
            "people": shown,
            "page": page,
            "pages": pages,
            "bindings": channel_bindings(session),
        }

    data = await view.db.run(load)
    return respond(request, "people.html", channels=ctx.plan.plan.channels, **data)


async def people_export(request: web.Request) -> web.Response:
    """Every person of the people page (all its pages) as CSV or XLSX."""
    fmt = request.match_info["fmt"]
    _admin_only(request, fmt)
    view, viewer = parts(request)
    ctx = view.ctx
    found = await view.db.run(lambda s: _people_in_order(s, ctx))
    return await sheet_response(people_sheet(found), render_context(ctx, viewer), fmt, "people")


async def channels(request: web.Request) -> web.Response:
    """Team channels are listed on the people page: its "Team channels" part."""
    _admin_only(request)
    raise web.HTTPFound("/web/admin/people#channels")


async def channels_export(request: web.Request) -> web.Response:
    """The people page's team channels and their chats as CSV or XLSX."""
    fmt = request.match_info["fmt"]
    _admin_only(request, fmt)
    view, viewer = parts(request)
    rc = render_context(view.ctx, viewer)
    bindings = await view.db.run(channel_bindings)
    sheet = channels_sheet(view.ctx.plan.plan.channels, bindings, rc)
    return await sheet_response(sheet, rc, fmt, "channels")


async def deliveries(request: web.Request) -> web.Response:
    """The newest entries of the delivery ledger."""
    _admin_only(request)
    view, _viewer = parts(request)
    rows = await view.db.run(recent_deliveries)
    return respond(request, "deliveries.html", deliveries=rows)


async def deliveries_export(request: web.Request) -> web.Response:
    """The deliveries page's entries as CSV or XLSX."""
    fmt = request.match_info["fmt"]
    _admin_only(request, fmt)
    view, viewer = parts(request)
    rows = await view.db.run(recent_deliveries)
    rc = render_context(view.ctx, viewer)
    return await sheet_response(deliveries_sheet(rows, rc), rc, fmt, "deliveries")


async def readiness(request: web.Request) -> web.Response:
    """The control readiness report, as ``controlbot plan check`` prints it."""
    _admin_only(request)
    view, viewer = parts(request)

    people = await view.db.run(accounts.linked_people)
    lines = format_readiness(view.ctx.plan, viewer.t, people)
    return respond(request, "readiness.html", lines=lines)
