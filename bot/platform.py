"""This module contains :class:`Platform`: what a chat platform package provides, and the registry.

The application holds a list of platforms built from the settings (:func:`build_platforms`);
nothing else in ``bot/`` names one. The console is not a platform of this list: it is always
there (:class:`bot.console.ConsoleChannel`).

Adding a platform (e.g. e-mail, package ``bot/email/``) takes exactly this:

1. **Settings** in :class:`bot.settings.Settings` (``CONTROLBOT_<NAME>_…``; secrets as
   ``SecretStr``, listed in ``SECRET_FIELDS``), and an explanation for a bad value in
   ``bot/cli/settings_errors.py``.
2. **A module** ``bot/<name>/platform.py`` with ``build(settings, ctx, db) -> Platform | None``:
   ``None`` when the platform is not configured. It must import nothing heavy at module level
   (the platform's libraries load only when it is on); import the service inside ``build``.
3. **A registry row** in :data:`PLATFORMS`: ``"<name>": "bot.<name>.platform"``.
4. **The service**, an object that satisfies :class:`Platform` (structurally, no base class):

   - ``name``: the platform's name: the ``platform`` of its :class:`~bot.channel.Address`,
     :class:`~bot.events.Sender` and accounts (:mod:`workflows.people.accounts`), and its key in
     the plan's ``accounts:`` of people and team channels;
   - ``channel``: the :class:`~bot.channel.Channel` the outbox sends through (return the
     platform's message id; raise :class:`~bot.channel.TemporaryFailure` to be retried,
     :class:`~bot.channel.Unreachable` when the recipient refuses for good);
   - ``ordered``: whether one person's events arrive in their order (else the inbox holds
     them briefly, ``CONTROLBOT_INBOUND_HOLD_MS``); a send-only platform says ``True``;
   - ``connect(dispatcher)``: hand incoming events to the dispatcher (a send-only platform
     does nothing);
   - ``mount(server)``: add its routes to the shared :class:`~bot.http.HttpServer`;
   - ``start()`` / ``stop()``: for ``controlbot run``; ``start`` also links the plan's people
     it can find by itself (:meth:`Platform.link_people`);
   - ``open()`` / ``close()``: connect for sending only, for one-shot commands;
   - ``health()``: ``ok``, ``stopped`` or ``error: …`` for ``/healthz``;
   - ``link_people()``: link the plan's people to accounts the platform resolves without an
     invite (Slack: the plan's ``accounts.slack``, else by e-mail), through
     :func:`workflows.people.accounts.link`; returns who was linked now;
   - ``on_rate_limit(report)``: call ``report(seconds)`` at each 429 (``/metrics``); a
     platform without rate limits ignores it;
   - ``start_errors`` / ``start_failure(exc)``: the exceptions ``start`` may raise, and the
     log line for one (naming the setting to look at, never a secret), or ``None`` when
     ``exc`` is not this platform's.

   Where a person is reached, in which language, and whether an account is unreachable is
   decided in :mod:`workflows.people.accounts` and :mod:`bot.routes`, not by the platform.
5. **The plan key**: the account's field in ``workflows/plan/accounts.py`` (the only module
   under ``workflows/`` that names platforms; tests/test_layering.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.channel import Channel
from bot.settings import Settings
from storage.db import Database
from workflows.context import Context

if TYPE_CHECKING:  # aiohttp loads only where a server runs
    from bot.dispatch import Dispatcher
    from bot.http import HttpServer

PLATFORMS: dict[str, str] = {
    "telegram": "bot.telegram.platform",
    "slack": "bot.slack.platform",
    "email": "bot.email.platform",
}
"""Each platform's name → its package's ``build`` module, in the order they start and are
listed (``/platform``'s choices in ``/help`` too)."""


class Platform(Protocol):
    """A chat platform as the application runs it (see the module docstring)."""

    @property
    def name(self) -> str:
        """``telegram``, ``slack`` …: addresses', senders' and accounts' platform."""

    @property
    def channel(self) -> Channel:
        """Where the outbox sends this platform's messages."""

    @property
    def ordered(self) -> bool:
        """Whether one person's events arrive in their order (else the inbox holds them)."""

    @property
    def start_errors(self) -> tuple[type[Exception], ...]:
        """What :meth:`start` may raise when the platform refuses or cannot be reached."""

    def connect(self, dispatcher: Dispatcher) -> None:
        """Hand incoming events to ``dispatcher``."""

    def mount(self, server: HttpServer) -> None:
        """Add the platform's routes (webhooks) to the shared HTTP server."""

    async def start(self) -> None:
        """Start receiving and sending (``controlbot run``); links people it finds."""

    async def stop(self) -> None:
        """Stop; what was not sent stays queued in the outbox."""

    async def open(self) -> None:
        """Connect for sending only (one-shot commands)."""

    async def close(self) -> None:
        """Close what :meth:`open` opened."""

    def health(self) -> str:
        """``ok``, ``stopped`` or ``error: …``."""

    async def link_people(self) -> list[str]:
        """Link the plan's people the platform finds by itself; who was linked now."""

    def on_rate_limit(self, report: Callable[[float], None]) -> None:
        """Call ``report(retry_after_seconds)`` on each "too many requests" answer."""

    def start_failure(self, exc: Exception) -> str | None:
        """Why :meth:`start` failed, for the log, or ``None`` if ``exc`` is not ours."""


@runtime_checkable
class Doorway(Protocol):
    """A platform a notify-only one (e-mail) can send a person to, to answer there (optional)."""

    @property
    def name(self) -> str:
        """The platform's name."""

    async def door(self, enrol: Callable[[], Awaitable[str]] | None) -> str | None:
        """A link that opens the robot on this platform (``None``: none now).

        Args:
            enrol: For a person without an account here: issues their one-time enrolment
                code; a platform that enrols by code makes the link personal with it.
        """


@runtime_checkable
class Guide(Protocol):
    """A platform that sends people to the others (e-mail): it is shown their doorways."""

    def show(self, doorways: Sequence[Doorway]) -> None:
        """Remember the platforms an e-mail may send a person to."""


def build_platforms(settings: Settings, ctx: Context, db: Database) -> list[Platform]:
    """The configured platforms, not started (no I/O), in :data:`PLATFORMS` order."""
    platforms: list[Platform] = []
    for module in PLATFORMS.values():
        platform: Platform | None = importlib.import_module(module).build(settings, ctx, db)
        if platform is not None:
            platforms.append(platform)
    doorways = [p for p in platforms if isinstance(p, Doorway)]
    for platform in platforms:
        if isinstance(platform, Guide):
            platform.show(doorways)
    return platforms
