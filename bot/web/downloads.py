"""This module contains the web view's downloads: the export's CSV and XLSX, filtered.

A page's measurements download through the existing export (:mod:`bot.exchange`): the
same columns, formats and rules as ``controlbot export``, only the rows the page shows. CSV
follows the viewer's language (Latvian: ``;`` and a decimal comma, as Excel expects there).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from aiohttp import web
from sqlmodel import Session

from bot.exchange.csv_files import write_csv
from bot.exchange.xlsx_files import write_xlsx
from bot.render import RenderContext
from bot.web.templating import Viewer
from workflows.context import Context
from workflows.exchange.outgoing import ExportRow, gather
from workflows.periods import Period, PeriodError

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def measurement_rows(
    session: Session,
    ctx: Context,
    periods: Collection[str],
    keep: Callable[[ExportRow], bool],
) -> list[ExportRow]:
    """The export's rows of ``periods`` that ``keep`` accepts."""
    parsed: list[Period] = []
    for text in sorted(set(periods)):
        try:
            parsed.append(Period.parse(text))
        except PeriodError:
            continue
    return [row for row in gather(session, ctx, parsed) if keep(row)]


def file_response(
    rows: list[ExportRow], ctx: Context, viewer: Viewer, fmt: str, name: str
) -> web.Response:
    """``rows`` as a CSV or XLSX attachment named ``name`` (404 for another format)."""
    rc = RenderContext(viewer.t, ctx.plan, viewer.tz)
    if fmt == "csv":
        body = write_csv(rows, rc, "lv" if viewer.t.lang == "lv" else "excel")
        content_type = "text/csv"
    elif fmt == "xlsx":
        body = write_xlsx(rows, rc)
        content_type = XLSX_TYPE
    else:
        raise web.HTTPNotFound()
    return web.Response(
        body=body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
