"""This module contains the administrators' overview of reach: people, chats, deliveries.

Who is linked on which platform, when they last wrote, whether a platform refused them,
which invites are still open, which chats the team channels are bound to, and the latest
entries of the delivery ledger. It is the one place the web view reads these from, so it
can be pointed at a fuller delivery record later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage.messages import OutboxMessage
from storage.models import ChannelBinding, Invite, Person
from workflows.context import Context
from workflows.people import accounts as person_accounts

RECENT_DELIVERIES = 200
"""How many of the newest ledger entries the overview shows."""


@dataclass(frozen=True)
class Account:
    """A linked chat account as the overview shows it."""

    platform: str
    last_seen_at: datetime | None
    unreachable_since: datetime | None


@dataclass(frozen=True)
class PersonReach:
    """A person of the plan, their chat accounts and open invites."""

    person_id: str
    name: str
    active: bool
    accounts: tuple[Account, ...]
    open_invites: int
    invite_expires_at: datetime | None

    @property
    def reachable(self) -> bool:
        """Whether at least one chat account (not the console) takes their messages."""
        return any(a.unreachable_since is None for a in self.accounts)

    @property
    def refused(self) -> bool:
        """Whether a platform refused at least one of their chat accounts."""
        return any(a.unreachable_since is not None for a in self.accounts)


def people_reach(session: Session, ctx: Context) -> list[PersonReach]:
    """Every stored person (active first, by name) with their accounts and open invites."""
    accounts: dict[str, list[Account]] = {}
    for person_id, platform, seen, refused in person_accounts.chat_accounts(session):
        accounts.setdefault(person_id, []).append(Account(platform, seen, refused))
    now = ctx.now()
    invites: dict[str, list[datetime]] = {}
    query = select(col(Invite.person_id), col(Invite.expires_at)).where(
        col(Invite.used_at).is_(None), col(Invite.expires_at) > now
    )
    for person_id, expires_at in session.exec(query).all():
        invites.setdefault(person_id, []).append(expires_at)
    people = session.exec(select(col(Person.id), col(Person.display_name), col(Person.active)))
    out = [
        PersonReach(
            person_id,
            name,
            active,
            tuple(sorted(accounts.get(person_id, []), key=lambda a: a.platform)),
            len(invites.get(person_id, [])),
            max(invites[person_id]) if person_id in invites else None,
        )
        for person_id, name, active in people.all()
    ]
    return sorted(out, key=lambda p: (not p.active, p.name.casefold()))


def channel_bindings(session: Session) -> list[ChannelBinding]:
    """The chats team channels were bound to in chat, by channel."""
    query = select(ChannelBinding).order_by(
        col(ChannelBinding.channel_id), col(ChannelBinding.platform)
    )
    return list(session.exec(query).all())


def recent_deliveries(session: Session, limit: int = RECENT_DELIVERIES) -> list[OutboxMessage]:
    """The newest entries of the outbox record (every message, delivered or not)."""
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc())
    return list(session.exec(query.limit(limit)).all())
