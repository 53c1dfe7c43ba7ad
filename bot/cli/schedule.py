"""This module contains ``controlbot schedule``: every planned send, as a table or JSON."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.cli.common import EXIT_OK, EXIT_USAGE, translator_for
from bot.settings import Settings
from storage.db import Database
from storage.migrate import current_revision, head_revision
from workflows.context import Context
from workflows.schedule.planned import PlannedSend


def schedule(settings: Settings, args: argparse.Namespace) -> int:
    """``controlbot schedule``: every planned send in a range of local dates."""
    from bot.app import build_context
    from bot.schedule_report import schedule_json, schedule_table
    from workflows.clock import SystemClock
    from workflows.schedule.planned import planned_sends

    ctx = build_context(settings, SystemClock())
    first = args.first or ctx.today()
    last = args.last or first + timedelta(days=30)
    t = translator_for(settings)
    if not (2000 <= first.year <= 2100 and first <= last <= first + timedelta(days=3 * 366)):
        print(
            t.gettext("The range must run forwards, within 2000–2100 and at most 3 years."),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.activity and not any(a.id == args.activity for a in ctx.plan.activities):
        known = ", ".join(a.id for a in ctx.plan.activities)
        print(
            t.gettext(
                "There is no activity “{activity}” in the plan. Activities: {known}.",
                activity=args.activity,
                known=known,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    sends = planned_sends(ctx, first, last, activity_id=args.activity)
    sends = sorted(sends + _stored_follow_ups(settings, ctx, first, last, args.activity))
    if args.format == "json":
        print(schedule_json(sends))
    else:
        for line in schedule_table(sends, t):
            print(line)
    return EXIT_OK


def _stored_follow_ups(
    settings: Settings, ctx: Context, first: date, last: date, activity: str | None
) -> list[PlannedSend]:
    """Action follow-ups from an existing, up-to-date database (none otherwise)."""
    from workflows.decisions.action_follow_ups import action_follow_ups

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return []
    db = Database.from_url(settings.database_url)
    try:
        if current_revision(db.engine) != head_revision(db.engine):
            return []
        found = db.transaction(lambda s: action_follow_ups(s, ctx, first, last))
    finally:
        db.dispose()
    return [f for f in found if activity in (None, f.subject)]
