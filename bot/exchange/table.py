"""This module contains the export's columns: one row per measurement, the same for CSV and XLSX.

Machine columns (ids, codes, numbers, dates) have English headers and stable values; the label
columns (``*_label``, ``*_name``) are in the language asked for (``--lang``). The import reads
the machine columns ``activity``, ``indicator``, ``period``, ``value``, ``comment`` and
``source`` and ignores the rest, so an export can be imported again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.exchange.sheet import Cell, Sheet, defused, is_formula_like, undefused
from bot.formatting import fmt_option
from bot.render.context import RenderContext
from workflows.exchange import ExportRow
from workflows.plan.model import UnknownPlanItem


@dataclass(frozen=True)
class Column:
    """One export column.

    Attributes:
        header: Its header (English, stable).
        cell: The cell of a row, given the reader's render context.
        decimals: Whether the cell is a measured number shown with the indicator's decimals.
    """

    header: str
    cell: Callable[[ExportRow, RenderContext], Cell]
    decimals: bool = False


def _unit_label(row: ExportRow, rc: RenderContext) -> str | None:
    if row.choice is not None:  # a check has no unit (``unit`` says yes_no or choice)
        return None
    try:
        return rc.plan.indicator(row.indicator_id)[1].unit.get(rc.t.lang)
    except UnknownPlanItem:
        return row.unit


def _status_label(row: ExportRow, rc: RenderContext) -> str:
    t = rc.t
    words = {"ok": t.gettext("OK"), "warning": t.gettext("warning")}
    return words.get(row.status, t.gettext("critical"))


def choice_label(row: ExportRow, rc: RenderContext) -> str | None:
    """The chosen option's label in the reader's language (its id if it left the plan)."""
    if row.choice is None:
        return None
    try:
        indicator = rc.plan.indicator(row.indicator_id)[1]
    except UnknownPlanItem:
        return row.choice
    option = indicator.option(row.choice)
    return fmt_option(option, rc.t) if option is not None else row.choice


def _role(row: ExportRow, rc: RenderContext) -> str | None:
    return rc.plan.role_label(row.responsible[1], rc.t.lang) if row.responsible else None


COLUMNS: tuple[Column, ...] = (
    Column("activity", lambda r, rc: r.activity_id),
    Column("activity_label", lambda r, rc: rc.activity(r.activity_id)),
    Column("indicator", lambda r, rc: r.indicator_id),
    Column("indicator_label", lambda r, rc: rc.indicator(r.indicator_id)),
    Column("period", lambda r, rc: r.period),
    Column("value", lambda r, rc: r.value, decimals=True),
    Column("choice", lambda r, rc: r.choice),
    Column("choice_label", choice_label),
    Column("unit", lambda r, rc: r.unit),
    Column("unit_label", _unit_label),
    Column("status", lambda r, rc: r.status),
    Column("status_label", _status_label),
    Column("target_met", lambda r, rc: r.target_met),
    Column("direction", lambda r, rc: r.direction),
    Column("target", lambda r, rc: r.target, decimals=True),
    Column("warning", lambda r, rc: r.warning, decimals=True),
    Column("critical", lambda r, rc: r.critical, decimals=True),
    Column("comment", lambda r, rc: r.comment),
    Column("source", lambda r, rc: r.source),
    Column("submitted_by", lambda r, rc: r.submitted_by),
    Column("submitted_by_name", lambda r, rc: rc.person(r.submitted_by)),
    Column("submitted_at", lambda r, rc: r.submitted_at),
    Column("version", lambda r, rc: Decimal(r.version)),
    Column("approval", lambda r, rc: r.approval),
    Column("correction_reason", lambda r, rc: r.correction_reason),
    Column("responsible", lambda r, rc: r.responsible[0] if r.responsible else None),
    Column(
        "responsible_name", lambda r, rc: rc.person(r.responsible[0]) if r.responsible else None
    ),
    Column("responsible_role", _role),
    Column("decision", lambda r, rc: str(r.decision.id) if r.decision else None),
    Column("decision_status", lambda r, rc: r.decision.status if r.decision else None),
    Column("decision_trigger", lambda r, rc: r.decision.trigger if r.decision else None),
    Column("approver", lambda r, rc: r.decision.approver_id if r.decision else None),
    Column("decide_by", lambda r, rc: r.decision.decide_by if r.decision else None),
    Column("action", lambda r, rc: r.decision.action if r.decision else None),
    Column("action_owner", lambda r, rc: r.decision.owner_id if r.decision else None),
    Column("action_due", lambda r, rc: r.decision.action_due if r.decision else None),
    Column("decided_by", lambda r, rc: r.decision.decided_by if r.decision else None),
    Column("decided_at", lambda r, rc: r.decision.decided_at if r.decision else None),
    Column("rejection_reason", lambda r, rc: r.decision.rejection_reason if r.decision else None),
    Column("action_status", lambda r, rc: r.decision.action_status if r.decision else None),
)
"""Every export column, in file order."""

HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)


def cells(row: ExportRow, rc: RenderContext) -> list[Cell]:
    """The row's cells, in :data:`COLUMNS` order."""
    return [column.cell(row, rc) for column in COLUMNS]


def table(rows: Sequence[ExportRow], rc: RenderContext) -> list[list[Cell]]:
    """Every row's cells (no header)."""
    return [cells(row, rc) for row in rows]


SHEET_TITLE = "measurements"
WIDE_COLUMNS = {
    "activity_label": 32,
    "indicator_label": 40,
    "comment": 48,
    "submitted_by_name": 22,
    "responsible_name": 22,
    "responsible_role": 28,
    "action": 40,
    "rejection_reason": 32,
    "correction_reason": 32,
    "submitted_at": 20,
    "decided_at": 20,
}
"""Column widths (in characters) for text columns; others fit their header."""


def export_sheet(rows: Sequence[ExportRow], rc: RenderContext) -> Sheet:
    """The export as a :class:`~bot.exchange.sheet.Sheet`: one row per measurement."""
    return Sheet(
        title=SHEET_TITLE,
        headers=HEADERS,
        rows=table(rows, rc),
        row_decimals=[row.decimals for row in rows],
        decimal_columns=frozenset(n for n, c in enumerate(COLUMNS) if c.decimals),
        widths=WIDE_COLUMNS,
    )


__all__ = [
    "COLUMNS",
    "HEADERS",
    "Cell",
    "Column",
    "choice_label",
    "defused",
    "export_sheet",
    "is_formula_like",
    "table",
    "undefused",
]
