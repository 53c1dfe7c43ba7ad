"""What a fresh user met in chat when trying the product by its README (issue 16 trial).

Only an improvement action's responsible person moves it forward (README "Improvement
actions", domain.md §2.1 D4); the approver may only cancel it, and a refused attempt says so
and changes nothing. ``/back`` echoes a comment as it was typed, not as a number.
"""

from __future__ import annotations

from bot import tokens
from bot.dispatch import Dispatcher
from storage.db import Database
from storage.models import ImprovementDecision
from tests.support.flow import audit, only, problem_codes, rows
from tests.support.recording import RecordingChannel, command, press
from tests.workflows.test_actions import approved_action
from tests.workflows.test_round_flow import ANNA, JANIS, anna_critical, remind, start, type_lines
from workflows.notices import ActionUpdated


def _status(db: Database) -> str | None:
    (decision,) = rows(db, ImprovementDecision)
    return decision.action_status


async def test_issue16_the_approver_cannot_move_someone_elses_action_forward(
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    number = await approved_action(dispatcher, db)  # Jānis decided it, Anna is responsible
    for way in (
        command(JANIS, "action", str(number), "started"),
        command(JANIS, "action", str(number), "done"),
        press(JANIS, tokens.action_status(number, "in_progress")),
    ):
        recording.clear()
        items = await dispatcher.handle(way)
        assert problem_codes(items) == ["action_owner_moves"]
        assert not [i for i in items if isinstance(i.notice, ActionUpdated)]
        assert recording.texts(JANIS) == (
            f"Lēmuma Nr. {number} pilnveides pasākumu kā procesā esošu vai izpildītu atzīmē "
            "tikai par to atbildīgā persona (Anna Ozola); lēmuma pieņēmējs pasākumu var tikai "
            f"atcelt (/action {number} atcelts). Nekas netika mainīts."
        )
        assert not recording.to(ANNA)  # nobody else is told of a refused attempt
    assert _status(db) == "planned" and audit(db, "action.status") == []
    items = await dispatcher.handle(command(ANNA, "action", str(number), "started"))
    assert only(items, ActionUpdated, JANIS).status == "in_progress"
    items = await dispatcher.handle(command(JANIS, "action", str(number), "cancelled"))
    assert only(items, ActionUpdated, ANNA).status == "cancelled"  # cancelling stays his


async def test_issue16_the_refusal_reads_in_english_too(
    dispatcher: Dispatcher, db: Database, recording: RecordingChannel
) -> None:
    number = await approved_action(dispatcher, db)
    await dispatcher.handle(command(JANIS, "lang", "en"))
    recording.clear()
    await dispatcher.handle(command(JANIS, "action", str(number), "done"))
    assert recording.texts(JANIS) == (
        f"Only the action's responsible person, Anna Ozola, marks the improvement action of "
        f"decision no. {number} as in progress or done; as the one who decided it, you may "
        f"cancel it (/action {number} cancelled). Nothing was changed."
    )


async def test_issue16_an_approver_who_is_also_responsible_moves_it_forward(
    dispatcher: Dispatcher, db: Database
) -> None:
    await anna_critical(dispatcher, await remind(dispatcher))
    (decision,) = rows(db, ImprovementDecision)
    await dispatcher.handle(command(JANIS, "approve", str(decision.id)))
    await type_lines(dispatcher, JANIS, "Pārdalīt rindu", "1", "30.11.2026.", "1")  # himself
    items = await dispatcher.handle(command(JANIS, "action", str(decision.id), "started"))
    assert only(items, ActionUpdated, JANIS).status == "in_progress"


async def test_issue16_back_echoes_a_comment_as_typed_and_a_number_in_the_locale(
    dispatcher: Dispatcher, recording: RecordingChannel
) -> None:
    round_id = await remind(dispatcher)
    await start(dispatcher, ANNA, round_id)
    await type_lines(dispatcher, ANNA, "0,9", "88,5", "12.5")  # the comment is "12.5"
    recording.clear()
    items = await dispatcher.handle(command(ANNA, "back"))
    assert problem_codes(items) == ["previous_answer"]
    assert "Iepriekšējā atbilde: 12.5." in recording.texts(ANNA)
    recording.clear()
    await dispatcher.handle(command(ANNA, "back"))  # the critical value, a number
    assert "Iepriekšējā atbilde: 88,5." in recording.texts(ANNA)
