"""This module contains the XLSX export (openpyxl, imported only when a workbook is written).

One sheet of the same columns as the CSV: numbers are real numbers shown with the indicator's
decimals, dates and times are real dates in Europe/Riga local time (Excel has no time zones),
the header row is bold and frozen, and an auto-filter covers the table.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from bot.exchange.table import COLUMNS, HEADERS, is_formula_like, table
from bot.render.context import RenderContext
from workflows.exchange import ExportRow

SHEET_TITLE = "measurements"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


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


def _number_format(decimals: int | None) -> str:
    return "0" if decimals == 0 else "0." + "0" * decimals if decimals else "General"


def write_xlsx(rows: Sequence[ExportRow], rc: RenderContext) -> bytes:
    """The export as an Excel workbook (``.xlsx`` bytes).

    Returns:
        The workbook: one sheet ``measurements`` with a header row and one row per
        measurement.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    for number, title in enumerate(HEADERS, start=1):  # wide enough for labels, not endless
        width = WIDE_COLUMNS.get(title, max(10, len(title) + 2))
        sheet.column_dimensions[get_column_letter(number)].width = width
    last = get_column_letter(len(HEADERS))
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats: dict[int | None, str] = {}
    for row, cells in zip(rows, table(rows, rc), strict=True):
        out: list[object] = []
        decimals = formats.setdefault(row.decimals, _number_format(row.decimals))
        for column, value in zip(COLUMNS, cells, strict=True):
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value.astimezone(rc.tz).replace(tzinfo=None))
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                cell = WriteOnlyCell(sheet)
                cell.value = value
                cell.number_format = DATE_FORMAT
            elif isinstance(value, Decimal) and column.decimals:
                cell = WriteOnlyCell(sheet)
                cell.value = value
                cell.number_format = decimals
            elif isinstance(value, str) and is_formula_like(value):
                cell = WriteOnlyCell(sheet)  # text, never a formula ("CSV injection")
                cell.value = value
                cell.data_type = "s"
                cell.quotePrefix = True
            else:
                out.append(value)
                continue
            out.append(cell)
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
