"""Issue 12: kill -9 at random points of a 300-person fan-out, then restart.

Nothing committed is lost, and each crash repeats at most one message (the one a sender had
in flight): the outbox sends one message at a time and records it before the next.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.conftest import PG_ENV

ROOT = Path(__file__).resolve().parents[2]
KILLS = 4


def _plan(tmp_path: Path) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from bench_plan import synthetic
    finally:
        sys.path.remove(str(ROOT / "bench"))
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(synthetic(45), allow_unicode=True), encoding="utf-8")
    return path


def _worker(url: str, plan: Path, out: Path, phase: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.fanout_worker", url, str(plan), str(out), phase],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _received(out: Path) -> int:
    return len(out.read_text().split()) if out.exists() else 0


def _kill_once_sending(sender: subprocess.Popen[bytes], out: Path, delay: float) -> None:
    """SIGKILL ``sender`` ``delay`` s after its first message arrived (start-up on a loaded
    machine can take longer than the whole fan-out on an idle one, so no fixed sleep)."""
    before, deadline = _received(out), time.monotonic() + 60
    while _received(out) == before and sender.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(delay)
    sender.send_signal(signal.SIGKILL)
    sender.wait(timeout=30)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_during_a_300_person_fan_out_loses_nothing_and_repeats_at_most_one_per_crash(
    tmp_path: Path, backend: str
) -> None:
    if backend == "postgresql":
        url = os.environ.get(PG_ENV)
        if not url:
            pytest.skip(f"{PG_ENV} is not set")
        from tests.conftest import _reset_postgres

        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'fanout.sqlite3'}"
    plan, out = _plan(tmp_path), tmp_path / "received.txt"
    assert _worker(url, plan, out, "queue").wait(timeout=120) == 0
    chance = random.Random(12)
    progress = []
    for _ in range(KILLS):
        sender = _worker(url, plan, out, "send")
        _kill_once_sending(sender, out, chance.uniform(0.0, 0.2))
        progress.append(_received(out))
    assert any(0 < n < 300 for n in progress), progress  # killed in the middle of it
    started = time.monotonic()
    assert _worker(url, plan, out, "send").wait(timeout=180) == 0
    received = Counter(out.read_text().split())
    assert len(received) == 300  # every one of them, none lost
    repeats = sum(received.values()) - 300
    assert repeats <= KILLS, received.most_common(5)
    assert time.monotonic() - started < 60  # the rest went on within a minute of the restart
