"""This module contains what happens when a chat platform refuses a recipient (field case C03).

The identity is marked unreachable with the time, so the outbox stops choosing it and the
scheduler does not retry it on every run; the person's managers are told once. The mark is
cleared as soon as the person writes to the bot again in a private chat (see
:func:`workflows.people.accounts.identify`). A team channel's chat that refuses the bot (C04)
is marked
the same way and reported once to the admin channel, until it is bound again.
"""

from __future__ import annotations

from sqlmodel import Session

from workflows import audit
from workflows.context import Context
from workflows.notices import (
    ChannelUnreachable,
    ChartNotDelivered,
    Notice,
    Outgoing,
    PersonUnreachable,
    ToChannel,
    ToPerson,
)
from workflows.people import accounts, bindings
from workflows.plan.model import UnknownPlanItem


def managers_of(ctx: Context, person_id: str) -> tuple[str, ...]:
    """Whom to tell about ``person_id``: their manager for each of their activities.

    Falls back to the plan's administrators when nobody is above them.
    """
    plan = ctx.plan
    found = [
        manager
        for activity in plan.activities
        if person_id in plan.people_of(activity)
        and (manager := plan.manager_of(person_id, activity)) is not None
        and manager != person_id
    ]
    return tuple(dict.fromkeys(found)) or tuple(a for a in plan.plan.admins if a != person_id)


def person_unreachable(
    session: Session, ctx: Context, platform: str, external_id: str
) -> list[Outgoing]:
    """Mark the account unreachable; the first time, tell the person's managers.

    Returns:
        One :class:`PersonUnreachable` per manager, or nothing if it was marked already.
    """
    person_id = accounts.mark_unreachable(session, ctx, platform, external_id)
    if person_id is None:
        return []
    audit.record(
        session, ctx, "system", "person.unreachable", f"person:{person_id}", platform=platform
    )
    notice = PersonUnreachable(person_id, platform)
    return [Outgoing(ToPerson(m), notice) for m in managers_of(ctx, person_id)]


def channel_unreachable(
    session: Session, ctx: Context, channel_id: str, platform: str, chat: str
) -> list[Outgoing]:
    """Mark the chat unreachable; the first time, tell the admin channel (unless it is it).

    Posts skip the chat until an administrator binds it again (``/bind``).
    """
    if not bindings.mark_unreachable(session, ctx, channel_id, platform, chat):
        return []
    return to_admin_channel(ctx, channel_id, ChannelUnreachable(channel_id.lstrip("#"), platform))


def chart_not_delivered(
    ctx: Context, channel_id: str | None, target: str, platform: str
) -> list[Outgoing]:
    """Tell the admin channel that a post to ``target`` went out without its chart (C11)."""
    return to_admin_channel(ctx, channel_id, ChartNotDelivered(target, platform))


def to_admin_channel(ctx: Context, about: str | None, notice: Notice) -> list[Outgoing]:
    """``notice`` for the plan's admin channel, unless the trouble is that channel itself."""
    admin = ctx.plan.plan.admin_channel
    if about is not None and about.lstrip("#") == admin:
        return []
    try:
        ctx.plan.channel(admin)
    except UnknownPlanItem:
        return []
    return [Outgoing(ToChannel(admin), notice)]
