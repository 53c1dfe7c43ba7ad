"""``/status``: a manager sees how the rounds of their activities stand."""

from __future__ import annotations

from bot import tokens
from bot.dispatch import Dispatcher
from storage.models import ControlRound
from tests.support.flow import only, problem_codes, rows
from tests.support.recording import RecordingChannel, command, press, say
from workflows.notices import StatusReport

ADMIN = "kristaps-sils"
ANNA = "anna-ozola"  # L: not a manager
JANIS = "janis-berzins"  # A of dzivesvietas-deklaresana
ACTIVITY = "dzivesvietas-deklaresana"


async def test_status_shows_progress_and_who_is_awaited(
    dispatcher: Dispatcher, recording: RecordingChannel
) -> None:
    await dispatcher.handle(command(ADMIN, "remind", ACTIVITY, "2026-10"))
    (control_round,) = rows(dispatcher.db, ControlRound)
    await dispatcher.handle(press(ANNA, tokens.start_round(control_round.id or 0)))
    for text in ("0,9", "97"):
        await dispatcher.handle(say(ANNA, text))
    await dispatcher.handle(say(ANNA, "1"))  # confirm

    report = only(await dispatcher.handle(command(JANIS, "status")), StatusReport, JANIS)
    (line,) = report.rounds
    assert (line.activity_id, line.period, line.answered, line.total) == (
        ACTIVITY,
        "2026-10",
        2,
        3,
    )
    assert line.waiting_for == (JANIS,)  # he measures dd-e-share himself
    assert not line.overdue
    text = recording.last(JANIS).plain()
    assert text.startswith(
        "Kontroles stāvoklis\n• Dzīvesvietas deklarēšana, 2026. gada oktobris: "
        "iesniegto mērījumu skaits — 2 no 3, termiņš 06.11.2026."
    )
    assert "gaida: Jānis Bērziņš" in text


async def test_status_is_for_managers_only(dispatcher: Dispatcher) -> None:
    assert problem_codes(await dispatcher.handle(command(ANNA, "status"))) == ["not_a_manager"]
    report = only(await dispatcher.handle(command(ADMIN, "status")), StatusReport, ADMIN)
    assert report.rounds == () and report.decisions == ()
