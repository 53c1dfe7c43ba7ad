"""Charts are drawn off the event loop (issue 12 item 7): the outbox renders in a worker
thread and the chart itself is drawn in a worker process (matplotlib holds the GIL)."""

from __future__ import annotations

import asyncio
import os
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.charts import attach, figure
from bot.i18n import translator
from bot.outbox import Outbox
from bot.render import RenderContext
from storage.db import Database
from tests.support.recording import RecordingChannel
from tests.support.summary_world import seed_year
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import Summary, ToChannel
from workflows.people import bindings
from workflows.reports.summaries import post_summary

RIGA = ZoneInfo("Europe/Riga")
CHANNEL = "pk-dzivesvieta"


def summary(db: Database, ctx: Context, clock: FixedClock) -> Summary:
    seed_year(db, ctx)
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA))
    items = db.transaction(lambda s: post_summary(s, ctx, CHANNEL, "2026-10", "system"))
    (notice,) = [i.notice for i in items if isinstance(i.to, ToChannel)]
    assert isinstance(notice, Summary)
    return notice


async def test_the_outbox_draws_a_summary_chart_off_the_event_loop(
    db: Database, ctx: Context, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary(db, ctx, clock)  # the seeded year
    loop_thread = threading.get_ident()
    drawn_on: list[int] = []

    def recording(*_args: object) -> bytes:
        drawn_on.append(threading.get_ident())
        return b"\x89PNG"

    monkeypatch.setattr(figure, "summary_chart", recording)
    monkeypatch.setattr(attach, "IN_PROCESS", True)  # the patch holds in this process only
    db.transaction(
        lambda s: bindings.bind(s, ctx, CHANNEL, "telegram", "-100777", "kristaps-sils")
    )
    channel = RecordingChannel(platform="telegram")
    outbox = Outbox(ctx, db, {"telegram": channel}, "lv")
    items = db.transaction(lambda s: post_summary(s, ctx, CHANNEL, "2026-10", "system"))
    assert await outbox.deliver(items) == 0
    assert channel.last("-100777").image == b"\x89PNG"
    assert drawn_on and loop_thread not in drawn_on


async def test_a_chart_is_drawn_in_the_worker_process(
    db: Database, ctx: Context, clock: FixedClock
) -> None:
    notice = summary(db, ctx, clock)
    rc = RenderContext(translator("lv"), ctx.plan, RIGA, "channel")
    png = await asyncio.to_thread(attach.chart_or_none, notice, rc)
    assert png is not None and png.startswith(b"\x89PNG")
    assert attach._pool is not None  # drawn there, not in this process
    attach.shutdown()
    assert attach._pool is None
    again = await asyncio.to_thread(attach.chart_or_none, notice, rc)  # a new worker starts
    assert again is not None and again.startswith(b"\x89PNG")


async def test_charts_being_drawn_hold_up_no_database_call(
    db: Database, ctx: Context, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary(db, ctx, clock)  # the seeded year
    release = threading.Event()
    started = threading.Semaphore(0)

    def slow(*_args: object) -> bytes:
        started.release()
        release.wait(30)  # a chart that takes its time
        return b"\x89PNG"

    monkeypatch.setattr(figure, "summary_chart", slow)
    monkeypatch.setattr(attach, "IN_PROCESS", True)
    db.transaction(
        lambda s: bindings.bind(s, ctx, CHANNEL, "telegram", "-100777", "kristaps-sils")
    )
    outbox = Outbox(ctx, db, {"telegram": RecordingChannel(platform="telegram")}, "lv")
    items = db.transaction(lambda s: post_summary(s, ctx, CHANNEL, "2026-10", "system"))
    more_than_default_workers = min(32, (os.cpu_count() or 1) + 4) + 2  # ThreadPoolExecutor's
    posts = [asyncio.create_task(outbox.deliver(items)) for _ in range(more_than_default_workers)]
    try:
        await asyncio.to_thread(started.acquire, True, 10)  # charts are being drawn
        answer = await asyncio.wait_for(db.run(lambda s: 42), 5)  # not stuck behind them
        assert answer == 42
    finally:
        release.set()
        await asyncio.gather(*posts)
