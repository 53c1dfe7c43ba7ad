"""This module contains :class:`SlackInbound`: Slack requests → our events, through slack-bolt.

* a button (``block_actions`` whose ``action_id`` starts with ``controlbot``) →
  :class:`~bot.events.ChoiceSelected`, acknowledged first (field case C09: Slack waits 3 s);
  refusals (someone else's decision, a stale button) come back as an ephemeral message; in a
  DM the pressed message then loses its buttons;
* a DM (``message`` event, ``channel_type: im``) → :class:`~bot.events.TextReceived`; an event
  Slack sends again (``X-Slack-Retry-Num``) is handled once;
* ``/control [sub-command …]`` → :class:`~bot.events.CommandReceived`, acknowledged at once.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any, TypedDict

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.channel import Address, TemporaryFailure, Unreachable
from bot.dispatch import Dispatcher
from bot.events import (
    ChoiceSelected,
    CommandReceived,
    Sender,
    TextReceived,
    UnsupportedMessage,
)
from bot.i18n import Lang, as_lang
from bot.messages import Message
from bot.slack import blocks, modals
from bot.slack.blocks import ACTION_PREFIX
from bot.slack.channel import PLATFORM, SlackChannel
from bot.tokens import Token, TokenError

_LOGGER = logging.getLogger(__name__)

SLASH_COMMAND = "/control"
UNREAD_SUBTYPES = frozenset({"message_changed", "file_share"})
"""DM events the bot cannot take as an answer, but should say so about."""
MEASURE_WORDS = frozenset({"measure", "mērīt", "merit"})
"""``/control measure`` opens the measurement modal of the earliest open round."""
SEEN_EVENTS = 1000
"""Recent event ids remembered, so an event Slack retries is handled once."""
Ack = Callable[..., Awaitable[Any]]


class SlackInbound:
    """Registers our listeners on a Bolt app.

    Args:
        dispatcher: The shared dispatcher.
        channel: The Slack channel (ephemeral answers, message updates).
    """

    def __init__(self, dispatcher: Dispatcher, channel: SlackChannel) -> None:
        self.dispatcher = dispatcher
        self.channel = channel
        self._seen: deque[str] = deque(maxlen=SEEN_EVENTS)
        self._langs: dict[str, Lang] = {}
        """Slack user → language, learnt when their modal was filled (no lookup at open)."""
        self._names: dict[str, str] = {}
        """Slack user id → the name a mention of them shows (``users.info``)."""

    def register(self, app: AsyncApp) -> None:
        """Add the listeners to ``app``."""
        app.action(re.compile(f"^{ACTION_PREFIX}:"))(self.on_action)
        app.event("message")(self.on_message)
        app.command(SLASH_COMMAND)(self.on_command)
        app.event("app_home_opened")(self.on_home)
        app.view(modals.CALLBACK_ID)(self.on_submit)

    def _seen_before(self, event_id: str | None) -> bool:
        if not event_id:
            return False
        if event_id in self._seen:
            return True
        self._seen.append(event_id)
        return False

    async def typed(self, text: str) -> str:
        """``text`` as the person typed it, mentions of people by name (``@Anna Ozola``)."""
        ids = {m.group(1) for m in _USER_MENTION.finditer(text)}
        names = {user: await self._name(user) for user in sorted(ids)}
        return unescape(text, names)

    async def _name(self, user: str) -> str:
        """The name Slack shows for ``user`` (display name, else real name), else the id."""
        if user in self._names:
            return self._names[user]
        try:
            info = (await self.channel.client.users_info(user=user)).get("user") or {}
        except SlackApiError as exc:
            _LOGGER.info("%s: no name (%s)", user, exc.response.get("error"))
            return user
        profile = info.get("profile") or {}
        candidates = (profile.get("display_name"), profile.get("real_name"), info.get("name"))
        name = next((str(c) for c in candidates if c), user)
        self._names[user] = name
        return name

    async def on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """A message event: a person's DM to the bot is a form answer."""
        try:
            await self._message(body, event)
        finally:  # nothing to record (not a DM, a bot, seen): its request may answer now
            self.dispatcher.inbox.settle(_event_order(body, event)["key"])

    async def _message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if self._seen_before(body.get("event_id")):
            _LOGGER.info("Slack sent event %s again; handled once", body.get("event_id"))
            return
        if event.get("channel_type") != "im" or event.get("bot_id"):
            return
        subtype = event.get("subtype")
        if subtype in UNREAD_SUBTYPES:  # an edit, or a file: say what we read
            user = event.get("user") or (event.get("message") or {}).get("user")
            if isinstance(user, str) and not (event.get("message") or {}).get("bot_id"):
                kind = "edit" if subtype == "message_changed" else "media"
                await self.dispatcher.handle(
                    UnsupportedMessage(Sender(PLATFORM, user), kind), **_event_order(body, event)
                )
            return
        if subtype:
            return
        user, text = event.get("user"), event.get("text")
        if not isinstance(user, str) or not isinstance(text, str):
            return
        typed = await self.typed(text)
        await self.dispatcher.handle(
            TextReceived(Sender(PLATFORM, user), typed), **_event_order(body, event)
        )

    async def on_home(self, event: dict[str, Any]) -> None:
        """App Home opened: publish the person's home view in their language."""
        if event.get("tab", "home") != "home" or not isinstance(event.get("user"), str):
            return
        user = str(event["user"])
        view = await self.dispatcher.home(Sender(PLATFORM, user))
        if view is None:
            return  # not enrolled: Slack shows its default home
        parts = blocks.render(view)
        home = [b for part in parts for b in part.blocks][: blocks.HOME_BLOCKS]
        try:
            await self.channel.client.views_publish(
                user_id=user, view={"type": "home", "blocks": home}
            )
        except SlackApiError as exc:
            _LOGGER.warning("App Home for %s not published: %s", user, exc.response.get("error"))

    async def on_command(self, ack: Ack, command: dict[str, Any]) -> None:
        """``/control pending`` and friends; ``/control`` alone shows what waits."""
        await ack()
        words = (await self.typed(str(command.get("text", "")))).split()
        name = words[0].lower().lstrip("/") if words else "pending"
        user, channel = str(command.get("user_id", "")), str(command.get("channel_id", ""))
        chat = None if channel.startswith("D") else channel
        sender = Sender(PLATFORM, user, None, chat)
        if name in MEASURE_WORDS and command.get("trigger_id"):
            round_id = await self.dispatcher.first_round_to_measure(sender)
            if round_id is not None:
                await self._open_modal(sender, str(command["trigger_id"]), round_id)
                return
            name = "pending"  # nothing to measure: say what waits instead

        async def alert(text: str) -> None:
            await self._ephemeral(channel, user, text)

        key = f"{PLATFORM}:{command['trigger_id']}" if command.get("trigger_id") else None
        await self.dispatcher.handle(
            CommandReceived(sender, name, tuple(words[1:])), alert=alert, key=key
        )

    async def on_action(self, ack: Ack, body: dict[str, Any]) -> None:
        """A pressed button: acknowledge, then hand its token to the dispatcher.

        *Enter measurements* opens the measurement modal instead of a chat form.
        """
        await ack()
        actions = body.get("actions") or [{}]
        token = str(actions[0].get("value", ""))
        user = str((body.get("user") or {}).get("id", ""))
        channel = str((body.get("channel") or {}).get("id", ""))
        private = not channel or channel.startswith("D")
        sender = Sender(PLATFORM, user, None, None if private else channel)
        round_id = _round_to_measure(token)
        if round_id is not None and body.get("trigger_id"):
            await self._open_modal(sender, str(body["trigger_id"]), round_id)
            return
        alerted = False

        async def alert(text: str) -> None:
            nonlocal alerted
            alerted = True
            await self._ephemeral(channel, user, text)

        pressed = actions[0].get("action_ts")
        key = f"{PLATFORM}:action:{user}:{pressed}" if pressed else None
        await self.dispatcher.handle(
            ChoiceSelected(sender, token), alert=alert, key=key, seq=_micros(pressed)
        )
        message = body.get("message") or {}
        if private and not alerted and message.get("ts"):
            await self._without_buttons(channel, message)

    async def _open_modal(self, sender: Sender, trigger_id: str, round_id: int) -> None:
        """Open a loading modal at once (the trigger expires in 3 s; C09), then fill it."""
        known = self._langs.get(sender.user_id)  # no lookup before the open
        lang = known or as_lang(self.dispatcher.ctx.default_lang) or "lv"
        try:
            opened = await self.channel.client.views_open(
                trigger_id=trigger_id, view=modals.loading_view(known)
            )
        except SlackApiError as exc:
            _LOGGER.warning("the modal did not open: %s", exc.response.get("error"))
            return
        view = opened.get("view") or {}
        begun = await self.dispatcher.begin_form(sender, round_id)
        if isinstance(begun, str):
            final = modals.message_view(lang, begun)
        else:
            preview, person_lang = begun
            self._langs[sender.user_id] = person_lang
            state = modals.ModalState(
                round_id,
                preview.activity_id,
                preview.period,
                person_lang,
                preview.indicators,
                answers=dict(preview.answers),
                plausible={
                    key: (str(low), str(high)) for key, (low, high) in preview.plausible.items()
                },
            )
            final = modals.values_view(self.dispatcher.ctx, state, preview.earlier)
        try:
            await self.channel.client.views_update(
                view_id=view.get("id"), hash=view.get("hash"), view=final
            )
        except SlackApiError as exc:
            _LOGGER.warning("the modal was not filled in: %s", exc.response.get("error"))

    async def on_submit(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """A step of the measurement modal: checked in the ack, stored after it (C08, C09)."""
        ctx = self.dispatcher.ctx
        try:
            state = modals.ModalState.load(str(view.get("private_metadata", "")))
            spec = modals.spec_of(ctx, state)
        except Exception:  # not our metadata, or the plan changed under the modal
            _LOGGER.warning("a measurement modal could not be read; closed it", exc_info=True)
            await ack()
            return
        given = {**state.answers, **modals.typed(view)}
        values = modals.value_fields(ctx, state)
        parsed, errors = modals.check(ctx, state, values, given)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        comments = modals.comment_fields(spec, parsed)
        if state.step == "values" and comments:
            state.step, state.answers = "comments", given
            await ack(response_action="update", view=modals.comments_view(ctx, state, parsed))
            return
        more, errors = modals.check(ctx, state, comments, given)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        parsed.update(more)
        if state.step != "confirm":
            state.step, state.answers = "confirm", given
            await ack(response_action="update", view=modals.confirm_view(ctx, state, parsed))
            return
        await ack()  # closes the modal; storing happens after the ack
        user = str((body.get("user") or {}).get("id", ""))
        answers = {f.id: given[f.id] for f in spec.fields if f.id in parsed}
        # no inbox key: a submission corrected after an error has the same view id and hash;
        # a repeated one changes nothing (the first answer of each indicator counts)
        await self.dispatcher.submit_form(
            Sender(PLATFORM, user), state.round_id, answers, state.lang
        )

    async def _ephemeral(self, channel: str, user: str, text: str) -> None:
        """A note only ``user`` sees in ``channel``; a DM when there is no channel (App Home)."""
        try:
            if channel:
                await self.channel.client.chat_postEphemeral(channel=channel, user=user, text=text)
            else:
                await self.channel.send(Address(PLATFORM, "dm", user, user), Message(text))
        except (SlackApiError, Unreachable, TemporaryFailure) as exc:
            _LOGGER.info("a note to %s failed: %s", user, exc)

    async def _without_buttons(self, channel: str, message: dict[str, Any]) -> None:
        """The pressed DM message, its buttons removed (so it cannot be pressed twice)."""
        kept = [b for b in message.get("blocks") or [] if b.get("type") != "actions"]
        try:
            await self.channel.client.chat_update(
                channel=channel, ts=message["ts"], text=message.get("text") or "…", blocks=kept
            )
        except SlackApiError as exc:
            _LOGGER.info("could not remove the buttons: %s", exc.response.get("error"))


def _round_to_measure(raw: str) -> int | None:
    """The round of an *Enter measurements* token, else ``None``."""
    try:
        token = Token.decode(raw)
    except TokenError:
        return None
    measure = token.kind == "round" and token.value in ("start", "draft")
    return token.ref if measure else None


_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def _shown(match: re.Match[str], names: Mapping[str, str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):  # a person: their name as Slack showed it
        return "@" + (label or names.get(target[1:]) or target[1:]).lstrip("@")
    if target.startswith("#"):  # a channel
        return "#" + (label or target[1:]).lstrip("#")
    if target.startswith("!"):  # @channel, @here, @everyone, a user group, a date
        special = target[1:].split("^", 1)[0]
        if label:
            return label
        return "@" + special
    if label and label != target.removeprefix("mailto:"):
        return f"{label} ({target.removeprefix('mailto:')})"
    return label or target.removeprefix("mailto:")


def unescape(text: str, names: Mapping[str, str] | None = None) -> str:
    """What the person saw as they typed it.

    Slack sends links and mentions as ``<https://…|label>``, ``<@U123>``, ``<!channel>``,
    ``<#C123|name>`` and ``<mailto:…>``, and ``&``, ``<``, ``>`` as entities (Slack API,
    formatting text): ``@Anna Ozola``, ``@channel`` and ``#name`` come back as typed.

    Args:
        text: The text of the event or command.
        names: Slack user id → name, for mentions that carry no label.
    """
    known = names or {}
    text = _MARKUP.sub(lambda m: _shown(m, known), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class Order(TypedDict):
    """An event's place in the inbox: Slack's ``event_id`` and the message time."""

    key: str | None
    seq: int | None


def _event_order(body: dict[str, Any], event: dict[str, Any]) -> Order:
    """The inbox key (``slack:<event_id>``; a retried event has the same) and order."""
    event_id = body.get("event_id")
    key = f"{PLATFORM}:{event_id}" if isinstance(event_id, str) and event_id else None
    return Order(key=key, seq=_micros(event.get("ts")) or _micros(body.get("event_time")))


def _micros(stamp: object) -> int | None:
    """A Slack timestamp (``"1700000000.000100"``, seconds) in microseconds, or ``None``."""
    try:
        return int(Decimal(str(stamp)) * 1_000_000) if stamp is not None else None
    except ArithmeticError:
        return None
