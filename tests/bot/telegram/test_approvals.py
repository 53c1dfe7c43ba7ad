"""Improvement decisions in a Telegram group: /bind, buttons only the approver may use, a
second press that changes nothing, and the group message edited to show the outcome."""

from __future__ import annotations

from storage.models import ChannelBinding, ImprovementDecision
from tests.bot.telegram.conftest import (
    ACTIVITY,
    ADMIN,
    ANNA,
    CHANNEL,
    GROUP,
    JANIS,
    World,
    button_labels,
)
from tests.bot.telegram.test_forms import monthly_reminder
from tests.support.flow import rows

APPROVE, REJECT = "Noteikt pasākumu", "Pasākums nav vajadzīgs"


async def bind_group(world: World) -> int:
    admin = await world.enrol(ADMIN)
    await world.says(
        admin, f"/bind@controlbot_test_bot {CHANNEL}", chat_id=GROUP, chat_type="supergroup"
    )
    return admin


async def critical_measurement(world: World) -> int:
    """Anna submits a critical value: a decision is requested from Jānis."""
    anna = await world.enrol(ANNA)
    await world.admin("remind", ACTIVITY, "2026-10")
    await world.presses(anna, "Ievadīt mērījumus", monthly_reminder(world, anna))
    for text in ("0,9", "88,5", "Divi darbinieki slimoja"):
        await world.says(anna, text)
    confirm = world.fake.sent(anna)[-1]
    await world.presses(anna, button_labels(confirm)[0], confirm)
    return anna


async def test_bind_in_a_group_routes_the_channel_there(world: World) -> None:
    await bind_group(world)
    (binding,) = rows(world.db, ChannelBinding)
    assert (binding.channel_id, binding.platform, binding.target) == (
        CHANNEL,
        "telegram",
        str(GROUP),
    )
    assert "tiks publicēti šajā tērzēšanā" in world.fake.texts(GROUP)[-1]


async def test_bind_by_someone_who_is_not_an_admin_is_refused_privately(world: World) -> None:
    anna = await world.enrol(ANNA)
    await world.says(anna, f"/bind {CHANNEL}", chat_id=GROUP, chat_type="supergroup")
    assert rows(world.db, ChannelBinding) == []
    assert world.fake.texts(GROUP) == []
    assert "/bind" in world.fake.texts(anna)[-1]


async def test_only_the_approver_decides_once_and_the_group_message_shows_it(
    world: World,
) -> None:
    await bind_group(world)
    janis = await world.enrol(JANIS)
    anna = await critical_measurement(world)
    request = world.last_with_button(APPROVE)
    assert request.chat == str(GROUP)
    assert button_labels(request) == [APPROVE, REJECT, "Ierosināt augstāk"]
    dm_request = next(c for c in world.fake.sent(janis) if APPROVE in button_labels(c))

    # someone else presses: a short alert, nothing changes
    replies = await world.presses(anna, REJECT, request)
    (alert,) = [c for c in replies if c.method == "answerCallbackQuery"]
    assert (
        alert.params["text"]
        == "Lēmumu Nr. 1 var pieņemt tikai Jānis Bērziņš. Nekas netika mainīts."
    )
    assert alert.params["show_alert"] in (True, "true")
    (decision,) = rows(world.db, ImprovementDecision)
    assert decision.status == "open"

    # the approver presses in the group; the form continues in his private chat
    await world.presses(janis, REJECT, request)
    await world.says(janis, "Slimības periods ir beidzies")
    confirm = world.fake.sent(janis)[-1]
    await world.presses(janis, button_labels(confirm)[0], confirm)
    (decision,) = rows(world.db, ImprovementDecision)
    assert (decision.status, decision.decided_by) == ("rejected", JANIS)

    # the group's message now shows who decided what and when, without buttons
    edits = world.fake.sent(GROUP, "editMessageText")
    assert [int(e.params["message_id"]) for e in edits] == [request.params["_message_id"]]
    shown = world.fake.messages[(str(GROUP), request.params["_message_id"])]["text"]
    assert "Lēmums Nr. 1" in shown and "Jānis Bērziņš" in shown
    assert "Slimības periods ir beidzies" in shown
    assert not any("Lēmums Nr. 1" in t for t in world.fake.texts(GROUP)[1:] if t != shown)
    # the private request lost its buttons
    dm_edits = world.fake.sent(janis, "editMessageReplyMarkup")
    assert any(int(e.params["message_id"]) == dm_request.params["_message_id"] for e in dm_edits)

    # a second press changes nothing
    replies = await world.presses(janis, APPROVE, request)
    (alert,) = [c for c in replies if c.method == "answerCallbackQuery"]
    assert "jau pieņēma" in alert.params["text"]
    (decision,) = rows(world.db, ImprovementDecision)
    assert decision.status == "rejected"


async def test_other_bots_commands_and_chatter_in_a_group_get_no_answer(world: World) -> None:
    anna = await world.enrol(ANNA)
    before = len(world.fake.sent())
    for text in ("/stats", "/help@other_bot", "labrīt visiem!"):
        world.fake.user_says(anna, text, chat_id=GROUP, chat_type="supergroup")
    await world.settle()
    assert world.fake.sent()[before:] == []


async def test_a_decision_proposed_upwards_goes_to_the_responsible_one_scale_up(
    world: World,
) -> None:
    await bind_group(world)
    janis = await world.enrol(JANIS)
    marta = await world.enrol("marta-kalnina")  # A at the institution's scale
    await critical_measurement(world)
    dm_request = next(c for c in world.fake.sent(janis) if APPROVE in button_labels(c))
    await world.presses(janis, "Ierosināt augstāk", dm_request)
    (decision,) = rows(world.db, ImprovementDecision)
    assert (decision.approver_id, decision.proposed_by) == ("marta-kalnina", JANIS)
    assert any(APPROVE in button_labels(c) for c in world.fake.sent(marta))  # she is asked
    assert any(
        "Jānis Bērziņš to nodeva augstāk; tagad lemj: Mārta Kalniņa." in t
        for t in world.fake.texts(GROUP)
    )
    # Jānis can no longer decide; Mārta can
    request = world.last_with_button(REJECT)
    replies = await world.presses(janis, REJECT, request)
    (alert,) = [c for c in replies if c.method == "answerCallbackQuery"]
    assert "tikai Mārta Kalniņa" in alert.params["text"]
    await world.presses(marta, REJECT, request)
    await world.says(marta, "Resursi pārdalīti")
    confirm = world.fake.sent(marta)[-1]
    await world.presses(marta, button_labels(confirm)[0], confirm)
    (decision,) = rows(world.db, ImprovementDecision)
    assert (decision.status, decision.decided_by) == ("rejected", "marta-kalnina")
