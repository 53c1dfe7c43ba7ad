"""This module contains where a person is reached: the preferred platform and ``/platform``."""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from typing import Literal

from sqlmodel import Session

from storage.models import Person, PlatformIdentity
from workflows import audit
from workflows.context import Context
from workflows.notices import Outgoing, PlatformChosen, ToPerson, problem
from workflows.people.accounts import seen as seen_people
from workflows.people.accounts.linking import CONSOLE, accounts_of, linked_platforms


def preferred(
    person: Person | None,
    identities: Sequence[PlatformIdentity],
    usable: Callable[[str], bool],
    via: str | None,
) -> PlatformIdentity | None:
    """The account a message to the person goes to, among those on ``usable`` platforms.

    A reply goes back to the platform they wrote on (``via``); else their ``/platform``
    choice; else the account they used last (one used beats one only linked); the console
    only when nothing else reaches them. An account marked unreachable is skipped.
    """
    found = [i for i in identities if i.unreachable_since is None and usable(i.platform)]
    if not found:
        return None
    found.sort(
        key=lambda i: (
            i.platform == via,
            i.platform != CONSOLE,
            i.last_seen_at is not None,  # an account used beats one only linked
            i.last_seen_at or i.linked_at,
        )
    )
    chosen = [i for i in found if person is not None and i.platform == person.chosen_platform]
    return found[-1] if via is not None or not chosen else chosen[-1]


def unreachable_reason(
    session: Session, person_id: str, platforms: Container[str]
) -> Literal["blocked", "no_account"]:
    """Why nothing on ``platforms`` reaches ``person_id``: ``blocked`` or ``no_account``."""
    marked = [
        i
        for i in accounts_of(session, person_id)
        if i.platform in platforms and i.unreachable_since
    ]
    return "blocked" if marked else "no_account"


def choose_platform(
    session: Session,
    ctx: Context,
    person_id: str,
    args: tuple[str, ...],
    addressed: tuple[str, ...] = (),
) -> list[Outgoing]:
    """``/platform NAME|auto``: where DMs go when several accounts are linked.

    Args:
        session: The open transaction.
        ctx: Plan and clock.
        person_id: Who chooses.
        args: The command's arguments: one platform name, or ``auto``.
        addressed: Notify-only platforms on which the plan gives this person an address
            (they may be chosen without linking an account there).

    Returns:
        The confirmation, or the usage problem naming the platforms one may choose.
    """
    me = ToPerson(person_id)
    found = linked_platforms(session, person_id)
    linked = (*found, *(name for name in addressed if name not in found))
    person = session.get(Person, person_id)
    choice = args[0].lower() if len(args) == 1 else ""
    if person is None or (choice != "auto" and choice not in linked):
        usage = "/platform " + "|".join((*linked, "auto"))
        return [Outgoing(me, problem("usage", usage=usage))]
    person.chosen_platform = None if choice == "auto" else choice
    session.add(person)
    seen_people.forget(session, person_id)
    audit.record(
        session, ctx, person_id, "person.platform", f"person:{person_id}", platform=choice
    )
    return [Outgoing(me, PlatformChosen(person.chosen_platform, linked))]
