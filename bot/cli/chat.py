"""This module contains the commands that act as in chat: remind, summary, history, away."""

from __future__ import annotations

import sys
from datetime import date

from bot.app import App
from bot.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, acting_admin, failed, translator_for
from workflows import rounds, summaries


async def one_shot(app: App, command: str, target: str, period: str | None) -> int:
    """``controlbot remind`` and ``controlbot summary``: open a round or post a summary."""
    await app.announce()
    actor = acting_admin(app)
    if command == "remind":
        items = await app.db.run(lambda s: rounds.open_round(s, app.ctx, target, period, actor))
    else:
        items = await app.db.run(
            lambda s: summaries.post_summary(s, app.ctx, target, period, actor)
        )
    await app.outbox.deliver(items)
    return EXIT_FAILED if failed(items) else EXIT_OK


async def history(app: App, indicator: str, count: int) -> int:
    """``controlbot history``: an indicator's last values, shown to the first admin."""
    from workflows import history as history_flow

    actor = acting_admin(app)
    items = await app.db.run(lambda s: history_flow.history(s, app.ctx, actor, indicator, count))
    await app.outbox.deliver(items)
    return EXIT_FAILED if failed(items) else EXIT_OK


async def away(app: App, person: str, starts: date, ends: date) -> int:
    """``controlbot away``: record an absence (reminders held, a deputy measures)."""
    from workflows import absences

    if not app.ctx.plan.has_person(person):
        known = ", ".join(p.id for p in app.ctx.plan.plan.people)
        print(
            translator_for(app.settings).gettext(
                "There is no person “{person}” in the plan. Known: {known}",
                person=person,
                known=known,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    actor = acting_admin(app)
    items = await app.db.run(lambda s: absences.register(s, app.ctx, person, starts, ends, actor))
    await app.outbox.deliver(items)
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
