"""This module contains the administrators' pages: people and channels, deliveries, readiness.

Anyone else gets 404 there, as for a page that does not exist. The data comes from
:mod:`workflows.reach_overview` (one place to point at a fuller delivery record later).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlmodel import Session

from bot.plan_report import format_readiness
from bot.web.pages import one_page, page_number, parts, respond
from workflows import accounts
from workflows.reach_overview import channel_bindings, people_reach, recent_deliveries

PEOPLE_PER_PAGE = 100


def add_routes(routes: web.UrlDispatcher) -> None:
    """Register this module's pages."""
    routes.add_get("/admin/people", people)
    routes.add_get("/admin/deliveries", deliveries)
    routes.add_get("/admin/readiness", readiness)


def _admin_only(request: web.Request) -> None:
    _view, viewer = parts(request)
    if not viewer.is_admin:
        raise web.HTTPNotFound()


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
        everyone = people_reach(session, ctx)
        everyone.sort(key=lambda p: (not p.active, p.reachable, not p.refused))  # then by name
        page, pages, shown = one_page(everyone, number, PEOPLE_PER_PAGE)
        return {
            "people": shown,
            "page": page,
            "pages": pages,
            "bindings": channel_bindings(session),
        }

    data = await view.db.run(load)
    return respond(request, "people.html", channels=ctx.plan.plan.channels, **data)


async def deliveries(request: web.Request) -> web.Response:
    """The newest entries of the delivery ledger."""
    _admin_only(request)
    view, _viewer = parts(request)
    rows = await view.db.run(recent_deliveries)
    return respond(request, "deliveries.html", deliveries=rows)


async def readiness(request: web.Request) -> web.Response:
    """The control readiness report, as ``controlbot plan check`` prints it."""
    _admin_only(request)
    view, viewer = parts(request)

    people = await view.db.run(accounts.linked_people)
    lines = format_readiness(view.ctx.plan, viewer.t, people)
    return respond(request, "readiness.html", lines=lines)
