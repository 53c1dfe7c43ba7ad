"""This module contains :class:`WebView`: the web view's aiohttp application under ``/web``.

It is mounted on the bot's HTTP server when ``CONTROLBOT_WEB_BASE_URL`` is set. Every page
but the sign-in page needs a live session (:mod:`bot.web.auth`); every ``POST`` but the
sign-in itself needs the session's CSRF token. Pages live in :mod:`bot.web.pages`,
:mod:`bot.web.lists` and :mod:`bot.web.admin`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources

from aiohttp import web
from sqlmodel import Session

from bot.i18n import Lang, as_lang, resolve_locale, translator
from bot.web import auth
from bot.web.charts import ChartCache
from bot.web.keys import VIEW, VIEWER
from bot.web.templating import Viewer, page
from storage.db import Database
from storage.models import Person
from workflows.context import Context
from workflows.people import accounts, web_access
from workflows.people.visibility import visible_activity_ids

OPEN_PATHS = ("/web/sign-in/", "/web/static/")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def see_other(location: str) -> web.Response:
    """A ``303 See Other`` to ``location`` (after a form was posted)."""
    return web.Response(status=303, headers={"Location": location})


class WebView:
    """The web view: sign-in from chat, pages, downloads.

    Args:
        ctx: Plan, clock, calendar.
        db: The database.
        default_lang: ``CONTROLBOT_DEFAULT_LOCALE``.
        secret: ``CONTROLBOT_WEB_SECRET`` (``None``: a random key; sessions end at restart).
        base_url: ``CONTROLBOT_WEB_BASE_URL``: a form posted from that origin (or from the
            address the request came to) is accepted; from any other, refused.
    """

    def __init__(
        self,
        ctx: Context,
        db: Database,
        default_lang: str,
        secret: str | None = None,
        base_url: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.db = db
        self.default_lang = default_lang
        self.signer = auth.Signer(secret)
        self.charts = ChartCache()
        self.base_origin = auth.origin_of(base_url) if base_url else None
        self._visible: dict[str, frozenset[str]] = {}
        """Each viewer's activities: the plan does not change while the bot runs."""
        self.app = web.Application(middlewares=[self._middleware])
        self.app[VIEW] = self
        from bot.web import admin, lists, pages

        routes = self.app.router
        routes.add_get("/sign-in/{token}", self._sign_in_page)
        routes.add_post("/sign-in/{token}", self._sign_in)
        routes.add_post("/sign-out", self._sign_out)
        routes.add_post("/lang", self._language)
        routes.add_get("/static/web.css", self._css)
        pages.add_routes(routes)
        lists.add_routes(routes)
        admin.add_routes(routes)

    def mount(self, root: web.Application) -> None:
        """Serve the web view under ``/web`` of ``root`` (before the server starts)."""
        root.add_subapp("/web", self.app)

    # --- the guard -----------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method == "POST" and not self._same_origin(request):
            return self._message(request, "csrf", status=403)
        if not request.path.startswith(OPEN_PATHS):
            token = self.signer.token_of(request.cookies.get(auth.SESSION_COOKIE))
            viewer = await self._viewer(request, token) if token is not None else None
            if viewer is None or token is None:
                return self._signed_out(request, status=401)
            if request.method == "POST":
                form = await request.post()
                sent = form.get(auth.CSRF_FIELD)
                if not self.signer.csrf_ok(token, sent if isinstance(sent, str) else None):
                    return self._message(request, "csrf", status=403)
            request[VIEWER] = viewer
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            response = self._message(request, "not_found", status=404)
        response.headers.update(auth.SECURITY_HEADERS)
        return response

    def _same_origin(self, request: web.Request) -> bool:
        """A browser's ``Origin`` of a posted form is ours (no header: not a browser form)."""
        sent = request.headers.get("Origin")
        if sent is None:
            return True
        return sent in {f"{request.scheme}://{request.host}", self.base_origin}

    def visible(self, person_id: str) -> frozenset[str]:
        """The activity ids ``person_id`` may see (computed once per person)."""
        found = self._visible.get(person_id)
        if found is None:
            found = self._visible[person_id] = visible_activity_ids(self.ctx, person_id)
        return found

    async def _viewer(self, request: web.Request, token: str) -> Viewer | None:
        ctx = self.ctx
        chosen = as_lang(request.cookies.get(auth.LANG_COOKIE))

        def load(session: Session) -> Viewer | None:
            user = web_access.current_user(session, ctx, token)
            if user is None:
                return None
            person = session.get(Person, user.person_id)
            lang = chosen or accounts.language(session, ctx, user.person_id, self.default_lang)
            return Viewer(
                person_id=user.person_id,
                name=person.display_name if person is not None else user.person_id,
                t=translator(lang),
                tz=ctx.timezone,
                is_admin=ctx.plan.is_admin(user.person_id),
                csrf=self.signer.csrf(token),
                activity_ids=self.visible(user.person_id),
            )

        return await self.db.run(load)

    def guest_lang(self, request: web.Request) -> Lang:
        """The language for someone not signed in: their cookie, their browser, the default."""
        return resolve_locale(
            chosen=request.cookies.get(auth.LANG_COOKIE),
            client=request.headers.get("Accept-Language", "").split(",")[0].strip(),
            default=self.default_lang,
        )

    def _message(self, request: web.Request, code: str, *, status: int) -> web.Response:
        viewer: Viewer | None = request.get(VIEWER)
        t = viewer.t if viewer is not None else translator(self.guest_lang(request))
        return page(
            viewer, "message.html", self.ctx.plan, t, self.ctx.timezone, status=status, code=code
        )

    def _signed_out(self, request: web.Request, *, status: int) -> web.Response:
        response = self._message(request, "signed_out", status=status)
        response.headers.update(auth.SECURITY_HEADERS)
        return response

    # --- sign-in, sign-out, language -----------------------------------------------------

    async def _sign_in_page(self, request: web.Request) -> web.Response:
        """A button, not a session: link previews of chat apps must not use up the link."""
        t = translator(self.guest_lang(request))
        token = request.match_info["token"]
        return page(None, "sign_in.html", self.ctx.plan, t, self.ctx.timezone, token=token)

    async def _sign_in(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        ctx = self.ctx
        started = await self.db.run(lambda s: web_access.redeem_link(s, ctx, token))
        if started is None:
            return self._message(request, "link_refused", status=403)
        user, session_token = started
        response = see_other("/web/")
        auth.set_session_cookie(
            response, self.signer.cookie_value(session_token), user.expires_at, ctx.now()
        )
        return response

    async def _sign_out(self, request: web.Request) -> web.StreamResponse:
        token = self.signer.token_of(request.cookies.get(auth.SESSION_COOKIE))
        if token is not None:
            await self.db.run(lambda s: web_access.sign_out(s, self.ctx, token))
        viewer = request.pop(VIEWER)  # the page after signing out: no menu, same language
        response = page(
            None, "message.html", self.ctx.plan, viewer.t, viewer.tz, code="signed_out_now"
        )
        auth.clear_session_cookie(response)
        return response

    async def _language(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        lang = as_lang(str(form.get("lang", "")))
        back = str(form.get("back", "/web/"))
        response = see_other(back if back.startswith("/web/") else "/web/")
        if lang is not None:
            auth.set_lang_cookie(response, lang)
        return response

    async def _css(self, _request: web.Request) -> web.Response:
        css = resources.files("bot.web").joinpath("static", "web.css").read_text("utf-8")
        return web.Response(
            text=css, content_type="text/css", headers={"Cache-Control": "max-age=3600"}
        )
