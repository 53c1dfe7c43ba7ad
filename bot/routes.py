"""This module contains :class:`Router`: where, in which language and zone a notice goes.

A person is reached on the platform they chose (``/platform``), else the one they used
last; a reply goes back to the platform the person wrote on (``via``). A team channel is
reached on every platform it is bound to. The console is a route only where the operator
reads everything on a terminal (``controlbot demo`` and ``console``): in ``controlbot run``
and the one-shot commands nothing addressed to someone else is printed (issue 12).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.channel import Address, Channel
from bot.i18n import Lang, resolve_locale, translator
from bot.messages import Message
from bot.render import RenderContext, bilingual, render
from storage.models import ChannelBinding, Person
from workflows import accounts, bindings
from workflows.context import Context
from workflows.notices import Outgoing, ToPerson

CONSOLE = accounts.CONSOLE


@dataclass(frozen=True)
class Route:
    """Where and how one notice is delivered."""

    address: Address
    lang: Lang
    tz: ZoneInfo
    channel_id: str | None = None
    also: Lang | None = None
    """A second language the same message carries (a channel whose language is ``both``)."""


person_language = accounts.language
"""A person's language (:func:`workflows.accounts.language`)."""


class Router:
    """Finds and renders routes.

    Args:
        ctx: Plan, clock, calendar.
        channels: Registered channels by platform name.
        default_lang: ``CONTROLBOT_DEFAULT_LOCALE``.
        console_fallback: Whether the console reaches whoever nothing else reaches.
    """

    def __init__(
        self,
        ctx: Context,
        channels: Mapping[str, Channel],
        default_lang: str,
        *,
        console_fallback: bool = True,
    ) -> None:
        self.ctx = ctx
        self.channels = channels
        self.default_lang = default_lang
        self.console_fallback = console_fallback

    def _usable(self, platform: str, via: str | None) -> bool:
        if platform not in self.channels:
            return False
        return platform != CONSOLE or self.console_fallback or via == CONSOLE

    def person_route(
        self, session: Session, person_id: str, via: str | None = None
    ) -> Route | None:
        """The route to ``person_id`` (``via``: the platform a reply goes back to)."""
        return self.person_routes(session, [(person_id, via)])[0]

    def person_routes(
        self, session: Session, wanted: Sequence[tuple[str, str | None]]
    ) -> list[Route | None]:
        """The routes to several people at once (two queries): ``(person_id, via)`` each."""
        people, linked = accounts.people_and_accounts(session, [p for p, _via in wanted])
        return [self._route(people.get(p), p, linked.get(p, []), via) for p, via in wanted]

    def _route(
        self,
        person: Person | None,
        person_id: str,
        identities: Sequence[accounts.Account],
        via: str | None,
    ) -> Route | None:
        identity = accounts.preferred(
            person, identities, lambda platform: self._usable(platform, via), via
        )
        if identity is None:
            return None
        name = person.display_name if person else person_id
        zone = ZoneInfo(person.timezone) if person and person.timezone else self.ctx.timezone
        lang = accounts.language_of(person, identities, self.ctx, self.default_lang)
        return Route(Address(identity.platform, "dm", identity.external_id, name), lang, zone)

    def person_reason(self, session: Session, person_id: str) -> str:
        """Why nothing reaches ``person_id``: ``blocked`` or ``no_account``."""
        return accounts.unreachable_reason(session, person_id, self.channels)

    def channel_routes(self, session: Session, channel_id: str) -> list[Route]:
        """Every platform the channel is bound to; the console only as the fallback."""
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
        if not routes and CONSOLE in self.channels and self.console_fallback:
            address = Address(CONSOLE, "channel", channel.id, label)
            routes.append(Route(address, lang, self.ctx.timezone, channel.id, also))
        return routes

    def channel_reason(self, session: Session, channel_id: str) -> str:
        """Why nothing reaches team channel ``channel_id``: ``not_in_channel`` or ``not_bound``."""
        rows = session.exec(
            select(ChannelBinding).where(col(ChannelBinding.channel_id) == channel_id)
        ).all()
        marked = [r for r in rows if r.platform in self.channels and r.unreachable_since]
        return "not_in_channel" if marked else "not_bound"

    def routes(self, session: Session, item: Outgoing, via: str | None = None) -> list[Route]:
        """Where ``item`` goes (empty when nothing reaches its recipient)."""
        if isinstance(item.to, ToPerson):
            route = self.person_route(session, item.to.person_id, via)
            return [route] if route is not None else []
        return self.channel_routes(session, item.to.channel_id)

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

    def fallback(self, item: Outgoing) -> Message:
        """``item`` in the plan's default language (for a recipient no route reaches)."""
        lang = resolve_locale(plan_default=self.ctx.plan.plan.locale, default=self.default_lang)
        rc = RenderContext(translator(lang), self.ctx.plan, self.ctx.timezone)
        return render(item.notice, rc)
