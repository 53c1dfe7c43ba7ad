"""This module contains how the cyclic garbage collector is kept off what lives as long as we do.

Python's cyclic collector scans every container object it tracks at each full collection, and
stops every thread meanwhile. A national plan (1,000 activities, 10,000 people) is ~150,000
such objects: a full collection took 0.1 s after loading it and 0.25–0.35 s during a
catch-up sweep (measured with ``gc.callbacks``), and one of those landing in a batch's
transaction made it the sweep's longest, and paused every chat reply as long (issue 16).
Loading builds millions of short-lived objects without cycles, and the collector ran ~17
full collections during the load: 5.1–5.6 s instead of 2.1–2.6 s.

So loading pauses the collector (:func:`collection_paused`; reference counting still frees
every object without a cycle), and ``controlbot run`` exempts what it holds once started
(:func:`settle`, ``gc.freeze``): the plan is not replaced while the process runs (a new
plan needs a restart), so scanning it again can never find garbage.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_SETTLED = threading.Event()


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic collector while a large graph of objects is built, then resume it.

    Only if it was running: a caller that disabled it keeps it disabled.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def settle() -> None:
    """Collect garbage, then exempt every object alive now from later collections.

    Called once a process has started (the plan loaded, the database prepared); later calls
    in the same process do nothing, so objects that are temporary by then (a test's, say)
    are never frozen. A frozen object is still freed by reference counting when it is no
    longer used; only a reference cycle among frozen objects would stay until exit (a plan
    has none).
    """
    if _SETTLED.is_set():
        return
    _SETTLED.set()
    gc.collect()
    gc.freeze()
