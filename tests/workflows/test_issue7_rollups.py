"""Issue 7: roll-ups by scale, participation (control of the control process), decisions
taken since the last summary, open and overdue improvement actions, and the chart series."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot.outbox import Outbox
from bot.scheduler import ScheduleRunner
from storage.db import Database
from storage.models import ImprovementDecision
from tests.support.recording import RecordingChannel
from tests.support.summary_world import LATE, seed_year
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import (
    Participation,
    RollupSummary,
    Summary,
    SummaryPosted,
    ToChannel,
)
from workflows.periods import Period
from workflows.reports.summaries import post_summary
from workflows.reports.trends import periods_back
from workflows.rounds.evaluation import Status
from workflows.schedule.planned import SendKind, planned_sends

ADMIN = "kristaps-sils"


@pytest.fixture
def later(clock: FixedClock) -> FixedClock:
    """12 November 2026: every October summary is due."""
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=clock.now().tzinfo))
    return clock


async def post(db: Database, ctx: Context, channel: str, period: str) -> Summary | RollupSummary:
    """Post a summary through the outbox (it counts as posted once delivered)."""
    outbox = Outbox(ctx, db, {"console": RecordingChannel()}, "lv")
    items = db.transaction(lambda s: post_summary(s, ctx, channel, period, ADMIN))
    await outbox.deliver(items, origin=ADMIN)
    (notice,) = [i.notice for i in items if isinstance(i.to, ToChannel)]
    assert [i.notice for i in items if not isinstance(i.to, ToChannel)] == [
        SummaryPosted(channel, period)
    ]
    assert isinstance(notice, Summary | RollupSummary)
    return notice


def test_the_plan_chains_channels_by_scale(ctx: Context) -> None:
    plan = ctx.plan
    municipality = plan.channel("pakalpojumu-parvaldiba").rollup
    assert municipality is not None and municipality.scale.value == "pasvaldibas"
    assert [a.id for a in plan.activities_under("pakalpojumu-parvaldiba")] == [
        a.id for a in plan.activities
    ]
    assert [a.id for a in plan.activities_under("iestade-centrala-administracija")] == [
        "dzivesvietas-deklaresana",
        "dokumentu-vadibas-sistema",
    ]
    assert [a.id for a in plan.activities_under("pk-dzivesvieta")] == ["dzivesvietas-deklaresana"]


async def test_a_team_summary_has_series_late_marks_participation_and_follow_up(
    any_db: Database, ctx: Context, later: FixedClock
) -> None:
    seed_year(any_db, ctx)
    notice = await post(any_db, ctx, "pk-dzivesvieta", "2026-10")
    assert isinstance(notice, Summary)
    (part,) = notice.activities
    lines = {line.indicator_id: line for line in part.lines}
    sla = lines["dd-within-sla"]
    assert sla.late  # October's values came two days after the due date
    assert [p.period for p in sla.series] == [
        str(p) for p in periods_back(Period.parse("2026-10"))
    ]
    assert sla.series[-1].value == sla.value
    assert lines["dd-e-share"].value is None and lines["dd-e-share"].series[-1].period == "2026-09"
    # 2 values late, 1 never submitted
    assert part.participation == Participation(on_time=0, late=2, missing=1)
    history = {h.period: h.participation for h in notice.participation}
    assert len(history) == 12
    assert history["2026-09"] == Participation(on_time=3)
    assert history["2026-02"] == Participation(late=3)
    assert "2026-02" in LATE
    # the approved action is past its due date and the indicator is still off: overdue
    (action,) = part.actions
    assert (action.decision.indicator_id, action.overdue) == ("dd-within-sla", True)
    # decided on 20.10., after the period began (no summary before): "since the last one"
    (decision,) = part.decisions
    assert (decision.status, decision.decided_at is not None) == ("approved", True)
    assert notice.since is None


async def test_decisions_count_as_new_only_after_the_previous_summary(
    db: Database, ctx: Context, later: FixedClock
) -> None:
    seed_year(db, ctx)
    await post(db, ctx, "pk-dzivesvieta", "2026-09")  # posted now, after decision 1 was taken
    later.set(later.now() + timedelta(days=1))
    notice = await post(db, ctx, "pk-dzivesvieta", "2026-10")
    assert isinstance(notice, Summary)
    assert notice.since is not None
    (part,) = notice.activities
    assert part.decisions == ()  # taken before the previous summary, on an August value
    assert len(part.actions) == 1  # the action itself is still overdue


async def test_a_verified_action_is_listed_once_then_no_longer(
    db: Database, ctx: Context, later: FixedClock
) -> None:
    seed_year(db, ctx)

    def verified(session: Session) -> None:
        action = session.exec(
            select(ImprovementDecision).where(col(ImprovementDecision.status) == "approved")
        ).one()
        action.action_status, action.action_status_at = "verified", later.now()
        session.add(action)

    db.transaction(verified)
    notice = await post(db, ctx, "pk-dzivesvieta", "2026-10")
    assert isinstance(notice, Summary)
    (action,) = notice.activities[0].actions  # the loop closed since the last summary
    assert (action.action_status, action.overdue) == ("verified", False)
    later.set(later.now() + timedelta(days=1))
    again = await post(db, ctx, "pk-dzivesvieta", "2026-10")
    assert isinstance(again, Summary)
    assert again.activities[0].actions == ()  # told once


async def test_institution_roll_up_aggregates_its_channels(
    any_db: Database, ctx: Context, later: FixedClock
) -> None:
    seed_year(any_db, ctx)
    notice = await post(any_db, ctx, "iestade-centrala-administracija", "2026-10")
    assert isinstance(notice, RollupSummary)
    assert notice.scale == "iestades"
    assert [p.channel_id for p in notice.parts] == ["pk-dzivesvieta", "resurss-dvs"]
    service, resource = notice.parts
    assert service.statuses == (1, 1, 0, 1)  # OK, warning, critical, no data
    assert service.participation == Participation(0, 2, 1)
    assert service.overdue_actions == 1
    assert resource.statuses[3] == 1  # dvs-mttr was never submitted
    # worst first: every listed line is off target, critical before warning
    assert notice.worst
    ranks = [{Status.CRITICAL: 0, Status.WARNING: 1}[r.line.status] for r in notice.worst]  # type: ignore[index]
    assert ranks == sorted(ranks)
    assert {r.activity_id for r in notice.worst} <= {
        "dzivesvietas-deklaresana",
        "dokumentu-vadibas-sistema",
    }
    assert len(notice.participation) == 12


async def test_municipal_roll_up_covers_the_institution_roll_ups(
    db: Database, ctx: Context, later: FixedClock
) -> None:
    seed_year(db, ctx)
    notice = await post(db, ctx, "pakalpojumu-parvaldiba", "2026-10")
    assert isinstance(notice, RollupSummary)
    assert notice.scale == "pasvaldibas"
    central, social = notice.parts
    assert (central.channel_id, social.channel_id) == (
        "iestade-centrala-administracija",
        "iestade-socialais-dienests",
    )
    assert sum(central.statuses) == 6  # 3 monthly indicators each of the service and the DMS
    assert sum(social.statuses) == 2
    assert social.open_decisions == 1
    # the whole municipality: 8 monthly controls, of which 2 never came
    total = central.participation + social.participation
    assert (total.total, total.missing) == (8, 2)
    open_decision = [d for d in notice.decisions if d.status == "open"]
    assert [(d.decision.indicator_id, d.overdue) for d in open_decision] == [
        ("sp-avg-decision", True)
    ]


def test_roll_up_channels_get_their_summaries_on_schedule(ctx: Context) -> None:
    sends = planned_sends(ctx, date(2026, 11, 1), date(2026, 11, 30))
    summaries = {(s.subject, s.period) for s in sends if s.kind is SendKind.SUMMARY}
    for channel in (
        "pakalpojumu-parvaldiba",
        "iestade-centrala-administracija",
        "iestade-socialais-dienests",
        "pk-dzivesvieta",
    ):
        assert (channel, "2026-10") in summaries, channel
    assert not any(subject == "admin" for subject, _period in summaries)


async def test_the_scheduler_posts_each_roll_up_to_its_own_channel_once(
    ctx: Context, db: Database, clock: FixedClock
) -> None:
    seed_year(db, ctx)
    recording = RecordingChannel()
    runner = ScheduleRunner(ctx, db, Outbox(ctx, db, {"console": recording}, "lv"))
    clock.set(datetime(2026, 10, 30, 8, 0, tzinfo=clock.now().tzinfo))
    await runner.sweep()  # the scheduler's first start
    sends = planned_sends(ctx, date(2026, 11, 1), date(2026, 11, 30))
    (when,) = {
        s.at
        for s in sends
        if s.kind is SendKind.SUMMARY
        and s.subject == "pakalpojumu-parvaldiba"
        and s.period == "2026-10"
    }
    clock.set(when)
    await runner.sweep()
    await runner.sweep()  # nothing twice
    (municipal,) = recording.to("pakalpojumu-parvaldiba")
    assert (
        municipal.title
        == "Kopsavilkums par periodu “2026. gada oktobris” — Pakalpojumu pārvaldība"
    )
    assert municipal.text.startswith("Apkopojums: pašvaldības mērogs")
    assert "▸ Iestāde: Centrālā administrācija" in municipal.text
    (central,) = recording.to("iestade-centrala-administracija")
    assert central.text.startswith("Apkopojums: iestādes mērogs")
    assert len(recording.to("pk-dzivesvieta")) == 1  # the team channel gets its own
