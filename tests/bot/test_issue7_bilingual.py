"""Issue 7: a team channel whose plan ``language`` is ``both`` gets each post in Latvian and
English in one message, the plan's locale first; the chart is drawn once, in that language."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bot.outbox import Outbox
from bot.render.bilingual import RULE
from storage.db import Database
from tests.support.recording import RecordingChannel
from workflows.context import Context
from workflows.notices import (
    ActivitySummary,
    Outgoing,
    SeriesPoint,
    Summary,
    SummaryLine,
    ToChannel,
)
from workflows.people import bindings
from workflows.plan.model import LoadedPlan
from workflows.rounds.evaluation import Status

CHANNEL = "pk-dzivesvieta"
ADMIN = "kristaps-sils"


def bilingual(ctx: Context, language: str | None = "both") -> Context:
    plan = ctx.plan.plan
    channels = tuple(
        c.model_copy(update={"language": language}) if c.id == CHANNEL else c
        for c in plan.channels
    )
    return replace(ctx, plan=LoadedPlan(plan.model_copy(update={"channels": channels})))


def summary() -> Summary:
    point = SeriesPoint("2026-10", Decimal("88.5"), Status.CRITICAL)
    line = SummaryLine(
        "dd-within-sla",
        Decimal("88.5"),
        Status.CRITICAL,
        False,
        Decimal("93.5"),
        None,
        series=(point,),
    )
    part = ActivitySummary("dzivesvietas-deklaresana", "2026-10", None, (line,), (), (), ())
    return Summary(CHANNEL, "2026-10", (part,))


async def test_both_languages_in_one_message_latvian_first(ctx: Context, db: Database) -> None:
    console = RecordingChannel()
    outbox = Outbox(bilingual(ctx), db, {"console": console}, "lv")
    assert await outbox.deliver([Outgoing(ToChannel(CHANNEL), summary())]) == 0
    (message,) = console.to(CHANNEL)
    assert message.title is not None and message.title.startswith("Kopsavilkums")
    latvian, english = message.text.split(f"\n{RULE}\n")
    assert "88,5% — ❌ kritisks" in latvian and "(↓ -5,0 p.p., pasliktinājums)" in latvian
    assert english.startswith("Summary for October 2026")
    assert "88.5% — ❌ critical" in english and "(↓ -5.0 pp, worse)" in english


async def test_the_chart_is_drawn_once_in_the_first_language(ctx: Context, db: Database) -> None:
    both = bilingual(ctx)
    db.transaction(lambda s: bindings.bind(s, both, CHANNEL, "slack", "C0TEAM", ADMIN))
    slack = RecordingChannel(platform="slack")
    outbox = Outbox(both, db, {"console": RecordingChannel(), "slack": slack}, "lv")
    await outbox.deliver([Outgoing(ToChannel(CHANNEL), summary())])
    (message,) = slack.to("C0TEAM")
    assert message.image is not None and message.image.startswith(b"\x89PNG")
    assert RULE in message.text


async def test_a_single_language_channel_is_unchanged(ctx: Context, db: Database) -> None:
    console = RecordingChannel()
    outbox = Outbox(bilingual(ctx, "en"), db, {"console": console}, "lv")
    await outbox.deliver([Outgoing(ToChannel(CHANNEL), summary())])
    (message,) = console.to(CHANNEL)
    assert RULE not in message.text and message.title == (
        "Summary for October 2026 — Service: Declaration of place of residence"
    )
