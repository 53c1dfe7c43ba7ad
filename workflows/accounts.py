"""This module contains people's accounts: the one home of who writes, in which language, where.

An account is a person's identity on one platform (:class:`storage.models.PlatformIdentity`:
``platform``/``external_id``). Every platform and every ``bot/`` module goes through this
module for accounts; none queries them itself (tests/test_layering.py):

- identifying a sender (:func:`identify`), which also records last-seen, the client's
  language and reachability again after a private message (field case C03);
- linking an account (:func:`link`) and marking it unreachable (:func:`mark_unreachable`);
- the language rule (:func:`resolve_locale`, field case C20): own choice (``/lang``) > plan
  > chat client > plan ``locale`` > ``CONTROLBOT_DEFAULT_LOCALE``;
- the preferred platform (:func:`preferred`): the ``/platform`` choice, else the account used
  last; a reply goes back where the person wrote;
- the commands that change them, ``/lang`` (:func:`choose_language`) and ``/platform``
  (:func:`choose_platform`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Container, Sequence
from typing import Literal, get_args

from babel import Locale, UnknownLocaleError
from sqlmodel import Session, col, select

from storage.models import Person, PlatformIdentity
from workflows import audit
from workflows.context import Context
from workflows.notices import LanguageChanged, Outgoing, PlatformChosen, ToPerson, problem
from workflows.numbers import Lang

Account = PlatformIdentity
"""One account: a person's identity on one platform."""
CONSOLE = "console"
"""The terminal's platform: every person has an account there; it is no chat account."""


def as_lang(code: str | None) -> Lang | None:
    """Map a language tag to a supported language, or ``None``.

    Accepts the forms chat platforms send: ``lv``, ``lv-LV``, ``lv_LV``, ``en-GB``,
    ``EN``. Unknown or malformed tags give ``None`` rather than an error (field case C20;
    Babel raises ``ValueError`` on ``en-GB`` unless told the separator).

    Args:
        code: A BCP 47 or POSIX-style language tag.

    Returns:
        ``"lv"``, ``"en"`` or ``None``.
    """
    if not code or not code.strip():
        return None
    tag = code.strip().replace("_", "-")
    try:
        language = Locale.parse(tag, sep="-").language
    except (ValueError, UnknownLocaleError):
        return None
    if language == "lv":
        return "lv"
    if language == "en":
        return "en"
    return None


def resolve_locale(
    *,
    chosen: str | None = None,
    person: str | None = None,
    client: str | None = None,
    plan_default: str | None = None,
    default: str = "lv",
) -> Lang:
    """Choose a person's language (field case C20).

    Order: their own choice (``/lang``) > their plan setting > their chat client's language
    (lv or en only) > the plan's default > ``CONTROLBOT_DEFAULT_LOCALE``.

    Returns:
        ``"lv"`` or ``"en"``; Latvian if nothing usable was given.
    """
    for candidate in (chosen, person, client, plan_default, default):
        lang = as_lang(candidate)
        if lang is not None:
            return lang
    return "lv"


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
    return identity.person_id


def language(session: Session, ctx: Context, person_id: str, default: str) -> Lang:
    """A person's language: ``/lang`` choice > plan > chat client > plan default > default."""
    return language_of(session.get(Person, person_id), _accounts(session, person_id), ctx, default)


def language_of(
    person: Person | None, identities: Sequence[PlatformIdentity], ctx: Context, default: str
) -> Lang:
    """:func:`language` from rows already read (the client of the account used last)."""
    clients = [i for i in identities if i.client_language is not None]
    clients.sort(key=lambda i: (i.last_seen_at is not None, i.last_seen_at or i.linked_at))
    return resolve_locale(
        chosen=person.chosen_language if person else None,
        person=person.plan_language if person else None,
        client=clients[-1].client_language if clients else None,
        plan_default=ctx.plan.plan.locale,
        default=default,
    )


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
        i for i in _accounts(session, person_id) if i.platform in platforms and i.unreachable_since
    ]
    return "blocked" if marked else "no_account"


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
    return tuple(sorted({i.platform for i in _accounts(session, person_id)} - {CONSOLE}))


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
    return identity.person_id


def choose_language(
    session: Session, ctx: Context, person_id: str, args: tuple[str, ...], default: str
) -> list[Outgoing]:
    """``/lang lv|en|auto``: the person's own language choice; without words, the current."""
    me = ToPerson(person_id)
    usage = problem("usage", usage="/lang " + "|".join((*get_args(Lang), "auto")))
    person = session.get(Person, person_id)
    if not args or person is None:
        current = language(session, ctx, person_id, default)
        return [Outgoing(me, LanguageChanged(current, changed=False)), Outgoing(me, usage)]
    choice = args[0].lower() if len(args) == 1 else ""
    lang = None if choice == "auto" else as_lang(choice)
    if choice != "auto" and lang is None:
        return [Outgoing(me, usage)]
    person.chosen_language = lang
    session.add(person)
    audit.record(
        session, ctx, person_id, "person.language", f"person:{person_id}", language=lang or "auto"
    )
    shown = lang or language(session, ctx, person_id, default)
    return [Outgoing(me, LanguageChanged(shown))]


def choose_platform(
    session: Session, ctx: Context, person_id: str, args: tuple[str, ...]
) -> list[Outgoing]:
    """``/platform NAME|auto``: where DMs go when several accounts are linked."""
    me = ToPerson(person_id)
    linked = linked_platforms(session, person_id)
    person = session.get(Person, person_id)
    choice = args[0].lower() if len(args) == 1 else ""
    if person is None or (choice != "auto" and choice not in linked):
        usage = "/platform " + "|".join((*linked, "auto"))
        return [Outgoing(me, problem("usage", usage=usage))]
    person.chosen_platform = None if choice == "auto" else choice
    session.add(person)
    audit.record(
        session, ctx, person_id, "person.platform", f"person:{person_id}", platform=choice
    )
    return [Outgoing(me, PlatformChosen(person.chosen_platform, linked))]


def _account(session: Session, platform: str, external_id: str) -> PlatformIdentity | None:
    return session.exec(
        select(PlatformIdentity).where(
            col(PlatformIdentity.platform) == platform,
            col(PlatformIdentity.external_id) == external_id,
        )
    ).first()


def _accounts(session: Session, person_id: str) -> Sequence[PlatformIdentity]:
    return session.exec(
        select(PlatformIdentity).where(col(PlatformIdentity.person_id) == person_id)
    ).all()
