"""Issue 16: a typed value does not rebuild its measurement form from the database again.

The form's spec, header and earlier values are remembered per form session
(``workflows.forms.conversation.memo``): the round is read when the form begins, not at each
typed value; a reloaded plan rebuilds it; what the person is asked and what is stored stay
the same.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from sqlalchemy import event

from bot import tokens
from bot.dispatch import Dispatcher
from storage.db import Database
from storage.models import Measurement
from tests.support.flow import only, rows
from tests.support.recording import command, press, say
from workflows.forms.engine import Ask, Confirm
from workflows.notices import FormPrompt, MeasurementsRecorded, RoundOpened

ACTIVITY = "dzivesvietas-deklaresana"
ANNA = "anna-ozola"


def _round_reads(db: Database) -> list[str]:
    found: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if "FROM control_round" in statement:
            found.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    return found


async def test_issue16_typed_values_do_not_read_the_round_again(
    dispatcher: Dispatcher, db: Database
) -> None:
    opened = await dispatcher.handle(command("kristaps-sils", "remind", ACTIVITY, "2026-10"))
    round_id = only(opened, RoundOpened, "kristaps-sils").round_id
    first = await dispatcher.handle(press(ANNA, tokens.start_round(round_id)))
    assert isinstance(only(first, FormPrompt, ANNA).step, Ask)
    reads = _round_reads(db)
    items = await dispatcher.handle(say(ANNA, "0,9"))
    prompt = only(items, FormPrompt, ANNA)
    assert isinstance(prompt.step, Ask) and prompt.step.field.id == "dd-within-sla"
    assert prompt.header.round_id == round_id
    assert reads == []  # the round and the earlier periods' rounds: remembered
    dispatcher.ctx = dataclasses.replace(
        dispatcher.ctx, plan=dataclasses.replace(dispatcher.ctx.plan)
    )  # a reloaded plan (a new object): the form is rebuilt from the database
    items = await dispatcher.handle(say(ANNA, "96,5"))
    assert isinstance(only(items, FormPrompt, ANNA).step, Confirm)
    assert reads != []
    recorded = await dispatcher.handle(say(ANNA, "1"))
    assert [r.value for r in only(recorded, MeasurementsRecorded, ANNA).results] == [
        Decimal("0.9"),
        Decimal("96.5"),
    ]
    assert {m.indicator_id for m in rows(db, Measurement)} == {
        "dd-avg-processing",
        "dd-within-sla",
    }
