"""This module contains the XLSX export (openpyxl, imported only when a workbook is written).

One sheet of the same columns as the CSV (the export's, or any
:class:`~bot.exchange.sheet.Sheet`): numbers are real numbers shown with the indicator's
decimals, dates and times are real dates in Europe/Riga local time (Excel has no time zones),
the header row is bold and frozen, and an auto-filter covers the table.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from bot.exchange.sheet import Sheet, is_formula_like
from bot.exchange.table import export_sheet
from bot.render.context import RenderContext
from workflows.exchange import ExportRow

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _number_format(decimals: int | None) -> str:
    return "0" if decimals == 0 else "0." + "0" * decimals if decimals else "General"


def write_xlsx(rows: Sequence[ExportRow], rc: RenderContext) -> bytes:
    """The export as an Excel workbook (``.xlsx`` bytes).

    Returns:
        The workbook: one sheet ``measurements`` with a header row and one row per
        measurement.
    """
    return write_sheet_xlsx(export_sheet(rows, rc), rc)


def write_sheet_xlsx(sheet: Sheet, rc: RenderContext) -> bytes:
    """Any :class:`~bot.exchange.sheet.Sheet` as an Excel workbook (``.xlsx`` bytes).

    Returns:
        The workbook: one sheet named ``sheet.title``, its header row bold and frozen.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    out_sheet = book.create_sheet(sheet.title[:31])
    out_sheet.freeze_panes = "A2"
    for number, title in enumerate(sheet.headers, start=1):  # wide enough, not endless
        width = sheet.widths.get(title, max(10, len(title) + 2))
        out_sheet.column_dimensions[get_column_letter(number)].width = width
    last = get_column_letter(len(sheet.headers))
    out_sheet.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
    bold = Font(bold=True)
    header = []
    for title in sheet.headers:
        cell = WriteOnlyCell(out_sheet, value=title)
        cell.font = bold
        header.append(cell)
    out_sheet.append(header)
    formats: dict[int | None, str] = {}
    for index, cells in enumerate(sheet.rows):
        decimals = sheet.row_decimals[index] if sheet.row_decimals else None
        number_format = formats.setdefault(decimals, _number_format(decimals))
        out: list[object] = []
        for column, value in enumerate(cells):
            if isinstance(value, datetime):
                cell = WriteOnlyCell(out_sheet, value=value.astimezone(rc.tz).replace(tzinfo=None))
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                cell = WriteOnlyCell(out_sheet)
                cell.value = value
                cell.number_format = DATE_FORMAT
            elif isinstance(value, Decimal) and column in sheet.decimal_columns:
                cell = WriteOnlyCell(out_sheet)
                cell.value = value
                cell.number_format = number_format
            elif isinstance(value, str) and is_formula_like(value):
                cell = WriteOnlyCell(out_sheet)  # text, never a formula ("CSV injection")
                cell.value = value
                cell.data_type = "s"
                cell.quotePrefix = True
            else:
                out.append(value)
                continue
            out.append(cell)
        out_sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
