"""The Slack measurement modal: errors next to the field in the person's language (C08), a
loading view that opens before anything slow (C09), comments and confirmation as updates."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

from storage.models import Measurement
from tests.bot.slack.conftest import ACTIVITY, ANNA, PETERIS, USERS, SlackWorld
from tests.support.flow import rows


async def open_modal(slack: SlackWorld, person: str) -> dict[str, Any]:
    await slack.admin("remind", ACTIVITY, "2026-10")
    reminder = slack.last_with_button(
        "Ievadīt mērījumus" if person == ANNA else "Enter measurements", slack.dm(person)
    )
    label = "Ievadīt mērījumus" if person == ANNA else "Enter measurements"
    status, _ = await slack.sender.press(USERS[person], reminder, label)
    assert status == 200
    await slack.wait_for(lambda: any(v["hash"] == "h2" for v in slack.fake.views.values()))
    (view,) = slack.fake.views.values()
    return view


def inputs(view: dict[str, Any]) -> dict[str, str]:
    return {b["block_id"]: b["label"]["text"] for b in view["blocks"] if b["type"] == "input"}


async def test_c08_errors_show_next_to_the_field_and_a_latvian_decimal_comma_is_taken(
    slack: SlackWorld,
) -> None:
    view = await open_modal(slack, ANNA)
    assert view["title"]["text"] == "Mērījumi" and len(view["title"]["text"]) <= 24
    assert set(inputs(view)) == {"dd-avg-processing", "dd-within-sla"}
    assert all(
        b["element"]["type"] == "plain_text_input" for b in view["blocks"] if b["type"] == "input"
    )

    status, body = await slack.sender.submit(
        USERS[ANNA], view, {"dd-avg-processing": "abc", "dd-within-sla": "97"}
    )
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"dd-avg-processing"}
    assert answer["errors"]["dd-avg-processing"].startswith("“abc” nav skaitlis.")
    assert rows(slack.db, Measurement) == []

    status, body = await slack.sender.submit(
        USERS[ANNA], view, {"dd-avg-processing": "12,5", "dd-within-sla": "97"}
    )
    answer = json.loads(body)
    assert answer["response_action"] == "update"  # 12,5 days is off target: a comment
    comments = answer["view"]
    assert set(inputs(comments)) == {"dd-avg-processing.comment"}
    status, body = await slack.sender.submit(
        USERS[ANNA], comments, {"dd-avg-processing.comment": "Rinda <DVS> & atvaļinājumi"}
    )
    confirm = json.loads(body)["view"]
    text = confirm["blocks"][-1]["text"]["text"]
    assert "12,5" in text and "Rinda <DVS> & atvaļinājumi" in text  # plain text, as typed
    status, body = await slack.sender.submit(USERS[ANNA], confirm, {})
    assert status == 200 and body in ("", "{}")  # the modal closes
    await slack.wait_for(lambda: rows(slack.db, Measurement))
    stored = {m.indicator_id: m for m in rows(slack.db, Measurement)}
    assert stored["dd-avg-processing"].value == Decimal("12.5")
    assert stored["dd-avg-processing"].comment == "Rinda <DVS> & atvaļinājumi"
    assert stored["dd-within-sla"].value == Decimal("97")
    await slack.settle()
    assert any(t.startswith("*Saglabāts:") for t in slack.fake.texts(slack.dm(ANNA)))


async def test_c08_an_english_user_gets_english_errors(slack: SlackWorld) -> None:
    view = await open_modal(slack, PETERIS)
    _status, body = await slack.sender.submit(
        USERS[PETERIS], view, {"dd-avg-processing": "12,5", "dd-within-sla": ""}
    )
    errors = json.loads(body)["errors"]
    assert errors["dd-avg-processing"].startswith("Use a decimal point")
    assert errors["dd-within-sla"] == "The answer is empty. Please type an answer."


async def test_c09_the_modal_opens_before_slow_lookups_finish(slack: SlackWorld) -> None:
    gate = asyncio.Event()
    begin = slack.dispatcher.begin_form

    async def slow_begin(*args: Any) -> Any:
        await gate.wait()  # loading the control's targets takes a while
        return await begin(*args)

    slack.dispatcher.begin_form = slow_begin  # type: ignore[method-assign]
    await slack.admin("remind", ACTIVITY, "2026-10")
    reminder = slack.last_with_button("Ievadīt mērījumus", slack.dm(ANNA))
    status, _ = await slack.sender.press(USERS[ANNA], reminder, "Ievadīt mērījumus")
    assert status == 200  # acknowledged while the lookup is still waiting
    await slack.wait_for(lambda: slack.fake.views)
    (loading,) = slack.fake.views.values()
    assert loading["hash"] == "h1" and "Ielādē" in loading["blocks"][0]["text"]["text"]
    gate.set()
    await slack.wait_for(lambda: next(iter(slack.fake.views.values()))["hash"] == "h2")
    (view,) = slack.fake.views.values()
    assert set(inputs(view)) == {"dd-avg-processing", "dd-within-sla"}


async def test_control_measure_opens_the_modal_of_the_first_round(slack: SlackWorld) -> None:
    await slack.admin("remind", ACTIVITY, "2026-10")
    status, _ = await slack.sender.command(USERS[ANNA], "measure", channel=slack.dm(ANNA))
    assert status == 200
    await slack.wait_for(lambda: any(v["hash"] == "h2" for v in slack.fake.views.values()))
    (view,) = slack.fake.views.values()
    assert set(inputs(view)) == {"dd-avg-processing", "dd-within-sla"}


async def test_control_measure_with_nothing_to_measure_says_so(slack: SlackWorld) -> None:
    await slack.sender.command(USERS[ANNA], "measure", channel=slack.dm(ANNA))
    await slack.wait_for(lambda: slack.fake.texts(slack.dm(ANNA)))
    assert "Šobrīd Jums nekas nav jādara" in slack.fake.texts(slack.dm(ANNA))[-1]
    assert slack.fake.views == {}


async def test_not_measured_in_the_modal_asks_the_reason_in_the_next_step(
    slack: SlackWorld,
) -> None:
    from storage.models import NotMeasured

    view = await open_modal(slack, ANNA)
    hint = next(b for b in view["blocks"] if b.get("block_id") == "dd-avg-processing")
    assert hint["type"] == "input"
    _status, body = await slack.sender.submit(
        USERS[ANNA], view, {"dd-avg-processing": "nav mērīts", "dd-within-sla": "97"}
    )
    reasons = json.loads(body)["view"]
    assert set(inputs(reasons)) == {"dd-avg-processing.reason"}
    _status, body = await slack.sender.submit(
        USERS[ANNA], reasons, {"dd-avg-processing.reason": "Sistēma nedarbojās"}
    )
    confirm = json.loads(body)["view"]
    assert "nav izmērīts" in confirm["blocks"][-1]["text"]["text"]
    status, _body = await slack.sender.submit(USERS[ANNA], confirm, {})
    assert status == 200
    await slack.wait_for(lambda: rows(slack.db, NotMeasured))
    (gap,) = rows(slack.db, NotMeasured)
    assert (gap.indicator_id, gap.reason) == ("dd-avg-processing", "Sistēma nedarbojās")
    assert [m.indicator_id for m in rows(slack.db, Measurement)] == ["dd-within-sla"]


async def test_a_value_far_from_history_is_flagged_in_the_modal_before_submitting(
    slack: SlackWorld,
) -> None:
    from workflows.periods import Period
    from workflows.rounds.measuring import new_measurement
    from workflows.rounds.opening import new_round

    with slack.db.session() as session:
        for month, value in ((7, "1.2"), (8, "1.1"), (9, "1.3")):
            past = new_round(
                slack.ctx, ACTIVITY, Period.parse(f"2026-{month:02d}"), "system", status="closed"
            )
            session.add(past)
            session.flush()
            session.add(
                new_measurement(slack.ctx, past, "dd-avg-processing", Decimal(value), None, ANNA)
            )
        session.commit()
    view = await open_modal(slack, ANNA)
    _status, body = await slack.sender.submit(
        USERS[ANNA], view, {"dd-avg-processing": "0,9", "dd-within-sla": "97"}
    )
    usual = json.loads(body)["view"]["blocks"][-1]["text"]["text"]
    assert "krietni atšķiras" not in usual
    _status, body = await slack.sender.submit(
        USERS[ANNA], view, {"dd-avg-processing": "0,1", "dd-within-sla": "97"}
    )
    confirm = json.loads(body)["view"]
    warned = confirm["blocks"][-1]["text"]["text"]
    assert "krietni atšķiras no iepriekšējām" in warned and "Pārbaudiet" in warned
    await slack.sender.submit(USERS[ANNA], confirm, {})
    await slack.wait_for(lambda: any(m.period == "2026-10" for m in rows(slack.db, Measurement)))
    stored = {
        m.indicator_id: m.value for m in rows(slack.db, Measurement) if m.period == "2026-10"
    }
    assert stored["dd-avg-processing"] == Decimal("0.1")  # warned, not refused
