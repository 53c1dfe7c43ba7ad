"""Issue 7: summary charts (matplotlib, Agg, PNG) for the sample plan, in both languages.

The PNGs of every channel of the sample plan are written to ``tmp_path`` (look at them:
``pytest tests/bot/test_issue7_charts.py --basetemp=var/charts``). A chart that fails to
draw never costs the summary its text (field case C11), and the command line starts
without importing matplotlib.
"""

from __future__ import annotations

import logging
import struct
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.charts import attach, figure
from bot.i18n import translator
from bot.render import RenderContext, render
from storage.db import Database
from tests.conftest import RIGA
from tests.support.summary_world import seed_year
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.notices import RollupSummary, SeriesPoint, Summary, SummaryLine, ToChannel
from workflows.reports.summaries import post_summary
from workflows.rounds.evaluation import Status

PNG = b"\x89PNG\r\n\x1a\n"
CHANNELS = (
    ("pk-dzivesvieta", "2026-10"),
    ("pk-socialapalidziba", "2026-10"),
    ("resurss-dvs", "2026-10"),
    ("resurss-dvs", "2026-Q3"),
    ("iestade-centrala-administracija", "2026-10"),
    ("iestade-socialais-dienests", "2026-10"),
    ("pakalpojumu-parvaldiba", "2026-10"),
)


def size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert png.startswith(PNG)
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def summaries(db: Database, ctx: Context) -> list[tuple[str, str, Summary | RollupSummary]]:
    out = []
    for channel, period in CHANNELS:
        items = db.transaction(lambda s, c=channel, p=period: post_summary(s, ctx, c, p, "system"))
        (notice,) = [i.notice for i in items if isinstance(i.to, ToChannel)]
        assert isinstance(notice, Summary | RollupSummary)
        out.append((channel, period, notice))
    return out


def test_sample_plan_charts_are_drawn_in_both_languages(
    db: Database, ctx: Context, clock: FixedClock, tmp_path: Path
) -> None:
    seed_year(db, ctx)
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA))
    written = []
    for channel, period, notice in summaries(db, ctx):
        for lang in ("lv", "en"):
            rc = RenderContext(translator(lang), ctx.plan, RIGA, "channel")
            message = render(notice, rc)
            assert message.image is not None, (channel, period, lang)
            width, height = size(message.image)
            assert width == 1000 and 400 <= height <= 3000, (channel, width, height)
            path = tmp_path / f"{channel}-{period}-{lang}.png"
            path.write_bytes(message.image)
            written.append(path.name)
    assert len(written) == 2 * len(CHANNELS)


def test_charts_differ_by_language(db: Database, ctx: Context, clock: FixedClock) -> None:
    seed_year(db, ctx)
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA))
    (_channel, _period, notice), *_ = summaries(db, ctx)
    assert isinstance(notice, Summary)
    lv = figure.summary_chart(notice, ctx.plan, translator("lv"))
    en = figure.summary_chart(notice, ctx.plan, translator("en"))
    assert lv != en  # labels, months and decimal commas are the reader's


def test_c06_at_most_eight_panels_the_worst_first(ctx: Context) -> None:
    def line(number: int, status: Status) -> SummaryLine:
        point = SeriesPoint("2026-10", Decimal(number), status)
        return SummaryLine(
            f"i{number}", Decimal(number), status, None, None, None, series=(point,)
        )

    lines = [line(n, Status.OK) for n in range(110)] + [
        line(200 + n, Status.CRITICAL if n % 2 else Status.WARNING) for n in range(10)
    ]
    chosen = figure.pick_lines(lines)
    assert len(chosen) == figure.MAX_PANELS
    assert all(c.status is not Status.OK for c in chosen)
    assert sum(c.status is Status.CRITICAL for c in chosen) == 5  # every critical one
    assert [c.indicator_id for c in chosen] == sorted(
        (c.indicator_id for c in chosen), key=lambda i: int(i[1:])
    )  # in plan order


def test_c11_a_chart_that_fails_leaves_the_text(
    db: Database,
    ctx: Context,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed_year(db, ctx)
    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=RIGA))
    (_channel, _period, notice), *_ = summaries(db, ctx)
    rc = RenderContext(translator("lv"), ctx.plan, RIGA, "channel")
    whole = render(notice, rc)

    def broken(*_args: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(figure, "summary_chart", broken)
    monkeypatch.setattr(attach, "IN_PROCESS", True)  # the patch holds in this process only
    with caplog.at_level(logging.ERROR, logger="bot.charts.attach"):
        message = render(notice, rc)
    assert message.image is None
    assert (message.title, message.text) == (whole.title, whole.text)
    assert "was not drawn" in caplog.text


def test_the_command_line_starts_without_matplotlib() -> None:
    code = "import sys, bot.cli, bot.render; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
