"""This module contains the commands that act as in chat: remind, summary, history, away.

The operator's own results are printed on the terminal; what goes to others is queued in the
outbox with the change that caused it and delivered by the command itself (one message at a
time, at the platforms' pace); the acknowledgement says who was reached and who not, and
why. Nothing addressed to someone else is printed.
"""

from __future__ import annotations

import sys
from datetime import date

from sqlmodel import Session

from bot.app import App
from bot.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    acting_admin,
    failed,
    tell_others,
    translator_for,
)
from bot.formatting import id_list
from bot.outbox import Queued
from bot.render.context import RenderContext
from bot.routes import CONSOLE
from workflows.notices import Outgoing, ToPerson
from workflows.plan import finding
from workflows.reports import summaries
from workflows.rounds import opening as rounds


async def one_shot(app: App, command: str, target: str, period: str | None) -> int:
    """``controlbot remind`` and ``controlbot summary``: open a round or post a summary."""
    await app.announce()
    actor = acting_admin(app)

    def work(session: Session) -> tuple[list[Outgoing], Queued]:
        if command == "remind":
            items = rounds.open_round(session, app.ctx, target, period, actor)
        else:
            items = summaries.post_summary(session, app.ctx, target, period, actor)
        return items, app.outbox.enqueue_reported(session, items, actor, CONSOLE)

    items, queued = await app.db.run(work)  # the change and its messages in one transaction
    found = await app.outbox.send_queued(queued)  # the report comes back on this terminal
    unposted = command == "summary" and found is not None and not found.delivered
    return EXIT_FAILED if failed(items) or unposted else EXIT_OK


async def history(app: App, indicator: str, count: int) -> int:
    """``controlbot history``: an indicator's last values, shown to the first admin."""
    from workflows.rounds import history as history_flow

    actor = acting_admin(app)
    found = finding.resolve(app.ctx, actor, indicator)
    if len(found) != 1:  # the CLI's own list: ids, as commands here take them
        print(_not_one_indicator(app, indicator, found), file=sys.stderr)
        return EXIT_USAGE
    items = await app.db.run(lambda s: history_flow.history(s, app.ctx, actor, indicator, count))
    await app.outbox.deliver_reported(items, actor, CONSOLE)  # shown on this terminal
    return EXIT_FAILED if failed(items) else EXIT_OK


def _not_one_indicator(app: App, query: str, found: tuple[str, ...]) -> str:
    """Why ``query`` names no single indicator, and the ids it could mean (else every id)."""
    t = translator_for(app.settings)
    plan = app.ctx.plan
    if found:
        head = t.gettext("“{query}” fits several indicators; give one id:", query=query)
    else:
        head = t.gettext("There is no indicator “{query}” in the plan. Indicators:", query=query)
    ids = found or tuple(i.id for _a, i in plan.all_indicators())
    lines = [f"  {i} — {plan.indicator_label(i, t.lang)}" for i in ids]
    return "\n".join([head, *lines])


async def away(app: App, person: str, starts: date, ends: date) -> int:
    """``controlbot away``: record an absence (reminders held, a deputy measures)."""
    from workflows.people import absences

    if not app.ctx.plan.has_person(person):
        t = translator_for(app.settings)
        known = id_list((p.id for p in app.ctx.plan.plan.people), t)
        print(
            t.gettext(
                "There is no person “{person}” in the plan. Known: {known}.",
                person=person,
                known=known,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    actor = acting_admin(app)
    items = await app.db.run(lambda s: absences.register(s, app.ctx, person, starts, ends, actor))
    mine = [i for i in items if i.to == ToPerson(actor)]
    await app.outbox.deliver_reported(mine, actor, CONSOLE)
    others = [i for i in items if i.to != ToPerson(actor)]
    if others:  # the absentee and the deputies
        rc = RenderContext(translator_for(app.settings), app.ctx.plan, app.ctx.timezone)
        await tell_others(app, others, actor, rc.t.gettext("Not told of the absence:"), rc)
    return EXIT_FAILED if failed(items) else EXIT_OK


async def console(app: App, person: str | None) -> int:
    """``controlbot console``: chat on the console as a person of the plan."""
    from bot.console import ConsoleSession

    start = person or acting_admin(app)
    if not app.ctx.plan.has_person(start):
        print(
            translator_for(app.settings).gettext(
                "There is no person “{person}” in the plan.", person=start
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    await app.announce()
    session = ConsoleSession(app.dispatcher, app.console, app.ctx.plan, start, app.lang)
    await session.run_stdin()
    return EXIT_OK
