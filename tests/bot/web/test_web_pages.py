"""Web view pages for each role, guessed ids, downloads and charts (issue 17).

Anna Ozola (L of the residence declaration service) sees only that service; Līga Zariņa
(A of social assistance) only hers; Ilze Kalniņa, the organisation's lead, every activity
but no admin page; Kristaps Sils, the administrator, everything.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from bot.dispatch import Dispatcher
from bot.web.pages import one_page
from storage.db import Database
from storage.models import PlatformIdentity
from tests.support.recording import RecordingChannel
from tests.support.summary_world import seed_year
from tests.support.web_client import Browser, WebWorld, web_world
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.people import enrolment
from workflows.periods import Period
from workflows.rounds.opening import new_round

ANNA, LIGA, ILZE, ADMIN = "anna-ozola", "liga-zarina", "ilze-kalnina", "kristaps-sils"
DD, SP = "dzivesvietas-deklaresana", "socialas-palidzibas-pabalsti"
ADMIN_PAGES = ("/web/admin/people", "/web/admin/deliveries", "/web/admin/readiness")


@pytest.fixture
async def world(
    ctx: Context, db: Database, dispatcher: Dispatcher, recording: RecordingChannel
) -> AsyncIterator[WebWorld]:
    seed_year(db, ctx)
    async with web_world(ctx, db, dispatcher, recording) as w:
        yield w


async def status(browser: Browser, path: str) -> int:
    return (await browser.get(path)).status


async def test_admin_sees_every_page_in_latvian_and_english(world: WebWorld) -> None:
    browser = await world.signed_in(ADMIN)
    paths = (
        "/web/",
        "/web/activities",
        f"/web/activity/{DD}",
        "/web/indicator/dd-within-sla",
        "/web/decisions",
        "/web/decisions?status=approved&overdue=1",
        "/web/rollups",
        "/web/rounds",
        *ADMIN_PAGES,
    )
    for lang, word in (("lv", "Aktivitātes"), ("en", "Activities")):
        browser.cookies["controlbot_lang"] = lang
        for path in paths:
            page = await browser.get(path)
            assert page.status == 200, (path, page.text[:300])
            assert f'<html lang="{lang}">' in page.text and word in page.text, path


async def test_a_person_sees_only_their_activities(world: WebWorld) -> None:
    anna = await world.signed_in(ANNA)
    assert await status(anna, f"/web/activity/{DD}") == 200
    assert await status(anna, "/web/indicator/dd-within-sla") == 200
    for path in (
        f"/web/activity/{SP}",
        f"/web/activity/{SP}/export.csv",
        "/web/indicator/sp-avg-decision",
        "/web/indicator/sp-avg-decision/chart.png",
        "/web/indicator/sp-avg-decision/export.xlsx",
        *ADMIN_PAGES,
    ):
        page = await anna.get(path)
        assert page.status == 404, path
        assert "Sociālā palīdzība" not in page.text
    listing = (await anna.get("/web/activities")).text
    assert "Dzīvesvietas deklarēšana" in listing and "Sociālā palīdzība" not in listing
    decisions = (await anna.get("/web/decisions")).text
    assert "Pārdalīt rindu" in decisions and "sp-avg-decision" not in decisions
    rollups = (await anna.get("/web/rollups")).text
    assert "Dzīvesvietas deklarēšana" in rollups and "Sociālā palīdzība" not in rollups


async def test_guessed_and_unknown_ids_answer_the_same_404(world: WebWorld) -> None:
    liga = await world.signed_in(LIGA)
    foreign = await liga.get(f"/web/activity/{DD}")
    unknown = await liga.get("/web/activity/no-such-activity")
    assert foreign.status == unknown.status == 404
    assert foreign.text == unknown.text
    assert await status(liga, "/web/indicator/dd-within-sla/export.csv") == 404
    assert await status(liga, f"/web/activity/{SP}") == 200
    mine = await liga.get("/web/decisions?owner=anna-ozola")
    assert "Pārdalīt rindu" not in mine.text  # a filter never widens what one may see


async def test_the_lead_sees_every_activity_but_no_admin_page(world: WebWorld) -> None:
    ilze = await world.signed_in(ILZE)
    assert await status(ilze, f"/web/activity/{DD}") == 200
    assert await status(ilze, f"/web/activity/{SP}") == 200
    for path in ADMIN_PAGES:
        assert await status(ilze, path) == 404


async def test_indicator_table_marks_late_values_in_latvian(world: WebWorld) -> None:
    anna = await world.signed_in(ANNA)
    page = (await anna.get("/web/indicator/dd-within-sla")).text
    assert "ar nokavēšanos" in page  # 2026-10 came two days late
    assert "2026. gada oktobris" in page
    assert 'alt="Rādītāja' in page and "<figcaption>" in page


async def test_chart_is_drawn_once_then_served_from_the_cache(world: WebWorld) -> None:
    anna = await world.signed_in(ANNA)
    first = await anna.get("/web/indicator/dd-within-sla/chart.png")
    assert first.status == 200 and first.headers["Content-Type"] == "image/png"
    assert first.body.startswith(b"\x89PNG")
    await anna.get("/web/indicator/dd-within-sla")
    second = await anna.get("/web/indicator/dd-within-sla/chart.png")
    assert second.body == first.body and world.view.charts.drawn == 1


async def test_downloads_hold_only_what_the_page_shows(world: WebWorld) -> None:
    anna = await world.signed_in(ANNA)
    csv = await anna.get("/web/indicator/dd-within-sla/export.csv")
    assert csv.status == 200 and "attachment" in csv.headers["Content-Disposition"]
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert ";" in lines[0]  # Latvian Excel's variant for a Latvian reader
    assert len(lines) == 13 and all("dd-within-sla" in line for line in lines[1:])
    xlsx = await anna.get(f"/web/activity/{DD}/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.body)).active
    assert sheet is not None
    activities = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert activities == {DD}
    decisions = await anna.get("/web/decisions/export.csv?status=approved")
    body = decisions.text.lstrip("\ufeff").splitlines()
    assert len(body) == 2 and "dd-within-sla" in body[1]


async def test_unknown_download_format_is_404(world: WebWorld) -> None:
    anna = await world.signed_in(ANNA)
    assert await status(anna, "/web/indicator/dd-within-sla/export.pdf") == 404


async def test_admin_sees_reach_refusals_first(
    world: WebWorld, db: Database, ctx: Context
) -> None:
    def work(session: Session) -> None:
        enrolment.link(session, ctx, "peteris-liepa", "telegram", "1002", "en")
        enrolment.link(session, ctx, "anna-ozola", "telegram", "1001", "lv")
        refused = session.exec(
            select(PlatformIdentity).where(col(PlatformIdentity.external_id) == "1002")
        ).one()
        refused.unreachable_since = ctx.now()
        session.add(refused)

    db.transaction(work)
    admin = await world.signed_in(ADMIN)
    people = (await admin.get("/web/admin/people")).text
    assert "Komandu kanāli" in people and "atteikts kopš" in people
    order = [people.index(name) for name in ("Pēteris Liepa", "Andris Ozoliņš", "Anna Ozola")]
    assert order == sorted(order)  # refused, then without an account, then reachable
    readiness = (await admin.get("/web/admin/readiness")).text
    assert "Dzīvesvietas deklarēšana" in readiness


async def test_open_rounds_show_what_is_answered_and_overdue_only_for_ones_activities(
    world: WebWorld, db: Database, ctx: Context, clock: FixedClock
) -> None:
    def work(session: Session) -> None:
        for activity_id in (DD, SP):
            session.add(new_round(ctx, activity_id, Period.parse("2026-11"), ADMIN))

    db.transaction(work)
    anna = await world.signed_in(ANNA)
    page = (await anna.get("/web/rounds")).text
    assert "Dzīvesvietas deklarēšana" in page and "Sociālā palīdzība" not in page
    assert "0 no " in page and "nokavēts" not in page
    clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=ZoneInfo("Europe/Riga")))
    anna = await world.signed_in(ANNA)
    assert "nokavēts" in (await anna.get("/web/rounds")).text
    admin = await world.signed_in(ADMIN)
    assert "Sociālā palīdzība" in (await admin.get("/web/rounds")).text


def test_long_lists_come_a_page_at_a_time() -> None:
    items = list(range(250))
    assert one_page(items, 1, 100) == (1, 3, list(range(100)))
    assert one_page(items, 3, 100) == (3, 3, list(range(200, 250)))
    assert one_page(items, 99, 100)[0] == 3  # past the end: the last page
    assert one_page([], 1, 100) == (1, 1, [])


async def test_a_page_number_that_is_not_one_shows_the_first(world: WebWorld) -> None:
    admin = await world.signed_in(ADMIN)
    for query in ("?page=abc", "?page=0", "?page=99999999999", "?page=2"):
        page = await admin.get("/web/admin/people" + query)
        assert page.status == 200 and "Anna Ozola" in page.text, query
