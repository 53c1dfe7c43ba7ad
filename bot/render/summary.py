"""This module contains the rendering of channel summaries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.charts.attach import chart_or_none
from bot.formatting import fmt_date, fmt_period, fmt_share, fmt_thresholds
from bot.messages import Message
from bot.render.context import RenderContext
from bot.render.decisions import action_status_word
from bot.render.delivery import outcome_lines
from bot.render.trend import change_text, data_marks
from workflows.notices import (
    ActivitySummary,
    History,
    HistoryRow,
    Participation,
    Summary,
    SummaryDecision,
    SummaryLine,
    SummaryPosted,
)
from workflows.rounds.evaluation import Status


def _counts(part: ActivitySummary, rc: RenderContext) -> list[str]:
    t = rc.t
    measured = [line for line in part.lines if line.value is not None]
    if not measured:
        return [t.gettext("No measurements have been submitted yet.")]
    met = sum(1 for line in measured if line.target_met)
    lines = [
        t.ngettext(
            "Target met: {met} of {n} measured indicator",
            "Target met: {met} of {n} measured indicators",
            len(measured),
            met=met,
        )
    ]
    counts = Counter(line.status for line in measured)
    for status in (Status.WARNING, Status.CRITICAL):
        if counts[status]:
            lines.append(
                t.ngettext(
                    "{status}: {n} indicator",
                    "{status}: {n} indicators",
                    counts[status],
                    status=rc.status(status),
                )
            )
    return lines


def _indicator_lines(line: SummaryLine, rc: RenderContext) -> list[str]:
    t = rc.t
    _activity, indicator = rc.plan.indicator(line.indicator_id)
    label = indicator.label.get(t.lang)
    if line.not_measured is not None:
        return [
            "  • "
            + t.gettext(
                "{indicator}: not measured — {reason}", indicator=label, reason=line.not_measured
            )
        ]
    if line.value is None or line.status is None:
        return ["  • " + t.gettext("{indicator}: no data", indicator=label)]
    parts = [
        f"  • {label}: {rc.value(line.indicator_id, line.value)} — {rc.status(line.status)}",
        fmt_thresholds(indicator, t),
    ]
    if line.previous is not None:
        parts.append(
            t.gettext(
                "previously {value} ({change})",
                value=rc.value(line.indicator_id, line.previous),
                change=change_text(line.value, line.previous, indicator, t),
            )
        )
    if line.last_year is not None:
        parts.append(
            t.gettext("a year ago {value}", value=rc.value(line.indicator_id, line.last_year))
        )
    out = ["; ".join(parts)]
    marks = data_marks(line, t)
    if marks:
        out.append("    " + " · ".join(marks))
    if line.comment:
        out.append("    " + t.gettext("Comment: {comment}", comment=line.comment))
    return out


def participation_line(share: Participation, rc: RenderContext) -> str:
    """``Controls answered: on time 5 (63%), late 2 (25%), not at all 1 (13%)``."""
    t = rc.t
    total = share.total
    return t.gettext(
        "Controls answered: on time {on_time} ({on_time_share}), late {late} ({late_share}), "
        "not at all {missing} ({missing_share})",
        on_time=share.on_time,
        on_time_share=fmt_share(share.on_time, total, t),
        late=share.late,
        late_share=fmt_share(share.late, total, t),
        missing=share.missing,
        missing_share=fmt_share(share.missing, total, t),
    )


def _decision_line(item: SummaryDecision, rc: RenderContext) -> str:
    t = rc.t
    d = item.decision
    if item.status == "approved":
        return t.gettext(
            "Decision no. {decision} approved: {action} — {person}, due {due}",
            decision=d.decision_id,
            action=item.action or "",
            person=rc.person(item.owner_id or ""),
            due=fmt_date(item.action_due, t) if item.action_due else "—",
        )
    if item.status == "rejected":
        return t.gettext(
            "Decision no. {decision}: no improvement action needed — {reason}",
            decision=d.decision_id,
            reason=item.reason or "",
        )
    text = t.gettext(
        "Open decision no. {decision}: {indicator} — {person}, by {due}",
        decision=d.decision_id,
        indicator=rc.indicator(d.indicator_id),
        person=rc.person(d.approver_id),
        due=fmt_date(d.decide_by, t),
    )
    return f"{text} ⏰ " + t.gettext("overdue") if item.overdue else text


def _action_line(item: SummaryDecision, rc: RenderContext) -> str:
    t = rc.t
    text = t.gettext(
        "{indicator}: {action} — {person}, due {due}",
        indicator=rc.indicator(item.decision.indicator_id),
        action=item.action or "",
        person=rc.person(item.owner_id or ""),
        due=fmt_date(item.action_due, t) if item.action_due else "—",
    )
    status = item.action_status or "planned"
    if item.overdue:
        return "  • ⏰ " + t.gettext("{action} — overdue, not done", action=text)
    if status == "verified":
        return "  • ✅ " + t.gettext("{action} — done; the next value met the target", action=text)
    if status == "not_verified":
        return "  • ❌ " + t.gettext(
            "{action} — done, but the next value is still off target", action=text
        )
    return f"  • {text} ({action_status_word(status, rc)})"


def follow_up_lines(
    decisions: Sequence[SummaryDecision], actions: Sequence[SummaryDecision], rc: RenderContext
) -> list[str]:
    """Decisions taken (since the last summary or on this period), open ones, and actions."""
    t = rc.t
    lines = []
    taken = [d for d in decisions if d.status != "open"]
    if taken:
        lines.append(t.gettext("Decisions taken since the last summary:"))
        lines.extend("  • " + _decision_line(item, rc) for item in taken)
    lines.extend(_decision_line(item, rc) for item in decisions if item.status == "open")
    if actions:
        overdue = sum(1 for a in actions if a.overdue)
        lines.append(
            t.ngettext(
                "Improvement actions: {n} ({overdue} overdue):",
                "Improvement actions: {n} ({overdue} overdue):",
                len(actions),
                overdue=overdue,
            )
        )
        lines.extend(_action_line(item, rc) for item in actions)
    return lines


def _activity_lines(part: ActivitySummary, rc: RenderContext) -> list[str]:
    t = rc.t
    lines = [f"▸ {rc.activity(part.activity_id)}", *_counts(part, rc)]
    for line in part.lines:
        lines.extend(_indicator_lines(line, rc))
    if part.participation.total:
        lines.append(participation_line(part.participation, rc))
    if part.answered_by:
        lines.append(t.gettext("Answered: {people}", people=rc.people(part.answered_by)))
    if part.not_answered:
        due = fmt_date(part.due_date, t) if part.due_date else "—"
        people = rc.people(part.not_answered)
        if part.overdue:
            lines.append(t.gettext("Overdue since {due}: {people}", due=due, people=people))
        else:
            lines.append(
                t.gettext("No answer yet from: {people} (due {due})", due=due, people=people)
            )
    if part.due_date is None:
        lines.append(t.gettext("The round for this period has not been opened."))
    for person, deputy, starts, ends in part.delegations:
        lines.append(
            t.gettext(
                "Away {starts} – {ends}: {person}; measured by {deputy}",
                starts=fmt_date(starts, t),
                ends=fmt_date(ends, t),
                person=rc.person(person),
                deputy=rc.person(deputy),
            )
        )
    lines.extend(follow_up_lines(part.decisions, part.actions, rc))
    return lines


def render_summary(notice: Summary, rc: RenderContext) -> Message:
    """The whole channel summary, one block per activity, with its chart when one renders."""
    t = rc.t
    title = t.gettext(
        "Summary for {period} — {channel}",
        channel=rc.plan.channel(notice.channel_id).label.get(t.lang),
        period=fmt_period(notice.period, t),
    )
    blocks = ["\n".join(_activity_lines(part, rc)) for part in notice.activities]
    image = chart_or_none(notice, rc) if rc.images else None
    return Message("\n\n".join(blocks), title=title, image=image)


def render_posted(notice: SummaryPosted, rc: RenderContext) -> Message:
    """Acknowledgement: the summary was posted (or, with ``delivery``, why not)."""
    t = rc.t
    fields = {"period": fmt_period(notice.period, t), "channel": rc.channel(notice.channel_id)}
    delivery = notice.delivery
    if delivery is not None and notice.channel_id not in delivery.delivered:
        lines = [
            t.gettext("The summary for {period} was not posted to “{channel}”:", **fields),
            *outcome_lines(delivery, rc),
        ]
        return Message("\n".join(lines))
    return Message(t.gettext("The summary for {period} was posted to “{channel}”.", **fields))


def render_history(notice: History, rc: RenderContext) -> Message:
    """An indicator's last values, newest first, with status and who measured."""
    t = rc.t
    title = t.gettext("History: {indicator}", indicator=rc.indicator(notice.indicator_id))
    if not notice.rows and not notice.not_measured:
        return Message(t.gettext("No values have been recorded yet."), title=title)
    entries: list[tuple[str, list[str]]] = []
    for row in notice.rows:
        met = t.gettext("target met") if row.target_met else t.gettext("target not met")
        marks = _history_marks(row, rc)
        head = (
            f"• {fmt_period(row.period, t)}: {rc.value(notice.indicator_id, row.value)}"
            f" — {rc.status(row.status)}, {met} ({rc.person(row.submitted_by)})"
        )
        block = [head + (f" [{marks}]" if marks else "")]
        if row.comment:
            block.append("    " + t.gettext("Comment: {comment}", comment=row.comment))
        entries.append((row.period, block))
    for period, reason in notice.not_measured:
        line = t.gettext("not measured ({reason})", reason=reason)
        entries.append((period, [f"• {fmt_period(period, t)}: {line}"]))
    entries.sort(key=lambda entry: entry[0], reverse=True)
    lines = [line for _period, block in entries for line in block]
    return Message("\n".join(lines), title=title)


def _history_marks(row: HistoryRow, rc: RenderContext) -> str:
    t = rc.t
    marks = []
    if row.version > 1 and row.correction_reason is not None:
        marks.append(t.gettext("corrected"))
    elif row.version > 1:
        marks.append(t.gettext("measured again"))
    if row.approval == "submitted":
        marks.append(t.gettext("waiting for approval"))
    elif row.approval == "rejected":
        marks.append(t.gettext("returned"))
    return ", ".join(marks)
