"""This module contains channel bindings: which chat on each platform is a plan's team channel.

The plan may name the chat (the channel's ``accounts``); an administrator may bind one in chat
(``/bind <channel-id>`` in a group), and a platform may move it (a group upgraded to a
supergroup, field case C04). A binding in the database wins over the plan.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import ChannelBinding
from workflows import audit
from workflows.context import Context
from workflows.plan.model import UnknownPlanItem


def plan_target(ctx: Context, channel_id: str, platform: str) -> str | None:
    """The chat the plan itself names for ``channel_id`` on ``platform``, if any."""
    try:
        channel = ctx.plan.channel(channel_id)
    except UnknownPlanItem:
        return None
    return channel.accounts.account(platform)


def target(session: Session, ctx: Context, channel_id: str, platform: str) -> str | None:
    """Where ``channel_id`` is posted on ``platform``: the stored binding, else the plan's."""
    row = _row(session, channel_id.lstrip("#"), platform)
    if row is None:
        return plan_target(ctx, channel_id, platform)
    return row.target if row.unreachable_since is None else None


def mark_unreachable(
    session: Session, ctx: Context, channel_id: str, platform: str, chat: str
) -> bool:
    """Stop posting ``channel_id`` to ``chat`` until it is bound again (field case C04).

    Returns:
        Whether the mark is new (so the admin channel is told once).
    """
    row = _row(session, channel_id.lstrip("#"), platform)
    if row is None:  # the plan named the chat: keep the mark beside it
        row = ChannelBinding(
            channel_id=channel_id.lstrip("#"),
            platform=platform,
            target=chat,
            bound_by="plan",
            bound_at=ctx.now(),
        )
    elif row.unreachable_since is not None or row.target != chat:
        return False
    row.unreachable_since = ctx.now()
    session.add(row)
    audit.record(
        session,
        ctx,
        "system",
        "channel.unreachable",
        f"channel:{row.channel_id}",
        platform=platform,
    )
    return True


def _row(session: Session, channel_id: str, platform: str) -> ChannelBinding | None:
    return session.exec(
        select(ChannelBinding).where(
            col(ChannelBinding.channel_id) == channel_id,
            col(ChannelBinding.platform) == platform,
        )
    ).first()


def bind(
    session: Session, ctx: Context, channel_id: str, platform: str, chat: str, by: str
) -> tuple[str, ...]:
    """Bind ``channel_id`` to ``chat`` on ``platform``.

    Returns:
        The other channels that were bound to the same chat before (now unbound from it:
        one chat serves one team channel).

    Raises:
        UnknownPlanItem: If the plan has no such channel.
    """
    channel = ctx.plan.channel(channel_id)
    previous = session.exec(
        select(ChannelBinding).where(
            col(ChannelBinding.platform) == platform, col(ChannelBinding.target) == chat
        )
    ).all()
    dropped = tuple(r.channel_id for r in previous if r.channel_id != channel.id)
    for row in previous:
        if row.channel_id != channel.id:
            session.delete(row)
    _upsert(session, ctx, channel.id, platform, chat, by)
    audit.record(session, ctx, by, "channel.bound", f"channel:{channel.id}", platform=platform)
    return dropped


def move(session: Session, ctx: Context, platform: str, old: str, new: str) -> tuple[str, ...]:
    """Follow a chat that changed its id (a group upgraded to a supergroup).

    Returns:
        The plan channels that now point at ``new``.
    """
    moved = [
        row.channel_id
        for row in session.exec(
            select(ChannelBinding).where(
                col(ChannelBinding.platform) == platform, col(ChannelBinding.target) == old
            )
        ).all()
    ]
    moved += [
        c.id
        for c in ctx.plan.plan.channels
        if c.id not in moved and plan_target(ctx, c.id, platform) == old
    ]
    for channel_id in moved:
        _upsert(session, ctx, channel_id, platform, new, "system")
        audit.record(
            session, ctx, "system", "channel.moved", f"channel:{channel_id}", old=old, new=new
        )
    return tuple(moved)


def _upsert(
    session: Session, ctx: Context, channel_id: str, platform: str, chat: str, by: str
) -> None:
    row = session.exec(
        select(ChannelBinding).where(
            col(ChannelBinding.channel_id) == channel_id, col(ChannelBinding.platform) == platform
        )
    ).first() or ChannelBinding(
        channel_id=channel_id, platform=platform, target=chat, bound_by=by, bound_at=ctx.now()
    )
    row.target, row.bound_by, row.bound_at = chat, by, ctx.now()
    row.unreachable_since = None
    session.add(row)
    session.flush()
