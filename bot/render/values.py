"""This module contains the rendering of value approval and correction (PU3-3 step 4)."""

from __future__ import annotations

from bot import tokens
from bot.formatting import fmt_datetime, fmt_period
from bot.messages import Choice, Message
from bot.render.context import RenderContext
from workflows.notices import (
    ApprovalAlreadyGiven,
    ApprovalRequested,
    CorrectionChoices,
    NotValueApprover,
    ValueApproved,
    ValueBrief,
    ValueCorrected,
    ValueReturned,
)


def value_lines(v: ValueBrief, rc: RenderContext) -> list[str]:
    """The value with its status, who submitted it, its comment and correction reason."""
    t = rc.t
    met = t.gettext("target met") if v.target_met else t.gettext("target not met")
    lines = [
        t.gettext(
            "{indicator}: {value} — {status}, {met}",
            indicator=rc.indicator(v.indicator_id),
            value=rc.value(v.indicator_id, v.value),
            status=rc.status(v.status),
            met=met,
        ),
        t.gettext("Submitted by {person}", person=rc.person(v.submitted_by)),
    ]
    if v.comment:
        lines.append(t.gettext("Comment: {comment}", comment=v.comment))
    if v.version > 1 and v.correction_reason:
        lines.append(t.gettext("Reason for the correction: {reason}", reason=v.correction_reason))
    return lines


def _title(v: ValueBrief, rc: RenderContext) -> str:
    return rc.t.gettext(
        "{activity}, {period}",
        activity=rc.activity(v.activity_id),
        period=fmt_period(v.period, rc.t),
    )


def render_approval_requested(notice: ApprovalRequested, rc: RenderContext) -> Message:
    """Ask the approver to approve a value or return it, with the two buttons."""
    t = rc.t
    v = notice.value
    lines = [t.gettext("A value waits for your approval:"), *value_lines(v, rc)]
    choices = (
        Choice(tokens.review_value(v.measurement_id, "approve", v.version), t.gettext("Approve")),
        Choice(
            tokens.review_value(v.measurement_id, "return", v.version),
            t.gettext("Return with a reason"),
        ),
    )
    return Message("\n".join(lines), title=_title(v, rc), choices=choices)


def render_value_approved(notice: ValueApproved, rc: RenderContext) -> Message:
    """A value was approved (to the measurer, and as the approver's receipt)."""
    t = rc.t
    v = notice.value
    text = t.gettext(
        "{person} approved {indicator}: {value}.",
        person=rc.person(notice.approved_by),
        indicator=rc.indicator(v.indicator_id),
        value=rc.value(v.indicator_id, v.value),
    )
    return Message(text, title=_title(v, rc))


def render_value_returned(notice: ValueReturned, rc: RenderContext) -> Message:
    """A value was returned: the reason, and "Enter measurements" to measure it again."""
    t = rc.t
    v = notice.value
    lines = [
        t.gettext(
            "{person} returned {indicator}: {value}.",
            person=rc.person(notice.returned_by),
            indicator=rc.indicator(v.indicator_id),
            value=rc.value(v.indicator_id, v.value),
        ),
        t.gettext("Reason: {reason}", reason=notice.reason),
        t.gettext("The value no longer counts; please measure it again."),
    ]
    choices = (Choice(tokens.start_round(v.round_id), t.gettext("Enter measurements")),)
    return Message("\n".join(lines), title=_title(v, rc), choices=choices)


def render_already_given(notice: ApprovalAlreadyGiven, rc: RenderContext) -> Message:
    """Nothing changed: the value was approved/returned already or replaced meanwhile."""
    t = rc.t
    v = notice.value
    indicator = rc.indicator(v.indicator_id)
    when = fmt_datetime(notice.at, rc.tz, t) if notice.at is not None else ""
    by = rc.person(notice.by) if notice.by else ""
    if notice.approval == "approved" and notice.correction:
        text = t.gettext(
            "{indicator} was approved by {person} on {when} and can no longer be corrected. "
            "Ask them if the value must change.",
            indicator=indicator,
            person=by,
            when=when,
        )
    elif notice.replaced:
        text = t.gettext(
            "{indicator} has been changed since this message; the latest version is shown "
            "in a newer message. Nothing was changed.",
            indicator=indicator,
        )
    elif notice.approval == "approved":
        text = t.gettext(
            "{indicator} was already approved by {person} on {when}. Nothing was changed.",
            indicator=indicator,
            person=by,
            when=when,
        )
    else:
        text = t.gettext(
            "{indicator} was already returned by {person} on {when}. Nothing was changed.",
            indicator=indicator,
            person=by,
            when=when,
        )
    return Message(text)


def render_not_value_approver(notice: NotValueApprover, rc: RenderContext) -> Message:
    """Only the approver may approve or return the value."""
    text = rc.t.gettext(
        "Only {person} may approve or return this value.", person=rc.person(notice.approver_id)
    )
    return Message(text)


def render_value_corrected(notice: ValueCorrected, rc: RenderContext) -> Message:
    """The correction was stored."""
    t = rc.t
    v = notice.value
    lines = [
        t.gettext(
            "Corrected: {indicator} {previous} → {value}.",
            indicator=rc.indicator(v.indicator_id),
            previous=rc.value(v.indicator_id, notice.previous),
            value=rc.value(v.indicator_id, v.value),
        ),
        *value_lines(v, rc)[2:],
    ]
    if notice.awaiting_approval:
        lines.append(t.gettext("The corrected value waits for approval again."))
    return Message("\n".join(lines), title=_title(v, rc))


def render_correction_choices(notice: CorrectionChoices, rc: RenderContext) -> Message:
    """Which value to correct: one button each."""
    t = rc.t
    choices = tuple(
        Choice(
            tokens.correct_value(v.measurement_id),
            f"{rc.indicator(v.indicator_id)}: {rc.value(v.indicator_id, v.value)}",
        )
        for v in notice.values
    )
    return Message(t.gettext("Which value do you want to correct?"), choices=choices)
