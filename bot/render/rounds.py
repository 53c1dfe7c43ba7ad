"""This module contains the rendering of reminders, snoozes and an opened round."""

from __future__ import annotations

from bot import tokens
from bot.formatting import fmt_date, fmt_datetime, fmt_period
from bot.messages import Choice, Message
from bot.render.context import RenderContext
from bot.render.delivery import outcome_lines
from workflows.notices import Digest, Reminder, RoundOpened, Snoozed, SnoozeOptions


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
        tail = (
            t.gettext("No reminder could be delivered, because:")
            if not reached
            else t.ngettext(
                "Reminded {reached} of {n} person: {people}.",
                "Reminded {reached} of {n} people: {people}.",
                len(notice.reminded),
                reached=len(reached),
                people=rc.people(reached),
            )
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
