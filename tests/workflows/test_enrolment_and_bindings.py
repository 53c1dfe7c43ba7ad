"""Invite codes and channel bindings, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.db import Database
from storage.models import ChannelBinding, Invite, PlatformIdentity
from tests.support.flow import audit, rows
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.people import bindings, enrolment
from workflows.plan.model import UnknownPlanItem

ANNA, PETERIS = "anna-ozola", "peteris-liepa"


def telegram_ids(db: Database) -> dict[str, str]:
    return {i.external_id: i.person_id for i in rows(db, PlatformIdentity, platform="telegram")}


def test_a_code_links_once_and_only_its_digest_is_stored(any_db: Database, ctx: Context) -> None:
    issued = any_db.transaction(lambda s: enrolment.issue(s, ctx, ANNA))
    (stored,) = rows(any_db, Invite)
    assert stored.code_digest == enrolment.digest(issued.code) != issued.code
    redeem = lambda code, user: any_db.transaction(  # noqa: E731
        lambda s: enrolment.redeem(s, ctx, code, "telegram", user, "lv-LV")
    )
    assert redeem(issued.code, "11") == enrolment.Linked(ANNA)
    assert redeem(issued.code, "11") == enrolment.Linked(ANNA, already=True)
    assert redeem(issued.code, "12") == enrolment.Refused("used")
    assert redeem("not-a-code", "12") == enrolment.Refused("unknown")
    assert telegram_ids(any_db) == {"11": ANNA}
    assert len(audit(any_db, "person.linked")) == 1


def test_expired_codes_and_unknown_people(
    any_db: Database, ctx: Context, clock: FixedClock
) -> None:
    issued = any_db.transaction(lambda s: enrolment.issue(s, ctx, ANNA, timedelta(hours=1)))
    clock.set(ctx.now() + timedelta(hours=1))
    result = any_db.transaction(lambda s: enrolment.redeem(s, ctx, issued.code, "telegram", "11"))
    assert result == enrolment.Refused("expired")
    with pytest.raises(enrolment.UnknownPerson):
        any_db.transaction(lambda s: enrolment.issue(s, ctx, "nobody"))


def test_a_new_account_replaces_the_old_one_and_an_account_serves_one_person(
    any_db: Database, ctx: Context
) -> None:
    def redeem(code: str, user: str) -> enrolment.Linked | enrolment.Refused:
        return any_db.transaction(lambda s: enrolment.redeem(s, ctx, code, "telegram", user))

    def link(person: str, user: str) -> str:
        code = any_db.transaction(lambda s: enrolment.issue(s, ctx, person)).code
        redeem(code, user)
        return code

    first = link(ANNA, "11")
    link(ANNA, "21")  # Anna's new phone
    link(PETERIS, "11")  # her old account now belongs to Pēteris
    assert telegram_ids(any_db) == {"21": ANNA, "11": PETERIS}
    # the old account sending Anna's used code again takes nothing back
    assert redeem(first, "11") == enrolment.Refused("used")
    assert telegram_ids(any_db) == {"21": ANNA, "11": PETERIS}


def test_bind_move_and_plan_targets(any_db: Database, ctx: Context) -> None:
    channel = "pk-dzivesvieta"
    target = lambda: any_db.transaction(  # noqa: E731
        lambda s: bindings.target(s, ctx, channel, "telegram")
    )
    assert target() is None
    any_db.transaction(lambda s: bindings.bind(s, ctx, channel, "telegram", "-5", "kristaps-sils"))
    assert target() == "-5"
    dropped = any_db.transaction(
        lambda s: bindings.bind(s, ctx, "pk-socialapalidziba", "telegram", "-5", "kristaps-sils")
    )
    assert dropped == (channel,)  # one chat serves one team channel
    assert target() is None
    moved = any_db.transaction(lambda s: bindings.move(s, ctx, "telegram", "-5", "-1005"))
    assert moved == ("pk-socialapalidziba",)
    assert [(b.channel_id, b.target) for b in rows(any_db, ChannelBinding)] == [
        ("pk-socialapalidziba", "-1005")
    ]
    with pytest.raises(UnknownPlanItem):
        any_db.transaction(lambda s: bindings.bind(s, ctx, "nope", "telegram", "-7", "x"))


async def test_one_code_sent_by_several_accounts_at_once_links_exactly_one(
    any_db: Database, ctx: Context
) -> None:
    import asyncio

    code = any_db.transaction(lambda s: enrolment.issue(s, ctx, ANNA)).code
    results = await asyncio.gather(
        *(
            any_db.run(
                lambda s, user=str(100 + n): enrolment.redeem(s, ctx, code, "telegram", user)
            )
            for n in range(8)
        )
    )
    assert sorted(type(r).__name__ for r in results) == ["Linked"] + ["Refused"] * 7
    assert len(telegram_ids(any_db)) == 1
