"""Signing in to the web view from chat: one-time links, sessions, CSRF, revocation (issue 17)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import prepare_database
from bot.dispatch import Dispatcher
from bot.web.auth import SESSION_COOKIE
from storage.db import Database
from storage.web import WebSession, WebSignIn
from tests.support.flow import rows
from tests.support.recording import RecordingChannel, command
from tests.support.web_client import WebWorld, web_world
from tests.workflows.test_people_leaving import _without_peteris
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.people import privacy
from workflows.plan.loader import load_plan


@pytest.fixture
async def world(
    ctx: Context, db: Database, dispatcher: Dispatcher, recording: RecordingChannel
) -> AsyncIterator[WebWorld]:
    async with web_world(ctx, db, dispatcher, recording) as w:
        yield w


async def test_web_off_says_so(dispatcher: Dispatcher, recording: RecordingChannel) -> None:
    await dispatcher.handle(command("anna-ozola", "web"))
    assert "CONTROLBOT_WEB_BASE_URL" in recording.last("anna-ozola").text


async def test_help_lists_web(dispatcher: Dispatcher, recording: RecordingChannel) -> None:
    await dispatcher.handle(command("anna-ozola", "help"))
    assert "/web — " in recording.last("anna-ozola").text


async def test_link_is_single_use_and_bound_to_its_person(world: WebWorld, db: Database) -> None:
    link = await world.link_for("anna-ozola")
    assert rows(db, WebSignIn)[0].token_digest not in link  # only the digest is stored
    browser = world.browser()
    shown = await browser.get(link)  # a chat app's link preview: shows a button only
    assert shown.status == 200 and 'id="sign-in"' in shown.text
    assert rows(db, WebSignIn)[0].used_at is None
    answer = await browser.post(link)
    assert answer.status == 303 and answer.headers["Location"] == "/web/"
    cookie = next(h for h in browser.set_cookie_headers if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=28800" in cookie and "Path=/web" in cookie
    home = await browser.get("/web/")
    assert home.status == 200 and "Anna Ozola" in home.text
    again = await world.browser().post(link)
    assert again.status == 403


async def test_link_expires_after_ten_minutes(world: WebWorld, clock: FixedClock) -> None:
    link = await world.link_for("anna-ozola")
    clock.set(clock.now() + timedelta(minutes=10, seconds=1))
    assert (await world.browser().post(link)).status == 403


async def test_unknown_link_and_forged_cookie_are_refused(world: WebWorld) -> None:
    browser = world.browser()
    assert (await browser.post("/web/sign-in/guessed-token")).status == 403
    browser.cookies[SESSION_COOKIE] = "some-token.some-signature"
    assert (await browser.get("/web/")).status == 401
    real = await world.signed_in("anna-ozola")
    token, _, _signature = real.cookies[SESSION_COOKIE].rpartition(".")
    browser.cookies[SESSION_COOKIE] = f"{token}.forged"
    assert (await browser.get("/web/")).status == 401


async def test_sign_out_needs_csrf_and_ends_the_session(world: WebWorld, db: Database) -> None:
    browser = await world.signed_in("anna-ozola")
    assert (await browser.post("/web/sign-out")).status == 403
    assert (await browser.get("/web/")).status == 200
    stolen = dict(browser.cookies)
    csrf = await browser.csrf()
    answer = await browser.post("/web/sign-out", {"csrf": csrf})
    assert answer.status == 200 and SESSION_COOKIE not in browser.cookies
    assert rows(db, WebSession)[0].ended_at is not None
    browser.cookies.update(stolen)  # a copy of the cookie works no more either
    assert (await browser.get("/web/")).status == 401


async def test_session_expires(world: WebWorld, clock: FixedClock) -> None:
    browser = await world.signed_in("anna-ozola")
    clock.set(clock.now() + timedelta(hours=8, seconds=1))
    assert (await browser.get("/web/")).status == 401


async def test_leaving_the_plan_ends_sessions_and_links_and_erasing_deletes_them(
    world: WebWorld, db: Database, ctx: Context, tmp_path: Path
) -> None:
    browser = await world.signed_in("peteris-liepa")
    link = await world.link_for("peteris-liepa")
    changed = Context(
        load_plan(_without_peteris(tmp_path)), ctx.clock, WorkingCalendar(), ctx.timezone, "lv"
    )
    prepare_database(db, changed, auto_upgrade=True)  # he leaves the plan
    assert all(s.ended_at is not None for s in rows(db, WebSession))
    assert (await browser.get("/web/")).status == 401
    assert (await world.browser().post(link)).status == 403

    db.transaction(lambda s: privacy.erase_person(s, changed, "peteris-liepa", "kristaps-sils"))
    assert rows(db, WebSession) == [] and rows(db, WebSignIn) == []


async def test_language_switch_needs_csrf_and_is_kept(world: WebWorld) -> None:
    browser = await world.signed_in("anna-ozola")
    assert "Kas mani gaida" in (await browser.get("/web/")).text
    assert (await browser.post("/web/lang", {"lang": "en", "back": "/web/"})).status == 403
    csrf = await browser.csrf()
    answer = await browser.post("/web/lang", {"lang": "en", "back": "/web/", "csrf": csrf})
    assert answer.status == 303
    page = await browser.get("/web/")
    assert 'lang="en"' in page.text and "What waits for me" in page.text


async def test_pages_send_security_headers(world: WebWorld) -> None:
    browser = await world.signed_in("anna-ozola")
    page = await browser.get("/web/")
    assert "script-src" not in page.headers["Content-Security-Policy"]
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"


async def test_a_form_posted_from_another_site_is_refused(world: WebWorld) -> None:
    link = await world.link_for("anna-ozola")
    browser = world.browser()
    forged = await browser.http.post(
        world.base + link, headers={"Origin": "https://evil.example"}, allow_redirects=False
    )
    assert forged.status == 403  # and the link still works from our own page
    assert (await browser.post(link)).status == 303
