"""This module contains the web view's lists as sheets, for their CSV and XLSX downloads.

Each function takes exactly what its page rendered (loaded once, by the same function as
the page) and makes one row per row of the page's table, in the page's order: what waits
for me, open rounds, activities and roll-ups. The administrators' lists are in
:mod:`bot.web.admin_sheets`; measurements download as the export itself
(:mod:`bot.web.downloads`). Headers are English and stable, like the export's; ``*_label``
and ``*_name`` columns are in the viewer's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.exchange.sheet import Cell, Sheet
from bot.render.context import RenderContext
from storage.models import ImprovementDecision
from workflows.notices import PendingList
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Activity
from workflows.reports.overview import OpenRound

if TYPE_CHECKING:
    from bot.web.lists import ScaleBlock

WAITING = (
    "list",
    "number",
    "activity",
    "activity_label",
    "indicator",
    "indicator_label",
    "period",
    "value",
    "status",
    "due",
    "overdue",
    "action",
    "submitted_by",
    "submitted_by_name",
)
"""The columns of what waits for me; ``list`` is ``round``, ``decision``, ``approval`` or
``action`` (the page's four tables, in its order); a round's indicators are space-separated."""
WIDE = {"activity_label": 32, "indicator_label": 40, "action": 40, "channel_label": 28}


def _decimals(rc: RenderContext, indicator_id: str) -> int | None:
    try:
        return rc.plan.indicator(indicator_id)[1].decimals
    except UnknownPlanItem:
        return None


def waiting_sheet(
    pending: PendingList, actions: Sequence[ImprovementDecision], today: date, rc: RenderContext
) -> Sheet:
    """What waits for me: rounds to measure, decisions to take, values to approve, actions."""
    rows: list[list[Cell]] = []
    decimals: list[int | None] = []

    def add(
        kind: str, number: int | None, activity: str, indicators: Sequence[str], **rest: Cell
    ) -> None:
        cells: dict[str, Cell] = {
            "list": kind,
            "number": None if number is None else str(number),
            "activity": activity,
            "activity_label": rc.activity(activity),
            "indicator": " ".join(indicators),
            "indicator_label": "; ".join(rc.indicator(i) for i in indicators),
            **rest,
        }
        who = cells.get("submitted_by")
        cells["submitted_by_name"] = rc.person(who) if isinstance(who, str) else None
        rows.append([cells.get(header) for header in WAITING])
        decimals.append(_decimals(rc, indicators[0]) if len(indicators) == 1 else None)

    for r in pending.rounds:
        add(
            "round",
            r.round_id,
            r.activity_id,
            r.indicator_ids,
            period=r.period,
            due=r.due_date,
            overdue=r.overdue,
        )
    for d in pending.decisions:
        add(
            "decision",
            d.decision_id,
            d.activity_id,
            [d.indicator_id],
            period=d.period,
            value=d.value,
            status=d.status.value,
            due=d.decide_by,
            overdue=d.decide_by < today,
        )
    for v in pending.approvals:
        add(
            "approval",
            v.measurement_id,
            v.activity_id,
            [v.indicator_id],
            period=v.period,
            value=v.value,
            status=v.status.value,
            submitted_by=v.submitted_by,
        )
    for a in actions:
        overdue = a.action_due is not None and a.action_due < today
        add(
            "action",
            a.id,
            a.activity_id,
            [a.indicator_id],
            due=a.action_due,
            overdue=overdue,
            action=a.action,
        )
    return Sheet("waiting", WAITING, rows, decimals, frozenset({WAITING.index("value")}), WIDE)


def rounds_sheet(rounds: Sequence[OpenRound], rc: RenderContext) -> Sheet:
    """The open rounds, overdue first, as the page lists them (every page of them)."""
    headers = (
        "round",
        "activity",
        "activity_label",
        "period",
        "due",
        "answered",
        "expected",
        "overdue",
    )
    rows: list[list[Cell]] = [
        [
            str(r.round_id),
            r.activity_id,
            rc.activity(r.activity_id),
            r.period,
            r.due,
            Decimal(r.answered),
            Decimal(r.expected),
            r.overdue,
        ]
        for r in rounds
    ]
    return Sheet("rounds", headers, rows, widths=WIDE)


def activities_sheet(activities: Sequence[Activity], rc: RenderContext) -> Sheet:
    """The activities the viewer may see, in plan order."""
    headers = ("activity", "activity_label", "scale", "channel", "channel_label", "indicators")
    rows: list[list[Cell]] = [
        [
            a.id,
            rc.activity(a.id),
            a.scale.value,
            a.channel,
            rc.channel(a.channel),
            Decimal(len(a.indicators)),
        ]
        for a in activities
    ]
    return Sheet("activities", headers, rows, widths=WIDE)


def rollups_sheet(blocks: Sequence[ScaleBlock]) -> Sheet:
    """The roll-ups: per channel (a team channel or a roll-up) its rows counted by status."""
    headers = (
        "channel_label",
        "scale",
        "row_label",
        "activity",
        "ok",
        "warning",
        "critical",
        "no_value",
    )
    rows: list[list[Cell]] = [
        [
            block.label,
            block.scale,
            row.label,
            row.activity_id,
            *(Decimal(row.counts[s]) for s in ("ok", "warning", "critical")),
            Decimal(row.unmeasured),
        ]
        for block in blocks
        for row in block.rows
    ]
    return Sheet("rollups", headers, rows, widths={**WIDE, "row_label": 32})
