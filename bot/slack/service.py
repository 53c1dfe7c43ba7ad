"""This module contains :class:`SlackService`: the slack-bolt app we run, and who is who.

In HTTP mode Slack's events, interactivity and slash commands arrive at ``POST
/slack/events`` on our :class:`~bot.http.HttpServer`, through Bolt's aiohttp adapter; Bolt
checks every request's signature and timestamp and refuses a bad one (401) before anything
runs. Every Web API client uses ``CONTROLBOT_SLACK_API_URL``; tokens come from our settings
only (slack-bolt's own OAuth switch on ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` is kept
off). People are linked by the plan's ``accounts.slack`` (or ``slack_user_id``), else by
e-mail (``users.lookupByEmail``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session

from bot.dispatch import Dispatcher
from bot.http import HttpServer
from bot.inbox import Inbox
from bot.posted import PostedMessages
from bot.settings import without_library_variables
from bot.slack.channel import PLATFORM, RateLimitHandler, SlackChannel
from bot.slack.inbound import SlackInbound
from storage.db import Database
from workflows.context import Context
from workflows.people import accounts

_LOGGER = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
RECORD_SECONDS = 2.0
"""How long a message event's request waits for its record (Slack wants an answer in 3 s)."""
LIBRARY_VARIABLES = (
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_VERIFICATION_TOKEN",
    "SLACK_APP_TOKEN",
)
"""Variables slack-bolt would read by itself; hidden while the app is built."""


class SlackService:
    """Builds and runs the Slack side (a :class:`bot.platform.Platform`).

    Args:
        bot_token: ``xoxb-…``.
        signing_secret: Verifies Slack's requests (HTTP mode).
        api_url: Web API base URL.
        ctx: The domain context.
        db: The database.
        rate_limits: The 429 handler (default: real time).
        app_token: ``xapp-…``: Socket Mode (Slack connects nothing to us; we open a
            WebSocket to Slack), instead of HTTP requests to ``/slack/events``.
    """

    def __init__(
        self,
        bot_token: str,
        signing_secret: str,
        api_url: str,
        ctx: Context,
        db: Database,
        *,
        rate_limits: RateLimitHandler | None = None,
        app_token: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.db = db
        self.api_url = api_url
        self.rate_limits = rate_limits or RateLimitHandler()
        self.client = AsyncWebClient(
            token=bot_token, base_url=api_url, retry_handlers=[self.rate_limits]
        )
        with without_library_variables(*LIBRARY_VARIABLES):
            self.app = AsyncApp(
                client=self.client,
                signing_secret=signing_secret,
                process_before_response=False,
                raise_error_for_unhandled_request=False,
            )
        self.channel = SlackChannel(
            self.client,
            PostedMessages(db, PLATFORM),
            clock=self.rate_limits.clock,
            sleep=self.rate_limits.sleep,
        )
        self.started = False
        self._inbox: Inbox | None = None
        self._door: str | None = None
        self.socket_mode: AsyncSocketModeHandler | None = None
        self.app_token = app_token
        if app_token:
            self.socket_mode = AsyncSocketModeHandler(self.app, app_token, web_client=self.client)

    name = PLATFORM
    ordered = False
    """Slack's events of one person may arrive out of order (separate HTTP requests)."""
    start_errors: tuple[type[Exception], ...] = (SlackApiError, aiohttp.ClientError)

    def start_failure(self, exc: Exception) -> str | None:
        """Why start-up failed, naming the setting to look at (never a token)."""
        if isinstance(exc, SlackApiError):
            return _refusal(self.api_url, exc)
        if isinstance(exc, aiohttp.ClientError):
            return f"cannot reach Slack at {self.api_url}: {exc}"
        return None

    async def open(self) -> None:
        """Nothing to open: the Web API client connects on its first call."""

    def on_rate_limit(self, report: Callable[[float], None]) -> None:
        """Call ``report`` at each 429 of the Web API (the retry handler sees them)."""
        self.rate_limits.on_429 = report

    async def close(self) -> None:
        """Close the Web API client's HTTP session."""
        await self.stop()

    def connect(self, dispatcher: Dispatcher) -> None:
        """Hand Slack's requests to ``dispatcher``."""
        self._inbox = dispatcher.inbox
        SlackInbound(dispatcher, self.channel).register(self.app)

    def mount(self, server: HttpServer) -> None:
        """Serve ``POST /slack/events`` on ``server`` (HTTP mode only)."""
        if self.socket_mode is None:
            server.add_post(EVENTS_PATH, self.events)

    async def events(self, request: web.Request) -> web.Response:
        """``POST /slack/events``: Bolt verifies the signature, acks, then runs listeners."""
        try:
            bolt_request = await to_bolt_request(request)
            key = _message_key(bolt_request.body) if self._inbox is not None else None
            recorded = self._inbox.awaiting(key) if self._inbox and key else None
            bolt_response = await self.app.async_dispatch(bolt_request)
        except (UnicodeDecodeError, ValueError) as exc:  # junk (e.g. a timestamp "abc"), unsigned
            _LOGGER.warning("refused a request to %s: %s", EVENTS_PATH, type(exc).__name__)
            return web.Response(status=400, text="bad request")
        if recorded is not None and bolt_response.status == 200:
            # a message event is answered once it is in the inbox, within Slack's 3 s; a
            # replica killed before that leaves it to Slack's retry (to any replica)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(recorded), RECORD_SECONDS)
        if key is not None and self._inbox is not None:
            self._inbox.settle(key)
        return await to_aiohttp_response(bolt_response)

    async def start(self) -> None:
        """Check the token (``auth.test``) and link the plan's people to Slack users.

        Raises:
            slack_sdk.errors.SlackApiError: If Slack refuses the token.
        """
        auth = await self.client.auth_test()
        _LOGGER.info("Slack: %s in %s", auth.get("user"), auth.get("team"))
        await self.link_people()
        if self.socket_mode is not None:
            # ask once ourselves: Bolt's own connect retries a refused app token forever
            await self.client.apps_connections_open(app_token=self.app_token or "")
            await self.socket_mode.connect_async()  # type: ignore[no-untyped-call]
            _LOGGER.info("Slack: Socket Mode connected")
        self.started = True

    async def link_people(self) -> list[str]:
        """Link each person of the plan not yet linked: ``accounts.slack``, else e-mail.

        Returns:
            Person ids linked now.
        """
        linked_now: list[str] = []
        known = await self.db.run(partial(accounts.linked_people, platform=PLATFORM))
        for person in self.ctx.plan.plan.people:
            if person.id in known:
                continue
            user_id = person.accounts.slack
            email = person.accounts.email
            if user_id is None and email:
                try:
                    found = await self.client.users_lookupByEmail(email=email)
                    user_id = str(found["user"]["id"])
                except SlackApiError as exc:
                    _LOGGER.info(
                        "%s: no Slack user for the e-mail (%s)",
                        person.id,
                        exc.response.get("error"),
                    )
                    continue
            if user_id is None:
                continue
            locale = await self._locale(user_id)
            await self.db.run(
                partial(_link, ctx=self.ctx, person_id=person.id, user_id=user_id, locale=locale)
            )
            linked_now.append(person.id)
        if linked_now:
            _LOGGER.info("linked to Slack: %s", ", ".join(linked_now))
        return linked_now

    async def _locale(self, user_id: str) -> str | None:
        """The Slack user's locale (``lv-LV``, ``en-US``; field case C20), if Slack says."""
        try:
            info = await self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            _LOGGER.info("%s: no locale (%s)", user_id, exc.response.get("error"))
            return None
        locale = (info.get("user") or {}).get("locale")
        return locale if isinstance(locale, str) else None

    async def door(self, enrol: Callable[[], Awaitable[str]] | None) -> str | None:
        """The robot's app in Slack (``app_redirect``; people are linked by e-mail, no code)."""
        if self._door is None:
            auth = await self.client.auth_test()
            info = await self.client.bots_info(bot=str(auth["bot_id"]))
            app_id, team = info["bot"]["app_id"], auth["team_id"]
            self._door = f"https://slack.com/app_redirect?app={app_id}&team={team}"
        return self._door

    def health(self) -> str:
        """``ok`` once started (the token was accepted), else ``stopped``."""
        return "ok" if self.started else "stopped"

    async def stop(self) -> None:
        """Close Socket Mode (if on) and the Web API client's HTTP session."""
        self.started = False
        if self.socket_mode is not None:
            await self.socket_mode.close_async()  # type: ignore[no-untyped-call]
        session = getattr(self.client, "session", None)
        if session is not None and not session.closed:
            await session.close()


def _link(
    session: Session, *, ctx: Context, person_id: str, user_id: str, locale: str | None
) -> None:
    accounts.link(session, ctx, person_id, PLATFORM, user_id, locale, seen=False)


def _refusal(api_url: str, exc: SlackApiError) -> str:
    """Why Slack refused to start us, naming the setting to look at."""
    data = exc.response.data
    error = data.get("error") if isinstance(data, dict) else None
    status = exc.response.status_code
    if error is None or status >= 500:
        return f"Slack at {api_url} answered HTTP {status}, not the Web API"
    token = (
        "app token (CONTROLBOT_SLACK_APP_TOKEN)"
        if "connections" in str(exc.response.api_url)
        else "bot token (CONTROLBOT_SLACK_BOT_TOKEN)"
    )
    return f"Slack refused the {token}: {error}"


def _message_key(body: dict[str, Any]) -> str | None:
    """The inbox key (``slack:<event_id>``) of a person's plain DM, else ``None``.

    Only those are waited for: Bolt does not hand the bot's own messages to our listener, and
    edits and files (answered with a hint) are acknowledged at once.
    """
    event = body.get("event")
    event_id = body.get("event_id")
    if body.get("type") != "event_callback" or not isinstance(event, dict):
        return None
    if event.get("type") != "message" or event.get("channel_type") != "im":
        return None
    if event.get("subtype") or event.get("bot_id") or not isinstance(event_id, str):
        return None
    return f"slack:{event_id}" if event_id else None
