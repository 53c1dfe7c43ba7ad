"""This module contains the notices of help, absences, accounts, channels and problems."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflows.problems import ProblemCode


@dataclass(frozen=True)
class AwayRecorded:
    """``person_id`` is away ``starts``..``ends``; ``deputies``: (activity id, deputy id)."""

    person_id: str
    starts: date
    ends: date
    deputies: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AwayCancelled:
    """``person_id`` is back: these absences were cancelled (the deputies are told too)."""

    person_id: str
    items: tuple[tuple[date, date], ...]


@dataclass(frozen=True)
class AwayList:
    """The person's current and coming absences (empty: none, or just cancelled)."""

    items: tuple[tuple[date, date], ...]


@dataclass(frozen=True)
class PersonLeft:
    """``name`` left the plan; ``takeover``: (activity id, who measures it now)."""

    name: str
    takeover: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Help:
    """The command list; admins and managers see their extra commands."""

    is_admin: bool
    is_approver: bool
    is_manager: bool = False


@dataclass(frozen=True)
class LanguageChanged:
    """The person's language is now ``lang`` (``changed`` false: it only says which)."""

    lang: str
    changed: bool = True


@dataclass(frozen=True)
class Enrolled:
    """A chat account was linked to ``person_id`` (``already``: it had been before)."""

    person_id: str
    already: bool = False


@dataclass(frozen=True)
class ChannelBound:
    """This chat now receives the posts of team channel ``channel_id``.

    ``dropped``: channels that were bound to this chat before and no longer are.
    """

    channel_id: str
    platform: str
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonUnreachable:
    """``person_id`` cannot be reached on ``platform`` (they blocked the bot, field case C03).

    Sent once to the person's manager; cleared when the person writes to the bot again.
    """

    person_id: str
    platform: str


@dataclass(frozen=True)
class ChannelUnreachable:
    """The bot cannot post to team channel ``channel_id`` on ``platform`` (field case C04).

    Sent to the admin channel: someone must add the bot to the chat again.
    """

    channel_id: str
    platform: str


@dataclass(frozen=True)
class ChartNotDelivered:
    """A post to ``target`` went out without its chart (field case C11); for the admin channel."""

    target: str
    platform: str


@dataclass(frozen=True)
class PlatformChosen:
    """DMs now go to ``platform`` (``None``: to the platform the person used last)."""

    platform: str | None
    linked: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """A request that could not be carried out; ``code`` selects a translated message."""

    code: ProblemCode
    params: tuple[tuple[str, str], ...] = ()

    def param_dict(self) -> dict[str, str]:
        """``params`` as a dict."""
        return dict(self.params)


def problem(code: ProblemCode, **params: object) -> Problem:
    """Build a :class:`Problem` with text params."""
    return Problem(code, tuple((k, str(v)) for k, v in params.items()))
