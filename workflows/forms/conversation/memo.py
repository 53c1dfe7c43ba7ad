"""This module contains the measurement forms' rebuilt parts, remembered between steps.

A typed value rebuilds the person's form from its stored row: the spec from the row's
context and the plan, the header from its round, and the earlier values shown as trend hints
(previous period, last year). None of these change while the form is filled — the context
is written once when the form begins, rounds keep their activity and period — so they are
read once per form session and process (issue 16: the round was read three times a step).

Invalidation: an entry belongs to one database (engine), one form session (its id and
start instant, so a reused id after a reset is a different form) and one loaded plan (a
reload makes every entry stale). The earlier values are those read when the form was first
rebuilt in this process; a value of an earlier period stored meanwhile shows from the next
form on. At most :data:`KEPT` forms are remembered per database (least recently used go).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from storage.models import FormSession
from workflows.context import Context
from workflows.forms.fields import FormSpec
from workflows.notices import FormHeader
from workflows.plan.model import LoadedPlan

KEPT = 2048
"""Form sessions remembered per database."""


@dataclass(frozen=True)
class Rebuilt:
    """A measurement form's spec, header and earlier values, for one loaded plan."""

    plan: LoadedPlan
    spec: FormSpec
    header: FormHeader
    earlier: Mapping[str, tuple[tuple[str, Decimal], ...]]


_Key = tuple[int, datetime]
_GUARD = threading.Lock()
_BY_ENGINE: weakref.WeakKeyDictionary[Any, OrderedDict[_Key, Rebuilt]] = (
    weakref.WeakKeyDictionary()
)


def _entries(session: Session) -> OrderedDict[_Key, Rebuilt]:
    engine = session.get_bind()
    found = _BY_ENGINE.get(engine)
    if found is None:
        found = _BY_ENGINE[engine] = OrderedDict()
    return found


def recall(session: Session, ctx: Context, row: FormSession) -> Rebuilt | None:
    """What was rebuilt for ``row`` under ``ctx``'s plan, if remembered."""
    if row.id is None:
        return None
    with _GUARD:
        entries = _entries(session)
        found = entries.get((row.id, row.started_at))
        if found is None or found.plan is not ctx.plan:
            return None
        entries.move_to_end((row.id, row.started_at))
        return found


def remember(session: Session, ctx: Context, row: FormSession, rebuilt: Rebuilt) -> None:
    """Keep ``rebuilt`` for the next step of ``row``'s form."""
    if row.id is None:
        return
    with _GUARD:
        entries = _entries(session)
        entries[(row.id, row.started_at)] = rebuilt
        entries.move_to_end((row.id, row.started_at))
        while len(entries) > KEPT:
            entries.popitem(last=False)
