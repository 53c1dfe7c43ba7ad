"""Issue 13 item 16 in Slack: a yes/no or choice indicator is a static_select in the modal.

The checks of :mod:`tests.support.checks` are put on Anna's activity, so the modal she opens
from her reminder holds only them; she picks options, the "no" asks a comment, and the
values are stored with their option ids.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from bot.slack.modals import ModalState, check, value_fields, values_view
from storage.models import Measurement
from tests.bot.slack.conftest import ACTIVITY, ANNA, USERS, SlackWorld
from tests.bot.slack.test_modals import inputs, open_modal
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


async def test_checks_are_selects_with_the_plans_labels_and_not_measured(
    slack: SlackWorld,
) -> None:
    view = await open_modal(slack, ANNA)
    assert set(inputs(view)) == {YES_NO, CHOICE}
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    select = blocks[CHOICE]["element"]
    assert select["type"] == "static_select"
    assert [(o["text"]["text"], o["value"]) for o in select["options"]] == [
        ("Plānošana", "1"),
        ("Izsludināts", "2"),
        ("Līgums noslēgts", "3"),
        ("Apturēts", "4"),
        ("Nav izmērīts", "not_measured"),
    ]
    assert [o["text"]["text"] for o in blocks[YES_NO]["element"]["options"]][:2] == ["Jā", "Nē"]
    assert "Mērķis: Līgums noslēgts" in blocks[CHOICE]["hint"]["text"]
    assert "Ierakstiet" not in blocks[CHOICE]["hint"]["text"]  # nothing to type

    _status, body = await slack.sender.submit(USERS[ANNA], view, {YES_NO: "2", CHOICE: "3"})
    comments = json.loads(body)["view"]
    assert set(inputs(comments)) == {YES_NO + ".comment"}  # "no" is critical
    _status, body = await slack.sender.submit(
        USERS[ANNA], comments, {YES_NO + ".comment": "Reģistrs nebija pieejams"}
    )
    confirm = json.loads(body)["view"]
    text = confirm["blocks"][-1]["text"]["text"]
    assert "Nē — ❌ kritisks" in text and "Līgums noslēgts — ✅ normā" in text
    await slack.sender.submit(USERS[ANNA], confirm, {})
    await slack.wait_for(lambda: len(rows(slack.db, Measurement)) == 2)
    stored = {m.indicator_id: m for m in rows(slack.db, Measurement)}
    assert (stored[YES_NO].value, stored[YES_NO].choice) == (Decimal(2), "no")
    assert (stored[CHOICE].choice, stored[CHOICE].status) == ("contract", "ok")
    await slack.settle()


def test_c06_a_long_option_label_is_shortened_and_still_chooses_its_option(
    clock: FixedClock, tmp_path: Path
) -> None:
    long_label = (
        "Izsludināts atklāts konkurss ar vairākām daļām un pagarinātu piedāvājumu termiņu " * 2
    )
    path = plan_with_checks(tmp_path, only_checks=True, activity_id=ACTIVITY)
    path.write_text(
        path.read_text(encoding="utf-8").replace("lv: Izsludināts", f"lv: {long_label.strip()}"),
        encoding="utf-8",
    )
    ctx = Context(load_plan(path), clock, WorkingCalendar(), RIGA, "lv")
    state = ModalState(1, ACTIVITY, "2026-10", "lv", (YES_NO, CHOICE))
    view = values_view(ctx, state)
    select = next(b for b in view["blocks"] if b.get("block_id") == CHOICE)["element"]
    texts = [o["text"]["text"] for o in select["options"]]
    assert max(len(text) for text in texts) <= 75 and texts[1].endswith("…")
    chosen = select["options"][1]["value"]
    parsed, errors = check(ctx, state, value_fields(ctx, state), {YES_NO: "1", CHOICE: chosen})
    assert errors == {} and parsed[CHOICE] == "2"
