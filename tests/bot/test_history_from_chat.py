"""Issue 13 item 6: ``/history`` can be used from chat without knowing indicator ids.

People pick their indicators from ``/indicators`` (a numbered list with buttons) and
``/history`` takes that number, a label or its unambiguous beginning; its usage line is in the
reader's language.
"""

from __future__ import annotations

import io

from bot.console import ConsoleChannel, ConsoleSession
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from tests.support.recording import RecordingChannel, command, press
from workflows.context import Context
from workflows.notices import History, IndicatorList, Problem
from workflows.plan.finding import resolve, visible
from workflows.plan.model import LoadedPlan

ANNA = "anna-ozola"  # L of the residence declaration; reads Latvian
PETERIS = "peteris-liepa"  # reads English


def test_anna_sees_her_own_indicators_numbered_in_plan_order(ctx: Context) -> None:
    mine = visible(ctx, ANNA)
    assert mine[:2] == ("dd-avg-processing", "dd-within-sla")
    assert "sp-avg-decision" not in mine


def test_a_label_or_its_beginning_finds_the_indicator(ctx: Context) -> None:
    assert resolve(ctx, ANNA, "Vidējais deklarācijas apstrādes laiks") == ("dd-avg-processing",)
    assert resolve(ctx, ANNA, "videjais deklaracijas") == ("dd-avg-processing",)  # no diacritics
    assert resolve(ctx, ANNA, "“Noteiktajā termiņā apstrādāto”") == ("dd-within-sla",)  # quoted
    assert resolve(ctx, ANNA, "Share of declarations processed") == ("dd-within-sla",)
    assert resolve(ctx, ANNA, "2") == ("dd-within-sla",)
    assert resolve(ctx, ANNA, "dd-within-sla") == ("dd-within-sla",)
    assert len(resolve(ctx, ANNA, "Elektroniski")) == 1
    assert len(resolve(ctx, ANNA, "Vidējais")) > 1  # processing time and decision time
    assert resolve(ctx, ANNA, "nekas tāds") == ()


async def test_indicators_lists_them_with_history_buttons(
    dispatcher: Dispatcher, recording: RecordingChannel
) -> None:
    items = await dispatcher.handle(command(ANNA, "indicators"))
    assert isinstance(items[0].notice, IndicatorList)
    message = recording.to(ANNA)[-1]
    assert message.title == "Jūsu rādītāji"
    assert message.text.startswith("1. Vidējais deklarācijas apstrādes laiks — Dzīvesvietas")
    assert "dd-" not in message.plain()  # no ids shown
    pressed = await dispatcher.handle(press(ANNA, message.choices[1].token))
    history = pressed[0].notice
    assert isinstance(history, History) and history.indicator_id == "dd-within-sla"


async def test_history_accepts_a_number_a_label_and_a_count(
    dispatcher: Dispatcher, recording: RecordingChannel
) -> None:
    by_number = await dispatcher.handle(command(ANNA, "history", "2"))
    assert isinstance(by_number[0].notice, History)
    assert by_number[0].notice.indicator_id == "dd-within-sla"
    words = ("noteiktajā", "termiņā", "apstrādāto", "12")
    by_label = await dispatcher.handle(command(ANNA, "history", *words))
    assert isinstance(by_label[0].notice, History)
    assert by_label[0].notice.indicator_id == "dd-within-sla"
    assert recording.to(ANNA)[-1].title == (
        "Vēsture: Noteiktajā termiņā apstrādāto deklarāciju īpatsvars"
    )


async def test_an_ambiguous_beginning_offers_the_candidates(
    dispatcher: Dispatcher, recording: RecordingChannel
) -> None:
    items = await dispatcher.handle(command(ANNA, "history", "Vidējais"))
    notice = items[0].notice
    assert isinstance(notice, IndicatorList) and notice.matched
    assert {i for _n, i in notice.items} >= {"dd-avg-processing", "sp-avg-decision"}
    assert recording.to(ANNA)[-1].title == "“Vidējais” atbilst vairākiem rādītājiem. Kuru no tiem?"


async def test_an_unknown_indicator_offers_the_list_not_ids(
    dispatcher: Dispatcher, recording: RecordingChannel
) -> None:
    items = await dispatcher.handle(command(PETERIS, "history", "nothing-like-it"))
    notice = items[0].notice
    assert isinstance(notice, IndicatorList) and not notice.matched
    message = recording.to(PETERIS)[-1]
    assert message.title == "No indicator fits “nothing-like-it”. Your indicators:"
    assert "dd-" not in message.plain()


async def test_usage_line_is_latvian_with_latvian_placeholders(
    dispatcher: Dispatcher, recording: RecordingChannel
) -> None:
    items = await dispatcher.handle(command(ANNA, "history", "2", "0"))
    assert isinstance(items[0].notice, Problem)
    assert recording.to(ANNA)[-1].plain() == "Lietošana: /history RĀDĪTĀJS [N]"
    await dispatcher.handle(command(ANNA, "away", "rīt"))
    assert recording.to(ANNA)[-1].plain() == (
        "Lietošana: /away DD.MM.GGGG DD.MM.GGGG | /away cancel"
    )


async def test_a_history_button_from_before_a_plan_change_is_refused(
    dispatcher: Dispatcher, ctx: Context
) -> None:
    items = await dispatcher.handle(press(ANNA, "hist:0:zzzz"))
    notice = items[0].notice
    assert isinstance(notice, Problem) and notice.code == "stale_button"


async def test_history_picking_list_numbers_match_the_buttons_typed_on_the_console(
    ctx: Context, db: Database, plan: LoadedPlan
) -> None:
    """``/history vidējais`` showed "1." for Anna's own indicator and "•" for the others while
    the buttons were [1]–[3], so typing 2 picked a "•" item; now the list is numbered as its
    buttons are, and the hint asks for more of the name (a typed /history 2 means Anna's
    /indicators number, not this list's)."""
    out = io.StringIO()
    channel = ConsoleChannel(out)
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": channel}, "lv"), "lv")
    session = ConsoleSession(dispatcher, channel, plan, ANNA, "lv")
    await session.feed("/history vidējais")
    shown = out.getvalue().splitlines()
    listed = [line.strip() for line in shown if " — " in line]
    buttons = [line.strip() for line in shown if line.startswith("    [")]
    assert [line.split(" ", 1)[0] for line in listed] == ["1.", "2.", "3."]
    for line, button in zip(listed, buttons, strict=True):
        number, label = button[1:].split("] ", 1)
        assert line.startswith(f"{number}. {label} — ")
    assert listed[1].startswith("2. Vidējais lēmuma pieņemšanas laiks")
    assert "(piemēram, /history Vidējais deklarācijas apstrādes laiks)" in out.getvalue()
    await session.feed("2")
    assert "Vēsture: Vidējais lēmuma pieņemšanas laiks" in out.getvalue()
