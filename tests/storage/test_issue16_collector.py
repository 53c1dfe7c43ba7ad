"""Issue 16: ``storage.collector.paused`` holds the cyclic collector off and always restores it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from storage import collector


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_issue16_the_collector_is_off_inside_and_on_again_after() -> None:
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_issue16_the_collector_is_restored_when_the_work_raises() -> None:
    with pytest.raises(RuntimeError, match="refused"), collector.paused():
        raise RuntimeError("refused")
    assert gc.isenabled()


def test_issue16_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_issue16_nested_and_concurrent_pauses_end_with_the_last() -> None:
    inside, leave = threading.Event(), threading.Event()

    def other_import() -> None:
        with collector.paused():
            inside.set()
            leave.wait(5)

    with collector.paused():
        worker = threading.Thread(target=other_import)
        worker.start()
        assert inside.wait(5)
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause ended, the outer has not
    assert not gc.isenabled()  # the other thread's pause goes on
    leave.set()
    worker.join(5)
    assert gc.isenabled()
