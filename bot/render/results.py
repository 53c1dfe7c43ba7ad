"""This module contains the rendering of submitted values and what was already answered."""

from __future__ import annotations

from bot import tokens
from bot.formatting import fmt_datetime, fmt_period
from bot.messages import Choice, Message
from bot.render.context import RenderContext
from workflows.notices import AnsweredBy, MeasurementsRecorded, NothingToMeasure


def _answered_lines(items: tuple[AnsweredBy, ...], rc: RenderContext) -> list[str]:
    t = rc.t
    return [
        "• "
        + t.gettext(
            "{indicator}: submitted by {person} on {when}",
            indicator=rc.indicator(a.indicator_id),
            person=rc.person(a.person_id),
            when=fmt_datetime(a.at, rc.tz, t),
        )
        for a in items
    ]


def render_recorded(notice: MeasurementsRecorded, rc: RenderContext) -> Message:
    """What was stored, each value's status, and what was refused as already answered."""
    t = rc.t
    activity = rc.activity(notice.activity_id)
    period = fmt_period(notice.period, t)
    if notice.results or notice.not_measured:
        title = t.gettext("Saved: {activity}, {period}", activity=activity, period=period)
    else:
        title = t.gettext("Not saved: {activity}, {period}", activity=activity, period=period)
    lines: list[str] = []
    if notice.results:
        lines.append(
            t.ngettext(
                "{n} measurement was saved:",
                "{n} measurements were saved:",
                len(notice.results),
            )
        )
        for r in notice.results:
            met = t.gettext("target met") if r.target_met else t.gettext("target not met")
            lines.append(
                f"• {rc.indicator(r.indicator_id)}: {rc.value(r.indicator_id, r.value)}"
                f" — {rc.status(r.status)}, {met}"
            )
    elif not notice.not_measured:
        lines.append(t.gettext("Nothing was saved."))
    for indicator_id, reason in notice.not_measured:
        lines.append(
            t.gettext(
                "• {indicator}: not measured ({reason})",
                indicator=rc.indicator(indicator_id),
                reason=reason,
            )
        )
    if notice.awaiting_approval:
        lines.append(
            t.gettext(
                "Waiting for approval: {indicators}",
                indicators=", ".join(rc.indicator(i) for i in notice.awaiting_approval),
            )
        )
    if notice.already_answered:
        lines.append(t.gettext("Not saved, because someone answered first:"))
        lines.extend(_answered_lines(notice.already_answered, rc))
    if notice.skipped:
        lines.append(
            t.gettext(
                "Skipped, still to be measured: {indicators}",
                indicators=", ".join(rc.indicator(i) for i in notice.skipped),
            )
        )
    choices: list[Choice] = []
    if notice.results:
        lines.append(t.gettext("Thank you!"))
        choices.append(Choice(tokens.correct_round(notice.round_id), t.gettext("Correct a value")))
    for (indicator_id, _reason), report_id in zip(
        notice.not_measured, notice.not_measured_ids, strict=False
    ):
        label = t.gettext("Give the value: {indicator}", indicator=rc.indicator(indicator_id))
        choices.append(Choice(tokens.replace_not_measured(report_id), label))
    return Message("\n".join(lines), title=title, choices=tuple(choices))


def render_nothing_to_measure(notice: NothingToMeasure, rc: RenderContext) -> Message:
    """Everything the person measures in the round is already in."""
    t = rc.t
    lines = [t.gettext("Everything you measure in this round has already been submitted:")]
    lines.extend(_answered_lines(notice.answered, rc))
    title = t.gettext(
        "Measurements: {activity}, {period}",
        activity=rc.activity(notice.activity_id),
        period=fmt_period(notice.period, t),
    )
    return Message("\n".join(lines), title=title)
