"""A control form in Telegram: reminder button, typed answers, a mistyped number, confirmation,
a restart in the middle (field case C01) and names and comments shown exactly (C02)."""

from __future__ import annotations

from decimal import Decimal

from storage.models import FormSession, Measurement
from tests.bot.telegram.conftest import ACTIVITY, ANNA, World, button_labels
from tests.support.fake_telegram import Call
from tests.support.flow import rows

COMMENT = "temp_max = 4-6 °C [OK] #2 <b>ne treknrakstā</b> & “pēdiņas”"


def monthly_reminder(world: World, user: int) -> Call:
    for call in world.fake.sent(user):
        if "oktobris" in call.params["text"] and "Ievadīt mērījumus" in button_labels(call):
            return call
    raise AssertionError("no reminder for October")


async def start_form(world: World) -> int:
    user = await world.enrol(ANNA)
    await world.admin("remind", ACTIVITY, "2026-10")
    await world.presses(user, "Ievadīt mērījumus", monthly_reminder(world, user))
    return user


async def test_a_full_form_with_a_mistyped_number(world: World) -> None:
    user = await start_form(world)
    assert "Jautājums 1 no 2" in world.fake.texts(user)[-1]

    replies = await world.says(user, "0.9.")
    assert "nav skaitlis" in world.fake.texts(user)[-2]
    assert "Jautājums 1 no 2" in world.fake.texts(user)[-1]  # asked again, nothing lost
    assert len(replies) == 2

    await world.says(user, "0,9")
    assert "Jautājums 2 no 2" in world.fake.texts(user)[-1]
    await world.says(user, "88,5")  # below target: a comment is asked for
    await world.says(user, COMMENT)
    confirm = world.fake.sent(user)[-1]
    assert COMMENT in world.fake.texts(user)[-1]  # C02: exactly as typed
    labels = button_labels(confirm)
    await world.presses(user, labels[0], confirm)

    stored = {m.indicator_id: m for m in rows(world.db, Measurement)}
    assert stored["dd-avg-processing"].value == Decimal("0.9")
    assert stored["dd-within-sla"].value == Decimal("88.5")
    assert stored["dd-within-sla"].comment == COMMENT
    assert any(t.startswith("Saglabāts: Dzīvesvietas deklarēšana") for t in world.fake.texts(user))
    # the pressed confirmation lost its buttons: it cannot be pressed twice
    edits = world.fake.sent(user, "editMessageReplyMarkup")
    assert any(int(e.params["message_id"]) == confirm.params["_message_id"] for e in edits)


async def test_c01_a_restart_in_the_middle_continues_at_the_same_step(world: World) -> None:
    user = await start_form(world)
    await world.says(user, "0,9")
    await world.start()  # the process restarts; the form lives in the database

    await world.says(user, "97")
    confirm = world.fake.sent(user)[-1]
    assert "0,9" in world.fake.texts(user)[-1] and "97" in world.fake.texts(user)[-1]
    await world.presses(user, button_labels(confirm)[0], confirm)
    values = {m.indicator_id: m.value for m in rows(world.db, Measurement)}
    assert values == {"dd-avg-processing": Decimal("0.9"), "dd-within-sla": Decimal("97")}
    (form,) = rows(world.db, FormSession)
    assert form.status == "completed"


async def test_c01_start_and_cancel_answer_after_a_restart(world: World) -> None:
    user = await start_form(world)
    await world.start()
    await world.says(user, "/start")
    assert "Jautājums 1 no 2" in world.fake.texts(user)[-1]  # the form is offered again
    await world.says(user, "/cancel")
    assert world.fake.texts(user)[-1] == "Atcelts. Nekas netika saglabāts."
    assert rows(world.db, Measurement) == []


async def test_a_button_of_an_old_form_gets_an_alert_not_a_message(world: World) -> None:
    user = await start_form(world)
    first_prompt = world.fake.sent(user)[-1]
    await world.says(user, "/cancel")
    sent_before = len(world.fake.sent(user))
    replies = await world.presses(user, button_labels(first_prompt)[0], first_prompt)
    (answer,) = [c for c in replies if c.method == "answerCallbackQuery"]
    assert answer.params["show_alert"] in (True, "true")
    assert (
        answer.params["text"] == "Šī poga pieder iepriekšējai veidlapai. Izmantojiet jaunāko ziņu."
    )
    assert len(world.fake.sent(user)) == sent_before


async def test_a_button_of_an_earlier_question_does_not_answer_the_current_one(
    world: World,
) -> None:
    user = await start_form(world)
    await world.says(user, "0,9")
    await world.says(user, "88,5")
    await world.says(user, "Divi darbinieki slimoja")
    confirm = world.fake.sent(user)[-1]
    await world.says(user, "/back")  # typed, so the confirmation's buttons stay
    assert "Pievienojiet īsu komentāru" in world.fake.texts(user)[-1]  # asked again
    replies = await world.presses(user, button_labels(confirm)[0], confirm)  # old "Submit"
    (answer,) = [c for c in replies if c.method == "answerCallbackQuery"]
    assert answer.params["text"] == "Šī poga pieder iepriekšējam jautājumam. Atbildiet uz jaunāko."
    assert rows(world.db, Measurement) == []
    (form,) = rows(world.db, FormSession)
    assert form.answers.get("dd-within-sla.comment") == "Divi darbinieki slimoja"


async def test_photos_stickers_and_edits_get_told_what_is_read(world: World) -> None:
    user = await start_form(world)
    world.fake.push(
        {
            "message": {
                "message_id": 77,
                "date": 1_790_000_000,
                "chat": {"id": user, "type": "private"},
                "from": {"id": user, "is_bot": False, "first_name": "A", "language_code": "lv"},
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "s",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                },
            }
        }
    )
    await world.fake.wait_for(lambda: "tikai ierakstītu tekstu" in "".join(world.fake.texts(user)))
    await world.settle()
    assert "Jautājums 1 no 2" in world.fake.texts(user)[-1]  # the question again
    world.fake.push(
        {
            "edited_message": {
                "message_id": 78,
                "date": 1_790_000_000,
                "edit_date": 1_790_000_100,
                "chat": {"id": user, "type": "private"},
                "from": {"id": user, "is_bot": False, "first_name": "A", "language_code": "lv"},
                "text": "0,8",
            }
        }
    )
    await world.fake.wait_for(lambda: "Labotās ziņas netiek" in "".join(world.fake.texts(user)))
    assert rows(world.db, Measurement) == []


async def test_broken_unicode_in_answers_and_codes_is_read_safely(world: World) -> None:
    user = await start_form(world)
    await world.says(user, "0,9")
    await world.says(user, "88,5")
    await world.says(user, "komentārs \ud800 ar salauztu zīmi")
    assert "komentārs ? ar salauztu zīmi" in world.fake.texts(user)[-1]
    await world.says(7777, "/start \ud800abc", language="en")
    assert "not valid" in world.fake.texts(7777)[-1]
