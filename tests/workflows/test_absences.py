"""``/away``: reminders held while away, measuring passed to a deputy, shown in summaries."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.dispatch import Dispatcher
from bot.outbox import Outbox
from bot.scheduler import ScheduleRunner
from storage.db import Database
from storage.models import ControlRound
from tests.support.flow import audit, only, problem_codes
from tests.support.recording import RecordingChannel, command
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import AwayCancelled, AwayList, AwayRecorded, Summary
from workflows.periods import Period
from workflows.rounds.opening import get_round, outstanding_for

RIGA = ZoneInfo("Europe/Riga")
ACTIVITY = "dzivesvietas-deklaresana"


def _round(db: Database) -> ControlRound:
    def work(session: Session) -> ControlRound:
        found = get_round(session, ACTIVITY, Period.parse("2026-10"))
        assert found is not None
        return found

    return db.transaction(work)


async def test_away_passes_measuring_to_the_deputy_and_back(
    dispatcher: Dispatcher, db: Database, ctx: Context, clock: FixedClock
) -> None:
    await dispatcher.handle(command("kristaps-sils", "remind", ACTIVITY, "2026-10"))
    items = await dispatcher.handle(command("janis-berzins", "away", "04.11.2026", "2026-11-20"))
    recorded = only(items, AwayRecorded, "janis-berzins")
    assert recorded.deputies == ((ACTIVITY, "anna-ozola"),)  # the activity's L
    assert only(items, AwayRecorded, "anna-ozola") == recorded
    clock.set(datetime(2026, 11, 5, 9, 0, tzinfo=RIGA))
    control_round = _round(db)
    outstanding = db.transaction(lambda s: outstanding_for(s, ctx, control_round, "anna-ozola"))
    assert "dd-e-share" in outstanding[0]
    assert (
        db.transaction(lambda s: outstanding_for(s, ctx, control_round, "janis-berzins"))[0] == ()
    )
    assert [e.details["deputies"] for e in audit(db, "person.away")] == [f"{ACTIVITY}=anna-ozola"]
    back = await dispatcher.handle(command("janis-berzins", "away", "cancel"))
    cancelled = only(back, AwayCancelled, "janis-berzins")
    assert cancelled.items == ((date(2026, 11, 4), date(2026, 11, 20)),)
    assert only(back, AwayCancelled, "anna-ozola") == cancelled  # the deputy is told
    again = await dispatcher.handle(command("janis-berzins", "away", "cancel"))
    assert only(again, AwayList, "janis-berzins").items == ()
    assert db.transaction(lambda s: outstanding_for(s, ctx, control_round, "janis-berzins"))[0]


async def test_scheduled_reminders_go_to_the_deputy_while_away(
    ctx: Context,
    db: Database,
    recording: RecordingChannel,
    clock: FixedClock,
    dispatcher: Dispatcher,
) -> None:
    clock.set(datetime(2026, 10, 30, 8, 0, tzinfo=RIGA))
    runner = ScheduleRunner(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"))
    await runner.sweep()
    await dispatcher.handle(command("janis-berzins", "away", "05.11.2026", "13.11.2026"))
    recording.clear()
    clock.set(datetime(2026, 11, 6, 9, 0, tzinfo=RIGA))  # the due day
    await runner.sweep()
    assert recording.to("janis-berzins") == []
    (anna,) = recording.to("anna-ozola")  # one message: her indicators and Jānis's
    assert "Elektroniski iesniegto deklarāciju īpatsvars" in anna.text


async def test_summary_shows_the_delegation(
    dispatcher: Dispatcher, recording: RecordingChannel, clock: FixedClock
) -> None:
    await dispatcher.handle(command("kristaps-sils", "remind", ACTIVITY, "2026-10"))
    await dispatcher.handle(command("janis-berzins", "away", "03.11.2026", "05.11.2026"))
    clock.set(datetime(2026, 11, 10, 9, 0, tzinfo=RIGA))
    items = await dispatcher.handle(
        command("kristaps-sils", "summary", "pk-dzivesvieta", "2026-10")
    )
    part = only(items, Summary, "pk-dzivesvieta").activities[0]
    assert part.delegations == (
        ("janis-berzins", "anna-ozola", date(2026, 11, 3), date(2026, 11, 5)),
    )
    assert "Prombūtnē 03.11.2026.–05.11.2026.: Jānis Bērziņš; mērījumus veic Anna Ozola" in (
        recording.texts("pk-dzivesvieta")
    )


async def test_bad_absences_are_refused(dispatcher: Dispatcher) -> None:
    cases = {
        ("20.11.2026", "04.11.2026"): "away_dates_order",
        ("01.10.2026", "02.10.2026"): "away_in_past",
        ("04.11.2026", "04.12.2027"): "away_too_long",
        ("rīt",): "usage",
        ("31.02.2026", "01.03.2026"): "usage",
    }
    await dispatcher.handle(command("anna-ozola", "away", "10.11.2026", "12.11.2026"))
    overlap = await dispatcher.handle(command("anna-ozola", "away", "11.11.2026", "14.11.2026"))
    assert problem_codes(overlap) == ["away_overlaps"]
    for args, code in cases.items():
        items = await dispatcher.handle(command("anna-ozola", "away", *args))
        assert problem_codes(items) == [code], args
    listing = await dispatcher.handle(command("anna-ozola", "away"))
    assert only(listing, AwayList, "anna-ozola").items == (
        (date(2026, 11, 10), date(2026, 11, 12)),
    )
