"""What a fresh user met in the web view when trying the product by its README (issue 16).

The Deliveries page says kinds, states and reasons in words (the table ``controlbot
deliveries`` uses too); values and statuses read as in chat (``0,9 darba dienas``, ``❌
kritisks``); activities are "aktivitātes" as in chat; the page title does not repeat the
name; ``/web/admin/channels`` leads to the channels part of the people page.
"""

from __future__ import annotations

import re

from bot.dispatch import Dispatcher
from tests.bot.web.test_web_pages import ADMIN, ANNA, world
from tests.support.recording import command
from tests.support.web_client import WebWorld

__all__ = ["world"]


def _cells(html: str) -> list[str]:
    return re.findall(r"<td>([^<]*)</td>", html)


async def test_issue16_deliveries_page_speaks_words_not_codes(
    world: WebWorld, dispatcher: Dispatcher
) -> None:
    await dispatcher.handle(command(ADMIN, "remind", "dzivesvietas-deklaresana", "2026-10"))
    admin = await world.signed_in(ADMIN)
    for lang, words in (
        ("lv", ("atgādinājums", "tīmekļa skata pieteikšanās saite")),
        ("en", ("reminder", "web view sign-in link")),
    ):
        admin.cookies["controlbot_lang"] = lang
        cells = _cells((await admin.get("/web/admin/deliveries")).text)
        for word in words:
            assert word in cells, (lang, word)
        for code in ("Reminder", "WebLink", "FormPrompt", "delivered", "undeliverable"):
            assert code not in cells or (lang == "en" and code == "delivered"), (lang, code)
    admin.cookies["controlbot_lang"] = "lv"
    sheet = (await admin.get("/web/admin/deliveries/export.csv")).text
    assert "kind_label" in sheet.splitlines()[0] and "atgādinājums" in sheet


async def test_issue16_values_and_statuses_read_as_in_chat(world: WebWorld) -> None:
    anna = await world.signed_in(ANNA)
    html = (await anna.get("/web/decisions")).text + (await anna.get("/web/")).text
    html += (await anna.get("/web/activity/dzivesvietas-deklaresana")).text
    assert "✖" not in html and "▲" not in html and "●" not in html
    assert "❌ kritisks" in html or "⚠️ brīdinājums" in html or "✅ normā" in html
    assert not re.search(r">\s*\d+\.\d+\s", html)  # no decimal point in Latvian
    assert "Darbības" not in html and "Aktivitātes" in html


async def test_issue16_titles_and_the_channels_path(world: WebWorld) -> None:
    admin = await world.signed_in(ADMIN)
    page = await admin.get("/web/admin/channels")
    assert page.status == 302 and page.headers["Location"] == "/web/admin/people#channels"
    assert 'id="channels"' in (await admin.get("/web/admin/people")).text
    assert (await (await world.signed_in(ANNA)).get("/web/admin/channels")).status == 404
    signed_out = await admin.post("/web/sign-out", {"csrf": await admin.csrf()})
    assert signed_out.status in (200, 302, 303)
    message = await admin.get("/web/")
    titles = re.findall(r"<title>([^<]*)</title>", message.text)
    assert titles == ["Tīmekļa skats · controlbot"], titles
