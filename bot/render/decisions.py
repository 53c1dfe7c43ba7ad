"""This module contains the rendering of improvement decisions (PU3-3 step 5)."""

from __future__ import annotations

from bot import tokens
from bot.formatting import fmt_date, fmt_datetime, fmt_period
from bot.i18n import N_
from bot.messages import Choice, Message
from bot.render.context import RenderContext
from workflows.notices import (
    ActionDue,
    ActionUpdated,
    ActionVerified,
    DecisionAlreadyTaken,
    DecisionBrief,
    DecisionProposed,
    DecisionRecorded,
    DecisionRequested,
    DecisionStillOpen,
    DecisionWithdrawn,
    NotApprover,
)


def brief_lines(
    d: DecisionBrief, rc: RenderContext, *, open_: bool = True, for_approver: bool = False
) -> list[str]:
    """The facts of a decision: the value and comment; while open, why and who decides."""
    t = rc.t
    reason = (
        t.gettext("the value is critical")
        if d.trigger == "critical"
        else t.gettext("warnings several periods in a row")
    )
    lines = [
        t.gettext(
            "{indicator}: {value} — {status}, {period}",
            indicator=rc.indicator(d.indicator_id),
            value=rc.value(d.indicator_id, d.value),
            status=rc.status(d.status),
            period=fmt_period(d.period, t),
        ),
    ]
    if open_:
        lines.append(t.gettext("Why a decision is needed: {reason}.", reason=reason))
    if d.comment:
        lines.append(t.gettext("Comment: {comment}", comment=d.comment))
    if open_ and for_approver:
        lines.append(t.gettext("Please decide by {due}", due=fmt_date(d.decide_by, t)))
    elif open_:
        lines.append(_decider_line(d, rc))
    return lines


def _decider_line(d: DecisionBrief, rc: RenderContext) -> str:
    return rc.t.gettext(
        "To be decided by {person} by {due}",
        person=rc.person(d.approver_id),
        due=fmt_date(d.decide_by, rc.t),
    )


def render_requested(notice: DecisionRequested, rc: RenderContext) -> Message:
    """A decision request: with approve/reject for the approver, as news for the channel."""
    t = rc.t
    d = notice.decision
    title = t.gettext(
        "Improvement decision no. {decision} needed: {activity}",
        decision=d.decision_id,
        activity=rc.activity(d.activity_id),
    )
    lines = brief_lines(d, rc, for_approver=notice.ask)
    if notice.ask:
        lines.append(
            t.gettext("Set an improvement action, or explain why none is needed (PU3-3 step 5).")
        )
    # the channel's copy carries the buttons too: only the approver may press them
    choices = (
        Choice(tokens.decide(d.decision_id, "approve"), t.gettext("Set an action")),
        Choice(tokens.decide(d.decision_id, "reject"), t.gettext("No action needed")),
        Choice(tokens.decide(d.decision_id, "propose"), t.gettext("Propose upwards")),
    )
    return Message("\n".join(lines), title=title, choices=choices, ref=decision_ref(d.decision_id))


def decision_ref(decision_id: int) -> str:
    """The :attr:`~bot.messages.Message.ref` of a decision's messages."""
    return f"decision:{decision_id}"


def render_still_open(notice: DecisionStillOpen, rc: RenderContext) -> Message:
    """A new off-target value while the indicator's decision is still open."""
    t = rc.t
    d = notice.decision
    title = t.gettext(
        "Improvement decision no. {decision} is still open: {activity}",
        decision=d.decision_id,
        activity=rc.activity(d.activity_id),
    )
    lines = [
        t.gettext(
            "New value: {indicator}: {value} — {status}, {period}",
            indicator=rc.indicator(d.indicator_id),
            value=rc.value(d.indicator_id, notice.value),
            status=rc.status(notice.status),
            period=fmt_period(notice.period, t),
        )
    ]
    if notice.comment:
        lines.append(t.gettext("Comment: {comment}", comment=notice.comment))
    lines.append(_decider_line(d, rc))
    return Message("\n".join(lines), title=title, thread=decision_ref(d.decision_id))


def render_not_approver(notice: NotApprover, rc: RenderContext) -> Message:
    """Someone other than the approver tried to decide."""
    return Message(
        rc.t.gettext(
            "Only {person} can take decision no. {decision}. Nothing was changed.",
            person=rc.person(notice.approver_id),
            decision=notice.decision_id,
        )
    )


def render_already_taken(notice: DecisionAlreadyTaken, rc: RenderContext) -> Message:
    """A second attempt to decide."""
    t = rc.t
    if notice.decided_by and notice.decided_at:
        return Message(
            t.gettext(
                "Decision no. {decision} was already taken by {person} on {when}. "
                "Nothing was changed.",
                decision=notice.decision_id,
                person=rc.person(notice.decided_by),
                when=fmt_datetime(notice.decided_at, rc.tz, t),
            )
        )
    return Message(
        t.gettext(
            "Decision no. {decision} is no longer open. Nothing was changed.",
            decision=notice.decision_id,
        )
    )


def render_recorded(notice: DecisionRecorded, rc: RenderContext) -> Message:
    """The outcome, for the channel, the approver and the action's owner."""
    t = rc.t
    d = notice.decision
    if notice.outcome == "approved":
        title = t.gettext(
            "Decision no. {decision} approved: {activity}",
            decision=d.decision_id,
            activity=rc.activity(d.activity_id),
        )
        body = [
            t.gettext("Improvement action: {action}", action=notice.action or ""),
            t.gettext(
                "Responsible: {person}; due {due}",
                person=rc.person(notice.owner_id or ""),
                due=fmt_date(notice.action_due, t) if notice.action_due else "",
            ),
        ]
    else:
        title = t.gettext(
            "Decision no. {decision}: no improvement action needed — {activity}",
            decision=d.decision_id,
            activity=rc.activity(d.activity_id),
        )
        body = [t.gettext("Reason: {reason}", reason=notice.reason or "")]
    lines = brief_lines(d, rc, open_=False)
    lines.extend(body)
    lines.append(
        t.gettext(
            "Decided by {person} on {when}.",
            person=rc.person(notice.decided_by),
            when=fmt_datetime(notice.decided_at, rc.tz, t),
        )
    )
    return Message("\n".join(lines), title=title, replaces=decision_ref(d.decision_id))


ACTION_STATUSES = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "verified": N_("verified"),
    "not_verified": N_("not verified"),
    "cancelled": N_("cancelled"),
}
"""Improvement action statuses (domain.md: plānots; procesā; izpildīts; … atcelts)."""


def action_status_word(status: str, rc: RenderContext) -> str:
    """The translated word of an action status."""
    msgid = ACTION_STATUSES.get(status)
    return rc.t.gettext(msgid) if msgid else status


def action_buttons(
    decision_id: int, status: str, rc: RenderContext, *, numbered: bool = False
) -> tuple[Choice, ...]:
    """The buttons an action's status allows: In progress (while planned), Done (while open).

    ``numbered``: the labels name the action's number (a list of several actions).
    """
    t = rc.t
    buttons = []
    if status == "planned":
        label = (
            t.gettext("In progress (no. {number})", number=decision_id)
            if numbered
            else t.gettext("In progress")
        )
        buttons.append(Choice(tokens.action_status(decision_id, "in_progress"), label))
    if status in ("planned", "in_progress"):
        label = (
            t.gettext("Done (no. {number})", number=decision_id) if numbered else t.gettext("Done")
        )
        buttons.append(Choice(tokens.action_status(decision_id, "done"), label))
    return tuple(buttons)


def render_action_due(notice: ActionDue, rc: RenderContext) -> Message:
    """A follow-up of an improvement action: soon / today to its owner, overdue to the approver."""
    t = rc.t
    d = notice.decision
    activity = rc.activity(d.activity_id)
    if notice.stage == "soon":
        title = t.gettext("Improvement action due soon: {activity}", activity=activity)
    elif notice.stage == "overdue":
        title = t.gettext("Improvement action overdue: {activity}", activity=activity)
    else:
        title = t.gettext("Improvement action due today: {activity}", activity=activity)
    lines = [
        t.gettext("Improvement action: {action}", action=notice.action),
        t.gettext(
            "Decision no. {decision} on “{indicator}”, due {due}",
            decision=d.decision_id,
            indicator=rc.indicator(d.indicator_id),
            due=fmt_date(notice.due, t),
        ),
        t.gettext("Status: {status}", status=action_status_word(notice.action_status, rc)),
    ]
    if notice.stage == "overdue":
        lines.append(
            t.gettext(
                "Responsible for the action: {person}. It is past its due date and not done.",
                person=rc.person(notice.owner_id or ""),
            )
        )
        return Message("\n".join(lines), title=title)
    lines.append(t.gettext("When it is in progress or done, press a button below."))
    choices = action_buttons(d.decision_id, notice.action_status, rc)
    return Message("\n".join(lines), title=title, choices=choices)


def render_action_updated(notice: ActionUpdated, rc: RenderContext) -> Message:
    """An action's status changed."""
    t = rc.t
    d = notice.decision
    text = t.gettext(
        "{person} set the improvement action of decision no. {decision} (“{indicator}”) to: "
        "{status}.",
        person=rc.person(notice.by),
        decision=d.decision_id,
        indicator=rc.indicator(d.indicator_id),
        status=action_status_word(notice.status, rc),
    )
    lines = [text, t.gettext("Improvement action: {action}", action=notice.action)]
    if notice.status == "done":
        lines.append(t.gettext("The indicator's next value will show whether it worked."))
    return Message("\n".join(lines))


def render_action_verified(notice: ActionVerified, rc: RenderContext) -> Message:
    """The next value after a done action: verified or not."""
    t = rc.t
    d = notice.decision
    value = rc.value(d.indicator_id, notice.value)
    fields = {
        "decision": d.decision_id,
        "indicator": rc.indicator(d.indicator_id),
        "value": value,
        "period": fmt_period(notice.period, t),
        "status": rc.status(notice.value_status),
    }
    if notice.verified:
        text = t.gettext(
            "Verified: after the improvement action of decision no. {decision}, “{indicator}” "
            "is {value} in {period} — {status}, target met.",
            **fields,
        )
    else:
        text = t.gettext(
            "Not verified: after the improvement action of decision no. {decision}, "
            "“{indicator}” is {value} in {period} — {status}. The action did not bring the "
            "indicator back on target.",
            **fields,
        )
    lines = [text, t.gettext("Improvement action: {action}", action=notice.action)]
    return Message("\n".join(lines))


def render_withdrawn(notice: DecisionWithdrawn, rc: RenderContext) -> Message:
    """A decision no longer needed: its value was corrected or returned (edits the request)."""
    t = rc.t
    d = notice.decision
    if notice.why == "returned":
        why = t.gettext("the value that opened it was returned to be measured again")
    else:
        why = t.gettext("the value that opened it was corrected and no longer calls for one")
    text = t.gettext(
        "Decision no. {decision} on “{indicator}” is withdrawn: {why}.",
        decision=d.decision_id,
        indicator=rc.indicator(d.indicator_id),
        why=why,
    )
    return Message(text, replaces=decision_ref(d.decision_id))


def render_proposed(notice: DecisionProposed, rc: RenderContext) -> Message:
    """A decision passed one scale up (PU3-3 step 5: "ierosina")."""
    t = rc.t
    d = notice.decision
    title = t.gettext(
        "Decision no. {decision} proposed upwards: {activity}",
        decision=d.decision_id,
        activity=rc.activity(d.activity_id),
    )
    lines = brief_lines(d, rc, open_=False)
    lines.append(
        t.gettext(
            "{proposer} proposed it to {approver}, who decides now.",
            proposer=rc.person(notice.proposer),
            approver=rc.person(notice.approver),
        )
    )
    return Message("\n".join(lines), title=title, thread=decision_ref(d.decision_id))
