"""This module contains a sender identified in one statement, and the per-person cache.

:func:`identify_at_once` notes that an account was seen and reads, in one statement, the
active person who owns it and all of their accounts (and whatever the caller adds: the inbox
asks for the person's pending events and open replies in the same statement). The person as
read is kept on the transaction (``session.info``) as a :class:`Seen`, so the reply's
language (:func:`~workflows.people.accounts.language`) and route (``bot.routes``) need no
further read in that transaction (issue 16: person and accounts were read three times for one
typed value).

What is derived from a :class:`Seen` — the language, a router's route — is cached per
database (engine) and person across transactions (:func:`cached`). Only a transaction that
identified the person this way uses it (an event the inbox applies at once); the outbox's
background sender reads people in its own claim, as before.

Invalidation rule:

* an entry is used only while the rows read for the current event are equal, column for
  column, to those it was derived from (:attr:`Seen.fingerprint`: the person's columns and
  each account's, in last-seen order; of the instants only that order and whether an
  account was ever seen or is marked unreachable, all that the rules read). The
  rows are read in the statement that identifies the sender, so a change made by another
  process or replica (``/lang`` there, an account linked there, a people sync) shows at the
  person's very next event here: the cache is never staler than that statement;
* :func:`forget` drops the person's entry and the transaction's :class:`Seen`; it is called
  by everything that changes them — ``/lang``, ``/platform``, linking, unlinking, marking an
  account unreachable, :func:`~workflows.people.accounts.identify` — so the rest of the same
  transaction reads them again (the answer to ``/lang en`` is in English);
* :func:`forget_all` drops every entry: a people sync (and any write of many people);
  a loaded plan other than the one the entries were made under also drops them all.

At most :data:`KEPT` people are remembered (least recently used go).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Table, select, update
from sqlmodel import Session

from storage.models import Person, PlatformIdentity
from workflows.context import Context
from workflows.plan.model import LoadedPlan

T = TypeVar("T")
KEPT = 20_000
"""People whose derived language and routes are remembered (a national plan has 10,000)."""
_PEOPLE: Table = Person.__table__  # type: ignore[attr-defined]
_ACCOUNTS: Table = PlatformIdentity.__table__  # type: ignore[attr-defined]
_PERSON_COLUMNS = (
    "id",
    "display_name",
    "plan_language",
    "chosen_language",
    "chosen_platform",
    "timezone",
    "active",
)
_ACCOUNT_COLUMNS = (
    "id",
    "person_id",
    "platform",
    "external_id",
    "client_language",
    "linked_at",
    "last_seen_at",
    "unreachable_since",
)
_LINKED_AT, _SEEN_AT, _UNREACHABLE = (
    _ACCOUNT_COLUMNS.index(c) for c in ("linked_at", "last_seen_at", "unreachable_since")
)
_SESSION_KEY = "controlbot.seen"
Extra = Callable[[ColumnElement[str]], Sequence[ColumnElement[Any]]]
"""Columns a caller adds to the identifying statement, given the person id's column."""


@dataclass(frozen=True)
class Seen:
    """A person and their accounts as the identifying statement read them.

    Attributes:
        person_id: The person.
        person: The ``person`` row's values (:data:`_PERSON_COLUMNS`).
        accounts: Each account's values (:data:`_ACCOUNT_COLUMNS`), oldest seen first.
        extra: The caller's added columns, as read.
    """

    person_id: str
    person: tuple[Any, ...]
    accounts: tuple[tuple[Any, ...], ...]
    extra: tuple[Any, ...] = ()
    fingerprint: Hashable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        marks = tuple(
            (*a[:_LINKED_AT], a[_SEEN_AT] is not None, a[_UNREACHABLE] is None)
            for a in self.accounts
        )
        object.__setattr__(self, "fingerprint", (self.person, marks))

    def person_row(self) -> Person:
        """The person as a new, detached :class:`~storage.models.Person` (never to be added)."""
        return Person(**dict(zip(_PERSON_COLUMNS, self.person, strict=True)))

    def account_rows(self) -> list[PlatformIdentity]:
        """The accounts as new, detached objects, oldest seen first (never to be added)."""
        return [
            PlatformIdentity(**dict(zip(_ACCOUNT_COLUMNS, a, strict=True))) for a in self.accounts
        ]


def identify_at_once(
    session: Session,
    ctx: Context,
    platform: str,
    external_id: str,
    *,
    private: bool,
    client_language: str | None = None,
    extra: Extra | None = None,
) -> Seen | None:
    """:func:`~workflows.people.accounts.identify` in two statements, keeping what it read.

    The account's last-seen instant (and, after a private message, its reachability; the
    client's language) is written first — on SQLite that statement takes the write lock
    the transaction needs anyway — then one ``SELECT`` joins the account, its active person
    and all of the person's accounts, with ``extra``'s columns.

    Args:
        session: The open transaction; the result is kept on it (:func:`seen_in`).
        ctx: Gives the current instant.
        platform: The platform's name.
        external_id: The account's id on it.
        private: The message came in a private chat: the account is reachable again (C03).
        client_language: The chat client's language tag, kept for the language rule.
        extra: Columns to read in the same statement (correlated to the person's id).

    Returns:
        The person as read, or ``None`` for an account nobody (active) is linked to.
    """
    values: dict[str, Any] = {"last_seen_at": ctx.now()}
    if private:
        values["unreachable_since"] = None
    if client_language:
        values["client_language"] = client_language[:35]
    people, accounts = _PEOPLE, _ACCOUNTS
    active = select(people.c.id).where(people.c.active.is_(True))
    session.execute(
        update(accounts)
        .where(
            accounts.c.platform == platform,
            accounts.c.external_id == external_id,
            accounts.c.person_id.in_(active.scalar_subquery()),
        )
        .values(**values)
    )
    sender = accounts.alias("sender")
    query = (
        select(
            *(people.c[name] for name in _PERSON_COLUMNS),
            *(accounts.c[name] for name in _ACCOUNT_COLUMNS),
            *(extra(people.c.id) if extra is not None else ()),
        )
        .select_from(
            sender.join(people, people.c.id == sender.c.person_id).join(
                accounts, accounts.c.person_id == people.c.id
            )
        )
        .where(
            sender.c.platform == platform,
            sender.c.external_id == external_id,
            people.c.active.is_(True),
        )
        .order_by(accounts.c.id)
    )
    rows = [tuple(row) for row in session.execute(query).all()]
    if not rows:
        return None
    width, through = len(_PERSON_COLUMNS), len(_PERSON_COLUMNS) + len(_ACCOUNT_COLUMNS)

    def recency(account: tuple[Any, ...]) -> tuple[bool, datetime]:
        return account[_SEEN_AT] is not None, account[_SEEN_AT] or account[_LINKED_AT]

    found = Seen(
        person_id=rows[0][0],
        person=rows[0][:width],
        accounts=tuple(sorted((r[width:through] for r in rows), key=recency)),
        extra=rows[0][through:],
    )
    session.info.setdefault(_SESSION_KEY, {})[found.person_id] = found
    return found


def seen_in(session: Session, person_id: str) -> Seen | None:
    """The person as this transaction's identifying statement read them, if it did."""
    found: dict[str, Seen] = session.info.get(_SESSION_KEY, {})
    return found.get(person_id)


class _Cache:
    """Derived values per person, valid for one fingerprint and one loaded plan."""

    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.entries: OrderedDict[str, tuple[Hashable, dict[Hashable, object]]] = OrderedDict()
        self.plan: weakref.ref[LoadedPlan] | None = None


_GUARD = threading.Lock()
_CACHES: weakref.WeakKeyDictionary[Any, _Cache] = weakref.WeakKeyDictionary()


def _cache(session: Session) -> _Cache:
    """The cache of ``session``'s database (engine): one per process and database."""
    engine = session.get_bind()
    with _GUARD:
        found = _CACHES.get(engine)
        if found is None:
            found = _CACHES[engine] = _Cache()
        return found


def cached(
    session: Session, seen: Seen, plan: LoadedPlan, key: Hashable, make: Callable[[], T]
) -> T:
    """What ``make()`` derives from ``seen`` under ``key``, made once per fingerprint.

    Args:
        session: The transaction that read ``seen`` (its database's cache is used).
        seen: The person as read in this transaction.
        plan: The loaded plan the value depends on (another plan drops every entry).
        key: What is derived (``("lang", default)``, a router's ``("route", …, via)``).
        make: Derives the value from ``seen`` (called outside the cache's lock).
    """
    cache = _cache(session)
    with cache.guard:
        if cache.plan is None or cache.plan() is not plan:
            cache.entries.clear()
            cache.plan = weakref.ref(plan)
        entry = cache.entries.get(seen.person_id)
        if entry is not None and entry[0] == seen.fingerprint and key in entry[1]:
            cache.entries.move_to_end(seen.person_id)
            return cast(T, entry[1][key])
    value = make()
    with cache.guard:
        entry = cache.entries.get(seen.person_id)
        if entry is None or entry[0] != seen.fingerprint:
            entry = cache.entries[seen.person_id] = (seen.fingerprint, {})
        entry[1][key] = value
        cache.entries.move_to_end(seen.person_id)
        while len(cache.entries) > KEPT:
            cache.entries.popitem(last=False)
    return value


def forget(session: Session, person_id: str) -> None:
    """Drop what is known of ``person_id``: they changed (see the module's rule)."""
    session.info.get(_SESSION_KEY, {}).pop(person_id, None)
    cache = _cache(session)
    with cache.guard:
        cache.entries.pop(person_id, None)


def forget_all(session: Session) -> None:
    """Drop what is known of everyone (a people sync)."""
    session.info.pop(_SESSION_KEY, None)
    cache = _cache(session)
    with cache.guard:
        cache.entries.clear()


def remembered(session: Session, person_id: str) -> bool:
    """Whether anything derived for ``person_id`` is cached (for tests and diagnostics)."""
    cache = _cache(session)
    with cache.guard:
        return person_id in cache.entries
