"""This module contains :class:`Probes`: ``GET /readyz`` and ``GET /metrics`` for operators.

``/readyz`` answers 200 with ``{"status": "ready", "database": "ok", "migrations":
"current", "role": …}`` when the process can take requests, else 503 with a ``reason``
(:mod:`bot.health`). ``/metrics`` is the Prometheus text format (:mod:`bot.metrics`); with
``CONTROLBOT_METRICS_TOKEN`` set it wants ``Authorization: Bearer <token>`` (401 otherwise).
``/healthz`` (liveness, no database) stays :class:`bot.http.HttpServer`'s own.
"""

from __future__ import annotations

import hmac

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.health import ReadinessCheck, RoleSource, single
from bot.http import HttpServer
from bot.metrics import CONTENT_TYPE, Metrics, shared_state
from storage.db import Database
from workflows.clock import Clock


class Probes:
    """Readiness and metrics of one process.

    Args:
        db: The shared database.
        metrics: The process's metrics (its outbox's).
        clock: The clock (which forms have expired).
        role: This process's role (default ``single``: no leader election).
        token: Bearer token ``/metrics`` requires (``None``: open; restrict it at the proxy).
    """

    def __init__(
        self,
        db: Database,
        metrics: Metrics,
        clock: Clock,
        *,
        role: RoleSource = single,
        token: str | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics
        self.clock = clock
        self.role = role
        self.token = token
        self.readiness = ReadinessCheck(db.engine, role)

    def mount(self, http: HttpServer) -> None:
        """Serve ``GET /readyz`` and ``GET /metrics`` on ``http`` (before it starts)."""
        http.add_get("/readyz", self.readyz)
        http.add_get("/metrics", self.scrape)

    async def readyz(self, _request: web.Request) -> web.Response:
        """200 when ready, 503 with the reason when not."""
        found = await self.readiness.check()
        return web.json_response(found.body, status=200 if found.ready else 503)

    async def scrape(self, request: web.Request) -> web.Response:
        """The metrics, with the outbox depth and open forms read from the database now."""
        if self.token is not None and not _bearer_matches(request, self.token):
            return web.json_response(
                {"error": "unauthorized"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        now = self.clock.now()
        try:
            depth, forms = await self.db.run(lambda session: shared_state(session, now))
        except SQLAlchemyError as exc:  # a scrape that fails shows as down in Prometheus
            raise web.HTTPServiceUnavailable(
                text=f"database unreachable: {type(exc).__name__}\n"
            ) from exc
        body = self.metrics.render(depth, forms, self.role())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def _bearer_matches(request: web.Request, token: str) -> bool:
    """Whether the request carries ``Authorization: Bearer <token>`` (constant-time compare)."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
