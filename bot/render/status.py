"""This module contains the rendering of what waits: the pending list, ``/status``, home."""

from __future__ import annotations

from bot import tokens
from bot.formatting import fmt_date, fmt_period
from bot.messages import Choice, Message
from bot.render.context import RenderContext
from bot.render.decisions import action_buttons, action_status_word
from bot.render.delivery import outcome_lines
from workflows.notices import (
    DeliveryOutcome,
    HomeView,
    OthersFilling,
    PendingAction,
    PendingList,
    StatusReport,
)


def render_others_filling(notice: OthersFilling, rc: RenderContext) -> Message:
    """Others have the same form open: the first to submit counts."""
    return Message(
        rc.t.gettext(
            "{people} is also entering these measurements right now; the first submission counts.",
            people=rc.people(notice.person_ids),
        )
    )


def render_pending(notice: PendingList, rc: RenderContext) -> Message:
    """What waits for the person, with a button per item."""
    t = rc.t
    lines: list[str] = []
    choices: list[Choice] = []
    busy = notice.form_in_progress is not None
    if busy:
        lines.append(
            t.gettext("Finish or /cancel the form in progress first; its question follows below.")
        )
    for r in notice.rounds:
        fields = {
            "activity": rc.activity(r.activity_id),
            "period": fmt_period(r.period, t),
            "due": fmt_date(r.due_date, t),
        }
        if r.overdue:
            line = t.ngettext(
                "{activity}, {period}: {n} measurement, overdue since {due}",
                "{activity}, {period}: {n} measurements, overdue since {due}",
                len(r.indicator_ids),
                **fields,
            )
        else:
            line = t.ngettext(
                "{activity}, {period}: {n} measurement due {due}",
                "{activity}, {period}: {n} measurements due {due}",
                len(r.indicator_ids),
                **fields,
            )
        lines.append("• " + line)
        choices.append(
            Choice(
                tokens.start_round(r.round_id),
                t.gettext(
                    "Enter measurements: {activity}, {period}",
                    activity=rc.activity(r.activity_id),
                    period=fmt_period(r.period, t),
                ),
            )
        )
    for d in notice.decisions:
        lines.append(
            "• "
            + t.gettext(
                "Decision no. {decision} on “{indicator}”: decide by {due}",
                decision=d.decision_id,
                indicator=rc.indicator(d.indicator_id),
                due=fmt_date(d.decide_by, t),
            )
        )
        # the same words as the decision request's own buttons (issue 13 item 9)
        for outcome, label in (
            ("approve", t.gettext("Set an action (no. {decision})", decision=d.decision_id)),
            ("reject", t.gettext("No action needed (no. {decision})", decision=d.decision_id)),
            ("propose", t.gettext("Propose upwards (no. {decision})", decision=d.decision_id)),
        ):
            choices.append(Choice(tokens.decide(d.decision_id, outcome), label))
    for v in notice.approvals:
        indicator = rc.indicator(v.indicator_id)
        lines.append(
            "• "
            + t.gettext(
                "To approve: {indicator} {value}, {period} (submitted by {person})",
                indicator=indicator,
                value=rc.value(v.indicator_id, v.value),
                period=fmt_period(v.period, t),
                person=rc.person(v.submitted_by),
            )
        )
        choices.append(
            Choice(
                tokens.review_value(v.measurement_id, "approve", v.version),
                t.gettext("Approve: {indicator}", indicator=indicator),
            )
        )
        choices.append(
            Choice(
                tokens.review_value(v.measurement_id, "return", v.version),
                t.gettext("Return: {indicator}", indicator=indicator),
            )
        )
    for a in notice.actions:
        lines.append("• " + _action_line(a, rc))
        choices.extend(action_buttons(a.decision_id, a.status, rc, numbered=True))
    if notice.actions:
        lines.append(
            t.gettext(
                "An action's status is changed with its buttons or with "
                "/action N in-progress|done (N is the action's number)."
            )
        )
    if not lines:
        lines.append(t.gettext("Nothing is waiting for you right now."))
    shown = () if busy else tuple(choices)
    return Message("\n".join(lines), title=t.gettext("Waiting for you"), choices=shown)


def _action_line(a: PendingAction, rc: RenderContext) -> str:
    """``Improvement action no. 1 (planned): … — due 30 Nov 2026``, or overdue since."""
    t = rc.t
    fields = {
        "number": a.decision_id,
        "status": action_status_word(a.status, rc),
        "action": a.action,
    }
    if a.due is None:
        return t.gettext("Improvement action no. {number} ({status}): {action}", **fields)
    if a.overdue:
        return t.gettext(
            "Improvement action no. {number} ({status}): {action} — overdue since {due}",
            due=fmt_date(a.due, t),
            **fields,
        )
    return t.gettext(
        "Improvement action no. {number} ({status}): {action} — due {due}",
        due=fmt_date(a.due, t),
        **fields,
    )


def render_status(notice: StatusReport, rc: RenderContext) -> Message:
    """``/status``: open rounds with progress and who is awaited, then open decisions."""
    t = rc.t
    lines: list[str] = []
    for r in notice.rounds:
        head = t.gettext(
            "{activity}, {period}: {answered} of {total} measured, due {due}",
            activity=rc.activity(r.activity_id),
            period=fmt_period(r.period, t),
            answered=r.answered,
            total=r.total,
            due=fmt_date(r.due_date, t),
        )
        if r.overdue:
            head += " — " + t.gettext("overdue")
        lines.append("• " + head)
        if r.waiting_for:
            lines.append(t.gettext("  waiting for: {people}", people=rc.people(r.waiting_for)))
    if not notice.rounds:
        lines.append(t.gettext("No control round is open for your activities."))
    if notice.decisions:
        lines.append(t.gettext("Open improvement decisions:"))
        for decision_id, indicator_id, approver_id, decide_by in notice.decisions:
            line = t.gettext(
                "no. {decision} “{indicator}” — {person}, decide by {due}",
                decision=decision_id,
                indicator=rc.indicator(indicator_id),
                person=rc.person(approver_id),
                due=fmt_date(decide_by, t),
            )
            if decide_by < notice.today:
                line += " — " + t.gettext("overdue")
            lines.append("• " + line)
    if notice.unreachable:
        lines.append(t.gettext("The robot cannot reach:"))
        lines += outcome_lines(DeliveryOutcome((), notice.unreachable), rc)
    return Message("\n".join(lines), title=t.gettext("Control status"))


def render_home(notice: HomeView, rc: RenderContext) -> Message:
    """A home page: what waits (with its buttons), then the recent decisions."""
    t = rc.t
    waiting = render_pending(notice.pending, rc)
    lines = [waiting.text, "", t.gettext("Recent improvement decisions:")]
    for d in notice.recent:
        if d.status == "open":
            state = t.gettext("open, decide by {due}", due=fmt_date(d.decide_by, t))
            if d.decide_by < notice.today:
                state += " — " + t.gettext("overdue")
        else:
            outcome = t.gettext("approved") if d.status == "approved" else t.gettext("no action")
            state = t.gettext(
                "{outcome}: {person}, {when}",
                outcome=outcome,
                person=rc.person(d.decided_by or d.approver_id),
                when=fmt_date(d.decided_at.astimezone(rc.tz).date(), t) if d.decided_at else "",
            )
        lines.append(
            "• "
            + t.gettext(
                "no. {decision} “{indicator}” — {state}",
                decision=d.decision_id,
                indicator=rc.indicator(d.indicator_id),
                state=state,
            )
        )
    if not notice.recent:
        lines.append(t.gettext("None yet."))
    return Message("\n".join(lines), title=waiting.title, choices=waiting.choices)
