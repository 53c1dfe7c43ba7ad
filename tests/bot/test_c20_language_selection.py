"""Field case C20: the language comes from platform codes, never crashes, and a choice wins."""

from __future__ import annotations

import pytest

from bot.dispatch import Dispatcher
from bot.events import CommandReceived, Sender
from bot.i18n import as_lang, resolve_locale
from bot.outbox import person_language
from storage.db import Database
from storage.models import Person, PlatformIdentity
from tests.support.flow import only, rows
from tests.support.recording import RecordingChannel
from workflows.context import Context
from workflows.notices import LanguageChanged, PendingList

ACTIVITY = "dzivesvietas-deklaresana"
ANNA = "anna-ozola"  # no language in the plan; the plan's locale is lv
PETERIS = "peteris-liepa"


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("lv", "lv"),
        ("lv-LV", "lv"),
        ("lv_LV", "lv"),
        ("LV", "lv"),
        (" lv-lv ", "lv"),
        ("en", "en"),
        ("en-GB", "en"),
        ("en-US", "en"),
        ("en_US", "en"),
        ("en-gb", "en"),
        ("ru", None),
        ("ru-RU", None),
        ("pt-br", None),
        ("ko-kr", None),
        (None, None),
        ("", None),
        ("   ", None),
        ("xx-!!", None),
        ("zz", None),
        ("-", None),
        ("lv--LV", None),
        ("en-GB-oxendict-x-private-!!", None),
    ],
)
def test_c20_as_lang_maps_platform_codes(code: str | None, lang: str | None) -> None:
    assert as_lang(code) == lang


@pytest.mark.parametrize(
    ("client", "expected"),
    [
        ("lv", "lv"),
        ("lv-LV", "lv"),
        ("lv_LV", "lv"),
        ("en", "en"),
        ("en-GB", "en"),
        ("en-US", "en"),
    ],
)
def test_c20_client_code_decides_when_nothing_else_does(client: str, expected: str) -> None:
    assert resolve_locale(client=client) == expected
    assert resolve_locale(client=client, default="en") == expected
    assert resolve_locale(client=client, plan_default="lv", default="en") == expected


@pytest.mark.parametrize("client", ["ru", None, "", "xx-!!", "de-DE"])
def test_c20_unusable_client_code_falls_back_to_the_default(client: str | None) -> None:
    assert resolve_locale(client=client) == "lv"  # Latvian unless set otherwise
    assert resolve_locale(client=client, default="en") == "en"
    assert resolve_locale(client=client, default="en-GB") == "en"
    assert resolve_locale(client=client, plan_default="en", default="lv") == "en"
    assert resolve_locale(client=client, plan_default="ru", default="en") == "en"


def test_c20_unusable_default_still_gives_latvian() -> None:
    assert resolve_locale(client="ru", default="ru") == "lv"
    assert resolve_locale(default="") == "lv"


@pytest.mark.parametrize("client", ["en", "en-GB", "en-US", "ru", None])
def test_c20_explicit_choice_beats_the_client_code(client: str | None) -> None:
    assert resolve_locale(chosen="lv", client=client, default="en") == "lv"
    assert resolve_locale(chosen="lv", person="en", client=client, plan_default="en") == "lv"


def test_c20_explicit_english_beats_a_latvian_client_and_plan() -> None:
    assert resolve_locale(chosen="en", person="lv", client="lv-LV", plan_default="lv") == "en"


def test_c20_order_is_choice_person_client_plan_default() -> None:
    assert resolve_locale(person="en", client="lv", plan_default="lv", default="lv") == "en"
    assert resolve_locale(person=None, client="en", plan_default="lv", default="lv") == "en"
    assert resolve_locale(chosen="xx-!!", person="en", client="lv") == "en"


def language_of(db: Database, ctx: Context, person_id: str) -> str:
    return db.transaction(lambda s: person_language(s, ctx, person_id, "lv"))


async def pending_text(dispatcher: Dispatcher, recording: RecordingChannel, sender: Sender) -> str:
    items = await dispatcher.handle(CommandReceived(sender, "pending"))
    only(items, PendingList, sender.user_id)
    return recording.last(sender.user_id).plain()


async def test_c20_first_message_follows_the_client_code_then_the_choice_wins(
    dispatcher: Dispatcher, db: Database, ctx: Context, recording: RecordingChannel
) -> None:
    await dispatcher.handle(
        CommandReceived(Sender("console", "kristaps-sils"), "remind", (ACTIVITY, "2026-10"))
    )
    english_client = Sender("console", ANNA, "en-US")

    shown = await pending_text(dispatcher, recording, english_client)
    assert language_of(db, ctx, ANNA) == "en"
    assert shown.startswith("Waiting for you")
    assert "6 Nov 2026" in shown
    (identity,) = rows(db, PlatformIdentity, person_id=ANNA)
    assert identity.client_language == "en-US"

    items = await dispatcher.handle(CommandReceived(english_client, "lang", ("lv",)))
    assert only(items, LanguageChanged, ANNA) == LanguageChanged("lv")
    assert rows(db, Person, id=ANNA)[0].chosen_language == "lv"

    # the client still says English; the explicit choice wins
    shown = await pending_text(dispatcher, recording, english_client)
    assert language_of(db, ctx, ANNA) == "lv"
    assert "06.11.2026." in shown and "6 Nov 2026" not in shown


@pytest.mark.parametrize("code", ["ru", "xx-!!", "", None])
async def test_c20_unusable_client_code_gets_the_plan_default_without_error(
    dispatcher: Dispatcher,
    db: Database,
    ctx: Context,
    recording: RecordingChannel,
    code: str | None,
) -> None:
    await dispatcher.handle(
        CommandReceived(Sender("console", "kristaps-sils"), "remind", (ACTIVITY, "2026-10"))
    )
    shown = await pending_text(dispatcher, recording, Sender("console", ANNA, code))
    assert language_of(db, ctx, ANNA) == "lv"
    assert "06.11.2026." in shown


async def test_c20_plan_language_beats_the_client_code(
    dispatcher: Dispatcher, db: Database, ctx: Context
) -> None:
    # Pēteris has ``language: en`` in the plan; his client says Latvian
    await dispatcher.handle(CommandReceived(Sender("console", PETERIS, "lv-LV"), "help"))
    assert language_of(db, ctx, PETERIS) == "en"
