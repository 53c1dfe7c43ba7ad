"""Issue 6 over Telegram: "Not measured" as a button, an approver's Approve / Return buttons
in a DM (callback queries), the reason typed as a reply, and an old button that changes nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from storage.models import Measurement, NotMeasured
from tests.bot.telegram.conftest import ACTIVITY, ANNA, JANIS, World, button_labels
from tests.bot.telegram.test_forms import monthly_reminder
from tests.support.flow import rows
from tests.workflows.test_value_review import _plan
from workflows.plan.loader import load_plan
from workflows.plan.model import LoadedPlan

APPROVE, RETURN = "Apstiprināt", "Atgriezt ar pamatojumu"


@pytest.fixture
def plan(tmp_path: Path) -> LoadedPlan:
    """The sample plan with requires_approval on Anna's two monthly indicators."""
    return load_plan(_plan(tmp_path, approval=True))


async def test_not_measured_button_then_return_and_approve_by_the_approver(world: World) -> None:
    anna = await world.enrol(ANNA)
    janis = await world.enrol(JANIS)
    await world.admin("remind", ACTIVITY, "2026-10")
    await world.presses(anna, "Ievadīt mērījumus", monthly_reminder(world, anna))
    first = world.fake.sent(anna)[-1]
    assert "Nav izmērīts" in button_labels(first)
    await world.presses(anna, "Nav izmērīts", first)
    assert "Kāpēc to nevarēja izmērīt?" in world.fake.texts(anna)[-1]
    await world.says(anna, "Sistēma <DVS> nedarbojās")
    await world.says(anna, "97")
    confirm = world.fake.sent(anna)[-1]
    assert "nav izmērīts" in confirm.params["text"]
    await world.presses(anna, button_labels(confirm)[0], confirm)
    (gap,) = rows(world.db, NotMeasured)
    assert gap.reason == "Sistēma <DVS> nedarbojās"
    assert "Gaida apstiprinājumu" in "\n".join(world.fake.texts(anna))

    request = world.last_with_button(APPROVE)
    assert request.chat == str(janis) and button_labels(request) == [APPROVE, RETURN]
    assert "Vērtība gaida Jūsu apstiprinājumu" in request.params["text"]
    await world.presses(janis, RETURN, request)
    assert "Kāpēc atgriežat vērtību?" in world.fake.texts(janis)[-1]
    await world.says(janis, "Atskaitē ir 96")
    returned = world.fake.sent(anna)[-1]
    assert "Atskaitē ir 96" in returned.params["text"]
    await world.presses(anna, "Ievadīt mērījumus", returned)
    await world.says(anna, "96")
    confirm = world.fake.sent(anna)[-1]
    await world.presses(anna, button_labels(confirm)[0], confirm)

    again = world.last_with_button(APPROVE)
    assert again is not request and "96" in again.params["text"]
    replies = await world.presses(janis, APPROVE, request)  # the old request's button
    answered = [c for c in replies if c.method == "answerCallbackQuery"]
    assert answered  # the callback query is always answered
    assert "ir mainīta" in "\n".join(world.fake.texts(janis)[-2:])
    await world.presses(janis, APPROVE, again)
    (row,) = rows(world.db, Measurement)
    assert (row.value, row.version, row.approval) == (Decimal("96"), 2, "approved")
    assert "apstiprināja" in world.fake.texts(anna)[-1]
