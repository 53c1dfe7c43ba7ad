"""This module contains the rendering of reminders, results and the pending list."""

from __future__ import annotations

from bot import tokens
from bot.formatting import fmt_date, fmt_datetime, fmt_period
from bot.messages import Choice, Message
from bot.render.context import RenderContext
from bot.render.delivery import outcome_lines
from workflows.notices import (
    AnsweredBy,
    DeliveryOutcome,
    Digest,
    HomeView,
    MeasurementsRecorded,
    NothingToMeasure,
    OthersFilling,
    PendingList,
    Reminder,
    RoundOpened,
    Snoozed,
    SnoozeOptions,
    StatusReport,
)


def _reminder_title(notice: Reminder, rc: RenderContext) -> str:
    t = rc.t
    fields = {"activity": rc.activity(notice.activity_id), "period": fmt_period(notice.period, t)}
    if notice.step == "due" and not notice.overdue:
        return t.gettext("Due today: {activity}, {period}", **fields)
    if notice.step == "escalation" or notice.overdue:
        return t.gettext("Overdue: {activity}, {period}", **fields)
    return t.gettext("Reminder: {activity}, {period}", **fields)


def _reminder_lines(notice: Reminder, rc: RenderContext) -> list[str]:
    t = rc.t
    count = len(notice.indicator_ids)
    due = fmt_date(notice.due_date, t)
    if notice.measurers:
        first = t.ngettext(
            "{n} measurement is overdue since {due}; not yet submitted by {people}:",
            "{n} measurements are overdue since {due}; not yet submitted by {people}:",
            count,
            due=due,
            people=rc.people(notice.measurers),
        )
    elif notice.overdue:
        first = t.ngettext(
            "{n} measurement was due on {due}; please submit it as soon as possible:",
            "{n} measurements were due on {due}; please submit them as soon as possible:",
            count,
            due=due,
        )
    elif notice.step == "due":
        first = t.ngettext(
            "Today is the deadline: please submit {n} measurement:",
            "Today is the deadline: please submit {n} measurements:",
            count,
        )
    else:
        first = t.ngettext(
            "Please submit {n} measurement by {due}:",
            "Please submit {n} measurements by {due}:",
            count,
            due=due,
        )
    lines = [first, *(f"• {rc.indicator(i)}" for i in notice.indicator_ids)]
    if notice.late:
        lines.append(t.gettext("(Sent late: the bot was not running at the planned time.)"))
    return lines


def _enter_choice(notice: Reminder, rc: RenderContext, with_subject: bool) -> Choice:
    t = rc.t
    if with_subject:
        label = t.gettext(
            "Enter measurements: {activity}, {period}",
            activity=rc.activity(notice.activity_id),
            period=fmt_period(notice.period, t),
        )
    else:
        label = t.gettext("Enter measurements")
    return Choice(tokens.start_round(notice.round_id), label)


def render_reminder(notice: Reminder, rc: RenderContext) -> Message:
    """A reminder, due-day reminder or overdue notice: what to measure and by when."""
    choices: tuple[Choice, ...] = ()
    if notice.can_enter:
        choices = (
            _enter_choice(notice, rc, False),
            Choice(tokens.snooze(notice.round_id, "ask"), rc.t.gettext("Remind me later")),
        )
    return Message(
        "\n".join(_reminder_lines(notice, rc)), title=_reminder_title(notice, rc), choices=choices
    )


def render_digest(notice: Digest, rc: RenderContext) -> Message:
    """Everything due for the person today, in one message, with a button per round."""
    t = rc.t
    blocks = [
        "\n".join([_reminder_title(item, rc), *_reminder_lines(item, rc)]) for item in notice.items
    ]
    choices = tuple(_enter_choice(item, rc, True) for item in notice.items if item.can_enter)
    title = t.ngettext(
        "Today: {n} control round needs you",
        "Today: {n} control rounds need you",
        len(notice.items),
    )
    return Message("\n\n".join(blocks), title=title, choices=choices)


def render_snooze_options(notice: SnoozeOptions, rc: RenderContext) -> Message:
    """When to remind again."""
    t = rc.t
    title = t.gettext(
        "Remind me later: {activity}, {period}",
        activity=rc.activity(notice.activity_id),
        period=fmt_period(notice.period, t),
    )
    choices: tuple[Choice, ...] = ()
    if notice.later_today:
        choices += (Choice(tokens.snooze(notice.round_id, "today"), t.gettext("Later today")),)
    if notice.next_working_day_is_tomorrow:
        choices += (Choice(tokens.snooze(notice.round_id, "tomorrow"), t.gettext("Tomorrow")),)
    else:
        choices += (
            Choice(tokens.snooze(notice.round_id, "nextwd"), t.gettext("Next working day")),
        )
    text = t.gettext("When should I remind you again? Never later than the overdue notice.")
    return Message(text, title=title, choices=choices)


def render_snoozed(notice: Snoozed, rc: RenderContext) -> Message:
    """Confirmation of a postponed reminder."""
    t = rc.t
    fields = {
        "activity": rc.activity(notice.activity_id),
        "period": fmt_period(notice.period, t),
        "when": fmt_datetime(notice.until, rc.tz, t),
    }
    if notice.capped:
        return Message(
            t.gettext(
                "I will remind you about {activity}, {period} on {when}, when the round "
                "escalates; a reminder cannot be postponed past that.",
                **fields,
            )
        )
    return Message(t.gettext("I will remind you about {activity}, {period} on {when}.", **fields))


def render_round_opened(notice: RoundOpened, rc: RenderContext) -> Message:
    """Acknowledgement for whoever opened a round."""
    t = rc.t
    head = (
        t.gettext(
            "The {period} round for {activity} was already open (due {due}).",
            activity=rc.activity(notice.activity_id),
            period=fmt_period(notice.period, t),
            due=fmt_date(notice.due_date, t),
        )
        if notice.already_open
        else t.gettext(
            "Round opened: {activity}, {period}; due {due}.",
            activity=rc.activity(notice.activity_id),
            period=fmt_period(notice.period, t),
            due=fmt_date(notice.due_date, t),
        )
    )
    delivery = notice.delivery
    if notice.reminded and delivery is not None:
        reached = [p for p in notice.reminded if p in delivery.delivered]
        tail = t.ngettext(
            "Reminded {reached} of {n} person: {people}.",
            "Reminded {reached} of {n} people: {people}.",
            len(notice.reminded),
            reached=len(reached),
            people=rc.people(reached) if reached else "—",
        )
        tail = "\n".join([tail, *outcome_lines(delivery, rc)])
    elif notice.reminded:
        tail = t.ngettext(
            "{n} person to be reminded: {people}.",
            "{n} people to be reminded: {people}.",
            len(notice.reminded),
            people=rc.people(notice.reminded),
        )
    else:
        tail = t.gettext("Everything has been submitted; nobody needed a reminder.")
    return Message(f"{head}\n{tail}")


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
    if not lines:
        lines.append(t.gettext("Nothing is waiting for you right now."))
    shown = () if busy else tuple(choices)
    return Message("\n".join(lines), title=t.gettext("Waiting for you"), choices=shown)


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
