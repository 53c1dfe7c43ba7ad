"""This module contains :class:`Sheet`: a table of cells that the CSV and XLSX writers take.

The export (:mod:`bot.exchange.table`) and the web view's lists (:mod:`bot.web.sheets`) build a
sheet; :func:`bot.exchange.csv_files.write_sheet_csv` and
:func:`bot.exchange.xlsx_files.write_sheet_xlsx` write any sheet, so every download has the
same encoding, separators, number and date formats and formula defusing (C17).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

Cell: TypeAlias = str | Decimal | bool | date | datetime | None
"""A cell: text, an exact number, a truth value, a local date, an aware instant, or empty."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Text that a spreadsheet would run as a formula (OWASP "CSV injection")."""


@dataclass(frozen=True)
class Sheet:
    """A header row and rows of cells, with how the workbook shows them.

    Attributes:
        title: The workbook sheet's name (at most 31 characters, Excel's limit).
        headers: Column headers (English, stable: machines read them).
        rows: One list of cells per row, in header order.
        row_decimals: Per row, the decimal places of its measured numbers (``None``: as
            stored); empty when no column holds measured numbers.
        decimal_columns: Indexes of the columns shown with their row's decimals.
        widths: Column widths in characters by header; others fit their header.
    """

    title: str
    headers: tuple[str, ...]
    rows: Sequence[Sequence[Cell]]
    row_decimals: Sequence[int | None] = ()
    decimal_columns: frozenset[int] = frozenset()
    widths: Mapping[str, int] = field(default_factory=dict)


def is_formula_like(text: str) -> bool:
    """Whether a text cell would be read as a formula by Excel or LibreOffice."""
    return text.startswith(FORMULA_STARTS)


def defused(text: str) -> str:
    """A text cell made safe for CSV: a leading ``'`` before formula-like text.

    Spreadsheets show such text as text; :func:`undefused` takes the mark off on import.
    """
    return "'" + text if is_formula_like(text) else text


def undefused(text: str) -> str:
    """The text of an imported cell without the mark :func:`defused` put on it."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text
