"""This module contains the rendering of roll-up summaries (results carried up the scales)."""

from __future__ import annotations

from bot.charts.attach import chart_or_none
from bot.formatting import fmt_datetime, fmt_period, fmt_target
from bot.messages import Message
from bot.render.context import STATUS_MARK, RenderContext
from bot.render.summary import follow_up_lines, participation_line
from bot.render.trend import change_text, data_marks
from workflows.notices import RollupLine, RollupPart, RollupSummary
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Scale
from workflows.rounds.evaluation import Status


def _scale(scale: str, rc: RenderContext) -> str:
    t = rc.t
    words = {
        Scale.VALSTS: t.gettext("national scale"),
        Scale.NOZARES: t.gettext("sector scale"),
        Scale.PASVALDIBAS: t.gettext("municipal scale"),
        Scale.IESTADES: t.gettext("institution scale"),
        Scale.PAKALPOJUMA: t.gettext("service scale"),
        Scale.RESURSA: t.gettext("resource scale"),
    }
    return words[Scale(scale)]


def _part_lines(part: RollupPart, rc: RenderContext) -> list[str]:
    t = rc.t
    ok, warning, critical, missing = part.statuses
    counts = [
        f"{STATUS_MARK[Status.OK]} {ok}",
        f"{STATUS_MARK[Status.WARNING]} {warning}",
        f"{STATUS_MARK[Status.CRITICAL]} {critical}",
    ]
    if missing:
        counts.append(t.ngettext("{n} without data", "{n} without data", missing))
    label = rc.plan.channel(part.channel_id).label.get(t.lang)
    lines = [f"▸ {label}: " + " · ".join(counts)]
    if part.participation.total:
        lines.append("  " + participation_line(part.participation, rc))
    if part.open_decisions or part.overdue_actions:
        lines.append(
            "  "
            + t.gettext(
                "Open decisions: {decisions}; overdue improvement actions: {actions}",
                decisions=part.open_decisions,
                actions=part.overdue_actions,
            )
        )
    return lines


def _worst_line(item: RollupLine, rc: RenderContext) -> list[str]:
    t = rc.t
    line = item.line
    if line.value is None or line.status is None:  # pragma: no cover - only off-target lines
        return []
    try:
        indicator = rc.plan.indicator(line.indicator_id)[1]
    except UnknownPlanItem:
        return []
    text = (
        f"  • {rc.status(line.status)} {rc.activity(item.activity_id)}: "
        f"{indicator.label.get(t.lang)} {rc.value(line.indicator_id, line.value)}"
        " (" + t.gettext("target {target}", target=fmt_target(indicator, t)) + ")"
    )
    if line.previous is not None:
        text += "; " + change_text(line.value, line.previous, indicator, t)
    marks = data_marks(line, t)
    return [text + (" · " + " · ".join(marks) if marks else "")]


def render_rollup(notice: RollupSummary, rc: RenderContext) -> Message:
    """A roll-up summary: per covered channel, the worst indicators, decisions and actions."""
    t = rc.t
    title = t.gettext(
        "Summary for {period} — {channel}",
        channel=rc.plan.channel(notice.channel_id).label.get(t.lang),
        period=fmt_period(notice.period, t),
    )
    lines = [t.gettext("Roll-up: {scale}", scale=_scale(notice.scale, rc))]
    if notice.since is not None:
        lines.append(
            t.gettext("Previous summary: {moment}", moment=fmt_datetime(notice.since, rc.tz, t))
        )
    for part in notice.parts:
        lines.extend(_part_lines(part, rc))
    if notice.worst:
        lines.append(t.gettext("Furthest off target:"))
        for item in notice.worst:
            lines.extend(_worst_line(item, rc))
    else:
        lines.append(t.gettext("No indicator is in the warning or critical zone."))
    lines.extend(follow_up_lines(notice.decisions, notice.actions, rc))
    image = chart_or_none(notice, rc) if rc.images else None
    return Message("\n".join(lines), title=title, image=image)
