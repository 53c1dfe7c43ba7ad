"""The web view in a real browser: Debian's headless Chromium driven by Selenium (issue 17).

The chat sign-in link opens a session, pages render in Latvian and English, a person cannot
reach another's activity, axe-core finds no serious or critical accessibility violation on
any page (every signed-in page, the sign-in page and the messages: not found, signed out,
link refused) in either language, and signing out ends the session. One browser serves the
whole module. Set ``CONTROLBOT_SCREENSHOTS=1`` to write the README's screenshots to
``docs/screenshots/``.

Without ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` the tests are skipped, except
under CI (``CI=true``), where ``.ci/run`` installs them and a missing browser fails.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PIL import Image
from sqlmodel import Session, col, select

from bot.dispatch import Dispatcher
from storage.db import Database
from storage.models import PlatformIdentity
from tests.support.recording import RecordingChannel
from tests.support.summary_world import seed_year
from tests.support.web_client import WebWorld, web_world
from workflows.context import Context
from workflows.people import enrolment
from workflows.periods import Period
from workflows.rounds.opening import new_round

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
SERIOUS = {"serious", "critical"}
AXE_AT_LEAST = (4, 9)
"""The axe-core that selenium-axe-python bundles (4.9.1 in 2.2.0; axe-selenium-python had 3.x)."""
T = TypeVar("T")

if not (os.path.exists(CHROMIUM) and shutil.which(CHROMEDRIVER)):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium and chromium-driver (see .ci/run)")
    pytest.skip(
        "no headless browser: apt-get install chromium chromium-driver", allow_module_level=True
    )

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402
from selenium_axe_python import Axe  # noqa: E402 - only with a browser


@pytest.fixture(scope="module")
def driver() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1000,800",
        "--lang=lv",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "lv,en"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(30)
    yield browser
    browser.quit()


@pytest.fixture
async def world(
    ctx: Context, db: Database, dispatcher: Dispatcher, recording: RecordingChannel
) -> AsyncIterator[WebWorld]:
    seed_year(db, ctx)
    link_some_accounts(db, ctx)
    async with web_world(ctx, db, dispatcher, recording) as w:
        yield w


def link_some_accounts(db: Database, ctx: Context) -> None:
    """Chat accounts, a refusal and an open invite, for the people page's screenshot."""

    def work(session: Session) -> None:
        enrolment.link(session, ctx, "anna-ozola", "telegram", "1001", "lv")
        enrolment.link(session, ctx, "janis-berzins", "slack", "U0JANIS", seen=False)
        enrolment.link(session, ctx, "peteris-liepa", "telegram", "1002", "en")
        refused = session.exec(
            select(PlatformIdentity).where(col(PlatformIdentity.external_id) == "1002")
        ).one()
        refused.unreachable_since = ctx.now()
        session.add(refused)
        enrolment.issue(session, ctx, "dace-liepina")
        for activity_id in ("dzivesvietas-deklaresana", "socialas-palidzibas-pabalsti"):
            session.add(new_round(ctx, activity_id, Period.parse("2026-11"), "kristaps-sils"))

    db.transaction(work)


async def off_loop(work: Callable[..., T], *args: Any) -> T:
    """Run a blocking WebDriver call in a thread: the server answers on this event loop."""
    return await asyncio.to_thread(work, *args)


def _click_and_wait(browser: webdriver.Chrome, by: str, selector: str) -> None:
    """Press a form's button and wait until the next page has replaced this one."""
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(by, selector).click()
    wait = WebDriverWait(browser, 15)
    wait.until(lambda _b: _gone(page))
    wait.until(lambda b: b.execute_script("return document.readyState") == "complete")


def _gone(element: Any) -> bool:
    """Whether ``element`` left the document (Chromium says so in more than one way)."""
    try:
        element.is_enabled()
    except WebDriverException:  # stale element, or "node does not belong to the document"
        return True
    return False


def _body_text(browser: webdriver.Chrome) -> str:
    """The page's text; read again if the page was being replaced at that moment."""
    for _attempt in range(3):
        try:
            return str(browser.find_element(By.TAG_NAME, "body").text)
        except WebDriverException:
            time.sleep(0.2)
    return str(browser.find_element(By.TAG_NAME, "body").text)


async def press(browser: webdriver.Chrome, by: str, selector: str) -> None:
    await off_loop(_click_and_wait, browser, by, selector)


async def sign_in(world: WebWorld, browser: webdriver.Chrome, person_id: str) -> None:
    link = await world.link_for(person_id)
    await off_loop(browser.get, world.base + link)
    await press(browser, By.ID, "sign-in")


async def text(browser: webdriver.Chrome) -> str:
    return await off_loop(_body_text, browser)


async def serious_violations(browser: webdriver.Chrome) -> list[str]:
    axe = Axe(browser)
    await off_loop(axe.inject)
    results = await off_loop(axe.run)
    version = tuple(int(part) for part in results["testEngine"]["version"].split(".")[:2])
    assert version >= AXE_AT_LEAST, results["testEngine"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in results["violations"]
        if v.get("impact") in SERIOUS
    ]


async def accessible(browser: webdriver.Chrome, where: object) -> None:
    """axe-core finds no serious or critical violation on the page the browser shows."""
    assert await serious_violations(browser) == [], where


async def shoot(browser: webdriver.Chrome, name: str, tmp_path: Path) -> None:
    """A screenshot, reduced to 64 colours so that the README's pictures stay small."""
    folder = SCREENSHOTS if os.environ.get("CONTROLBOT_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    png = await off_loop(browser.get_screenshot_as_png)
    picture = Image.open(io.BytesIO(png)).convert("RGB").quantize(64)
    picture.save(folder / f"{name}.png", optimize=True)


SHOTS = {
    ("indicator", "lv"),
    ("indicator", "en"),
    ("activity", "lv"),
    ("decisions", "en"),
    ("rollups", "lv"),
    ("rounds", "en"),
    ("people", "lv"),
    ("deliveries", "en"),
}
"""The pages (and languages) the README shows."""
PAGES = (
    ("home", "/web/", "Kas mani gaida", "What waits for me"),
    ("activities", "/web/activities", "Sociālā palīdzība (pabalstu", "Social assistance (gr"),
    ("indicator", "/web/indicator/dd-within-sla", "Visi periodi", "Every period"),
    ("activity", "/web/activity/dzivesvietas-deklaresana", "Pēdējie 12 periodi", "Last 12"),
    ("rounds", "/web/rounds", "Atvērtās kārtas", "Open rounds"),
    ("decisions", "/web/decisions", "Lēmumi un pasākumi", "Decisions and actions"),
    ("filtered", "/web/decisions?status=approved&overdue=1", "Pārdalīt rindu", "Pārdalīt"),
    ("rollups", "/web/rollups", "Apkopojumi pa mērogiem", "Roll-ups by scale"),
    ("people", "/web/admin/people", "Cilvēki un kanāli", "People and channels"),
    ("deliveries", "/web/admin/deliveries", "Nosūtīšana", "Deliveries"),
    ("readiness", "/web/admin/readiness", "Kontroles gatavība", "Control readiness"),
    ("not found", "/web/activity/no-such-activity", "Šādas lapas nav", "There is no such"),
)
"""Every page of the web view (an administrator sees them all), with words it must show."""


async def test_admin_signs_in_from_chat_and_reads_every_page_in_both_languages(
    world: WebWorld, driver: webdriver.Chrome, tmp_path: Path
) -> None:
    await off_loop(driver.delete_all_cookies)
    await sign_in(world, driver, "kristaps-sils")
    assert "Kas mani gaida" in await text(driver)
    for lang in ("lv", "en"):
        for name, path, lv_words, en_words in PAGES:
            await off_loop(driver.get, world.base + path)
            shown = await text(driver)
            assert (lv_words if lang == "lv" else en_words) in shown, (lang, path, shown[:200])
            if (name, lang) in SHOTS:  # before axe, which scrolls to what it checks
                await shoot(driver, f"{name}-{lang}", tmp_path)
            await accessible(driver, (lang, path))
        if lang == "lv":  # switch with the page's own button
            await press(driver, By.CSS_SELECTOR, "button[name=lang]")
    await off_loop(driver.set_window_size, 390, 844)  # a phone: no page scrolls sideways
    for name, path, _lv_words, _en_words in PAGES:
        await off_loop(driver.get, world.base + path)
        width = await off_loop(driver.execute_script, "return document.body.scrollWidth")
        assert width <= 390, (name, width)
        if name == "indicator":
            await shoot(driver, "indicator-phone-en", tmp_path)
        await accessible(driver, ("phone", path))  # wide tables scroll within themselves
    await off_loop(driver.set_window_size, 1000, 800)
    await guest_pages_are_accessible(world, driver, "en")


async def guest_pages_are_accessible(world: WebWorld, driver: webdriver.Chrome, lang: str) -> None:
    """Sign out, then: signed out, not signed in, the sign-in page, a used link.

    Each page shows its words in ``lang`` and has no serious accessibility violation.
    """
    words = {
        "lv": ("Darba sesija ir beigta", "jāpiesakās", "Pieteikties", "nevar izmantot"),
        "en": ("You have signed out", "not signed in", "Sign in", "cannot be used"),
    }[lang]

    async def check(where: str, word: str) -> None:
        assert word in await text(driver), (lang, where)
        await accessible(driver, (lang, where))

    sign_out = "form[action='/web/sign-out'] button"
    await off_loop(driver.get, world.base + "/web/")
    await press(driver, By.CSS_SELECTOR, sign_out)
    await check("signed out now", words[0])
    await off_loop(driver.get, world.base + "/web/")
    await check("not signed in", words[1])
    link = world.base + await world.link_for("kristaps-sils")
    await off_loop(driver.get, link)
    await check("sign-in", words[2])
    await press(driver, By.ID, "sign-in")
    await press(driver, By.CSS_SELECTOR, sign_out)
    await off_loop(driver.get, link)  # the link was used already
    await press(driver, By.ID, "sign-in")
    await check("link refused", words[3])


async def test_a_person_cannot_reach_anothers_activity_and_signs_out(
    world: WebWorld, driver: webdriver.Chrome, tmp_path: Path
) -> None:
    await off_loop(driver.delete_all_cookies)
    await sign_in(world, driver, "anna-ozola")
    assert "Pārdalīt rindu" in await text(driver)  # her overdue improvement action
    await shoot(driver, "home-lv", tmp_path)
    await off_loop(driver.get, world.base + "/web/activity/dzivesvietas-deklaresana")
    assert "Dzīvesvietas deklarēšana" in await text(driver)
    await off_loop(driver.get, world.base + "/web/activity/socialas-palidzibas-pabalsti")
    refused = await text(driver)
    assert "Šādas lapas nav" in refused and "Sociālā palīdzība" not in refused
    await guest_pages_are_accessible(world, driver, "lv")  # signs out first
