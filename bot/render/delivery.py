"""This module contains how a fan-out's delivery is reported to whoever started it.

The bot's word holds (issue 12): an acknowledgement says who got the message and names each
recipient it did not reach, with the reason and what to do about it.
"""

from __future__ import annotations

from bot.messages import Message
from bot.render.context import RenderContext
from workflows.notices import DeliveryOutcome, DeliveryProblems, Unreached


def unreached_line(item: Unreached, rc: RenderContext) -> str:
    """One recipient not reached, the reason and the remedy, as a bullet line."""
    t = rc.t
    if item.kind == "channel":
        channel = rc.channel(item.recipient)
        if item.reason == "not_bound":
            text = t.gettext(
                "“{channel}” is not connected to any chat: send /bind {id} in its group.",
                channel=channel,
                id=item.recipient,
            )
        elif item.reason == "channel_gone":
            text = t.gettext(
                "“{channel}” no longer exists on the chat platform: bind another chat.",
                channel=channel,
            )
        elif item.reason == "not_in_channel":
            text = t.gettext(
                "The robot is not a member of “{channel}”: add it and send /bind {id} there.",
                channel=channel,
                id=item.recipient,
            )
        else:
            text = _common(item, channel, rc)
        return f"• {text}"
    person = rc.person(item.recipient)
    if item.reason == "no_account":
        text = t.gettext(
            "{person} cannot be reached: no chat account is linked — controlbot invite {id}",
            person=person,
            id=item.recipient,
        )
    elif item.reason == "blocked":
        text = t.gettext(
            "{person} cannot be reached: the robot was blocked or the account closed.",
            person=person,
        )
    elif item.reason == "address_refused":
        text = t.gettext(
            "{person} cannot be reached: the mail server refused their e-mail address "
            "(check “email” in the plan).",
            person=person,
        )
    else:
        text = _common(item, person, rc)
    return f"• {text}"


def _common(item: Unreached, who: str, rc: RenderContext) -> str:
    t = rc.t
    if item.reason == "address_refused":
        return t.gettext(
            "{recipient}: the mail server refused the e-mail address (check the plan).",
            recipient=who,
        )
    if item.reason == "message_refused":
        return t.gettext(
            "{recipient}: the mail server refused the e-mail (see controlbot deliveries).",
            recipient=who,
        )
    if item.reason == "queued":
        return t.gettext("{recipient}: not delivered yet; the robot keeps trying.", recipient=who)
    if item.reason == "expired":
        return t.gettext("{recipient}: could not be delivered in time.", recipient=who)
    return t.gettext(
        "{recipient}: the message could not be prepared (see the service log).", recipient=who
    )


def outcome_lines(outcome: DeliveryOutcome, rc: RenderContext) -> list[str]:
    """A line for each recipient not reached."""
    return [unreached_line(item, rc) for item in outcome.unreached]


def render_problems(notice: DeliveryProblems, rc: RenderContext) -> Message:
    """The admin channel's daily digest of recipients the robot could not reach."""
    t = rc.t
    title = t.gettext("Not delivered in the last 24 hours")
    lines = [unreached_line(item, rc) for item in notice.unreached]
    lines.append(t.gettext("The whole record: controlbot deliveries --status undeliverable"))
    return Message("\n".join(lines), title=title)
