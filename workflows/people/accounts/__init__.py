"""This package contains people's accounts: the one home of who writes, in which language, where.

An account is a person's identity on one platform (:class:`storage.models.PlatformIdentity`:
``platform``/``external_id``). Every platform, every ``bot/`` module and the rest of
``workflows/`` go through this package for accounts; none queries them itself
(tests/test_layering.py). :mod:`~workflows.people.accounts.linking` holds the accounts themselves,
:mod:`~workflows.people.accounts.languages` the language rule and
:mod:`~workflows.people.accounts.preference`
where a person is reached:

- identifying a sender (:func:`identify`), which also records last-seen, the client's
  language and reachability again after a private message (field case C03);
- linking an account (:func:`link`) and marking it unreachable (:func:`mark_unreachable`);
- the language rule (:func:`resolve_locale`, field case C20): own choice (``/lang``) > plan
  > chat client > plan ``locale`` > ``CONTROLBOT_DEFAULT_LOCALE``;
- the preferred platform (:func:`preferred`): the ``/platform`` choice, else the account used
  last; a reply goes back where the person wrote;
- the commands that change them, ``/lang`` (:func:`choose_language`) and ``/platform``
  (:func:`choose_platform`);
- a sender identified in one statement that also reads the person and all their accounts
  (:func:`identify_at_once`), kept for the rest of the transaction, and the per-person cache
  of what is derived from them, with its invalidation rule
  (:mod:`~workflows.people.accounts.seen`).
"""

from workflows.people.accounts.languages import (
    as_lang,
    choose_language,
    language,
    language_of,
    resolve_locale,
)
from workflows.people.accounts.linking import (
    CONSOLE,
    Account,
    accounts_of,
    chat_accounts,
    identify,
    is_linked,
    link,
    link_console,
    linked_people,
    linked_platforms,
    mark_unreachable,
    people_and_accounts,
    remove_all,
)
from workflows.people.accounts.preference import choose_platform, preferred, unreachable_reason
from workflows.people.accounts.seen import (
    Seen,
    forget,
    forget_all,
    identify_at_once,
    seen_in,
)

__all__ = [
    "CONSOLE",
    "Account",
    "Seen",
    "accounts_of",
    "as_lang",
    "chat_accounts",
    "choose_language",
    "choose_platform",
    "forget",
    "forget_all",
    "identify",
    "identify_at_once",
    "is_linked",
    "language",
    "language_of",
    "link",
    "link_console",
    "linked_people",
    "linked_platforms",
    "mark_unreachable",
    "people_and_accounts",
    "preferred",
    "remove_all",
    "resolve_locale",
    "seen_in",
    "unreachable_reason",
]
