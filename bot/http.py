"""This module contains :class:`HttpServer`: the bot's one HTTP server (aiohttp).

It serves ``GET /healthz`` and whatever is mounted on it (``GET /readyz`` and
``GET /metrics``, ``POST /telegram/webhook``, ``POST /slack/events``, and
``POST /api/measurements`` when ``CONTROLBOT_API_TOKEN`` is set), on
``CONTROLBOT_HTTP_HOST``:``CONTROLBOT_HTTP_PORT``. Request bodies are limited to 1 MiB.

``/healthz`` is liveness: it answers from the process alone, without the database (that is
``/readyz``'s), with the states of the parts that report one (Telegram, Slack).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

_LOGGER = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HealthCheck = Callable[[], Awaitable[dict[str, str]]]


class HttpServer:
    """An aiohttp server started inside the running event loop.

    Args:
        host: Address to listen on.
        port: Port to listen on (0: any free port; see :attr:`port` after :meth:`start`).
        health: Returns the parts' states for ``/healthz`` (``"ok"`` or a problem).
    """

    def __init__(self, host: str, port: int, health: HealthCheck | None = None) -> None:
        self.host = host
        self.port = port
        self.health = health
        self.app = web.Application(client_max_size=1024**2)
        self.app.router.add_get("/healthz", self._healthz)
        self._runner: web.AppRunner | None = None

    def add_post(self, path: str, handler: Handler) -> None:
        """Serve ``POST path`` with ``handler`` (before :meth:`start`)."""
        self.app.router.add_post(path, handler)

    def add_get(self, path: str, handler: Handler) -> None:
        """Serve ``GET path`` (and ``HEAD``) with ``handler`` (before :meth:`start`)."""
        self.app.router.add_get(path, handler)

    async def _healthz(self, _request: web.Request) -> web.Response:
        checks = await self.health() if self.health is not None else {}
        healthy = all(state == "ok" for state in checks.values())
        body = {"status": "ok" if healthy else "degraded", **checks}
        return web.json_response(body, status=200 if healthy else 503)

    async def start(self) -> int:
        """Listen; return the port actually bound."""
        runner = web.AppRunner(self.app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        if runner.addresses:
            self.port = int(runner.addresses[0][1])
        _LOGGER.info("HTTP server on http://%s:%d", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        """Stop listening and finish open requests."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
