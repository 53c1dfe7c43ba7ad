"""This module contains loading a large plan in a child process, so that its garbage stays there.

Loading a national plan (1,000 activities, 10,000 people, 5 MB of YAML) builds ~200 MB of
temporary objects (YAML nodes, plain dicts, pydantic's intermediate values) for a plan that
holds ~40 MB. Python hands little of that back to the system: the plan's objects end up
scattered over the same memory pages as the temporaries, so a long-running ``controlbot run``
kept ~330 MB (issue 16). A forked child loads and validates the plan and sends it back
pickled; the parent only ever allocates the finished plan, side by side.

Small plans, and systems without ``fork``, are loaded in the process itself; so is a plan the
child could not load, so that its errors are raised exactly as :func:`load_plan` raises them.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from workflows.heap import collection_paused
from workflows.plan.model import LoadedPlan

APART_FROM_BYTES = 512 * 1024
"""Plans at least this large (all their files together) are loaded in a child process."""


def _size(path: Path) -> int:
    try:
        if path.is_dir():
            return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        return path.stat().st_size
    except OSError:
        return 0  # load_plan reports it


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _compact(loaded: LoadedPlan) -> LoadedPlan:
    """Make equal values one object, so that the pickle (and the parent) holds each once.

    Texts, numbers and the models' sets of given fields repeat across a national plan
    (units, roles, data sources, the same service in many municipalities); pickle writes an
    object once however often it is referred to. Only the child's own copy is changed.
    """
    values: dict[object, object] = {}
    field_sets: dict[tuple[type, frozenset[str]], set[str]] = {}
    seen: set[int] = set()

    def walk(item: object) -> object:
        if isinstance(item, str | Decimal):
            return values.setdefault(item, item)
        if id(item) in seen:
            return item
        seen.add(id(item))
        if isinstance(item, BaseModel):
            state = item.__dict__
            for name, value in state.items():
                state[name] = walk(value)
            given = item.__pydantic_fields_set__
            key = (type(item), frozenset(given))
            object.__setattr__(item, "__pydantic_fields_set__", field_sets.setdefault(key, given))
        elif isinstance(item, list):
            item[:] = [walk(v) for v in item]
        elif isinstance(item, dict):
            for name, value in item.items():
                item[name] = walk(value)
        elif isinstance(item, tuple):
            for value in item:
                walk(value)
        return item

    walk(loaded.plan)
    return loaded


def load_plan_apart(path: Path, load_plan: Callable[[Path], LoadedPlan]) -> LoadedPlan:
    """``load_plan(path)``, in a child process when the plan is large.

    ``load_plan`` is :func:`workflows.plan.loader.load_plan` (passed in, so that this module
    does not import the loader that calls it).

    Only while the process runs a single thread (a fork copies no other thread, and a lock
    another thread holds would stay locked in the child).

    Raises:
        workflows.plan.errors.PlanError: With every problem found.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1 or _size(path) < APART_FROM_BYTES:
        return load_plan(path)
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(readable)
        try:
            data = pickle.dumps(_compact(load_plan(path)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # the parent loads it again and raises
            data = b""
        try:
            _write_all(writable, data)
        finally:
            os._exit(0)
    os.close(writable)
    try:
        data = _read_all(readable)
    finally:
        os.close(readable)
        os.waitpid(pid, 0)
    if not data:
        return load_plan(path)
    with collection_paused():  # ~150,000 objects at once (workflows.heap)
        loaded: LoadedPlan = pickle.loads(data)  # our own child's bytes
    return loaded
