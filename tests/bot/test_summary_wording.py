"""Issue 7: a summary's indicator lines in both languages: status word and shape, change
against the previous period, late, unconfirmed, corrected and not-measured marks, and the
share of controls answered on time, late and not at all."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.i18n import translator
from bot.render import RenderContext, render
from tests.conftest import RIGA
from workflows.context import Context
from workflows.notices import ActivitySummary, Participation, Summary, SummaryLine
from workflows.rounds.evaluation import Status

ACTIVITY = "dzivesvietas-deklaresana"
CHANNEL = "pk-dzivesvieta"


def line(indicator_id: str, value: str | None, status: Status | None, **kw: object) -> SummaryLine:
    return SummaryLine(
        indicator_id=indicator_id,
        value=Decimal(value) if value is not None else None,
        status=status,
        target_met=None if value is None else status is Status.OK,
        previous=kw.pop("previous", None),  # type: ignore[arg-type]
        comment=None,
        **kw,  # type: ignore[arg-type]
    )


def summary_text(ctx: Context, lang: str, *lines: SummaryLine, **part: object) -> str:
    activity = ActivitySummary(
        activity_id=ACTIVITY,
        period="2026-10",
        due_date=None,
        lines=lines,
        answered_by=(),
        not_answered=(),
        decisions=(),
        **part,  # type: ignore[arg-type]
    )
    notice = Summary(CHANNEL, "2026-10", (activity,))
    rc = RenderContext(translator("lv" if lang == "lv" else "en"), ctx.plan, RIGA, "channel")
    return render(notice, rc).text


LOWER = "dd-avg-processing"  # lower is better, working days, 1 decimal
HIGHER = "dd-within-sla"  # higher is better, percent, 1 decimal


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("lv", "0,9 darba dienas — ✅ normā"),
        ("en", "0.9 working days — ✅ OK"),
    ],
)
def test_status_has_a_word_and_a_shape(ctx: Context, lang: str, expected: str) -> None:
    text = summary_text(ctx, lang, line(LOWER, "0.9", Status.OK))
    assert expected in text


@pytest.mark.parametrize(
    ("lang", "status", "mark"),
    [
        ("lv", Status.WARNING, "⚠️ brīdinājums"),
        ("lv", Status.CRITICAL, "❌ kritisks"),
        ("en", Status.WARNING, "⚠️ warning"),
        ("en", Status.CRITICAL, "❌ critical"),
    ],
)
def test_each_status_has_its_own_shape(ctx: Context, lang: str, status: Status, mark: str) -> None:
    assert mark in summary_text(ctx, lang, line(HIGHER, "91.0", status))


@pytest.mark.parametrize(
    ("lang", "indicator", "value", "previous", "expected"),
    [
        # lower is better: down is an improvement
        ("lv", LOWER, "0.9", "1.3", "iepriekš 1,3 darba dienas (↓ -0,4 darba dienas, uzlabojums)"),
        ("en", LOWER, "0.9", "1.3", "previously 1.3 working days (↓ -0.4 working days, better)"),
        ("lv", LOWER, "1.8", "1.3", "(↑ +0,5 darba dienas, pasliktinājums)"),
        # higher is better: a percentage moves in percentage points
        ("lv", HIGHER, "88.5", "93.5", "iepriekš 93,5% (↓ -5,0 p.p., pasliktinājums)"),
        ("en", HIGHER, "96.0", "93.5", "previously 93.5% (↑ +2.5 pp, better)"),
        ("en", HIGHER, "93.5", "93.5", "(→ ±0.0 pp, no change)"),
        ("lv", HIGHER, "93.5", "93.5", "(→ ±0,0 p.p., bez izmaiņām)"),
    ],
)
def test_change_against_the_previous_period(
    ctx: Context, lang: str, indicator: str, value: str, previous: str, expected: str
) -> None:
    text = summary_text(ctx, lang, line(indicator, value, Status.OK, previous=Decimal(previous)))
    assert expected in text


def test_a_change_in_euros_uses_babel_currency_format(ctx: Context) -> None:
    cost = "dd-cost-per-case"  # EUR, 2 decimals, lower is better
    notice_line = line(cost, "6.20", Status.OK, previous=Decimal("6.70"))
    activity = ActivitySummary(ACTIVITY, "2026-Q3", None, (notice_line,), (), (), ())
    notice = Summary(CHANNEL, "2026-Q3", (activity,))
    lv = render(notice, RenderContext(translator("lv"), ctx.plan, RIGA, "channel")).text
    en = render(notice, RenderContext(translator("en"), ctx.plan, RIGA, "channel")).text
    assert "iepriekš 6,70\u00a0€ (↓ -0,50\u00a0€, uzlabojums)" in lv  # CLDR: no-break space
    assert "previously €6.70 (↓ -€0.50, better)" in en


@pytest.mark.parametrize(
    ("lang", "marks"),
    [
        ("lv", "⏰ iesniegts ar nokavēšanos · ❔ vēl nav apstiprināts · ✎ labots"),
        ("en", "⏰ submitted late · ❔ not confirmed yet · ✎ corrected"),
    ],
)
def test_late_unconfirmed_and_corrected_values_are_marked(
    ctx: Context, lang: str, marks: str
) -> None:
    marked = line(HIGHER, "96.0", Status.OK, late=True, unconfirmed=True, corrected=True)
    plain = line(LOWER, "0.9", Status.OK)
    text = summary_text(ctx, lang, marked, plain)
    assert marks in text
    assert text.count("⏰") == 1  # only the late one


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("lv", "Vidējais deklarācijas apstrādes laiks: nav izmērīts — sistēma nestrādāja"),
        ("en", "Average processing time per declaration: not measured — sistēma nestrādāja"),
    ],
)
def test_not_measured_says_why(ctx: Context, lang: str, expected: str) -> None:
    text = summary_text(ctx, lang, line(LOWER, None, None, not_measured="sistēma nestrādāja"))
    assert expected in text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "lv",
            "Kontroles dati: iesniegti laikā — 5 (63%), ar nokavēšanos — 2 (25%), "
            "nav iesniegti — 1 (13%)",
        ),
        ("en", "Controls answered: on time 5 (63%), late 2 (25%), not at all 1 (13%)"),
    ],
)
def test_participation_counts_and_percent(ctx: Context, lang: str, expected: str) -> None:
    text = summary_text(
        ctx, lang, line(LOWER, "0.9", Status.OK), participation=Participation(5, 2, 1)
    )
    assert expected in text
