"""This module contains :class:`SlackChannel`: sending our messages through the Slack Web API.

A DM goes to the conversation ``conversations.open`` gives for the user; a team channel to its
channel id. Each :class:`~bot.messages.Message` becomes one or more ``chat.postMessage`` calls
(Block Kit, split to Slack's limits), and a chart is uploaded with ``files_upload_v2`` (the
supported upload flow; field case C11). Failures are sorted by what helps:

* the bot is not in a public channel: it joins and posts once; a private channel, or no
  permission: :class:`~bot.channel.Unreachable`, so the admin channel is told (field case C04);
* a user or channel that is gone: :class:`~bot.channel.Unreachable` (C03);
* rate limits (429 with ``Retry-After``): a short one (up to :data:`MAX_WAIT_SECONDS`) is
  waited out by :class:`RateLimitHandler`; a longer one pauses that method for that channel
  (``chat.postMessage`` is limited per channel; other methods per workspace) and is
  :class:`~bot.channel.TemporaryFailure` with its ``retry_after``, so the caller keeps the
  message queued and nothing sleeps holding it; until the pause ends, sends there fail the
  same way at once, without a call (C05);
* network failures: :class:`~bot.channel.TemporaryFailure`.

Posts to a team channel keep Slack's pace for ``chat.postMessage``: one a second per channel,
in order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.channel import Address, PartlyDelivered, TemporaryFailure, Unreachable
from bot.formatting import shorten
from bot.messages import Message
from bot.posted import PostedMessages
from bot.slack import blocks

_LOGGER = logging.getLogger(__name__)

PLATFORM = "slack"
GONE = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "not_in_channel",
        "restricted_action",
    }
)
"""Web API errors that mean this recipient is out of our reach until someone acts. Errors of
the app itself (``account_inactive``, ``missing_scope``, ``invalid_auth``…) are not here: they
say nothing about the recipient and must not mark anyone unreachable."""
PASSING = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
"""Web API errors that pass by themselves: the delivery ledger tries again later."""
MAX_WAIT_SECONDS = 5.0
"""The longest Retry-After waited out here; a longer one is the caller's to wait (it keeps the
message queued and tries again after it)."""
CHANNEL_POST_SECONDS = 1.0
"""Slack's ``chat.postMessage`` limit: about one message a second per channel."""
PER_CHANNEL = frozenset({"chat.postMessage", "chat.update"})
"""Methods whose rate limit Slack keeps per channel; the others per method and workspace."""


class RateLimitHandler(AsyncRetryHandler):
    """Waits out Slack's 429 answers (``Retry-After``) with an injectable sleep.

    Args:
        sleep: Waits the given seconds (default :func:`asyncio.sleep`).
        max_retry_count: 429 answers to wait out per call.
        clock: Monotonic seconds (default :func:`time.monotonic`), for the channel's pauses.
    """

    def __init__(
        self,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_retry_count: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep
        self.clock = clock
        self.on_429: Callable[[float], None] = lambda _seconds: None
        """Told the ``Retry-After`` of every 429 answer (the metrics count them)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return _retry_after(response) <= MAX_WAIT_SECONDS

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        """Whether to repeat the call; every 429 answer passes here once and is counted."""
        if error is None and response is not None and response.status_code == 429:
            self.on_429(_retry_after(response))
        return await super().can_retry_async(
            state=state, request=request, response=response, error=error
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait the advertised ``Retry-After`` seconds, then let the call repeat."""
        seconds = _retry_after(response) if response is not None else 1.0
        _LOGGER.warning("Slack rate limit on %s: waiting %.0f s", request.url, seconds)
        state.increment_current_attempt()
        state.next_attempt_requested = True
        await self.sleep(seconds)


def _retry_after(response: HttpResponse) -> float:
    return _seconds(response.headers)


def _seconds(headers: dict[str, Any]) -> float:
    """The ``Retry-After`` header in seconds (at least 1; 1 when absent or unreadable)."""
    for key, values in headers.items():
        if key.lower() == "retry-after" and values:
            value = values[0] if isinstance(values, list) else values
            try:
                seconds = float(value)
            except ValueError:
                return 1.0
            return max(seconds, 1.0) if seconds == seconds else 1.0  # NaN → 1 s
    return 1.0


class SlackChannel:
    """The outbound Slack channel.

    Args:
        client: The Web API client (its ``base_url`` from our settings).
        posted: Where messages that may be edited later are remembered.
        clock: Monotonic seconds (default :func:`time.monotonic`).
        sleep: Waits the given seconds (default :func:`asyncio.sleep`).
    """

    platform = PLATFORM

    def __init__(
        self,
        client: AsyncWebClient,
        posted: PostedMessages,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.posted = posted
        self.clock = clock
        self.sleep = sleep
        self._dm: dict[str, str] = {}
        self._paused_until: dict[tuple[str, str], float] = {}
        self._last_post: dict[str, float] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def paused_for(self, target: str) -> float:
        """Seconds until Slack takes messages for ``target`` again after a 429 (0: now)."""
        now = self.clock()
        pauses = [
            until - now
            for (method, where), until in self._paused_until.items()
            if where == target or (where == "*" and method not in PER_CHANNEL)
        ]
        return max([0.0, *pauses])

    async def send(self, address: Address, message: Message) -> str | None:
        """Deliver ``message`` to a user's DM or a channel.

        Returns:
            Slack's ``ts`` of the (last) message posted, or ``None`` when an earlier one was
            updated instead.

        Raises:
            Unreachable: If Slack refuses the recipient until someone acts.
            TemporaryFailure: If Slack cannot be reached, or rate-limits for longer than
                :data:`MAX_WAIT_SECONDS` (with ``retry_after``).
            slack_sdk.errors.SlackApiError: If Slack refuses the message itself.
        """
        paused = self.paused_for(address.target)
        if paused > MAX_WAIT_SECONDS:
            raise TemporaryFailure(f"{address}: rate-limited", paused)
        if paused > 0:
            await self.sleep(paused)
        async with self._locks[address.target]:  # one message at a time keeps the order
            return await self._send_sorted(address, message)

    async def _send_sorted(self, address: Address, message: Message) -> str | None:
        """:meth:`_send`, with Slack's errors sorted (see the module)."""
        try:
            return await self._send(address, message)
        except SlackApiError as exc:
            data = exc.response.data
            error = str(data.get("error", "")) if isinstance(data, dict) else ""
            if exc.response.status_code == 429 or error == "ratelimited":
                seconds = self._pause(address, exc)
                raise TemporaryFailure(f"{address}: ratelimited", seconds) from exc
            if error in PASSING or exc.response.status_code >= 500:
                raise TemporaryFailure(f"{address}: {error or exc.response.status_code}") from exc
            if not isinstance(data, dict):  # an HTML page from a proxy: Slack is not answering
                raise TemporaryFailure(f"{address}: not a Web API answer") from exc
            if error in GONE:
                raise Unreachable(address, error) from exc
            raise
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TemporaryFailure(f"{address}: {exc}") from exc

    def _pause(self, address: Address, exc: SlackApiError) -> float:
        """Remember Slack's ``Retry-After`` for the method (and channel) it refused."""
        seconds = _seconds(dict(exc.response.headers or {}))
        method = str(exc.response.api_url).rstrip("/").rsplit("/", 1)[-1]
        where = address.target if method in PER_CHANNEL else "*"
        self._paused_until[(method, where)] = self.clock() + seconds
        _LOGGER.warning("Slack rate limit on %s (%s): retry after %.0f s", method, where, seconds)
        return seconds

    async def conversation(self, address: Address) -> str:
        """The conversation id to post to: a user's DM (opened once) or the channel."""
        if address.kind == "channel":
            return address.target
        known = self._dm.get(address.target)
        if known is None:
            response = await self.client.conversations_open(users=address.target)
            known = str(response["channel"]["id"])
            self._dm[address.target] = known
        return known

    async def _send(self, address: Address, message: Message) -> str | None:
        channel = await self.conversation(address)
        if message.replaces and await self._settle(channel, address, message):
            return None
        parts = blocks.render(message)
        parent = await self.posted.find(message.thread, channel) if message.thread else None
        last: dict[str, Any] | None = None
        for part in parts:
            last = await self._post(address, channel, part, parent.message_id if parent else None)
        if message.ref and last is not None:
            await self.posted.remember(message.ref, channel, str(last["ts"]))
        if message.image is not None:
            await self._upload(address, channel, message)
        return str(last["ts"]) if last is not None else None

    async def _post(
        self,
        address: Address,
        channel: str,
        part: blocks.SlackMessage,
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        if address.kind == "channel":  # one post a second per channel (chat.postMessage)
            since = self.clock() - self._last_post.get(channel, float("-inf"))
            if since < CHANNEL_POST_SECONDS:
                await self.sleep(CHANNEL_POST_SECONDS - since)
        post = partial(
            self.client.chat_postMessage,
            channel=channel,
            text=part.text,
            blocks=part.blocks,
            unfurl_links=False,
            unfurl_media=False,
            thread_ts=thread_ts,
        )
        try:
            response = await post()
        except SlackApiError as exc:
            if exc.response.get("error") != "not_in_channel" or address.kind != "channel":
                raise
            await self._join(address, channel)  # a public channel: join and post once (C04)
            response = await post()
        finally:
            self._last_post[channel] = self.clock()  # after the answer: Slack has counted it
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def _join(self, address: Address, channel: str) -> None:
        try:
            await self.client.conversations_join(channel=channel)
        except SlackApiError as exc:  # private, or no channels:join scope: someone must invite us
            error = str(exc.response.get("error", ""))
            _LOGGER.warning("cannot join %s: %s", channel, error)
            raise Unreachable(address, f"not_in_channel ({error})") from exc
        _LOGGER.info("joined the public channel %s", channel)

    async def _settle(self, channel: str, address: Address, message: Message) -> bool:
        """Show earlier messages about ``message.replaces`` as settled (no buttons).

        Returns:
            Whether nothing more needs posting: in a channel the earlier message now shows
            this one; in a DM it does too, and this one is posted as well.
        """
        assert message.replaces is not None
        earlier = await self.posted.take(message.replaces, channel)
        settled = Message(message.text, title=message.title)
        parts = blocks.render(settled)
        if len(parts) != 1:
            return False
        for posted in earlier:
            try:
                await self.client.chat_update(
                    channel=channel,
                    ts=posted.message_id,
                    text=parts[0].text,
                    blocks=parts[0].blocks,
                )
            except SlackApiError as exc:  # deleted meanwhile
                _LOGGER.info(
                    "could not update %s in %s: %s", posted, channel, exc.response.get("error")
                )
        return bool(earlier) and address.kind == "channel"

    async def _upload(self, address: Address, channel: str, message: Message) -> None:
        """Upload the chart with the supported flow (``files_upload_v2``; field case C11).

        Raises:
            PartlyDelivered: If the upload failed (the text is posted; not retried).
        """
        assert message.image is not None
        try:
            await self.client.files_upload_v2(
                channel=channel,
                file=message.image,
                filename="chart.png",
                title=shorten(message.title or "chart", 200),
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            _LOGGER.error("the chart for %s was not uploaded: %s", channel, exc)
            raise PartlyDelivered(address, f"chart not uploaded: {exc}") from exc
