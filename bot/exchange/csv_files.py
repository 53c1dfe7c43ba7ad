"""This module contains CSV export and import: files that open correctly in Excel (C17).

Two variants (``--csv-variant``):

* ``excel`` (default): UTF-8 with a byte-order mark, ``,`` between fields, a decimal point;
* ``lv``: UTF-8 with a byte-order mark, ``;`` between fields and a decimal comma — what
  Excel with Latvian regional settings reads and writes (domain.md §5.1).

Fields holding the separator, quotes or line breaks are quoted (RFC 4180); lines end in CRLF.
Reading detects the variant: a byte-order mark or valid UTF-8 (otherwise Windows-1257, the
Baltic code page older Excel saves as "CSV"), the field separator from the header line, and
with ``;`` the decimal comma.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from babel.numbers import format_decimal

from bot.exchange.sheet import Cell, Sheet, defused, undefused
from bot.exchange.table import export_sheet
from bot.render.context import RenderContext
from workflows.exchange import ExportRow, IncomingRow

Variant = Literal["excel", "lv"]
BOM = "\ufeff"
DELIMITER: dict[Variant, str] = {"excel": ",", "lv": ";"}
NUMBER_LOCALE: dict[Variant, str] = {"excel": "en_GB", "lv": "lv_LV"}
REQUIRED = ("indicator", "period", "value")
OPTIONAL = ("activity", "comment", "source")


class FileRefused(Exception):
    """A file that cannot be read as an import at all (not a row's fault).

    Attributes:
        code: ``empty_file`` or ``missing_columns`` (param ``columns``).
        params: Values for the message.
    """

    def __init__(self, code: str, params: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.params = params or {}


def _text(cell: Cell, variant: Variant, rc: RenderContext) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, Decimal):  # exact, never grouped: machines and Excel both read it
        return format_decimal(
            cell, format="0.########", locale=NUMBER_LOCALE[variant], decimal_quantization=False
        )
    if isinstance(cell, datetime):
        return cell.astimezone(rc.tz).isoformat(timespec="seconds")
    if isinstance(cell, date):
        return cell.isoformat()
    return defused(cell)  # a comment or name such as "=HYPERLINK(…)" stays text


def write_csv(rows: Sequence[ExportRow], rc: RenderContext, variant: Variant) -> bytes:
    """The export as CSV bytes (see the module docstring for the variants).

    Returns:
        UTF-8 bytes starting with the byte-order mark: a header row, then one row per
        measurement.
    """
    return write_sheet_csv(export_sheet(rows, rc), rc, variant)


def write_sheet_csv(sheet: Sheet, rc: RenderContext, variant: Variant) -> bytes:
    """Any :class:`~bot.exchange.sheet.Sheet` as CSV bytes, written as the export is.

    Returns:
        UTF-8 bytes starting with the byte-order mark: the header row, then the rows.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=DELIMITER[variant], lineterminator="\r\n")
    writer.writerow(sheet.headers)
    for cells in sheet.rows:
        writer.writerow([_text(cell, variant, rc) for cell in cells])
    return (BOM + buffer.getvalue()).encode("utf-8")


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), UTF-16, or Windows-1257.

    UTF-16 (Excel's "Unicode text") is recognised by its byte-order mark.
    """
    if data.startswith(BOM.encode("utf-8")):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1257", errors="replace")


def read_csv(data: bytes, default_source: str) -> tuple[list[IncomingRow], Literal["lv", "en"]]:
    """Rows to import from a CSV file, and the language its numbers are written in.

    Row numbers are those a spreadsheet shows: the header is row 1. Blank rows are skipped
    (they keep their number). Header names are matched without regard to case and spaces;
    unknown columns are ignored.

    Args:
        data: The file's bytes.
        default_source: The source of rows without a ``source`` cell.

    Returns:
        ``(rows, lang)``: ``lang`` is ``lv`` (decimal comma) for ``;``-separated files.

    Raises:
        FileRefused: If the file is empty, a workbook (XLSX/XLS) rather than CSV, or lacks a
            required column.
    """
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # a workbook, not text
        raise FileRefused("spreadsheet_file")
    text = decode(data)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise FileRefused("empty_file")
    delimiter = max((";", ",", "\t"), key=first.count)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(records)]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise FileRefused("missing_columns", {"columns": ", ".join(missing)})
    where = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    rows: list[IncomingRow] = []
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue

        def cell(name: str, record: list[str] = record) -> str:
            index = where.get(name)
            return record[index] if index is not None and index < len(record) else ""

        rows.append(
            IncomingRow(
                row=number,
                indicator=cell("indicator"),
                period=cell("period"),
                value=cell("value"),
                activity=cell("activity"),
                comment=undefused(cell("comment")),
                source=cell("source").strip() or default_source,
            )
        )
    return rows, "lv" if delimiter == ";" else "en"
