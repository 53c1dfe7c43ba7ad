"""This module contains :func:`paused`: the cyclic garbage collector held off for a while.

CPython frees almost every object by reference counting; the cyclic collector only finds
groups of objects that refer to each other. It runs whenever 700 more container objects were
made than freed, and each run walks every object of the generations it collects. A bulk
write makes tens of thousands of objects that stay alive until it ends (rows, their bound
values), so the collector runs hundreds of times during it and finds nothing, and a full
collection over everything it made ends it: 0.1–0.25 s of a 10,000-value import (issue 16,
measured with ``gc.callbacks``).

Pausing is safe for a bounded piece of work: nothing is collected later than it would be
at the end anyway, and the memory the pause may keep is what the work itself holds (an
import holds at most ``MAX_ROWS`` rows). The collector is process-wide, so the pause is
counted: nested or concurrent pauses (two imports in two threads) end when the last ends,
and the collector is switched back on only if it was on when the first began. ``gc.freeze``
is not used: ``gc.unfreeze`` would also release objects that someone else froze.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_state = {"pauses": 0, "was_on": False}


@contextmanager
def paused() -> Iterator[None]:
    """Hold the cyclic garbage collector off while the ``with`` body runs.

    The collector's previous state is restored when the body ends, also when it raises: on
    again if it was on when the first of the current pauses began, left off if it was off.
    """
    with _LOCK:
        if _state["pauses"] == 0:
            _state["was_on"] = gc.isenabled()
            gc.disable()
        _state["pauses"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _state["pauses"] -= 1
            if _state["pauses"] == 0 and _state["was_on"]:
                gc.enable()
