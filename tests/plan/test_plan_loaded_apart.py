"""Issue 16: a large plan is loaded in a child process, and is the same plan.

Loading a national plan builds ~200 MB of temporaries that Python would keep as the
process's memory; a forked child loads it and sends it back pickled. The threshold is set to
zero here so that the bundled plan takes that path.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from workflows.plan import apart
from workflows.plan.errors import PlanError
from workflows.plan.loader import bundled_plan_path, load_default_plan, load_plan


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every plan loads apart; the list grows by one at each fork."""
    if threading.active_count() > 1:
        pytest.skip("another thread runs: plans are loaded in-process")
    monkeypatch.setattr(apart, "APART_FROM_BYTES", 0)
    counted: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        counted.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    return counted


def test_a_plan_loaded_apart_is_the_plan_loaded_here(forks: list[int]) -> None:
    loaded = load_default_plan(None)
    assert forks == [1]
    here = load_plan(bundled_plan_path())
    assert loaded.plan == here.plan
    assert loaded.sources == here.sources
    assert [a.id for a in loaded.activities] == [a.id for a in here.activities]
    assert loaded.person("anna-ozola") == here.person("anna-ozola")


def test_a_broken_plan_loaded_apart_reports_what_loading_here_reports(
    forks: list[int], tmp_path: Path
) -> None:
    broken = tmp_path / "plan.yaml"
    text = (bundled_plan_path() / "parauga-novads.yaml").read_text("utf-8")
    broken.write_text(text.replace("frequency: monthly", "frequency: hourly", 1), "utf-8")
    with pytest.raises(PlanError) as apart_error:
        load_default_plan(broken)
    with pytest.raises(PlanError) as here_error:
        load_plan(broken)
    assert forks == [1]
    assert apart_error.value.issues == here_error.value.issues
