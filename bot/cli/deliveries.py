"""This module contains ``controlbot deliveries``: the record of every message, for auditors.

Each row says who (a person or team channel), what (the kind of message, its activity and
period), when it was queued and delivered, how many attempts it took, the last error or the
reason it could not be delivered, and the platform's own message id — the proof that the
responsible and co-responsible were told.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.app import App
from bot.cli.common import EXIT_OK
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
    """``controlbot deliveries``: print the outbox record, filtered, as a table, CSV or JSON."""
    zone = app.ctx.timezone
    start = _instant(args.first, zone) if args.first else None
    end = _instant(args.last + timedelta(days=1), zone) if args.last else None
    rows = app.db.transaction(
        lambda s: reports.listing(s, person=args.person, status=args.status, start=start, end=end)
    )
    records = [_record(row, zone) for row in rows]
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False, indent=1))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        for line in _table(records):
            print(line)
    return EXIT_OK


def _instant(day: date, zone: Any) -> datetime:
    return datetime.combine(day, time(0), zone)


def _record(row: OutboxMessage, zone: Any) -> dict[str, Any]:
    record: dict[str, Any] = {name: getattr(row, name) for name in COLUMNS}
    for name in ("created_at", "delivered_at"):
        value = record[name]
        record[name] = value.astimezone(zone).isoformat(timespec="seconds") if value else None
    return record


def _table(records: list[dict[str, Any]]) -> list[str]:
    """Fixed-width lines: id, queued, status, who, what, attempts, delivered, error/message id."""
    lines = []
    for r in records:
        what = " ".join(str(x) for x in (r["kind"], r["activity_id"], r["period"]) if x)
        outcome = r["reason"] or r["last_error"] or r["platform_message_id"] or ""
        queued = (r["created_at"] or "")[:16].replace("T", " ")
        delivered = (r["delivered_at"] or "")[:16].replace("T", " ")
        lines.append(
            f"{r['id']:>6}  {queued:16}  {r['status']:13}  {r['recipient']:24}  {what:48}  "
            f"{r['attempts']:>2}  {delivered:16}  {outcome}"
        )
    return lines
