"""A fake Slack Web API on 127.0.0.1 (port 0), and signed requests as Slack sends them.

The server answers the methods controlbot uses like Slack (``{"ok": true, …}`` or
``{"ok": false, "error": …}``), checks Block Kit limits (3,000-character sections, 50 blocks,
75-character buttons) and can be told to answer like Slack in trouble: a channel the bot is not
in (public or private), a user gone, a 429 with ``Retry-After``. ``files.upload`` answers
``method_deprecated``, as it does for new apps (field case C11).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.support.waiting import wait_until

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-test-token"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_USER = "UBOT0001"
TEAM = "T0TEAM01"
APP = "A0APP0001"


TEXT_TYPES = ("plain_text", "mrkdwn")


def block_text(block: dict[str, Any]) -> str:
    """What a block shows: a section's text, a rich-text block's texts (bold as ``*…*``)."""
    if block["type"] == "section":
        return str(block["text"]["text"])
    if block["type"] != "rich_text":
        return ""
    parts = []
    for section in block.get("elements", []):
        for element in section.get("elements", []):
            text = str(element.get("text", ""))
            parts.append(f"*{text}*" if element.get("style", {}).get("bold") else text)
    return "".join(parts)


@dataclass
class Call:
    """One Web API call as received."""

    method: str
    params: dict[str, Any]
    at: float

    @property
    def channel(self) -> str:
        return str(self.params.get("channel", ""))


@dataclass
class FakeSlack:
    """The fake Web API. ``url`` is the ``base_url`` for slack-sdk (ends with ``/``)."""

    users_by_email: dict[str, str] = field(default_factory=dict)
    public_not_member: set[str] = field(default_factory=set)
    private_not_member: set[str] = field(default_factory=set)
    floods: dict[str, list[int]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    uploads: list[bytes] = field(default_factory=list)
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    locales: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    """User id → display name that ``users.info`` gives."""
    inactive: set[str] = field(default_factory=set)
    uploads_fail: bool = False
    answers: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Method → (HTTP status, body) to answer once instead of the normal answer."""
    clock: Callable[[], float] = field(default=lambda: 0.0)

    def __post_init__(self) -> None:
        self._socket_ws: web.WebSocketResponse | None = None
        self.socket_acks: list[str] = []
        self._runner: web.AppRunner | None = None
        self._ts = 1_790_000_000
        self.url = ""

    async def start(self) -> str:
        app = web.Application(client_max_size=10 * 1024**2)
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        self.url = f"{self.base}/api/"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests look at ------------------------------------------------------------

    async def wait_for(self, check: Callable[[], object], limit: float = 10.0) -> None:
        """Wait until ``check()`` is true (the bot works in the same event loop)."""

        def recent() -> str:
            return "calls: " + ", ".join(f"{c.method}({c.channel})" for c in self.calls[-15:])

        await wait_until(check, recent, limit)

    def sent(self, channel: str | None = None, method: str = "chat.postMessage") -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (channel is None or c.channel == channel)
        ]

    def texts(self, channel: str) -> list[str]:
        """Every posted message's texts, joined, for ``channel`` (delivered only).

        Sections show their text; a bold ``rich_text`` title shows as ``*title*``.
        """
        return [
            "\n".join(block_text(b) for b in c.params.get("blocks") or [] if block_text(b))
            for c in self.sent(channel)
            if "_ts" in c.params
        ]

    # --- the server --------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {k: _maybe_json(v) for k, v in request.query.items()}
        if request.method == "POST":
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                for key, value in form.items():
                    params[key] = value if not isinstance(value, str) else _maybe_json(value)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if request.headers.get("Authorization") != f"Bearer {token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        params = await self._params(request)
        call = Call(method, params, self.clock())
        self.calls.append(call)
        if method in self.answers:
            status, text = self.answers.pop(method)
            return web.Response(
                status=status,
                text=text,
                content_type="application/json" if text.startswith("{") else "text/html",
            )
        if self.floods.get(method):
            seconds = self.floods[method].pop(0)
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(seconds)},
            )
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        result = await handler(call)
        if "error" in result:
            return web.json_response({"ok": False, **result})
        return web.json_response({"ok": True, **result})

    async def _m_apps_connections_open(self, _call: Call) -> dict[str, Any]:
        return {"url": self.base.replace("http://", "ws://") + "/link"}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._socket_ws = ws
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                data = json.loads(message.data)
                if "envelope_id" in data:
                    self.socket_acks.append(data["envelope_id"])
        return ws

    @property
    def socket_connected(self) -> bool:
        return self._socket_ws is not None and not self._socket_ws.closed

    async def socket_event(self, event: dict[str, Any], envelope_id: str) -> None:
        """Deliver an Events API event over the Socket Mode connection."""
        assert self._socket_ws is not None
        await self._socket_ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "payload": {
                    "team_id": TEAM,
                    "api_app_id": "A0APP001",
                    "type": "event_callback",
                    "event_id": "Ev" + envelope_id,
                    "event_time": int(time.time()),
                    "event": event,
                },
            }
        )

    async def _m_auth_test(self, _call: Call) -> dict[str, Any]:
        return {
            "url": "https://test.slack.com/",
            "team": "Parauga novads",
            "user": "controlbot",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": "B0BOT001",
        }

    async def _m_bots_info(self, call: Call) -> dict[str, Any]:
        bot = str(call.params.get("bot", ""))
        return {"bot": {"id": bot, "app_id": APP, "name": "controlbot", "deleted": False}}

    async def _m_users_lookupByEmail(self, call: Call) -> dict[str, Any]:
        user = self.users_by_email.get(str(call.params.get("email", "")).lower())
        if user is None:
            return {"error": "users_not_found"}
        return {"user": {"id": user, "team_id": TEAM}}

    async def _m_users_info(self, call: Call) -> dict[str, Any]:
        user = str(call.params.get("user", ""))
        info: dict[str, Any] = {"id": user, "team_id": TEAM}
        asked = str(call.params.get("include_locale")).lower() in ("true", "1")
        if user in self.locales and asked:
            info["locale"] = self.locales[user]
        if user in self.names:
            info["profile"] = {"display_name": self.names[user], "real_name": self.names[user]}
        return {"user": info}

    async def _m_conversations_open(self, call: Call) -> dict[str, Any]:
        user = str(call.params.get("users", ""))
        if user in self.inactive:
            return {"error": "user_disabled"}
        return {"channel": {"id": "D" + user[1:]}}

    async def _m_conversations_join(self, call: Call) -> dict[str, Any]:
        channel = call.channel
        if channel in self.private_not_member:
            return {"error": "method_not_supported_for_channel_type"}
        self.public_not_member.discard(channel)
        return {"channel": {"id": channel}}

    def _check_blocks(self, blocks: list[dict[str, Any]]) -> str | None:
        if len(blocks) > 50:
            return "invalid_blocks"
        for block in blocks:
            if block["type"] == "section" and len(block["text"]["text"]) > 3000:
                return "invalid_blocks"
            if block["type"] == "section" and block["text"]["type"] not in TEXT_TYPES:
                return "invalid_blocks"
            if block["type"] == "section" and not block["text"]["text"]:
                return "invalid_blocks"
            if block["type"] == "rich_text" and not block_text(block):
                return "invalid_blocks"
            for element in block.get("elements", []) if block["type"] == "actions" else []:
                if len(element["text"]["text"]) > 75 or len(element.get("value", "")) > 2000:
                    return "invalid_blocks"
        return None

    async def _m_chat_postMessage(self, call: Call) -> dict[str, Any]:
        channel = call.channel
        if channel in self.public_not_member or channel in self.private_not_member:
            return {"error": "not_in_channel"}
        problem = self._check_blocks(call.params.get("blocks") or [])
        if problem:
            return {"error": problem}
        self._ts += 1
        ts = f"{self._ts}.000100"
        call.params["_ts"] = ts
        self.messages[(channel, ts)] = dict(call.params)
        return {"channel": channel, "ts": ts, "message": {"text": call.params.get("text")}}

    async def _m_chat_update(self, call: Call) -> dict[str, Any]:
        key = (call.channel, str(call.params.get("ts")))
        if key not in self.messages:
            return {"error": "message_not_found"}
        self.messages[key] = {**self.messages[key], **call.params}
        return {"channel": key[0], "ts": key[1]}

    def _check_view(self, view: dict[str, Any]) -> str | None:
        for key in ("title", "submit", "close"):
            if key in view and len(view[key]["text"]) > 24:
                return "invalid_arguments"  # a title over 24 characters fails (C06)
        if len(view.get("private_metadata", "")) > 3000 or len(view.get("blocks", [])) > 100:
            return "invalid_arguments"
        for block in view.get("blocks", []):
            if block["type"] == "input" and (
                len(block["label"]["text"]) > 2000
                or len(block.get("hint", {}).get("text", "")) > 2000
            ):
                return "invalid_arguments"
        return self._check_blocks([b for b in view.get("blocks", []) if b["type"] != "input"])

    async def _m_views_open(self, call: Call) -> dict[str, Any]:
        view = call.params.get("view") or {}
        if not call.params.get("trigger_id"):
            return {"error": "invalid_trigger_id"}
        problem = self._check_view(view)
        if problem:
            return {"error": problem}
        view_id = f"V{len(self.views) + 1:08d}"
        self.views[view_id] = {"id": view_id, "hash": "h1", **view}
        return {"view": self.views[view_id]}

    async def _m_views_update(self, call: Call) -> dict[str, Any]:
        view_id = str(call.params.get("view_id"))
        if view_id not in self.views:
            return {"error": "not_found"}
        view = call.params.get("view") or {}
        problem = self._check_view(view)
        if problem:
            return {"error": problem}
        self.views[view_id] = {"id": view_id, "hash": "h2", **view}
        return {"view": self.views[view_id]}

    async def _m_views_publish(self, call: Call) -> dict[str, Any]:
        view = call.params.get("view") or {}
        if len(view.get("blocks", [])) > 100 or self._check_blocks(view.get("blocks", [])):
            return {"error": "invalid_arguments"}
        self.homes[str(call.params.get("user_id"))] = view
        return {"view": {"id": "V1", **view}}

    async def _m_chat_postEphemeral(self, call: Call) -> dict[str, Any]:
        return {"message_ts": "1.2"}

    async def _m_files_upload(self, _call: Call) -> dict[str, Any]:
        return {"error": "method_deprecated"}

    async def _m_files_getUploadURLExternal(self, call: Call) -> dict[str, Any]:
        file_id = f"F{len(self.uploads) + 1:07d}"
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            part = next(iter(form.values()))
            data = part.file.read() if isinstance(part, web.FileField) else data
        self.uploads.append(data)
        return web.Response(text="OK - 1")

    async def _m_files_completeUploadExternal(self, call: Call) -> dict[str, Any]:
        if self.uploads_fail:
            return {"error": "file_upload_failed"}
        return {
            "files": [
                {"id": f["id"], "title": f.get("title")} for f in call.params.get("files") or []
            ]
        }


def _maybe_json(value: str) -> Any:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


# --- what Slack sends us --------------------------------------------------------------------


def signed_headers(
    body: str,
    secret: str = SIGNING_SECRET,
    *,
    at: int | None = None,
    content_type: str = "application/json",
) -> dict[str, str]:
    """Headers of a request Slack signed (Slack API: verifying requests from Slack)."""
    timestamp = str(at if at is not None else int(time.time()))
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
        "Content-Type": content_type,
    }


class SlackSender:
    """Posts signed events, button presses and slash commands to our ``/slack/events``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._event = 0

    def _trigger(self) -> str:
        """A new trigger id, as Slack gives one per interaction."""
        self._event += 1
        return f"13345224609.{self._event:09d}"

    async def post(self, body: str, headers: dict[str, str]) -> tuple[int, str]:
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url, data=body.encode(), headers=headers) as response,
        ):
            return response.status, await response.text()

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None
    ) -> tuple[int, str]:
        self._event += 1
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": "A0APP001",
                "type": "event_callback",
                "event_id": event_id or f"Ev{self._event:08d}",
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
            }
        )
        headers = signed_headers(body)
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return await self.post(body, headers)

    async def dm(self, user: str, text: str, **kwargs: Any) -> tuple[int, str]:
        return await self.event(
            {
                "type": "message",
                "channel": "D" + user[1:],
                "channel_type": "im",
                "user": user,
                "text": text,
                "ts": f"{time.time():.6f}",
            },
            **kwargs,
        )

    async def press(self, user: str, message: Call, label: str) -> tuple[int, str]:
        """A press of the button ``label`` on a message the bot posted."""
        action = next(
            e
            for b in message.params["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["text"]["text"] == label
        )
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user},
            "api_app_id": "A0APP001",
            "token": "legacy",
            "trigger_id": self._trigger(),
            "channel": {"id": message.channel},
            "container": {
                "type": "message",
                "message_ts": message.params["_ts"],
                "channel_id": message.channel,
            },
            "message": {
                "ts": message.params["_ts"],
                "text": message.params.get("text"),
                "blocks": message.params["blocks"],
            },
            "actions": [
                {
                    "action_id": action["action_id"],
                    "block_id": "b",
                    "type": "button",
                    "value": action["value"],
                    "action_ts": f"{time.time():.6f}",  # unique per press, as Slack's
                }
            ],
        }
        body = "payload=" + urllib.parse.quote(json.dumps(payload))
        return await self.post(
            body, signed_headers(body, content_type="application/x-www-form-urlencoded")
        )

    async def submit(
        self, user: str, view: dict[str, Any], values: dict[str, str]
    ) -> tuple[int, str]:
        """A modal's submit button, with ``values`` typed into its inputs (by block id).

        For a ``static_select`` the value is the option's value to choose (none if unknown).
        """
        selects = {
            block["block_id"]: block["element"]
            for block in view.get("blocks", [])
            if block.get("type") == "input" and block["element"]["type"] == "static_select"
        }
        state: dict[str, Any] = {}
        for block_id, value in values.items():
            if block_id in selects:  # a select sends the chosen option, as Slack does
                chosen = [o for o in selects[block_id]["options"] if o["value"] == value]
                answer = {"type": "static_select", "selected_option": (chosen or [None])[0]}
                state[block_id] = {"answer": answer}
            else:
                state[block_id] = {"answer": {"type": "plain_text_input", "value": value}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": user},
            "api_app_id": "A0APP001",
            "token": "legacy",
            "trigger_id": self._trigger(),
            "view": {**view, "state": {"values": state}},
        }
        body = "payload=" + urllib.parse.quote(json.dumps(payload))
        return await self.post(
            body, signed_headers(body, content_type="application/x-www-form-urlencoded")
        )

    async def command(self, user: str, text: str, channel: str = "C0TEAM001") -> tuple[int, str]:
        fields = {
            "token": "legacy",
            "team_id": TEAM,
            "channel_id": channel,
            "user_id": user,
            "command": "/control",
            "text": text,
            "response_url": "https://hooks.example/x",
            "trigger_id": self._trigger(),
            "api_app_id": "A0APP001",
        }
        body = urllib.parse.urlencode(fields)
        return await self.post(
            body, signed_headers(body, content_type="application/x-www-form-urlencoded")
        )
