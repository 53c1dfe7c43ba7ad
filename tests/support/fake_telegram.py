"""A fake Telegram Bot API server on 127.0.0.1 (port 0), spoken to over real HTTP.

It answers the methods controlbot uses the way the Bot API does (``{"ok": true, "result":
…}``), checks what Telegram checks (HTML entities, 4096/1024-character limits, 64-byte
callback data) and can be told to answer like Telegram does in trouble: a user who blocked
the bot (403), a group upgraded to a supergroup (400 with ``migrate_to_chat_id``), flood
control (429 with ``retry_after``), a failing network (502).

With ``limits`` on it also keeps Telegram's flood limits the way Telegram does, by counting
arrivals on its own clock (:class:`FloodLimits`): 30 messages a second overall, one a second
in a chat with a short burst allowed in a private chat, 20 a minute in a group; beyond them
it answers 429 with the wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import math
import re
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.waiting import wait_until

TOKEN = "123456:TEST-token"
BOT_USERNAME = "controlbot_test_bot"
ONE_BOT = "make sure that only one bot instance is running"
ALLOWED_TAGS = {"b", "i", "u", "s", "code", "pre"}
_MARKUP = re.compile(r"<(/?)([a-z]+)>|&(lt|gt|amp|quot|#[0-9]+);|[<>&]")


class EntityError(ValueError):
    """Text Telegram would refuse with "can't parse entities"."""


def visible_text(text: str) -> str:
    """The text a user sees after Telegram parses HTML; raises :class:`EntityError`."""
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for match in _MARKUP.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        closing, tag, entity = match.group(1), match.group(2), match.group(3)
        if tag is not None:
            if tag not in ALLOWED_TAGS:
                raise EntityError(f"unsupported start tag {tag!r}")
            if closing:
                if not stack or stack.pop() != tag:
                    raise EntityError(f"unmatched end tag {tag!r}")
            else:
                stack.append(tag)
        elif entity is not None:
            out.append(html.unescape(match.group(0)))
        else:
            raise EntityError(f"unescaped {match.group(0)!r}")
    if stack:
        raise EntityError(f"unclosed tag {stack[-1]!r}")
    out.append(text[pos:])
    return "".join(out)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    """One Bot API call as received."""

    method: str
    params: dict[str, Any]
    at: float

    @property
    def chat(self) -> str:
        return str(self.params.get("chat_id", ""))


OVERALL_PER_SECOND = 30
"""Telegram Bots FAQ: about 30 messages per second overall."""
PRIVATE_BURST = 3
"""One a second in a private chat, with "short bursts" allowed (Bots FAQ): a bucket of 3."""
GROUP_PER_MINUTE = 20
"""Telegram Bots FAQ: at most 20 messages per minute in a group."""


@dataclass
class FloodLimits:
    """Counts message calls as they arrive and says when one is over Telegram's limits."""

    arrivals: list[float] = field(default_factory=list)
    refused: int = 0
    _overall: deque[float] = field(default_factory=deque)
    _chats: defaultdict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def check(self, chat: str, now: float) -> int | None:
        """Record an arrival for ``chat`` at ``now``; the 429's wait if it is over a limit."""
        waits = [_window_wait(self._overall, OVERALL_PER_SECOND, 1.0, now)]
        recent = self._chats[chat]
        if chat.startswith("-") or chat.startswith("@"):
            waits.append(_window_wait(recent, 1, 1.0, now))
            waits.append(_window_wait(recent, GROUP_PER_MINUTE, 60.0, now))
        else:
            tokens, at = self._buckets.get(chat, (float(PRIVATE_BURST), now))
            tokens = min(float(PRIVATE_BURST), tokens + (now - at))
            waits.append(0.0 if tokens >= 1.0 else 1.0 - tokens)
        wait = max(waits)
        if wait > 0:
            self.refused += 1
            return max(1, math.ceil(wait))
        self.arrivals.append(now)
        self._overall.append(now)
        recent.append(now)
        if not (chat.startswith("-") or chat.startswith("@")):
            self._buckets[chat] = (tokens - 1.0, now)
        return None

    def rate(self) -> float:
        """Messages a second over the whole seconds from the first arrival to the last."""
        if not self.arrivals:
            return 0.0
        seconds = math.floor(self.arrivals[-1] - self.arrivals[0] + 1e-9)
        if seconds == 0:
            return float(len(self.arrivals))
        inside = [a for a in self.arrivals if a - self.arrivals[0] < seconds - 1e-9]
        return len(inside) / seconds

    def busiest_second(self) -> int:
        """The most arrivals in any window of one second."""
        best, start = 0, 0
        for end, at in enumerate(self.arrivals):
            while at - self.arrivals[start] >= 1.0 - 1e-9:
                start += 1
            best = max(best, end - start + 1)
        return best


def _window_wait(recent: deque[float], calls: int, seconds: float, now: float) -> float:
    """Seconds until one more arrival fits ``calls`` in ``seconds`` (0: it fits now)."""
    fresh = [at for at in recent if now - at < seconds - 1e-9]  # float sums of virtual time
    if len(fresh) < calls:
        return 0.0
    return fresh[len(fresh) - calls] + seconds - now


@dataclass
class FakeTelegram:
    """The fake server. Start with :meth:`start`; ``url`` is the ``base_url`` to give PTB."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    migrated: dict[str, int] = field(default_factory=dict)
    floods: dict[str, list[int]] = field(default_factory=dict)
    network_failures: dict[str, int] = field(default_factory=dict)
    messages: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    clock: Callable[[], float] = field(default=lambda: 0.0)
    limits: FloodLimits | None = None
    conflicts: int = 0
    """How many ``getUpdates`` to answer 409, as when another process polls the same bot."""
    """Telegram's flood limits, counted on ``clock`` (off unless set)."""

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._next_update = 1
        self._next_message = 1000
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.webhook: dict[str, Any] | None = None

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        port = runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/bot"
        return self.url

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests look at ------------------------------------------------------------

    def sent(self, chat: str | int | None = None, method: str = "sendMessage") -> list[Call]:
        return [
            c for c in self.calls if c.method == method and (chat is None or c.chat == str(chat))
        ]

    def texts(self, chat: str | int) -> list[str]:
        """The visible texts of messages (and photo captions) delivered to ``chat``."""
        found = []
        for call in self.calls:
            delivered = "_message_id" in call.params
            if (
                call.chat == str(chat)
                and call.method in ("sendMessage", "sendPhoto")
                and delivered
            ):
                raw = call.params.get("text") or call.params.get("caption") or ""
                found.append(visible_text(raw))
        return found

    async def wait_for(self, check: Callable[[], object], limit: float = 10.0) -> None:
        """Wait until ``check()`` is true (the bot works in the same event loop)."""

        def recent() -> str:
            return "calls: " + ", ".join(f"{c.method}({c.chat})" for c in self.calls[-15:])

        await wait_until(check, recent, limit)

    # --- updates (what users do) -------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update, **update}
        self._next_update += 1
        self._updates.append(update)
        self._new_update.set()
        return update

    def user_says(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        language: str | None = "lv",
        first_name: str = "Lietotājs",
    ) -> dict[str, Any]:
        chat = chat_id if chat_id is not None else user_id
        message: dict[str, Any] = {
            "message_id": self._message_id(),
            "date": 1_790_000_000,
            "chat": {"id": chat, "type": chat_type},
            "from": _user(user_id, language, first_name),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.push({"message": message})

    def user_presses(
        self, user_id: int, data: str, message: Call, *, language: str | None = "lv"
    ) -> dict[str, Any]:
        """A press of a button of a message the bot sent (``message``: its sendMessage)."""
        chat = message.chat
        chat_id = int(chat)
        query = {
            "id": f"q{self._next_update}",
            "from": _user(user_id, language, "Lietotājs"),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message.params["_message_id"],
                "date": 1_790_000_000,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "text": "…",
            },
        }
        return self.push({"callback_query": query})

    def group_migrates(self, old: int, new: int) -> None:
        """Telegram's service messages when a group becomes a supergroup."""
        self.migrated[str(old)] = new
        self.push(
            {
                "message": {
                    "message_id": self._message_id(),
                    "date": 1_790_000_000,
                    "chat": {"id": old, "type": "group"},
                    "migrate_to_chat_id": new,
                }
            }
        )

    # --- the server --------------------------------------------------------------------

    def _message_id(self) -> int:
        self._next_message += 1
        return self._next_message

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = value.file.read()
            elif isinstance(value, str):
                params[key] = _maybe_json(key, value)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, self.clock())
        self.calls.append(call)
        if self.network_failures.get(method, 0) > 0:
            self.network_failures[method] -= 1
            return web.Response(status=502, text="Bad Gateway")
        if method == "getUpdates" and self.conflicts > 0:  # another process polls the bot
            self.conflicts -= 1
            return _error(409, "Conflict: terminated by other getUpdates request; " + ONE_BOT)
        if self.floods.get(method):
            return _error(
                429, "Too Many Requests: retry after", retry_after=self.floods[method].pop(0)
            )
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, f"Not Found: method {method} not found")
        chat = str(params.get("chat_id", ""))
        if self.limits is not None and chat:
            wait = self.limits.check(chat, call.at)
            if wait is not None:
                call.params["_refused"] = wait
                return _error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        if chat in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat in self.migrated:
            return _error(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self.migrated[chat],
            )
        try:
            result = await handler(call)
        except EntityError as exc:
            return _error(400, f"Bad Request: can't parse entities: {exc}")
        except _BadRequest as exc:
            return _error(400, f"Bad Request: {exc}")
        return web.json_response({"ok": True, "result": result})

    async def _m_getMe(self, _call: Call) -> dict[str, Any]:
        return {
            "id": 4242,
            "is_bot": True,
            "first_name": "controlbot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_setMyCommands(self, call: Call) -> bool:
        for command in call.params["commands"]:
            if not (1 <= len(command["description"]) <= 256):
                raise _BadRequest("command description is too long")
        return True

    async def _m_deleteWebhook(self, _call: Call) -> bool:
        self.webhook = None
        return True

    async def _m_setWebhook(self, call: Call) -> bool:
        self.webhook = call.params
        return True

    async def _m_answerCallbackQuery(self, call: Call) -> bool:
        if len(call.params.get("text", "") or "") > 200:
            raise _BadRequest("MESSAGE_TOO_LONG")
        return True

    async def _m_getUpdates(self, call: Call) -> list[dict[str, Any]]:
        offset = int(call.params.get("offset", 0) or 0)
        timeout = min(float(call.params.get("timeout", 0) or 0), 1.0)
        pending = [u for u in self._updates if u["update_id"] >= offset]
        if not pending and timeout:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
            pending = [u for u in self._updates if u["update_id"] >= offset]
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        return pending

    def _check_markup(self, params: dict[str, Any]) -> None:
        markup = params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise _BadRequest("BUTTON_DATA_INVALID")

    def _message(self, call: Call, text_key: str) -> dict[str, Any]:
        chat = int(call.params["chat_id"])
        message_id = self._message_id()
        call.params["_message_id"] = message_id
        message = {
            "message_id": message_id,
            "date": 1_790_000_000,
            "chat": {"id": chat, "type": "private" if chat > 0 else "supergroup"},
        }
        raw = call.params.get(text_key)
        if raw is not None:
            message[text_key] = visible_text(raw)
        self.messages[(str(chat), message_id)] = message
        return message

    async def _m_sendMessage(self, call: Call) -> dict[str, Any]:
        text = visible_text(call.params["text"])
        if not text.strip():
            raise _BadRequest("message text is empty")
        if utf16(text) > 4096:
            raise _BadRequest("message is too long")
        self._check_markup(call.params)
        return self._message(call, "text")

    async def _m_sendPhoto(self, call: Call) -> dict[str, Any]:
        if utf16(visible_text(call.params.get("caption") or "")) > 1024:
            raise _BadRequest("message caption is too long")
        if not isinstance(call.params.get("photo"), bytes):
            raise _BadRequest("wrong file")
        self._check_markup(call.params)
        return self._message(call, "caption")

    async def _m_editMessageText(self, call: Call) -> dict[str, Any]:
        key = (str(call.params["chat_id"]), int(call.params["message_id"]))
        if key not in self.messages:
            raise _BadRequest("message to edit not found")
        self.messages[key]["text"] = visible_text(call.params["text"])
        self.messages[key].pop("reply_markup", None)
        return self.messages[key]

    async def _m_editMessageReplyMarkup(self, call: Call) -> dict[str, Any]:
        key = (str(call.params["chat_id"]), int(call.params["message_id"]))
        if key not in self.messages:
            raise _BadRequest("message to edit not found")
        return self.messages[key]


class _BadRequest(Exception):
    pass


def _user(user_id: int, language: str | None, first_name: str) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language is not None:
        user["language_code"] = language
    return user


def _maybe_json(key: str, value: str) -> Any:
    if key in (
        "reply_markup",
        "commands",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
    ):
        return json.loads(value)
    return value


def _error(status: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


class FakeTelegramThread:
    """The fake server in its own thread and event loop, for synchronous tests of the CLI
    (whose ``asyncio.run`` owns the test's thread)."""

    def __init__(self) -> None:
        import threading

        self.fake: FakeTelegram | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self.fake = FakeTelegram()
        self._loop.run_until_complete(self.fake.start())
        self._ready.set()
        self._loop.run_forever()

    def __enter__(self) -> FakeTelegram:
        self._thread.start()
        self._ready.wait(10)
        assert self.fake is not None
        return self.fake

    def call_soon(self, action: Callable[[], object]) -> None:
        """Run ``action`` in the fake's own loop (e.g. a user writing)."""
        self._loop.call_soon_threadsafe(action)

    def __exit__(self, *_exc: object) -> None:
        assert self.fake is not None
        asyncio.run_coroutine_threadsafe(self.fake.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
