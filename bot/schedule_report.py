"""This module contains the output of ``controlbot schedule``: a table or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import groupby

from bot.formatting import fmt_date
from bot.i18n import N_, Translator
from workflows.schedule.planned import PlannedSend, SendKind

KIND_LABELS = {
    SendKind.REMINDER: N_("reminder"),
    SendKind.DUE: N_("due today"),
    SendKind.ESCALATION: N_("overdue notice"),
    SendKind.SUMMARY: N_("summary"),
    SendKind.ACTION: N_("action due"),
    SendKind.ACTION_SOON: N_("action due soon"),
    SendKind.ACTION_OVERDUE: N_("action overdue"),
}


LADDER_KINDS = (SendKind.REMINDER, SendKind.DUE, SendKind.ESCALATION)


def _row_key(send: PlannedSend) -> tuple[object, ...]:
    return (send.at, send.kind, send.subject, send.period, send.step, send.zone)


def schedule_table(sends: Sequence[PlannedSend], t: Translator) -> list[str]:
    """One line per instant and step, recipients joined; a header first.

    Columns: UTC instant, local time with zone, kind, activity or channel, period, ladder
    step, recipients.
    """
    rows: list[tuple[str, ...]] = [
        (
            t.gettext("UTC"),
            t.gettext("Local time"),
            t.gettext("Kind"),
            t.gettext("Activity or channel"),
            t.gettext("Period"),
            t.gettext("Step"),
            t.gettext("Recipients"),
        )
    ]
    for _key, group in groupby(sends, key=_row_key):
        items = list(group)
        first = items[0]
        local = f"{fmt_date(first.local.date(), t)} {first.local:%H:%M} {first.zone}"
        rows.append(
            (
                first.at.strftime("%Y-%m-%d %H:%MZ"),
                local,
                t.gettext(KIND_LABELS[first.kind]),
                first.subject if first.kind is not SendKind.SUMMARY else f"#{first.subject}",
                first.period,
                str(first.step + 1) if first.kind in LADDER_KINDS else "",
                ", ".join(s.recipient for s in items),
            )
        )
    if len(rows) == 1:
        return [t.gettext("Nothing is planned in this range.")]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    ]


def schedule_json(sends: Sequence[PlannedSend]) -> str:
    """Every send as a JSON object (``key``, ``at`` in UTC ISO 8601, ``local``, …)."""
    return json.dumps(
        [
            {
                "key": s.key,
                "at": s.at.isoformat().replace("+00:00", "Z"),
                "local": s.local.isoformat(),
                "zone": s.zone,
                "kind": s.kind.value,
                "subject": s.subject,
                "frequency": s.frequency.value,
                "period": s.period,
                "step": s.step + 1 if s.kind in LADDER_KINDS else None,
                "rung": s.rung,
                "recipient": s.recipient,
                "conditional": s.conditional,
            }
            for s in sends
        ],
        ensure_ascii=False,
        indent=2,
    )
