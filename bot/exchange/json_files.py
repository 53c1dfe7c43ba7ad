"""This module contains the JSON export, in the format of ``docs/export-format.md``.

The document has a format name and version, when it was made, the periods it covers and one
object per measurement with its decision (or ``null``). Numbers are decimal strings
(``"88.5"``) so that no value loses digits; instants are ISO 8601 with their offset, dates
``YYYY-MM-DD``. ``docs/export.schema.json`` is its JSON Schema.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.exchange.table import choice_label
from bot.render.context import RenderContext
from workflows.exchange import DecisionFacts, ExportRow
from workflows.periods import Period

FORMAT = "controlbot-export"
VERSION = 1


def _number(value: Decimal) -> str:
    return format(value, "f")


def _instant(value: datetime | None, rc: RenderContext) -> str | None:
    return value.astimezone(rc.tz).isoformat(timespec="seconds") if value is not None else None


def _decision(d: DecisionFacts | None, rc: RenderContext) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "id": d.id,
        "status": d.status,
        "trigger": d.trigger,
        "approver": d.approver_id,
        "decide_by": d.decide_by.isoformat(),
        "opened_at": _instant(d.opened_at, rc),
        "action": d.action,
        "action_owner": d.owner_id,
        "action_due": d.action_due.isoformat() if d.action_due else None,
        "decided_by": d.decided_by,
        "decided_at": _instant(d.decided_at, rc),
        "rejection_reason": d.rejection_reason,
        "action_status": d.action_status,
    }


def document(
    rows: Sequence[ExportRow], periods: Sequence[Period], rc: RenderContext, at: datetime
) -> dict[str, Any]:
    """The export as a JSON-ready dict (see the module docstring)."""
    lang = rc.t.lang
    measurements = []
    for r in rows:
        responsible = None
        if r.responsible is not None:
            responsible = {
                "person": r.responsible[0],
                "name": rc.person(r.responsible[0]),
                "role": r.responsible[1],
                "role_label": rc.plan.role_label(r.responsible[1], lang),
            }
        measurements.append(
            {
                "activity": r.activity_id,
                "activity_label": rc.activity(r.activity_id),
                "indicator": r.indicator_id,
                "indicator_label": rc.indicator(r.indicator_id),
                "period": r.period,
                "value": _number(r.value),
                "choice": r.choice,
                "choice_label": choice_label(r, rc),
                "unit": r.unit,
                "status": r.status,
                "target_met": r.target_met,
                "direction": r.direction,
                "target": _number(r.target),
                "warning": _number(r.warning),
                "critical": _number(r.critical),
                "comment": r.comment,
                "source": r.source,
                "submitted_by": r.submitted_by,
                "submitted_by_name": rc.person(r.submitted_by),
                "submitted_at": _instant(r.submitted_at, rc),
                "version": r.version,
                "approval": r.approval,
                "correction_reason": r.correction_reason,
                "responsible": responsible,
                "decision": _decision(r.decision, rc),
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _instant(at, rc),
        "language": lang,
        "periods": [str(p) for p in periods],
        "measurements": measurements,
    }


def write_json(
    rows: Sequence[ExportRow], periods: Sequence[Period], rc: RenderContext, at: datetime
) -> bytes:
    """The export as UTF-8 JSON (Latvian letters written as they are, not escaped)."""
    text = json.dumps(document(rows, periods, rc, at), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")
