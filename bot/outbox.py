"""This module contains :class:`Outbox`: from domain notices to messages on a channel.

For each :class:`~workflows.notices.Outgoing` it finds the recipient's platform address,
language (field case C20 order) and time zone, renders the notice and sends it. A person is
reached on the platform they used last (the console only when nothing else reaches them);
a team channel on every platform it is bound to. A failed send is logged and does not stop
the others; a recipient the platform refuses for good is marked and reported once (field
cases C03, C04).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.channel import Address, Channel, PartlyDelivered, TemporaryFailure, Unreachable
from bot.i18n import Lang, resolve_locale, translator
from bot.messages import Message
from bot.render import RenderContext, bilingual, render
from storage.db import Database
from storage.models import Person, PlatformIdentity
from workflows import bindings, reachability
from workflows.context import Context
from workflows.notices import Outgoing, ToChannel, ToPerson

CONSOLE = "console"
Outcome = Literal["sent", "retry", "failed"]
SENT: Outcome = "sent"
RETRY: Outcome = "retry"
FAILED: Outcome = "failed"

_LOGGER = logging.getLogger(__name__)

_RENDERING = ThreadPoolExecutor(max_workers=4, thread_name_prefix="render")
"""Rendering runs here, not in the default executor every ``Database.run`` uses: a thread
waiting seconds for a chart must not hold up anyone's transaction (issue 12 item 7)."""


async def _rendered(
    prepare: Callable[[Outgoing, Route], Message], item: Outgoing, route: Route
) -> Message:
    """``prepare(item, route)`` in a rendering thread (with the caller's context)."""
    call = partial(contextvars.copy_context().run, prepare, item, route)
    return await asyncio.get_running_loop().run_in_executor(_RENDERING, call)


@dataclass(frozen=True)
class Route:
    """Where and how one notice is delivered."""

    address: Address
    lang: Lang
    tz: ZoneInfo
    channel_id: str | None = None
    also: Lang | None = None
    """A second language the same message carries (a channel whose language is ``both``)."""


def person_language(session: Session, ctx: Context, person_id: str, default: str) -> Lang:
    """A person's language: ``/lang`` choice > plan > chat client > plan default > default."""
    person = session.get(Person, person_id)
    identity = session.exec(
        select(PlatformIdentity)
        .where(
            col(PlatformIdentity.person_id) == person_id,
            col(PlatformIdentity.client_language).is_not(None),
        )
        .order_by(col(PlatformIdentity.last_seen_at).desc())
    ).first()
    return resolve_locale(
        chosen=person.chosen_language if person else None,
        person=person.plan_language if person else None,
        client=identity.client_language if identity else None,
        plan_default=ctx.plan.plan.locale,
        default=default,
    )


class Outbox:
    """Delivers notices through the registered channels.

    Args:
        ctx: Plan, clock, calendar.
        db: The database (people, identities, language choices).
        channels: Registered channels by platform name.
        default_lang: ``CONTROLBOT_DEFAULT_LOCALE``.
    """

    def __init__(
        self, ctx: Context, db: Database, channels: Mapping[str, Channel], default_lang: str
    ) -> None:
        self.ctx = ctx
        self.db = db
        self.channels = dict(channels)
        self.default_lang = default_lang

    def _person_route(self, session: Session, person_id: str) -> Route | None:
        identities = session.exec(
            select(PlatformIdentity).where(
                col(PlatformIdentity.person_id) == person_id,
                col(PlatformIdentity.unreachable_since).is_(None),
            )
        ).all()
        usable = [i for i in identities if i.platform in self.channels]
        if not usable:
            return None
        # the platform they used last; the console only when nothing else reaches them
        usable.sort(
            key=lambda i: (
                i.platform != CONSOLE,
                i.last_seen_at is not None,  # an account used beats one only linked
                i.last_seen_at or i.linked_at,
            )
        )
        person = session.get(Person, person_id)
        chosen = [i for i in usable if person is not None and i.platform == person.chosen_platform]
        identity = chosen[-1] if chosen else usable[-1]
        name = person.display_name if person else person_id
        zone = ZoneInfo(person.timezone) if person and person.timezone else self.ctx.timezone
        lang = person_language(session, self.ctx, person_id, self.default_lang)
        address = Address(identity.platform, "dm", identity.external_id, name)
        return Route(address, lang, zone)

    def _channel_routes(self, session: Session, channel_id: str) -> list[Route]:
        """Every platform the channel is bound to; the console when none is."""
        channel = self.ctx.plan.channel(channel_id)
        two = channel.language == "both"
        lang = resolve_locale(
            person=None if two else channel.language,
            plan_default=self.ctx.plan.plan.locale,
            default=self.default_lang,
        )
        also: Lang | None = ("en" if lang == "lv" else "lv") if two else None
        label = f"#{channel.id}"
        routes = []
        for platform in self.channels:
            if platform == CONSOLE:
                continue
            target = bindings.target(session, self.ctx, channel.id, platform)
            if target is not None:
                address = Address(platform, "channel", target, label)
                routes.append(Route(address, lang, self.ctx.timezone, channel.id, also))
        if not routes and CONSOLE in self.channels:
            address = Address(CONSOLE, "channel", channel.id, label)
            routes.append(Route(address, lang, self.ctx.timezone, channel.id, also))
        return routes

    def _routes(self, session: Session, items: Sequence[Outgoing]) -> list[list[Route]]:
        routes: list[list[Route]] = []
        for item in items:
            if isinstance(item.to, ToPerson):
                route = self._person_route(session, item.to.person_id)
                routes.append([route] if route is not None else [])
            elif isinstance(item.to, ToChannel):
                routes.append(self._channel_routes(session, item.to.channel_id))
        return routes

    def prepare(self, item: Outgoing, route: Route) -> Message:
        """Render ``item`` for ``route``'s language (and second language) and zone."""
        images = route.address.platform != CONSOLE
        rc = RenderContext(
            translator(route.lang), self.ctx.plan, route.tz, route.address.kind, images=images
        )
        message = render(item.notice, rc)
        if route.also is None:
            return message
        other = RenderContext(  # the chart is drawn once, in the first language
            translator(route.also), self.ctx.plan, route.tz, route.address.kind, images=False
        )
        return bilingual.both(message, render(item.notice, other))

    async def render_for(self, item: Outgoing) -> Message:
        """``item`` rendered as its recipient would get it (for a platform's own reply)."""
        routes = await self.db.run(lambda session: self._routes(session, [item]))
        if routes[0]:
            return self.prepare(item, routes[0][0])
        lang = resolve_locale(plan_default=self.ctx.plan.plan.locale, default=self.default_lang)
        rc = RenderContext(translator(lang), self.ctx.plan, self.ctx.timezone)
        return render(item.notice, rc)

    async def deliver(self, items: Sequence[Outgoing]) -> int:
        """Render and send every item, in order; failures are logged, not raised.

        A recipient the platform refuses for good is marked unreachable and reported once
        (to a person's managers, or for a team channel to the admin channel).

        Returns:
            How many items could not be delivered (no channel reaches the recipient, or the
            render or the platform call failed).
        """
        outcomes = await self.deliver_each(items)
        return sum(outcome != SENT for outcome in outcomes)

    async def deliver_each(self, items: Sequence[Outgoing]) -> list[Outcome]:
        """Like :meth:`deliver`, with each item's outcome.

        Returns:
            Per item: ``sent`` (at least one route took it), ``retry`` (a platform could not
            be reached just now, so a later attempt may succeed) or ``failed``.
        """
        if not items:
            return []
        outcomes: list[Outcome] = []
        routes = await self.db.run(lambda session: self._routes(session, items))
        reports: list[Outgoing] = []
        for item, item_routes in zip(items, routes, strict=True):
            if not item_routes:
                _LOGGER.warning(
                    "no channel reaches %s; %s not sent", item.to, type(item.notice).__name__
                )
                outcomes.append(FAILED)
                continue
            delivered = transient = 0
            for route in item_routes:
                try:
                    # rendered in a worker thread of its own: a summary's chart takes a
                    # second or two (drawn in a worker process, bot.charts.attach) and must
                    # stall neither the event loop nor the database calls (issue 12 item 7)
                    message = await _rendered(self.prepare, item, route)
                    await self.channels[route.address.platform].send(route.address, message)
                    delivered += 1
                except Unreachable as exc:
                    _LOGGER.warning("%s", exc)
                    reports += await self._unreachable(replace(route, address=exc.address))
                except PartlyDelivered as exc:
                    delivered += 1
                    _LOGGER.warning("%s", exc)
                    reports += reachability.chart_not_delivered(
                        self.ctx, route.channel_id, route.address.label, route.address.platform
                    )
                except TemporaryFailure as exc:
                    transient += 1
                    _LOGGER.warning("%s not sent now: %s", type(item.notice).__name__, exc)
                except Exception:  # one bad message must not stop the others
                    _LOGGER.exception(
                        "delivering %s to %s failed", type(item.notice).__name__, route.address
                    )
            outcomes.append(SENT if delivered else RETRY if transient else FAILED)
        if reports:
            await self.deliver(reports)
        return outcomes

    async def _unreachable(self, route: Route) -> list[Outgoing]:
        address = route.address
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
