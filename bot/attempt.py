"""This module contains one delivery attempt of an outbox row to each of its routes.

The platform's answer is sorted: delivered (with its message id), refused for good (the
recipient blocked the robot, the robot left the channel: marked and reported once, field
cases C03 and C04), or not now (a network failure, a 429 with its ``Retry-After``: the row
stays queued). A notice that may carry a chart is rendered in a worker thread, so a chart
never stalls the event loop; any other is rendered on the loop (issue 16: a text's rendering
holds the interpreter either way, and the hop to a thread and back cost more than it).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from bot.channel import Channel, PartlyDelivered, PlanAddressed, TemporaryFailure, Unreachable
from bot.charts.worker import CHARTED
from bot.messages import Message
from bot.metrics import Metrics
from bot.routes import Route, Router
from storage.db import Database
from workflows.context import Context
from workflows.notices import Outgoing
from workflows.people import reachability

_LOGGER = logging.getLogger(__name__)

_RENDERING = ThreadPoolExecutor(max_workers=4, thread_name_prefix="render")
"""Charted notices render here, not in the default executor every ``Database.run`` uses: a
thread waiting seconds for a chart must not hold up anyone's transaction (issue 12 item 7)."""


async def rendered(
    prepare: Callable[[Outgoing, Route], Message], item: Outgoing, route: Route
) -> Message:
    """``prepare(item, route)``, in a rendering thread when it may draw a chart.

    A charted notice (:data:`bot.charts.worker.CHARTED`) renders in a thread, with the
    caller's context; any other renders right here.
    """
    if not isinstance(item.notice, CHARTED):
        return prepare(item, route)
    call = partial(contextvars.copy_context().run, prepare, item, route)
    return await asyncio.get_running_loop().run_in_executor(_RENDERING, call)


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt of a row came to."""

    platforms: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    message_id: str | None = None
    refused: str | None = None
    detail: str | None = None
    """The platform's own words for a refusal for good (an SMTP server's reply), recorded."""
    temporary: str | None = None
    retry_after: float | None = None
    reports: tuple[Outgoing, ...] = ()


class Attempts:
    """Sends one row's notice to its routes and sorts the outcome.

    Args:
        ctx: Plan and clock.
        db: Where refusals are marked.
        channels: Registered channels by platform name.
        router: Renders for each route.
        metrics: Where each platform call's outcome is counted.
    """

    def __init__(
        self,
        ctx: Context,
        db: Database,
        channels: Mapping[str, Channel],
        router: Router,
        metrics: Metrics,
    ) -> None:
        self.metrics = metrics
        self.ctx = ctx
        self.db = db
        self.channels = channels
        self.router = router

    async def attempt(self, item: Outgoing, routes: list[Route], done: tuple[str, ...]) -> Attempt:
        """Send ``item`` to each route not in ``done`` (platforms a retry already reached)."""
        platforms, addresses = list(done), []
        message_id: str | None = None
        refused = temporary = detail = None
        retry_after: float | None = None
        reports: list[Outgoing] = []
        for route in routes:
            address = route.address
            try:
                message = await rendered(self.router.prepare, item, route)
            except Exception:
                _LOGGER.exception("rendering %s failed", type(item.notice).__name__)
                refused = "render_failed"
                continue
            try:
                sent = await self.channels[address.platform].send(address, message)
                message_id = message_id or sent
            except Unreachable as exc:
                self.metrics.sent(address.platform, "refused")
                _LOGGER.warning("%s", exc)
                refused = exc.code or _refusal(route, exc.reason)
                detail = exc.reason
                reports += await self._unreachable(route, exc)
                continue
            except PartlyDelivered as exc:
                _LOGGER.warning("%s", exc)
                reports += reachability.chart_not_delivered(
                    self.ctx, route.channel_id, address.label, address.platform
                )
            except TemporaryFailure as exc:
                self.metrics.sent(address.platform, "retry")
                _LOGGER.warning("%s not sent now: %s", type(item.notice).__name__, exc)
                temporary = str(exc) or type(exc).__name__
                retry_after = exc.retry_after
                continue
            except Exception as exc:  # one bad message must not stop the others
                self.metrics.sent(address.platform, "failed")
                _LOGGER.exception(
                    "delivering %s to %s failed", type(item.notice).__name__, address
                )
                temporary = type(exc).__name__
                continue
            self.metrics.sent(address.platform, "delivered")
            platforms.append(address.platform)
            addresses.append(str(address))
        return Attempt(
            tuple(platforms),
            tuple(addresses),
            message_id,
            None if platforms else refused,
            None if platforms else detail,
            temporary,
            retry_after,
            tuple(reports),
        )

    async def _unreachable(self, route: Route, exc: Unreachable) -> list[Outgoing]:
        address = exc.address
        if isinstance(self.channels.get(address.platform), PlanAddressed):
            return []  # nothing to mark: the plan gives the address; the digest reports it
        if address.kind == "dm":
            return await self.db.run(
                lambda s: reachability.person_unreachable(
                    s, self.ctx, address.platform, address.target
                )
            )
        channel_id = route.channel_id or address.target
        return await self.db.run(
            lambda s: reachability.channel_unreachable(
                s, self.ctx, channel_id, address.platform, address.target
            )
        )


def _refusal(route: Route, reason: str) -> str:
    """The reason code of a platform's refusal for good."""
    if route.address.kind == "dm":
        return "blocked"
    lowered = reason.lower()
    gone = ("not found", "not_found", "deleted", "archived", "upgraded")
    return "channel_gone" if any(word in lowered for word in gone) else "not_in_channel"
