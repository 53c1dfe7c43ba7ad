"""This module contains the rendering of help, language changes and problems."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.command_table import COMMANDS
from bot.formatting import fmt_date, fmt_number
from bot.messages import Message
from bot.render.context import RenderContext
from bot.render.errors import problem_text
from workflows.notices import (
    AwayCancelled,
    AwayList,
    AwayRecorded,
    ChannelBound,
    ChannelUnreachable,
    ChartNotDelivered,
    Enrolled,
    Help,
    LanguageChanged,
    PersonLeft,
    PersonUnreachable,
    PlatformChosen,
    Problem,
)


def render_help(notice: Help, rc: RenderContext) -> Message:
    """The command list for this person, from :data:`bot.command_table.COMMANDS`."""
    t = rc.t
    allowed = {
        "everyone": True,
        "approver": notice.is_approver,
        "manager": notice.is_manager,
        "admin": notice.is_admin,
    }
    lines = [t.gettext("controlbot collects measurements of the control plan's indicators.")]
    for command in COMMANDS:
        if command.help is None or not allowed[command.audience]:
            continue
        text = t.gettext(command.help)
        lines.append(text if command.syntax is None else f"{command.syntax} — {text}")
    lines.append(
        t.gettext(
            "Answer questions by typing; write numbers like {example}.",
            example=fmt_number(Decimal("12.5"), 1, t),
        )
    )
    return Message("\n".join(lines), title=t.gettext("Help"))


def render_away(notice: AwayRecorded, rc: RenderContext) -> Message:
    """An absence and who measures instead."""
    t = rc.t
    lines = [
        t.gettext(
            "{person} is away from {starts} to {ends} and gets no reminders during that time.",
            person=rc.person(notice.person_id),
            starts=fmt_date(notice.starts, t),
            ends=fmt_date(notice.ends, t),
        )
    ]
    for activity_id, deputy in notice.deputies:
        lines.append(
            "• "
            + t.gettext(
                "{activity}: measured by {deputy} meanwhile",
                activity=rc.activity(activity_id),
                deputy=rc.person(deputy),
            )
        )
    return Message("\n".join(lines), title=t.gettext("Absence recorded"))


def _span(starts: date, ends: date, rc: RenderContext) -> str:
    t = rc.t
    return t.gettext("{starts} – {ends}", starts=fmt_date(starts, t), ends=fmt_date(ends, t))


def render_away_cancelled(notice: AwayCancelled, rc: RenderContext) -> Message:
    """Absences cancelled: reminders come again."""
    t = rc.t
    spans = ", ".join(_span(a, b, rc) for a, b in notice.items)
    return Message(
        t.gettext(
            "{person} is back: absences cancelled ({spans}); reminders go to them again.",
            person=rc.person(notice.person_id),
            spans=spans,
        )
    )


def render_away_list(notice: AwayList, rc: RenderContext) -> Message:
    """The person's absences (none: they are not away)."""
    t = rc.t
    if not notice.items:
        return Message(t.gettext("No absence is recorded for you; reminders come as usual."))
    lines = ["• " + _span(a, b, rc) for a, b in notice.items]
    lines.append(t.gettext("/away cancel ends them now."))
    return Message("\n".join(lines), title=t.gettext("Your absences"))


def render_person_left(notice: PersonLeft, rc: RenderContext) -> Message:
    """Someone left the plan: no more messages to them, and who measures now."""
    t = rc.t
    lines = [
        t.gettext(
            "{name} is no longer in the control plan and gets no more messages.", name=notice.name
        )
    ]
    for activity_id, measurers in notice.takeover:
        lines.append(
            "• "
            + t.gettext(
                "{activity}: measured now by {people}",
                activity=rc.activity(activity_id),
                people=rc.people(measurers) if measurers else "—",
            )
        )
    return Message("\n".join(lines), title=t.gettext("A person left the plan"))


def render_language(notice: LanguageChanged, rc: RenderContext) -> Message:
    """Confirmation in the new language, or which language is in use."""
    if not notice.changed:
        return Message(rc.t.gettext("I write to you in English."))
    return Message(rc.t.gettext("From now on I will write to you in English."))


def render_problem(notice: Problem, rc: RenderContext) -> Message:
    """A translated problem message."""
    return Message(problem_text(notice, rc))


PLATFORM_NAMES = {"telegram": "Telegram", "slack": "Slack", "console": "console"}


def render_enrolled(notice: Enrolled, rc: RenderContext) -> Message:
    """The greeting after a chat account was linked."""
    t = rc.t
    name = rc.person(notice.person_id)
    if notice.already:
        text = t.gettext("This account is already linked to {person}.", person=name)
    else:
        text = t.gettext(
            "Hello, {person}! This account is now linked to controlbot. You will get "
            "reminders and forms here. /help lists the commands.",
            person=name,
        )
    return Message(text)


def render_channel_bound(notice: ChannelBound, rc: RenderContext) -> Message:
    """Confirmation in the chat that now receives a team channel's posts."""
    t = rc.t
    lines = [
        t.gettext(
            "Summaries and decisions of “{channel}” will be posted in this chat.",
            channel=rc.channel(notice.channel_id),
        )
    ]
    if notice.dropped:
        lines.append(
            t.gettext(
                "It no longer receives: {channels}.",
                channels=", ".join(f"“{rc.channel(c)}”" for c in notice.dropped),
            )
        )
    return Message("\n".join(lines))


def render_person_unreachable(notice: PersonUnreachable, rc: RenderContext) -> Message:
    """To a manager: a person cannot be reached (they blocked the bot)."""
    return Message(
        rc.t.gettext(
            "{person} cannot be reached on {platform} (the bot was blocked or the account "
            "closed), so reminders do not reach them. Please ask them to open the bot and "
            "send /start.",
            person=rc.person(notice.person_id),
            platform=PLATFORM_NAMES.get(notice.platform, notice.platform),
        )
    )


def render_channel_unreachable(notice: ChannelUnreachable, rc: RenderContext) -> Message:
    """To the admin channel: a team channel's chat refuses the bot."""
    return Message(
        rc.t.gettext(
            "The bot cannot post to #{channel} on {platform}: it is not a member of the chat "
            "or may not write there. Please invite the bot to the chat (on Telegram, an "
            "administrator then sends /bind {channel} there).",
            channel=notice.channel_id,
            platform=PLATFORM_NAMES.get(notice.platform, notice.platform),
        )
    )


def render_platform_chosen(notice: PlatformChosen, rc: RenderContext) -> Message:
    """Where DMs go from now on."""
    t = rc.t
    if notice.platform is None:
        return Message(t.gettext("Your messages will come where you wrote to the bot last."))
    return Message(
        t.gettext(
            "Your messages will come on {platform}.",
            platform=PLATFORM_NAMES.get(notice.platform, notice.platform),
        )
    )


def render_chart_not_delivered(notice: ChartNotDelivered, rc: RenderContext) -> Message:
    """To the admin channel: a summary went out without its chart."""
    return Message(
        rc.t.gettext(
            "A post to {target} on {platform} went out without its chart: the upload failed. "
            "The text is there; check the bot's log.",
            target=notice.target,
            platform=PLATFORM_NAMES.get(notice.platform, notice.platform),
        )
    )
