"""This module contains the web view's downloads: every list as CSV or XLSX, filtered.

A page's measurements download through the existing export (:mod:`bot.exchange`): the
same columns, formats and rules as ``controlbot export``, only the rows the page shows.
Other lists (:mod:`bot.web.sheets`) are written by the same writers. CSV follows the
viewer's language (Latvian: ``;`` and a decimal comma, as Excel expects there).
Every download is routed as ``…/export.{fmt}`` (or ``…/decisions.{fmt}``) beside its page
and checks the viewer as the page does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence

from aiohttp import web
from sqlmodel import Session

from bot.exchange.csv_files import Variant, write_sheet_csv
from bot.exchange.sheet import Sheet
from bot.exchange.table import export_sheet
from bot.exchange.xlsx_files import write_sheet_xlsx
from bot.render import RenderContext
from bot.web.templating import Viewer
from storage.models import ImprovementDecision, Measurement
from workflows.context import Context
from workflows.exchange.outgoing import ExportRow, gather
from workflows.periods import Period, PeriodError

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def measurement_rows(
    session: Session,
    ctx: Context,
    periods: Collection[str],
    indicator_ids: Collection[str],
    keep: Callable[[ExportRow], bool],
) -> list[ExportRow]:
    """The export's rows of ``indicator_ids`` in ``periods`` that ``keep`` accepts."""
    parsed: list[Period] = []
    for text in sorted(set(periods)):
        try:
            parsed.append(Period.parse(text))
        except PeriodError:
            continue
    return [row for row in gather(session, ctx, parsed, indicator_ids) if keep(row)]


def decision_rows(
    session: Session, ctx: Context, found: Sequence[tuple[ImprovementDecision, Measurement]]
) -> list[ExportRow]:
    """The export's rows of the values that opened the decisions ``found`` (one each)."""
    wanted = {d.id for d, _m in found}
    periods = {m.period for _d, m in found}
    indicators = {m.indicator_id for _d, m in found}
    return measurement_rows(
        session,
        ctx,
        periods,
        indicators,
        lambda r: r.decision is not None and r.decision.id in wanted,
    )


def check_format(fmt: str) -> None:
    """404 for a format other than ``csv`` and ``xlsx`` (before any work is done)."""
    if fmt not in FORMATS:
        raise web.HTTPNotFound()


def render_context(ctx: Context, viewer: Viewer) -> RenderContext:
    """Labels in the viewer's language, times in their zone."""
    return RenderContext(viewer.t, ctx.plan, viewer.tz)


async def file_response(
    rows: list[ExportRow], ctx: Context, viewer: Viewer, fmt: str, name: str
) -> web.Response:
    """The export's ``rows`` as a CSV or XLSX attachment named ``name``."""
    rc = render_context(ctx, viewer)
    return await sheet_response(export_sheet(rows, rc), rc, fmt, name)


async def sheet_response(sheet: Sheet, rc: RenderContext, fmt: str, name: str) -> web.Response:
    """``sheet`` as a CSV or XLSX attachment named ``name`` (404 for another format).

    The file is written in a worker thread: a workbook of thousands of rows takes long
    enough to hold up the bot's webhooks if it were written on the event loop.
    """
    check_format(fmt)
    if fmt == "csv":
        variant: Variant = "lv" if rc.t.lang == "lv" else "excel"
        body = await asyncio.to_thread(write_sheet_csv, sheet, rc, variant)
        content_type, charset = "text/csv", "utf-8"
    else:
        body = await asyncio.to_thread(write_sheet_xlsx, sheet, rc)
        content_type, charset = XLSX_TYPE, None
    return web.Response(
        body=body,
        content_type=content_type,
        charset=charset,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
