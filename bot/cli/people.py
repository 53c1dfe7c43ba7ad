"""This module contains ``controlbot invite`` and ``controlbot person erase``."""

from __future__ import annotations

import argparse
import csv
import re
import sys
from datetime import timedelta

from bot.app import App
from bot.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    acting_admin,
    telegram_problem,
    translator_for,
)
from bot.formatting import fmt_datetime, id_list


def erase(app: App, person_id: str, *, confirmed: bool) -> int:
    """``controlbot person erase``: a leaver's personal data removed, history pseudonymised."""
    from workflows.people import privacy

    t = translator_for(app.settings)
    if not confirmed:
        if not sys.stdin.isatty():
            print(t.gettext("Add --yes to erase without a question."), file=sys.stderr)
            return EXIT_USAGE
        answer = input(
            t.gettext(
                "This removes {person}'s name, e-mail and chat accounts for good. Type the "
                "person id to confirm: ",
                person=person_id,
            )
        )
        if answer.strip() != person_id:
            print(t.gettext("Not confirmed; nothing was changed."), file=sys.stderr)
            return EXIT_FAILED
    try:
        erased = app.db.transaction(
            lambda s: privacy.erase_person(s, app.ctx, person_id, acting_admin(app))
        )
    except privacy.UnknownPerson:
        print(t.gettext("No person “{person}” is stored.", person=person_id), file=sys.stderr)
        return EXIT_USAGE
    except privacy.StillInPlan:
        print(
            t.gettext(
                "{person} is still in the control plan. Remove them from the plan (and restart "
                "or run a command so the plan is read), then erase.",
                person=person_id,
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(
        t.gettext(
            "Erased {person}. Chat accounts and invitations removed: {removed}. Records that "
            "now show {pseudonym}: {rewritten}.",
            person=person_id,
            removed=erased.removed,
            rewritten=erased.rewritten,
            pseudonym=erased.pseudonym,
        )
    )
    return EXIT_OK


async def invite(app: App, args: argparse.Namespace) -> int:
    """``controlbot invite``: one-time deep links (``https://t.me/<bot>?start=<code>``)."""
    from telegram.error import TelegramError

    from bot.telegram.service import TelegramService
    from workflows.people import enrolment

    t = translator_for(app.settings)
    if args.all == bool(args.person) or not 1 <= args.days <= 90:
        print(t.gettext("Give one person id or --all, and --days from 1 to 90."), file=sys.stderr)
        return EXIT_USAGE
    people = [p.id for p in app.ctx.plan.plan.people] if args.all else [args.person]
    if not app.ctx.plan.has_person(people[0]):
        known = id_list((p.id for p in app.ctx.plan.plan.people), t)
        message = t.gettext(
            "There is no person “{person}” in the plan. Known: {known}.",
            person=people[0],
            known=known,
        )
        print(message, file=sys.stderr)
        return EXIT_USAGE
    username = (args.bot_username or "").lstrip("@")
    if username and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", username):
        print(
            t.gettext(
                "“{name}” is not a Telegram bot username (5–32 letters, digits and _).",
                name=username,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    telegram = app.platforms.get("telegram")
    if not username:
        if not isinstance(telegram, TelegramService):
            print(
                t.gettext(
                    "Telegram is not configured: set CONTROLBOT_TELEGRAM_TOKEN, or give "
                    "--bot-username."
                ),
                file=sys.stderr,
            )
            return EXIT_USAGE
        try:
            username = await telegram.bot_username()
        except TelegramError as exc:
            print(telegram_problem(app.settings, exc), file=sys.stderr)
            return EXIT_FAILED
    valid = timedelta(days=args.days)
    issued = await app.db.run(
        lambda s: [enrolment.issue(s, app.ctx, person, valid) for person in people]
    )
    writer = csv.writer(sys.stdout, lineterminator="\n") if args.format == "csv" else None
    if writer is not None:
        writer.writerow(["person", "name", "email", "link", "expires"])
    for item in issued:
        person = app.ctx.plan.person(item.person_id)
        link = f"https://t.me/{username}?start={item.code}"
        local = item.expires_at.astimezone(app.ctx.timezone)
        expires = f"{fmt_datetime(local, app.ctx.timezone, t)} ({app.ctx.timezone.key})"
        if writer is not None:  # machines read the CSV: ISO 8601 with the offset
            iso = local.isoformat(timespec="minutes")
            writer.writerow([person.id, person.name, person.accounts.email or "", link, iso])
        else:
            print(
                t.gettext(
                    "{name} ({person}): {link} — works once, until {expires}",
                    name=person.name,
                    person=person.id,
                    link=link,
                    expires=expires,
                )
            )
    return EXIT_OK
