"""Issue 16: the cyclic garbage collector kept off the plan (``workflows.heap``).

A full collection scanned the national plan's ~150,000 objects at every run (0.25–0.35 s
during a catch-up, stopping every thread), and ~17 of them ran while the plan was loaded.
"""

from __future__ import annotations

import asyncio
import gc
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import run as run_module
from bot.settings import Settings
from workflows import heap
from workflows.clock import FixedClock
from workflows.plan import loader
from workflows.plan.loader import bundled_plan_path, load_plan
from workflows.plan.model import LoadedPlan


def test_issue16_a_plan_is_loaded_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running: list[bool] = []
    real = loader._load

    def load(path: Path) -> LoadedPlan:
        running.append(gc.isenabled())
        return real(path)

    monkeypatch.setattr(loader, "_load", load)
    loaded = load_plan(bundled_plan_path())
    assert loaded.plan.people and loaded.plan.services
    assert running == [False]
    assert gc.isenabled()


def test_issue16_a_failed_load_still_resumes_the_collector(tmp_path: Path) -> None:
    broken = tmp_path / "plan.yaml"
    broken.write_text("activities: [", encoding="utf-8")
    with pytest.raises(Exception, match="plan"):
        load_plan(broken)
    assert gc.isenabled()


def test_issue16_a_collector_disabled_by_the_caller_stays_disabled() -> None:
    gc.disable()
    try:
        with heap.collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with heap.collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_issue16_the_heap_is_settled_once_per_process() -> None:
    heap.settle()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    later = [{"n": n} for n in range(20_000)]  # temporary by the time of a second call
    heap.settle()
    assert gc.get_freeze_count() < frozen + len(later)


async def test_issue16_controlbot_run_settles_the_heap_once_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settled: list[bool] = []
    monkeypatch.setattr(heap, "settle", lambda: settled.append(True))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}", http_port=0)
    clock = FixedClock(datetime(2026, 10, 30, 8, 0, tzinfo=ZoneInfo("Europe/Riga")))
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.3, stop.set)
    code = await run_module.run(
        settings, clock=clock, stdin=io.StringIO(""), out=io.StringIO(), stop=stop
    )
    assert code == 0
    assert settled == [True]
