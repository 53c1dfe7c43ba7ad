"""This module contains :class:`Router`: where, in which language and zone a notice goes.

A person is reached on the platform they chose (``/platform``, else the plan's ``platform``),
else the one they used last; a reply goes back to the platform the person wrote on (``via``).
A notify-only platform (e-mail, :class:`~bot.channel.PlanAddressed`) reaches a person who
prefers it, and anyone no chat account reaches, at the address the plan gives. A team channel
is reached on every platform it is bound to (on e-mail: the plan's addresses). The console is
a route only where the operator reads everything on a terminal (``controlbot demo`` and
``console``): in ``controlbot run`` and the one-shot commands nothing addressed to someone
else is printed (issue 12), and what a one-shot command shows its operator is in the
command line's language (``CONTROLBOT_DEFAULT_LOCALE``), like its other output.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.channel import Address, Channel, PlanAddressed
from bot.i18n import Lang, resolve_locale, translator
from bot.messages import Message
from bot.render import RenderContext, bilingual, render
from storage.models import ChannelBinding, Person
from workflows.context import Context
from workflows.notices import Outgoing, ToPerson
from workflows.people import accounts, bindings
from workflows.people.accounts import seen as seen_people
from workflows.plan.model import UnknownPlanItem

CONSOLE = accounts.CONSOLE
_ROUTERS = itertools.count()


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
"""A person's language (:func:`workflows.people.accounts.language`)."""


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
        self.notify_only = [c for c in channels.values() if isinstance(c, PlanAddressed)]
        self._serial = next(_ROUTERS)  # its routes are cached apart from other routers'

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
        """The routes to several people at once: ``(person_id, via)`` each.

        Two queries; none for a person this transaction identified
        (:func:`workflows.people.accounts.identify_at_once`), whose route is derived once per
        ``via`` while their rows stay the same (:mod:`workflows.people.accounts.seen`).
        """
        found = {p: accounts.seen_in(session, p) for p, _via in wanted}
        unread = [p for p, seen in found.items() if seen is None]
        people, linked = accounts.people_and_accounts(session, unread) if unread else ({}, {})
        return [
            self._route(people.get(p), p, linked.get(p, []), via)
            if (seen := found[p]) is None
            else self._seen_route(session, seen, via)
            for p, via in wanted
        ]

    def _seen_route(self, session: Session, seen: accounts.Seen, via: str | None) -> Route | None:
        def make() -> Route | None:
            return self._route(seen.person_row(), seen.person_id, seen.account_rows(), via)

        return seen_people.cached(session, seen, self.ctx.plan, ("route", self._serial, via), make)

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
        preferred = self._preferred(person, person_id)
        if via is None and identity is not None and preferred not in (None, identity.platform):
            planned = [  # the plan's platform, when the person chose none themselves
                i
                for i in identities
                if i.platform == preferred
                and i.unreachable_since is None
                and self._usable(i.platform, via)
            ]
            identity = planned[-1] if planned else identity
        name = person.display_name if person else person_id
        zone = ZoneInfo(person.timezone) if person and person.timezone else self.ctx.timezone
        lang = accounts.language_of(person, identities, self.ctx, self.default_lang)
        if identity is not None and identity.platform == CONSOLE and not self.console_fallback:
            # a one-shot command's terminal: the operator reads the command line's language
            lang = resolve_locale(default=self.default_lang)
        mailed = self._notify_address(person_id, name, preferred, identity, via)
        if mailed is not None:
            return Route(mailed, lang, zone)
        if identity is None:
            return None
        return Route(Address(identity.platform, "dm", identity.external_id, name), lang, zone)

    def _preferred(self, person: Person | None, person_id: str) -> str | None:
        """The platform the person chose (``/platform``), else the plan's ``platform``."""
        if person is not None and person.chosen_platform:
            return person.chosen_platform
        try:
            return self.ctx.plan.person(person_id).platform
        except UnknownPlanItem:
            return None

    def _notify_address(
        self,
        person_id: str,
        name: str,
        preferred: str | None,
        identity: accounts.Account | None,
        via: str | None,
    ) -> Address | None:
        """A notify-only platform's address, when it wins over ``identity`` (a chat account).

        It wins when the person prefers it, or when no chat account (only the console, or
        nothing) reaches them; never for a reply to something typed in a chat (``via``).
        """
        if via is not None and identity is not None:
            return None
        unlinked = identity is None or identity.platform == CONSOLE
        for channel in self.notify_only:
            if channel.platform != preferred and not unlinked:
                continue
            target = channel.person_target(person_id)
            if target is not None:
                return Address(channel.platform, "dm", target, name)
        return None

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
        for platform, sender in self.channels.items():
            if platform == CONSOLE:
                continue
            if isinstance(sender, PlanAddressed):
                target = sender.channel_target(channel.id)
            else:
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
        message = replace(render(item.notice, rc), lang=route.lang)
        if route.also is None:
            return message
        other = RenderContext(  # the chart is drawn once, in the first language
            translator(route.also), self.ctx.plan, route.tz, route.address.kind, images=False
        )
        return replace(bilingual.both(message, render(item.notice, other)), lang=route.lang)

    def fallback(self, item: Outgoing) -> Message:
        """``item`` in the plan's default language (for a recipient no route reaches)."""
        lang = resolve_locale(plan_default=self.ctx.plan.plan.locale, default=self.default_lang)
        rc = RenderContext(translator(lang), self.ctx.plan, self.ctx.timezone)
        return render(item.notice, rc)
