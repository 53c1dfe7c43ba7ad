"""Issue 13 item 9: one name per concept across commands, buttons and summaries.

``/pending`` offered "Apstiprināt Nr. 1 / Noraidīt Nr. 1" while the decision itself offered
"Noteikt pasākumu / Pasākums nav vajadzīgs / Ierosināt augstāk"; a summary headed its actions
"izpildē" and listed them "(plānots)"; ``/bind`` answered "#pk-dzivesvieta (#pk-dzivesvieta)".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translator
from bot.render import RenderContext, render
from workflows.context import Context
from workflows.notices import (
    ChannelBound,
    DecisionBrief,
    DecisionRequested,
    PendingList,
    SummaryPosted,
)
from workflows.rounds.evaluation import Status

RIGA = ZoneInfo("Europe/Riga")
BRIEF = DecisionBrief(
    decision_id=1,
    activity_id="dzivesvietas-deklaresana",
    indicator_id="dd-within-sla",
    period="2026-10",
    value=Decimal("88.5"),
    status=Status.CRITICAL,
    trigger="critical",
    approver_id="janis-berzins",
    decide_by=date(2026, 11, 17),
    comment=None,
)


def rc(ctx: Context, lang: str) -> RenderContext:
    return RenderContext(translator(lang), ctx.plan, RIGA)


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_pending_offers_the_decisions_own_buttons(ctx: Context, lang: str) -> None:
    request = render(DecisionRequested(BRIEF, ask=True), rc(ctx, lang))
    pending = render(PendingList((), (BRIEF,), None), rc(ctx, lang))
    assert [c.token for c in pending.choices] == [c.token for c in request.choices]
    for own, listed in zip(request.choices, pending.choices, strict=True):
        assert listed.label.startswith(own.label)  # "Noteikt pasākumu (Nr. 1)"


def test_pending_labels_in_latvian(ctx: Context) -> None:
    pending = render(PendingList((), (BRIEF,), None), rc(ctx, "lv"))
    assert [c.label for c in pending.choices] == [
        "Noteikt pasākumu (Nr. 1)",
        "Pasākums nav vajadzīgs (Nr. 1)",
        "Ierosināt augstāk (Nr. 1)",
    ]


def test_bind_and_posted_name_the_channel_by_its_label(ctx: Context) -> None:
    bound = render(ChannelBound("pk-dzivesvieta", "telegram"), rc(ctx, "lv"))
    assert bound.text == (
        "Kanāla “Pakalpojums: Dzīvesvietas deklarēšana” kopsavilkumi un lēmumi turpmāk tiks "
        "publicēti šajā tērzēšanā."
    )
    posted = render(SummaryPosted("pk-dzivesvieta", "2026-10"), rc(ctx, "en"))
    assert "“Service: Declaration of place of residence”" in posted.text
    assert "#pk-dzivesvieta" not in bound.text + posted.text
