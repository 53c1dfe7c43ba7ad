"""This module contains the JSON form of notices, so that the outbox can keep them durably.

A notice (:mod:`workflows.notices`) is a tree of frozen dataclasses, enums, decimals, dates,
tuples and mappings. :func:`encode` writes it as JSON where every non-JSON value carries a
tag (``{"$t": "workflows.notices:Reminder", …}`` for a dataclass, ``{"$dec": "12.5"}`` for a
decimal…); :func:`decode` rebuilds the same tree. Only classes of the ``workflows`` package
are rebuilt, so a stored row can never name arbitrary code. Callables (a form field's
``ask_if`` predicate) are not stored: they are rebuilt from the plan when a form runs, and a
notice only shows the field. A refused answer's error (an exception with a ``code`` and
``params``) is stored by those two.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

ALLOWED_PACKAGE = "workflows"

STABLE_PACKAGES = ("workflows.notices",)
"""Packages whose classes are stored under the package's name (``workflows.notices:Reminder``),
not the module that defines them, when the package re-exports them: a stored notice stays
decodable however the package's modules are split or renamed."""

RENAMED_MODULES: dict[str, str] = {
    "workflows.absences": "workflows.people.absences",
    "workflows.accounts": "workflows.people.accounts",
    "workflows.accounts.languages": "workflows.people.accounts.languages",
    "workflows.accounts.linking": "workflows.people.accounts.linking",
    "workflows.accounts.preference": "workflows.people.accounts.preference",
    "workflows.action_follow_ups": "workflows.decisions.action_follow_ups",
    "workflows.actions": "workflows.decisions.actions",
    "workflows.approval": "workflows.rounds.approval",
    "workflows.bindings": "workflows.people.bindings",
    "workflows.check_answers": "workflows.forms.check_answers",
    "workflows.conversation": "workflows.forms.conversation",
    "workflows.conversation.answers": "workflows.forms.conversation.answers",
    "workflows.conversation.memo": "workflows.forms.conversation.memo",
    "workflows.conversation.session": "workflows.forms.conversation.session",
    "workflows.conversation.starters": "workflows.forms.conversation.starters",
    "workflows.conversation.whole_form": "workflows.forms.conversation.whole_form",
    "workflows.corrections": "workflows.rounds.corrections",
    "workflows.deliveries": "workflows.schedule.sweep",
    "workflows.delivery_ledger": "workflows.schedule.ledger",
    "workflows.delivery_reports": "workflows.reports.deliveries",
    "workflows.enrolment": "workflows.people.enrolment",
    "workflows.evaluation": "workflows.rounds.evaluation",
    "workflows.follow_up": "workflows.decisions.follow_up",
    "workflows.history": "workflows.rounds.history",
    "workflows.home": "workflows.rounds.home",
    "workflows.indicators": "workflows.plan.finding",
    "workflows.measuring": "workflows.rounds.measuring",
    "workflows.notice_codec": "workflows.notices.codec",
    "workflows.outbox": "workflows.notices.outbox",
    "workflows.overview": "workflows.reports.overview",
    "workflows.pending": "workflows.rounds.pending",
    "workflows.people": "workflows.people.sync",
    "workflows.plan_apply": "workflows.plan.apply",
    "workflows.plausibility": "workflows.rounds.plausibility",
    "workflows.privacy": "workflows.people.privacy",
    "workflows.reach_overview": "workflows.reports.reach",
    "workflows.reachability": "workflows.people.reachability",
    "workflows.readiness": "workflows.plan.readiness",
    "workflows.revisions": "workflows.rounds.revisions",
    "workflows.rollups": "workflows.reports.rollups",
    "workflows.rounds": "workflows.rounds.opening",
    "workflows.schedule": "workflows.schedule.planned",
    "workflows.snooze": "workflows.rounds.snooze",
    "workflows.status": "workflows.rounds.status",
    "workflows.summaries": "workflows.reports.summaries",
    "workflows.summary_data": "workflows.reports.summary_data",
    "workflows.sweep_memo": "workflows.schedule.memo",
    "workflows.sweep_plan": "workflows.schedule.sweep_plan",
    "workflows.sweep_rounds": "workflows.schedule.sweep_rounds",
    "workflows.trends": "workflows.reports.trends",
    "workflows.visibility": "workflows.people.visibility",
    "workflows.web_access": "workflows.people.web_access",
}
"""Old module → new module for classes moved since a row was stored (decoding only)."""


class CodecError(ValueError):
    """A stored notice cannot be rebuilt (a class renamed or removed since it was queued)."""


def encode(notice: object) -> str:
    """The JSON text of ``notice`` (compact, keys in field order).

    Raises:
        TypeError: If the tree holds a value of a type the codec does not know.
    """
    return json.dumps(_to_json(notice), ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Any:
    """The notice stored by :func:`encode`.

    Raises:
        CodecError: If a class is unknown, outside ``workflows``, or its fields changed.
    """
    try:
        return _from_json(json.loads(text))
    except (ValueError, TypeError, AttributeError, ImportError) as exc:
        raise CodecError(str(exc)) from exc


def _name(cls: type) -> str:
    module = cls.__module__
    for package in STABLE_PACKAGES:
        if module.startswith(package + ".") and (
            getattr(sys.modules.get(package), cls.__qualname__, None) is cls
        ):
            module = package
    return f"{module}:{cls.__qualname__}"


def _to_json(value: Any) -> Any:
    if isinstance(value, Enum):  # first: a StrEnum is a str too
        return {"$e": _name(type(value)), "v": value.value}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetimes are never stored")
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"$t": _name(type(value))}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.init and not _at_default(f, item):
                out[f.name] = _to_json(item)
        return out
    if isinstance(value, tuple):
        return {"$tup": [_to_json(v) for v in value]}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, frozenset | set):
        return {"$set": sorted((_to_json(v) for v in value), key=repr)}
    if isinstance(value, Mapping):
        return {"$map": [[_to_json(k), _to_json(v)] for k, v in value.items()]}
    if isinstance(value, Exception) and hasattr(value, "code"):  # a refused answer's error
        return {"$err": _name(type(value)), "code": value.code, "params": vars(value)["params"]}
    if callable(value):
        return None
    raise TypeError(f"cannot store {type(value).__name__} in a notice")


def _at_default(f: dataclasses.Field[Any], item: Any) -> bool:
    """Whether a field holds its default, so that it is left out of the stored form.

    A field added in a release has a default; left out while it holds it, a notice queued
    by the new release still decodes on a replica of the release before (a rolling upgrade),
    and decoding fills the default back in.
    """
    if f.default is not dataclasses.MISSING:
        default = f.default
    elif f.default_factory is not dataclasses.MISSING:
        default = f.default_factory()
    else:
        return False
    return type(item) is type(default) and bool(item == default)


def _class(name: str) -> Any:
    module, _, qualname = name.partition(":")
    module = RENAMED_MODULES.get(module, module)
    if module != ALLOWED_PACKAGE and not module.startswith(ALLOWED_PACKAGE + "."):
        raise CodecError(f"{name} is not a domain class")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$t" in value:
        cls = _class(value["$t"])
        if not dataclasses.is_dataclass(cls):
            raise CodecError(f"{value['$t']} is not a dataclass")
        kwargs = {k: _from_json(v) for k, v in value.items() if k != "$t"}
        built: Any = cls
        return built(**kwargs)
    if "$err" in value:
        return _class(value["$err"])(value["code"], dict(value["params"]))
    if "$e" in value:
        return _class(value["$e"])(value["v"])
    if "$dec" in value:
        return Decimal(value["$dec"])
    if "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$tup" in value:
        return tuple(_from_json(v) for v in value["$tup"])
    if "$set" in value:
        return frozenset(_from_json(v) for v in value["$set"])
    if "$map" in value:
        return {_from_json(k): _from_json(v) for k, v in value["$map"]}
    raise CodecError(f"unknown tag in {sorted(value)}")
