"""This module contains accounts themselves: who owns one, linking, last-seen, reachability."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from storage.models import Person, PlatformIdentity
from workflows import audit
from workflows.context import Context
from workflows.people.accounts import seen as seen_people

Account = PlatformIdentity
"""One account: a person's identity on one platform."""


CONSOLE = "console"
"""The terminal's platform: every person has an account there; it is no chat account."""


def identify(
    session: Session,
    ctx: Context,
    platform: str,
    external_id: str,
    *,
    private: bool,
    client_language: str | None = None,
) -> str | None:
    """The active person who owns the account, noting that they were just seen.

    Args:
        session: The open session.
        ctx: Gives the current instant.
        platform: The platform's name (as :class:`bot.platform.Platform` names it).
        external_id: The account's id on it.
        private: The message came in a private chat: the account is reachable again (C03).
        client_language: The chat client's language tag, kept for the language rule.

    Returns:
        The person id, or ``None`` for an account nobody (active) is linked to.
    """
    identity = _account(session, platform, external_id)
    if identity is None:
        return None
    person = session.get(Person, identity.person_id)
    if person is None or not person.active:
        return None
    identity.last_seen_at = ctx.now()
    if private:  # a DM from them: we can write to them again (C03)
        identity.unreachable_since = None
    if client_language:
        identity.client_language = client_language[:35]
    session.add(identity)
    seen_people.forget(session, identity.person_id)
    return identity.person_id


def people_and_accounts(
    session: Session, person_ids: Sequence[str]
) -> tuple[dict[str, Person], dict[str, list[PlatformIdentity]]]:
    """The people and their accounts, for many people at once (two queries)."""
    ids = sorted(set(person_ids))
    accounts: defaultdict[str, list[PlatformIdentity]] = defaultdict(list)
    for identity in session.exec(
        select(PlatformIdentity).where(col(PlatformIdentity.person_id).in_(ids))
    ).all():
        accounts[identity.person_id].append(identity)
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids))).all()}
    return people, dict(accounts)


def accounts_of(session: Session, person_id: str) -> Sequence[PlatformIdentity]:
    """Every account of the person (the console's too)."""
    return session.exec(
        select(PlatformIdentity).where(col(PlatformIdentity.person_id) == person_id)
    ).all()


def linked_people(session: Session, platform: str | None = None) -> set[str]:
    """People with an account on ``platform`` (``None``: on any platform but the console)."""
    where = (
        col(PlatformIdentity.platform) == platform
        if platform is not None
        else col(PlatformIdentity.platform) != CONSOLE
    )
    return set(session.exec(select(PlatformIdentity.person_id).where(where)).all())


def linked_platforms(session: Session, person_id: str) -> tuple[str, ...]:
    """The platforms the person has an account on, sorted, the console aside."""
    return tuple(sorted({i.platform for i in accounts_of(session, person_id)} - {CONSOLE}))


def is_linked(session: Session, person_id: str, platform: str, external_id: str) -> bool:
    """Whether ``platform``/``external_id`` is the person's account."""
    account = _account(session, platform, external_id)
    return account is not None and account.person_id == person_id


def link(
    session: Session,
    ctx: Context,
    person_id: str,
    platform: str,
    external_id: str,
    client_language: str | None = None,
    *,
    seen: bool = True,
) -> None:
    """Make ``platform``/``external_id`` the person's one account on that platform.

    ``seen``: the person used the account just now (an invite), as opposed to a link made
    for them (a platform found their account), which does not make it their latest platform.
    """
    now = ctx.now()
    seen_people.forget(session, person_id)
    rows = session.exec(
        select(PlatformIdentity)
        .where(col(PlatformIdentity.platform) == platform)
        .where(
            (col(PlatformIdentity.person_id) == person_id)
            | (col(PlatformIdentity.external_id) == external_id)
        )
    ).all()
    for row in rows:
        if row.person_id == person_id and row.external_id == external_id:
            row.unreachable_since = None
            row.last_seen_at = now if seen else row.last_seen_at
            session.add(row)
            return
        seen_people.forget(session, row.person_id)  # an account taken from someone else
        session.delete(row)
    session.flush()
    session.add(
        PlatformIdentity(
            person_id=person_id,
            platform=platform,
            external_id=external_id,
            client_language=client_language[:35] if client_language else None,
            linked_at=now,
            last_seen_at=now if seen else None,
        )
    )
    audit.record(session, ctx, person_id, "person.linked", f"{platform}:{external_id}")


def link_console(session: Session, ctx: Context, now: datetime) -> None:
    """Give every person of the plan a console account (``/as PERSON`` on a terminal)."""
    connection = session.connection()
    linked = set(
        connection.execute(
            select(col(PlatformIdentity.person_id)).where(
                col(PlatformIdentity.platform) == CONSOLE
            )
        ).scalars()
    )
    missing = [
        {
            "person_id": person.id,
            "platform": CONSOLE,
            "external_id": person.id,
            "client_language": None,
            "linked_at": now,
            "last_seen_at": None,
            "unreachable_since": None,
        }
        for person in ctx.plan.plan.people
        if person.id not in linked
    ]
    if missing:
        connection.execute(insert(PlatformIdentity), missing)
        seen_people.forget_all(session)


def remove_all(session: Session, person_id: str) -> list[tuple[str, str]]:
    """Unlink every account of the person (erasure); the ``(platform, external_id)`` removed."""
    removed = [(i.platform, i.external_id) for i in accounts_of(session, person_id)]
    seen_people.forget(session, person_id)
    session.execute(delete(PlatformIdentity).where(col(PlatformIdentity.person_id) == person_id))
    return removed


def chat_accounts(
    session: Session,
) -> list[tuple[str, str, datetime | None, datetime | None]]:
    """Every account but the console's: ``(person, platform, last seen, unreachable since)``."""
    query = select(
        col(PlatformIdentity.person_id),
        col(PlatformIdentity.platform),
        col(PlatformIdentity.last_seen_at),
        col(PlatformIdentity.unreachable_since),
    ).where(col(PlatformIdentity.platform) != CONSOLE)
    return [(p, platform, seen, refused) for p, platform, seen, refused in session.exec(query)]


def mark_unreachable(
    session: Session, ctx: Context, platform: str, external_id: str
) -> str | None:
    """Mark the account unreachable (the platform refused a DM, field case C03).

    Returns:
        The person whose account it is, when the mark is new; else ``None``.
    """
    identity = _account(session, platform, external_id)
    if identity is None or identity.unreachable_since is not None:
        return None
    identity.unreachable_since = ctx.now()
    session.add(identity)
    seen_people.forget(session, identity.person_id)
    return identity.person_id


def _account(session: Session, platform: str, external_id: str) -> PlatformIdentity | None:
    return session.exec(
        select(PlatformIdentity).where(
            col(PlatformIdentity.platform) == platform,
            col(PlatformIdentity.external_id) == external_id,
        )
    ).first()
