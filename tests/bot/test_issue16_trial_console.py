"""The console's own lines follow the person's language after ``/lang`` (issue 16 trial)."""

from __future__ import annotations

import io

from bot.console import ConsoleChannel, ConsoleSession
from bot.dispatch import Dispatcher
from workflows.plan.model import LoadedPlan


async def test_issue16_console_hint_follows_lang(dispatcher: Dispatcher, plan: LoadedPlan) -> None:
    out = io.StringIO()
    session = ConsoleSession(dispatcher, ConsoleChannel(out), plan, "anna-ozola", "lv")
    await session.feed("/help")
    assert "[konsole] Konsolē: /as <personas-id>" in out.getvalue()
    await session.feed("/lang en")
    out.truncate(0)
    await session.feed("/help")
    assert "[console] On the console: /as <person-id> switches who you are" in out.getvalue()
    await session.feed("/as janis-berzins")
    await session.feed("/as anna-ozola")  # her choice is kept when switching back
    assert out.getvalue().rstrip().endswith("[console] You are now Anna Ozola (anna-ozola).")
