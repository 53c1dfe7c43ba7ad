"""This module contains the language rule (field case C20) and ``/lang``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import get_args

from babel import Locale, UnknownLocaleError
from sqlmodel import Session

from storage.models import Person, PlatformIdentity
from workflows import audit
from workflows.context import Context
from workflows.notices import LanguageChanged, Outgoing, ToPerson, problem
from workflows.numbers import Lang
from workflows.people.accounts import seen as seen_people
from workflows.people.accounts.linking import accounts_of


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


def language(session: Session, ctx: Context, person_id: str, default: str) -> Lang:
    """A person's language: ``/lang`` choice > plan > chat client > plan default > default.

    Without a read when this transaction identified the person
    (:func:`~workflows.people.accounts.seen.identify_at_once`), and derived once per person
    while their rows stay the same (:func:`~workflows.people.accounts.seen.cached`).
    """
    found = seen_people.seen_in(session, person_id)
    if found is not None:
        return seen_people.cached(
            session,
            found,
            ctx.plan,
            ("lang", default),
            lambda: language_of(found.person_row(), found.account_rows(), ctx, default),
        )
    return language_of(
        session.get(Person, person_id), accounts_of(session, person_id), ctx, default
    )


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
    seen_people.forget(session, person_id)
    audit.record(
        session, ctx, person_id, "person.language", f"person:{person_id}", language=lang or "auto"
    )
    shown = lang or language(session, ctx, person_id, default)
    return [Outgoing(me, LanguageChanged(shown))]
