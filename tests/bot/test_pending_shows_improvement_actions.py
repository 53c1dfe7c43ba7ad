"""``/pending`` left out improvement actions: Anna owned action no. 1 (due 30.11.2026) after
``make demo``, yet was told nothing waited for her, and no command showed the action's number
that ``/action N in-progress|done`` takes.

Now ``/pending`` lists the actions a person carries out that are not done yet — number, what,
due date, overdue, state — with the follow-up's own buttons.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.console import ConsoleChannel, ConsoleSession
from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from storage.db import Database
from storage.models import ImprovementDecision
from tests.support.flow import rows
from tests.workflows.test_actions import approved_action
from tests.workflows.test_round_flow import ANNA, JANIS
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.model import LoadedPlan

RIGA = ZoneInfo("Europe/Riga")
ACTION = "Pārdalīt rindu"


def _console(ctx: Context, db: Database, plan: LoadedPlan, person: str) -> ConsoleSession:
    channel = ConsoleChannel(io.StringIO())
    dispatcher = Dispatcher(ctx, db, Outbox(ctx, db, {"console": channel}, "lv"), "lv")
    return ConsoleSession(dispatcher, channel, plan, person, "lv")


def _printed(session: ConsoleSession) -> str:
    out = session.channel.out
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def _last_reply(session: ConsoleSession) -> list[str]:
    """The lines the console printed for the last message to the person."""
    text = _printed(session)
    return text[text.rindex("[DM → ") :].splitlines()


async def test_pending_lists_the_action_the_person_owns_with_its_number_and_buttons(
    dispatcher: Dispatcher, db: Database, ctx: Context, plan: LoadedPlan
) -> None:
    number = await approved_action(dispatcher, db)
    anna = _console(ctx, db, plan, ANNA)
    await anna.feed("/pending")
    assert _last_reply(anna) == [
        "[DM → Anna Ozola] Jūs gaida",
        f"    • Pilnveides pasākums Nr. {number} (plānots): {ACTION} — termiņš 30.11.2026.",
        "    Pasākuma statusu var mainīt ar pogām vai komandu /action N procesā|izpildīts "
        "(N — pasākuma numurs).",
        f"    [1] Procesā (Nr. {number})",
        f"    [2] Izpildīts (Nr. {number})",
    ]
    await anna.feed("1")  # the button, as typed on the console
    (decision,) = rows(db, ImprovementDecision)
    assert decision.action_status == "in_progress"
    await anna.feed("/pending")
    assert _last_reply(anna)[1:] == [
        f"    • Pilnveides pasākums Nr. {number} (procesā): {ACTION} — termiņš 30.11.2026.",
        "    Pasākuma statusu var mainīt ar pogām vai komandu /action N procesā|izpildīts "
        "(N — pasākuma numurs).",
        f"    [1] Izpildīts (Nr. {number})",
    ]
    await anna.feed(f"/action {number} izpildīts")
    await anna.feed("/pending")
    assert _last_reply(anna)[1:] == ["    Šobrīd Jums nekas nav jādara."]


async def test_pending_marks_an_overdue_action_and_speaks_english(
    dispatcher: Dispatcher, db: Database, ctx: Context, plan: LoadedPlan, clock: FixedClock
) -> None:
    number = await approved_action(dispatcher, db)
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=RIGA))
    anna = _console(ctx, db, plan, ANNA)
    await anna.feed("/pending")
    assert (
        f"    • Pilnveides pasākums Nr. {number} (plānots): {ACTION} — termiņš (30.11.2026.) "
        "nokavēts"
    ) in _last_reply(anna)
    await anna.feed("/lang en")
    await anna.feed("/pending")
    assert _last_reply(anna) == [
        "[DM → Anna Ozola] Waiting for you",
        f"    • Improvement action no. {number} (planned): {ACTION} — overdue since 30 Nov 2026",
        "    An action's status is changed with its buttons or with /action N in-progress|done "
        "(N is the action's number).",
        f"    [1] In progress (no. {number})",
        f"    [2] Done (no. {number})",
    ]


async def test_pending_shows_the_approver_no_action_that_someone_else_carries_out(
    dispatcher: Dispatcher, db: Database, ctx: Context, plan: LoadedPlan
) -> None:
    await approved_action(dispatcher, db)
    janis = _console(ctx, db, plan, JANIS)
    await janis.feed("/pending")
    assert "Pilnveides pasākums" not in "\n".join(_last_reply(janis))  # Anna carries it out
