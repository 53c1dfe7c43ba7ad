"""This module contains ``controlbot deliveries``: the record of every message, for auditors.

Each row says who (a person or team channel), what (the kind of message, its activity and
period), when it was queued and delivered, how many attempts it took, the last error or the
reason it could not be delivered, and the platform's own message id — the proof that the
responsible and co-responsible were told. The table is for people: a header row, and the
kind, state and reason in words (:mod:`bot.render.ledger`, as in the web view); CSV and JSON
keep the stored words for scripts.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.app import App
from bot.cli.common import EXIT_OK, EXIT_USAGE, translator_for
from bot.i18n import Translator
from bot.render import ledger
from storage.db import Database
from storage.messages import OutboxMessage
from workflows.reports import deliveries as reports

COLUMNS = (
    "id",
    "recipient_kind",
    "recipient",
    "kind",
    "activity_id",
    "period",
    "status",
    "reason",
    "created_at",
    "delivered_at",
    "attempts",
    "last_error",
    "platform",
    "platform_message_id",
)


def deliveries(app: App, args: argparse.Namespace) -> int:
    """``controlbot deliveries``: print the outbox record, filtered, as a table, CSV or JSON.

    ``--status`` takes the stored word or the state as the table words it, in the operator's
    language or English (``nogādāta``, ``delivered``).

    Returns:
        0; 2 (nothing printed but the reason, on standard error) when ``--person`` names
        neither a person nor a team channel of the plan nor any recipient of the record, or
        ``--status`` no state.
    """
    t = translator_for(app.settings)
    status = ledger.state_of(args.status, t) if args.status else None
    if args.status and status is None:
        print(
            t.gettext(
                "There is no delivery state “{state}”. States: {states}.",
                state=args.status,
                states=ledger.state_choices(t),
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    zone = app.ctx.timezone
    start = _instant(args.first, zone) if args.first else None
    end = _instant(args.last + timedelta(days=1), zone) if args.last else None
    rows = app.db.transaction(
        lambda s: reports.listing(s, person=args.person, status=status, start=start, end=end)
    )
    if args.person and not rows and not _known(app, args.person, app.db):
        print(_unknown(app, args.person, t), file=sys.stderr)
        return EXIT_USAGE
    records = [_record(row, zone) for row in rows]
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False, indent=1))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    elif records:
        for line in _table(records, t):
            print(line)
    else:
        print(t.gettext("No message matches."))
    return EXIT_OK


def _known(app: App, recipient: str, db: Database) -> bool:
    """Whether ``recipient`` is a person or team channel of the plan, or got any message."""
    plan = app.ctx.plan.plan
    if app.ctx.plan.has_person(recipient) or any(c.id == recipient for c in plan.channels):
        return True
    return bool(db.transaction(lambda s: reports.listing(s, person=recipient)))


def _unknown(app: App, recipient: str, t: Translator) -> str:
    plan = app.ctx.plan.plan
    return t.gettext(
        "There is no person or team channel “{recipient}” in the plan, and no message to it. "
        "People: {people}. Team channels: {channels}.",
        recipient=recipient,
        people=", ".join(p.id for p in plan.people),
        channels=", ".join(c.id for c in plan.channels),
    )


def _instant(day: date, zone: Any) -> datetime:
    return datetime.combine(day, time(0), zone)


def _record(row: OutboxMessage, zone: Any) -> dict[str, Any]:
    record: dict[str, Any] = {name: getattr(row, name) for name in COLUMNS}
    for name in ("created_at", "delivered_at"):
        value = record[name]
        record[name] = value.astimezone(zone).isoformat(timespec="seconds") if value else None
    return record


def _table(records: list[dict[str, Any]], t: Translator) -> list[str]:
    """Fixed-width lines under a header row, kinds, states and reasons in words.

    Columns: id, queued, state, who, what, attempts, delivered, reason / error / message id.
    """
    head = (
        "id",
        t.gettext("Queued"),
        t.gettext("State"),
        t.gettext("Recipient"),
        t.gettext("Kind"),
        t.gettext("Attempts"),
        t.gettext("Delivered"),
        t.gettext("Note"),
    )
    rows = [head]
    for r in records:
        kind = ledger.kind_name(r["kind"], t)
        what = " ".join(str(x) for x in (kind, r["activity_id"], r["period"]) if x)
        note = ledger.note(r["reason"], r["last_error"], t) or r["platform_message_id"] or ""
        queued = (r["created_at"] or "")[:16].replace("T", " ")
        delivered = (r["delivered_at"] or "")[:16].replace("T", " ")
        state = ledger.state_name(r["status"], t)
        attempts = str(r["attempts"])
        rows.append((str(r["id"]), queued, state, r["recipient"], what, attempts, delivered, note))
    return [
        f"{i:>6}  {q:16}  {s:22}  {who:24}  {what:56}  {n:>2}  {d:16}  {note}".rstrip()
        for i, q, s, who, what, n, d, note in rows
    ]
