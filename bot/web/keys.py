"""This module contains the keys under which the web view keeps its state in aiohttp.

:data:`VIEW` finds the :class:`~bot.web.app.WebView` from any request's application;
:data:`VIEWER` the signed-in person of a request. They live apart from :mod:`bot.web.app` so
that the page modules, which the application mounts, need not import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.web.templating import Viewer

if TYPE_CHECKING:
    from bot.web.app import WebView

VIEW: web.AppKey[WebView] = web.AppKey("view")
VIEWER: web.RequestKey[Viewer] = web.RequestKey("viewer", Viewer)
"""Where the request keeps the :class:`~bot.web.templating.Viewer` of a signed-in page."""
