"""A small HTTP client for the web view's tests: keeps the session cookie by hand.

aiohttp's cookie jar does not send ``Secure`` cookies over plain HTTP; the server under test
listens on 127.0.0.1 without TLS, so this client keeps the cookies itself.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import aiohttp

from bot.dispatch import Dispatcher
from bot.http import HttpServer
from bot.web.app import WebView
from storage.db import Database
from tests.support.recording import RecordingChannel, command
from workflows.context import Context

SECRET = "a-web-secret-for-tests-0123456789abcdef"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Page:
    """An answer: status, text (HTML or CSV), headers."""

    status: int
    text: str
    headers: Any
    body: bytes = b""


@dataclass
class Browser:
    """A client with its own cookies."""

    base: str
    http: aiohttp.ClientSession
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookie_headers: list[str] = field(default_factory=list)

    def _header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def _keep(self, response: aiohttp.ClientResponse) -> None:
        for raw in response.headers.getall("Set-Cookie", []):
            self.set_cookie_headers.append(raw)
            for name, morsel in SimpleCookie(raw).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    async def get(self, path: str) -> Page:
        async with self.http.get(
            self.base + path, headers=self._header(), allow_redirects=False
        ) as response:
            self._keep(response)
            body = await response.read()
            text = body.decode("utf-8", "replace")
            return Page(response.status, text, response.headers, body)

    async def post(self, path: str, data: dict[str, str] | None = None) -> Page:
        async with self.http.post(
            self.base + path, data=data or {}, headers=self._header(), allow_redirects=False
        ) as response:
            self._keep(response)
            text = await response.text()
            return Page(response.status, text, response.headers)

    async def csrf(self) -> str:
        page = await self.get("/web/")
        found = CSRF.search(page.text)
        assert found is not None, page.text
        return found.group(1)


@dataclass
class WebWorld:
    """The web view on a real server, and a way to ask for sign-in links in chat."""

    base: str
    view: WebView
    dispatcher: Dispatcher
    recording: RecordingChannel
    http: aiohttp.ClientSession

    def browser(self) -> Browser:
        return Browser(self.base, self.http)

    async def link_for(self, person_id: str) -> str:
        """Send ``/web`` as ``person_id`` in chat; the link path the bot answered."""
        await self.dispatcher.handle(command(person_id, "web"))
        text = self.recording.last(person_id).text
        found = re.search(r"https?://\S+(/web/sign-in/\S+)", text)
        assert found is not None, text
        return found.group(1)

    async def signed_in(self, person_id: str) -> Browser:
        browser = self.browser()
        link = await self.link_for(person_id)
        answer = await browser.post(link)
        assert answer.status == 303, answer.text
        return browser


@asynccontextmanager
async def web_world(
    ctx: Context, db: Database, dispatcher: Dispatcher, recording: RecordingChannel
) -> AsyncIterator[WebWorld]:
    """Serve the web view on 127.0.0.1 (any port) and point ``/web`` links at it."""
    server = HttpServer("127.0.0.1", 0)
    view = WebView(ctx, db, "lv", SECRET)
    view.mount(server.app)
    port = await server.start()
    base = f"http://127.0.0.1:{port}"
    dispatcher.web_base_url = base
    async with aiohttp.ClientSession() as http:
        yield WebWorld(base, view, dispatcher, recording, http)
    await server.stop()
