"""Enrolment over Telegram: deep-link codes, refusals, strangers, the command menu."""

from __future__ import annotations

from datetime import timedelta

from storage.models import Invite, PlatformIdentity
from tests.bot.telegram.conftest import ANNA, PETERIS, USER_IDS, World
from tests.support.flow import rows


async def test_start_with_code_links_the_account_and_greets_in_the_persons_language(
    world: World,
) -> None:
    user = await world.enrol(PETERIS, language="lv")  # the plan says English: the plan wins
    texts = world.fake.texts(user)
    assert "Hello, Pēteris Liepa!" in texts[0]
    assert texts[1].startswith("Waiting for you")  # what waits for them follows
    (identity,) = rows(world.db, PlatformIdentity, platform="telegram")
    assert (identity.person_id, identity.external_id) == (PETERIS, str(user))
    (invite,) = rows(world.db, Invite)
    assert invite.used_by == f"telegram:{user}"
    assert invite.code_digest != ""


async def test_a_used_code_is_refused_politely_and_links_nobody(world: World) -> None:
    code = world.invite(ANNA)
    await world.says(USER_IDS[ANNA], f"/start {code}")
    stranger = 5555
    replies = await world.says(stranger, f"/start {code}", language="en")
    assert [c.chat for c in replies if c.method == "sendMessage"] == [str(stranger)]
    assert "already been used" in world.fake.texts(stranger)[-1]
    assert {i.external_id for i in rows(world.db, PlatformIdentity, platform="telegram")} == {
        str(USER_IDS[ANNA])
    }


async def test_an_expired_code_is_refused(world: World) -> None:
    code = world.invite(PETERIS, valid_for=timedelta(seconds=-1))
    await world.says(USER_IDS[PETERIS], f"/start {code}", language="lv")
    assert "saite vairs nav derīga" in world.fake.texts(USER_IDS[PETERIS])[-1]
    assert rows(world.db, PlatformIdentity, platform="telegram") == []


async def test_an_unknown_user_gets_not_enrolled_in_the_clients_language(world: World) -> None:
    await world.says(7001, "/pending", language="en-GB")
    await world.says(7002, "labdien", language="lv-LV")
    await world.says(7003, "hello", language="ru")
    assert "You are not enrolled" in world.fake.texts(7001)[-1]
    assert "Šis konts nav pievienots" in world.fake.texts(7002)[-1]
    assert "Šis konts nav pievienots" in world.fake.texts(7003)[-1]  # default: Latvian


async def test_the_command_menu_is_registered_in_both_languages(world: World) -> None:
    menus = {
        c.params.get("language_code"): c.params["commands"]
        for c in world.fake.sent(method="setMyCommands")
    }
    assert set(menus) == {"lv", "en", None}
    names = [c["command"] for c in menus["en"]]
    assert names[:3] == ["start", "pending", "cancel"]
    assert menus["en"][1]["description"] != menus["lv"][1]["description"]
