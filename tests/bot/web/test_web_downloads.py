"""Every list of the web view downloads as CSV and XLSX with exactly the page's rows (issue 17).

Each download is read back — the CSV with :mod:`csv`, the workbook with openpyxl — and held
against the page it belongs to: the same number of rows (a page's table rows are counted in
its HTML), the same items (decision numbers, activities, people), the page's filters applied,
the viewer's visibility kept. Downloads check the role as their pages do: a guessed or
foreign id, an admin list for anyone else and an unknown format all answer 404, and without a
session 401.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from bot.dispatch import Dispatcher
from storage.db import Database
from tests.support.recording import RecordingChannel
from tests.support.summary_world import seed_year
from tests.support.web_client import Browser, WebWorld, web_world
from workflows.context import Context
from workflows.exchange import gather, stored_periods
from workflows.people.visibility import visible_activity_ids
from workflows.periods import Period
from workflows.plan.schema import Mark, Scale
from workflows.rounds.opening import new_round

ANNA, LIGA, ILZE, ADMIN = "anna-ozola", "liga-zarina", "ilze-kalnina", "kristaps-sils"
DD, SP = "dzivesvietas-deklaresana", "socialas-palidzibas-pabalsti"
ROW = re.compile(r"<tr><td>")
NUMBERED_ROW = re.compile(r"<tr><td>(\d+)</td>")
ADMIN_DOWNLOADS = ("admin/people/export", "admin/channels/export", "admin/deliveries/export")
EVERYONE_DOWNLOADS = (
    "export",
    "activities/export",
    "rounds/export",
    "rollups/export",
    "decisions/export",
    f"activity/{DD}/export",
    f"activity/{DD}/decisions",
    "indicator/dd-within-sla/export",
)


@pytest.fixture
async def world(
    ctx: Context, db: Database, dispatcher: Dispatcher, recording: RecordingChannel
) -> AsyncIterator[WebWorld]:
    seed_year(db, ctx)

    def open_rounds(session: Session) -> None:
        for activity_id in (DD, SP):
            session.add(new_round(ctx, activity_id, Period.parse("2026-11"), ADMIN))

    db.transaction(open_rounds)
    async with web_world(ctx, db, dispatcher, recording) as w:
        yield w


Rows = list[dict[str, str]]


async def download(browser: Browser, path: str) -> tuple[Rows, Rows]:
    """``path``'s CSV and XLSX, each as rows of header → cell text; both must agree."""
    path, _, query = path.partition("?")
    query = f"?{query}" if query else ""
    answer = await browser.get(f"/web/{path}.csv{query}")
    assert answer.status == 200, (path, answer.text[:300])
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["Content-Disposition"]
    text = answer.body.decode("utf-8")
    assert text.startswith("\ufeff")  # the export's byte-order mark: Excel reads UTF-8
    lang = browser.cookies.get("controlbot_lang", "lv")
    delimiter = ";" if lang == "lv" else ","
    from_csv = list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=delimiter))
    book = await browser.get(f"/web/{path}.xlsx{query}")
    assert book.status == 200 and book.body.startswith(b"PK"), path
    sheet = load_workbook(io.BytesIO(book.body)).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    headers = [str(h) for h in cells[0]]
    assert headers == list(from_csv[0].keys() if from_csv else headers), path
    from_xlsx = [
        {h: "" if v is None else str(v) for h, v in zip(headers, row, strict=True)}
        for row in cells[1:]
    ]
    assert len(from_xlsx) == len(from_csv), path
    return from_csv, from_xlsx


async def page_rows(browser: Browser, path: str, *, part: int = 0, split: str = "") -> int:
    """How many rows the page's tables show (``split``: only the ``part`` around it)."""
    page = await browser.get(path)
    assert page.status == 200, path
    html = page.text.split(split)[part] if split else page.text
    return len(ROW.findall(html))


def column(rows: Rows, name: str) -> list[str]:
    return [row[name] for row in rows]


async def test_issue17_each_list_downloads_the_rows_its_page_shows(world: WebWorld) -> None:
    admin = await world.signed_in(ADMIN)
    pairs = {
        "/web/activities": "activities/export",
        "/web/rounds": "rounds/export",
        "/web/rollups": "rollups/export",
        "/web/indicator/dd-within-sla": "indicator/dd-within-sla/export",
        "/web/admin/deliveries": "admin/deliveries/export",
    }
    for lang in ("lv", "en"):
        admin.cookies["controlbot_lang"] = lang
        for page_path, path in pairs.items():
            from_csv, _from_xlsx = await download(admin, path)
            shown = await page_rows(admin, page_path)
            if page_path == "/web/activities":  # a list of links, not a table
                shown = (await admin.get(page_path)).text.count('<li><a href="/web/activity/')
            assert len(from_csv) == shown > 0, (lang, path)
    indicator, _ = await download(admin, "indicator/dd-within-sla/export")
    assert set(column(indicator, "indicator")) == {"dd-within-sla"}
    assert column(indicator, "period") == [str(p) for p in reversed(_months(12))]
    rounds, _ = await download(admin, "rounds/export")
    assert sorted(column(rounds, "activity")) == sorted([DD, SP])
    people, _ = await download(admin, "admin/people/export")
    people_page = "/web/admin/people"
    assert len(people) == await page_rows(admin, people_page, part=0, split="<h2>")
    channels, xlsx_channels = await download(admin, "admin/channels/export")
    assert len(channels) == await page_rows(admin, people_page, part=1, split="<h2>")
    assert column(channels, "channel") == column(xlsx_channels, "channel")
    deliveries, _ = await download(admin, "admin/deliveries/export")
    assert ADMIN in column(deliveries, "recipient")  # the sign-in link sent in chat


def _months(count: int) -> list[Period]:
    months = [Period.parse("2026-10")]
    while len(months) < count:
        months.append(months[-1].previous())
    return months


async def test_issue17_an_activity_downloads_its_last_12_periods_and_its_decisions(
    world: WebWorld, ctx: Context
) -> None:
    anna = await world.signed_in(ANNA)
    values, from_xlsx = await download(anna, f"activity/{DD}/export")
    activity = ctx.plan.activity(DD)
    shown = await page_rows(anna, f"/web/activity/{DD}", part=0, split="<h2>Lēmumi")
    assert len(values) == shown
    assert set(column(values, "activity")) == {DD}
    for indicator in activity.indicators:
        periods = [row["period"] for row in values if row["indicator"] == indicator.id]
        assert 0 < len(periods) <= 12 and len(set(periods)) == len(periods), indicator.id
    assert column(values, "indicator") == column(from_xlsx, "indicator")
    decisions, _ = await download(anna, f"activity/{DD}/decisions")
    assert column(decisions, "decision") == ["1"]
    assert decisions[0]["action"] == "Pārdalīt rindu starp darbiniekiem"


async def test_issue17_decision_downloads_apply_the_pages_filters(world: WebWorld) -> None:
    admin = await world.signed_in(ADMIN)
    for query in (
        "",
        "status=open",
        "status=approved",
        "status=rejected",
        "overdue=1",
        "owner=anna-ozola",
        "owner=liga-zarina",
        "period=2026-08",
        "status=approved&period=2026-10",
        "action=planned",
        "action=done",
        "status=approved&action=planned&owner=anna-ozola",
    ):
        page = await admin.get("/web/decisions" + (f"?{query}" if query else ""))
        listed = sorted(NUMBERED_ROW.findall(page.text))
        from_csv, from_xlsx = await download(
            admin, "decisions/export" + (f"?{query}" if query else "")
        )
        assert sorted(column(from_csv, "decision")) == listed, query
        assert sorted(column(from_xlsx, "decision")) == listed, query
        expected = {"action=planned": ["1"], "action=done": [], "status=open": ["2"]}
        assert listed == expected.get(query, listed), query
        if query:  # the page's own links carry its filters
            assert f"/web/decisions/export.csv?{query.replace('&', '&amp;')}" in page.text


async def test_issue17_downloads_keep_to_what_the_viewer_may_see(world: WebWorld) -> None:
    anna = await world.signed_in(ANNA)
    activities, _ = await download(anna, "activities/export")
    assert column(activities, "activity") == [DD]
    rounds, _ = await download(anna, "rounds/export")
    assert column(rounds, "activity") == [DD]
    rollups, _ = await download(anna, "rollups/export")
    assert {row["activity"] for row in rollups} <= {DD, ""}
    assert "Sociālā palīdzība" not in str(rollups)
    assert len(rollups) == await page_rows(anna, "/web/rollups")
    decisions, _ = await download(anna, "decisions/export?owner=liga-zarina")
    assert decisions == []  # a filter never widens what one may see
    waiting, xlsx_waiting = await download(anna, "export")
    assert len(waiting) == await page_rows(anna, "/web/")
    assert [(r["list"], r["activity"]) for r in waiting] == [("round", DD), ("action", DD)]
    assert waiting[0]["period"] == "2026-11" and waiting[1]["number"] == "1"
    assert xlsx_waiting[1]["overdue"] == "True" and waiting[1]["overdue"] == "true"
    liga = await world.signed_in(LIGA)
    liga.cookies["controlbot_lang"] = "en"
    waiting, xlsx_waiting = await download(liga, "export")
    decision = next(r for r in waiting if r["list"] == "decision")
    assert decision["indicator"] == "sp-avg-decision" and decision["activity"] == SP
    assert Decimal(decision["value"]) == Decimal(xlsx_waiting[waiting.index(decision)]["value"])


async def test_issue17_downloads_check_the_role_like_their_pages(world: WebWorld) -> None:
    anna = await world.signed_in(ANNA)
    ilze = await world.signed_in(ILZE)
    for fmt in ("csv", "xlsx"):
        for path in (
            f"activity/{SP}/export",
            f"activity/{SP}/decisions",
            "activity/no-such-activity/decisions",
            "indicator/sp-avg-decision/export",
            "indicator/no-such-indicator/export",
            *ADMIN_DOWNLOADS,
        ):
            answer = await anna.get(f"/web/{path}.{fmt}")
            assert answer.status == 404 and "Sociālā palīdzība" not in answer.text, path
        for path in ADMIN_DOWNLOADS:  # the lead sees every activity, but is no admin
            assert (await ilze.get(f"/web/{path}.{fmt}")).status == 404, path
    admin = await world.signed_in(ADMIN)
    stranger = world.browser()
    for path in (*EVERYONE_DOWNLOADS, *ADMIN_DOWNLOADS):
        assert (await admin.get(f"/web/{path}.pdf")).status == 404, path
        assert (await stranger.get(f"/web/{path}.csv")).status == 401, path


def test_issue17_the_exports_rows_of_some_indicators_are_the_whole_exports(
    db: Database, ctx: Context
) -> None:
    seed_year(db, ctx)
    wanted = {"dd-within-sla", "sp-avg-decision"}

    def read(session: Session) -> None:
        periods = stored_periods(session)
        every = gather(session, ctx, periods)
        assert gather(session, ctx, periods, wanted) == [
            r for r in every if r.indicator_id in wanted
        ]
        assert gather(session, ctx, periods, []) == []

    db.transaction(read)


async def test_issue17_an_a_of_a_wider_scale_downloads_the_services_below_only(
    world: WebWorld, ctx: Context
) -> None:
    plan = ctx.plan
    order = list(Scale)
    lead = plan.plan.organisation.lead
    wider = [
        (holder.person, activity.id)
        for activity in plan.activities
        for scale in activity.responsibility
        if order.index(scale) < order.index(activity.scale)
        for holder in plan.holders(activity, scale, Mark.A)
        if holder.person not in plan.plan.admins and (lead is None or holder.person != lead.person)
    ]
    person_id, activity_id = wider[0]
    browser = await world.signed_in(person_id)
    values, _ = await download(browser, f"activity/{activity_id}/export")
    assert set(column(values, "activity")) == {activity_id}
    seen = visible_activity_ids(ctx, person_id)
    other = next(a.id for a in plan.activities if a.id not in seen)
    for path in (f"activity/{other}/export.csv", f"activity/{other}/decisions.xlsx"):
        assert (await browser.get(f"/web/{path}")).status == 404, path
    listed, _ = await download(browser, "activities/export")
    assert set(column(listed, "activity")) == seen and activity_id in seen
