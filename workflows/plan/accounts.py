"""This module contains the plan's account keys: the one place in ``workflows/`` with platforms.

tests/test_layering.py checks that no other module of ``workflows/`` names one.

People and team channels name their accounts neutrally, under the platform's name::

    people:
      - {id: anna-ozola, name: Anna Ozola, accounts: {email: anna@x.lv, slack: U0ANNA001}}
    channels:
      - {id: pk-dzivesvieta, label: …, accounts: {telegram: -1001234567890, slack: C0123ABCD,
                                                  email: [komanda@x.lv, vaditajs@x.lv]}}

The keys used before (``slack_user_id`` of a person, ``telegram_chat_id`` and
``slack_channel_id`` of a channel) keep working: they fill in the account when ``accounts``
does not name it, and ``controlbot plan check`` notes each use (:func:`deprecated_keys`).
A person's ``email`` is their contact address and stays a key of its own, the same as
``accounts.email``.

A new platform adds its key here: a field of :class:`PersonAccounts` and/or
:class:`ChannelAccounts` named as the platform (``bot/platform.py``), with its format checked
by the field (a pattern, a range; a tuple for several values). Everything else reads it by
name: :meth:`ChannelAccounts.account` (a team channel's target, :mod:`workflows.people.bindings`)
and ``person.accounts.<platform>`` in the platform's own package.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

EMAIL_PATTERN = r"^[^@\s,;<>\"()]+@[^@\s,;<>\"()]+$"
"""One address, ``name@domain``: no list separators, no display name (a channel's list is
joined with commas for the mail envelope)."""
ADDRESS_KEY = "email"
"""The storage column and plan key of a person's contact address."""
ADDRESS_ISSUE = "bad_email"
"""The plan issue code of a contact address that is not ``name@domain``."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def account(self, platform: str) -> str | None:
        """The account on ``platform`` as text, or ``None`` (also for an unknown platform).

        A key that holds several values (a tuple, e.g. a channel's addresses) gives them
        comma-separated, for the platform's channel to split.
        """
        value = getattr(self, platform, None) if platform in type(self).model_fields else None
        if isinstance(value, tuple | list):
            return ", ".join(str(v) for v in value) or None
        return None if value is None else str(value)


class PersonAccounts(_Strict):
    """A person's accounts.

    ``slack``: their Slack user (``U…``) when their e-mail is not their Slack e-mail;
    ``email``: their address (without it, ``email`` of the person).
    """

    slack: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,20}$")
    email: str | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=254)


Address = Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=254)]


def _one_or_list(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


class ChannelAccounts(_Strict):
    """Where a team channel is posted.

    ``telegram``: the group or supergroup (negative, as Telegram gives it; without it an
    administrator binds one with ``/bind``); ``slack``: the Slack channel (``C…``, or ``G…``
    for an old private one); ``email``: one address or a list (up to 20; a mailing list, say)
    that also gets the channel's posts by e-mail.
    """

    telegram: int | None = Field(default=None, lt=0)
    slack: str | None = Field(default=None, pattern=r"^[CG][A-Z0-9]{2,20}$")
    email: Annotated[tuple[Address, ...], BeforeValidator(_one_or_list)] = Field(
        default=(), max_length=20
    )


PERSON_LEGACY = {"slack_user_id": "slack", "email": "email"}
CHANNEL_LEGACY = {"telegram_chat_id": "telegram", "slack_channel_id": "slack"}
DEPRECATED = frozenset({"slack_user_id", "telegram_chat_id", "slack_channel_id"})
"""Keys ``plan check`` notes; hidden from the keys an unknown key's message lists."""


def _merged(model: Any, legacy: dict[str, str]) -> Any:
    accounts = model.accounts
    update = {
        new: getattr(model, old)
        for old, new in legacy.items()
        if getattr(model, old) is not None and getattr(accounts, new) is None
    }
    return accounts.model_copy(update=update) if update else accounts


class PersonAccountKeys(BaseModel):
    """A person's account keys of before ``accounts`` (a base of the plan's ``Person``)."""

    email: str | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=254)
    slack_user_id: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,20}$")

    if TYPE_CHECKING:
        accounts: PersonAccounts

    @model_validator(mode="after")
    def _fill_accounts(self) -> Self:
        object.__setattr__(self, "accounts", _merged(self, PERSON_LEGACY))
        return self


class ChannelAccountKeys(BaseModel):
    """A team channel's account keys of before ``accounts`` (a base of ``Channel``)."""

    telegram_chat_id: int | None = Field(default=None, lt=0)
    slack_channel_id: str | None = Field(default=None, pattern=r"^[CG][A-Z0-9]{2,20}$")

    if TYPE_CHECKING:
        accounts: ChannelAccounts

    @model_validator(mode="after")
    def _fill_accounts(self) -> Self:
        object.__setattr__(self, "accounts", _merged(self, CHANNEL_LEGACY))
        return self


def deprecated_keys(
    people: Sequence[PersonAccountKeys], channels: Sequence[ChannelAccountKeys]
) -> list[tuple[str, str, str]]:
    """Each use of a deprecated key: ``(where, old key, new key)``.

    Example: ``("channels[0]", "telegram_chat_id", "accounts.telegram")``.
    """
    found = []
    groups: tuple[tuple[str, Sequence[BaseModel], dict[str, str]], ...] = (
        ("people", people, PERSON_LEGACY),
        ("channels", channels, CHANNEL_LEGACY),
    )
    for kind, items, legacy in groups:
        for index, item in enumerate(items):
            for old in sorted(item.model_fields_set & DEPRECATED):
                found.append((f"{kind}[{index}]", old, f"accounts.{legacy[old]}"))
    return found


def address_issue(loc: tuple[str | int, ...]) -> bool:
    """Whether a pattern mismatch at ``loc`` is an address's (:data:`ADDRESS_ISSUE`).

    The address is the key itself, or an item of a list under it (``….email[1]``).
    """
    return ADDRESS_KEY in loc[-2:]


def address_of(person: PersonAccountKeys) -> str | None:
    """A plan person's contact address (``accounts.email``, else ``email``)."""
    return person.accounts.email


def stored_address(row: Any) -> str | None:
    """The contact address a stored person row keeps."""
    value = getattr(row, ADDRESS_KEY)
    return value if isinstance(value, str) else None
