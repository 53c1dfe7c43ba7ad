"""This module contains the difference between the plan in force and a new one.

Both sides are the validated plan's JSON form (``Plan.model_dump(mode="json")``), so a plan in
force can be kept in the database and compared after any number of edits to the YAML.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from workflows.plan import accounts

PlanJSON = Mapping[str, Any]
WATCHED_INDICATOR_KEYS = (
    "target",
    "warning",
    "critical",
    "direction",
    "unit",
    "frequency",
    "measured_by",
    "approved_by",
    "value_type",
    "options",
    "target_option",
)
"""Indicator keys whose change the diff shows (labels and texts are shown as renames).

A check's ``target_option`` is shown as ``target`` (the key its plan writes), its
``options`` as ``id: status`` pairs."""


@dataclass(frozen=True)
class PlanChange:
    """One difference.

    Attributes:
        kind: ``activity_added``/``removed``/``renamed``, ``indicator_added``/``removed``/
            ``changed``, ``person_added``/``removed``/``changed``, ``holders_changed``.
        subject: The activity, ``activity/indicator`` or person id.
        key: What changed (an indicator key, ``name`` or the contact address, ``scale/A``
            or ``scale/L``).
        before: The old value, as text ("" when added).
        after: The new value, as text ("" when removed).
    """

    kind: str
    subject: str
    key: str = ""
    before: str = ""
    after: str = ""


def _activities(plan: PlanJSON | None) -> dict[str, Mapping[str, Any]]:
    if plan is None:
        return {}
    return {a["id"]: a for a in (*plan.get("services", ()), *plan.get("resources", ()))}


def _people(plan: PlanJSON | None) -> dict[str, Mapping[str, Any]]:
    return {p["id"]: p for p in (plan or {}).get("people", ())}


def _label(item: Mapping[str, Any]) -> str:
    label = item.get("label") or {}
    return str(label.get("lv") or label.get("en") or item.get("id", ""))


def _holders(activity: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for scale, resp in (activity.get("responsibility") or {}).items():
        for mark in ("A", "L"):
            # the order of A holders matters: the first one approves and is the manager
            holders = [f"{h['person']} ({h['role']})" for h in resp.get(mark, ())]
            people = holders if mark == "A" else sorted(holders)
            if people:
                out[f"{scale}/{mark}"] = ", ".join(people)
    return out


def diff(old: PlanJSON | None, new: PlanJSON) -> list[PlanChange]:
    """Every difference from ``old`` (``None``: nothing applied yet) to ``new``, in plan order."""
    return [*_activity_changes(old, new), *_people_changes(old, new)]


def _activity_changes(old: PlanJSON | None, new: PlanJSON) -> Iterator[PlanChange]:
    before, after = _activities(old), _activities(new)
    for activity_id, activity in after.items():
        previous = before.get(activity_id)
        if previous is None:
            yield PlanChange("activity_added", activity_id, after=_label(activity))
            continue
        if _label(previous) != _label(activity):
            yield PlanChange(
                "activity_renamed", activity_id, "label", _label(previous), _label(activity)
            )
        yield from _indicator_changes(activity_id, previous, activity)
        old_holders, new_holders = _holders(previous), _holders(activity)
        for key in sorted(set(old_holders) | set(new_holders)):
            if old_holders.get(key) != new_holders.get(key):
                yield PlanChange(
                    "holders_changed",
                    activity_id,
                    key,
                    old_holders.get(key, ""),
                    new_holders.get(key, ""),
                )
    for activity_id, activity in before.items():
        if activity_id not in after:
            yield PlanChange("activity_removed", activity_id, before=_label(activity))


def _indicator_changes(
    activity_id: str, previous: Mapping[str, Any], activity: Mapping[str, Any]
) -> Iterator[PlanChange]:
    old_ind = {i["id"]: i for i in previous.get("indicators", ())}
    new_ind = {i["id"]: i for i in activity.get("indicators", ())}
    for indicator_id, indicator in new_ind.items():
        subject = f"{activity_id}/{indicator_id}"
        was = old_ind.get(indicator_id)
        if was is None:
            yield PlanChange("indicator_added", subject, after=_label(indicator))
            continue
        for key in WATCHED_INDICATOR_KEYS:
            a, b = _text(was.get(key)), _text(indicator.get(key))
            if a != b:
                shown = "target" if key == "target_option" else key
                yield PlanChange("indicator_changed", subject, shown, a, b)
    for indicator_id, indicator in old_ind.items():
        if indicator_id not in new_ind:
            yield PlanChange(
                "indicator_removed", f"{activity_id}/{indicator_id}", before=_label(indicator)
            )


def _people_changes(old: PlanJSON | None, new: PlanJSON) -> Iterator[PlanChange]:
    before, after = _people(old), _people(new)
    for person_id, person in after.items():
        was = before.get(person_id)
        if was is None:
            yield PlanChange("person_added", person_id, after=str(person.get("name", "")))
            continue
        for key in ("name", accounts.ADDRESS_KEY):
            a, b = _text(was.get(key)), _text(person.get(key))
            if a != b:
                yield PlanChange("person_changed", person_id, key, a, b)
    for person_id, person in before.items():
        if person_id not in after:
            yield PlanChange("person_removed", person_id, before=str(person.get("name", "")))


def _text(value: Any) -> str:
    if value is None:
        return ""
    try:  # numbers compare by value: "16.00" and "16.0" are the same target
        return str(Decimal(str(value)).normalize()) if not isinstance(value, bool) else str(value)
    except (InvalidOperation, ValueError):
        pass
    if isinstance(value, Mapping):
        return str(value.get("lv") or value.get("en") or "")
    if isinstance(value, list):  # a check's options
        return ", ".join(f"{o.get('id')}: {o.get('status')}" for o in value)
    return str(value)
