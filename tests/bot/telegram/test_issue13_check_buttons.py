"""Issue 13 item 16 in Telegram: a yes/no or choice indicator is asked with inline buttons.

The checks of :mod:`tests.support.checks` are Anna's only indicators here; she answers the
yes/no with its button, the choice by typing its label, and the values are stored with
their option ids.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from storage.models import Measurement
from tests.bot.telegram.conftest import ACTIVITY, World, button_labels
from tests.bot.telegram.test_forms import start_form
from tests.conftest import RIGA
from tests.support.checks import CHOICE, YES_NO, plan_with_checks
from tests.support.flow import rows
from workflows.calendar import WorkingCalendar
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.plan.loader import load_plan


@pytest.fixture
def ctx(clock: FixedClock, tmp_path: Path) -> Context:
    """The bundled plan with the two checks as the only indicators of Anna's activity."""
    path = plan_with_checks(tmp_path, only_checks=True, activity_id=ACTIVITY)
    return Context(load_plan(path), clock, WorkingCalendar(), RIGA, "lv")


async def test_checks_are_answered_with_inline_buttons_or_typed_labels(world: World) -> None:
    user = await start_form(world)
    question = world.fake.sent(user)[-1]
    assert "Jautājums 1 no 2" in question.params["text"]
    assert button_labels(question)[:3] == ["Jā", "Nē", "Nav izmērīts"]
    await world.presses(user, "Jā", question)
    question = world.fake.sent(user)[-1]
    assert button_labels(question)[:4] == [
        "Plānošana",
        "Izsludināts",
        "Līgums noslēgts",
        "Apturēts",
    ]
    await world.says(user, "Līgums noslēgts")
    confirm = world.fake.sent(user)[-1]
    assert "Līgums noslēgts — ✅ normā" in confirm.params["text"]
    await world.presses(user, button_labels(confirm)[0], confirm)
    stored = {m.indicator_id: m for m in rows(world.db, Measurement)}
    assert (stored[YES_NO].value, stored[YES_NO].choice) == (Decimal(1), "yes")
    assert (stored[CHOICE].value, stored[CHOICE].choice) == (Decimal(3), "contract")
