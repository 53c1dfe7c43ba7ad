"""This module contains button tokens: what a pressed :class:`~bot.messages.Choice` sends back.

Tokens are short ASCII strings ``<kind>:<id>:<value>`` that fit Telegram's 64-byte
``callback_data`` limit (Telegram Bot API, InlineKeyboardButton) and Slack's action
``value`` (2000 characters).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Literal, TypeAlias, cast, get_args

TokenKind: TypeAlias = Literal[
    "form", "round", "decision", "value", "hist", "snooze", "action", "gap"
]
"""What a button is about; :mod:`bot.dispatch.buttons` has one handler per kind."""
KINDS: frozenset[str] = frozenset(get_args(TokenKind))

MAX_TOKEN_BYTES = 64
"""Telegram Bot API: ``callback_data`` is 1-64 bytes."""


_REF = re.compile(r"[0-9]{1,9}")
"""A reference: ASCII digits, small enough for any database integer column."""


class TokenError(ValueError):
    """A token that is malformed or too long."""


@dataclass(frozen=True)
class Token:
    """A decoded token.

    Attributes:
        kind: ``form`` (an option of a form step), ``round`` (start, continue or correct a
            round), ``decision`` (approve / reject / propose), ``value`` (correct or review a
            stored value), ``hist`` (an indicator's history), ``snooze`` (postpone a
            reminder), ``action`` (an improvement action's status) or ``gap`` (give a value
            reported as not measured).
        ref: The form session, round, decision, measurement, plan position or report id.
        value: What the button does with it (``start``, ``approve``, an option value …).
    """

    kind: TokenKind
    ref: int
    value: str

    def encode(self) -> str:
        """The token text.

        Raises:
            TokenError: If it would exceed :data:`MAX_TOKEN_BYTES`.
        """
        text = f"{self.kind}:{self.ref}:{self.value}"
        if len(text.encode()) > MAX_TOKEN_BYTES or not text.isascii():
            raise TokenError(f"token too long or not ASCII: {text!r}")
        return text

    @classmethod
    def decode(cls, text: str) -> Token:
        """Parse a token.

        Raises:
            TokenError: If ``text`` is not ``kind:int:value`` with a known kind.
        """
        parts = text.split(":", 2)
        if len(parts) != 3 or not _REF.fullmatch(parts[1]) or not parts[2]:
            raise TokenError(f"malformed token {text[:80]!r}")
        if parts[0] not in KINDS:
            raise TokenError(f"unknown token kind {text[:80]!r}")
        return cls(cast(TokenKind, parts[0]), int(parts[1]), parts[2])


STEP_MARK_SEPARATOR = "."


def step_mark(step: str) -> str:
    """A short, stable mark of a form step (4 base-36 characters of its CRC-32).

    A button carries the mark of the question it was shown with, so that pressing it after
    the form has moved on (the person typed the answer instead) is refused rather than
    taken as the answer to whatever is asked now.
    """
    number = zlib.crc32(step.encode()) % 36**4
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    mark = ""
    for _ in range(4):
        number, rest = divmod(number, 36)
        mark = digits[rest] + mark
    return mark


def form_option(session_id: int, value: str, step: str | None = None) -> str:
    """Token of an option of a form step: ``form:<session>:<mark>.<value>``.

    Args:
        session_id: The form session.
        value: The option's value (``1``, ``yes``, ``submit``, ``back``, ``cancel``, …).
        step: The step the button belongs to (a field id or ``confirm``); ``None`` for a
            button valid at any step (cancel).
    """
    if step is not None:
        value = f"{step_mark(step)}{STEP_MARK_SEPARATOR}{value}"
    return Token("form", session_id, value).encode()


def split_step_mark(value: str) -> tuple[str | None, str]:
    """``(mark, value)`` of a form token's value; ``mark`` is ``None`` without one."""
    mark, separator, rest = value.partition(STEP_MARK_SEPARATOR)
    return (mark, rest) if separator else (None, value)


def history(position: int, indicator_id: str) -> str:
    """Token of an indicator's history button: ``hist:<position in the plan>:<id mark>``.

    The mark (:func:`step_mark` of the id) refuses a button from before a plan change that
    moved another indicator to the same position.
    """
    return Token("hist", position, step_mark(indicator_id)).encode()


def start_round(round_id: int) -> str:
    """Token of "Enter measurements" for a round."""
    return Token("round", round_id, "start").encode()


def continue_draft(round_id: int) -> str:
    """Token of "Continue the draft": a new form from an expired one's answers."""
    return Token("round", round_id, "draft").encode()


def snooze(round_id: int, choice: str) -> str:
    """Token of postponing a round's reminder (``ask``, ``today``, ``tomorrow``, ``nextwd``)."""
    return Token("snooze", round_id, choice).encode()


def decide(decision_id: int, outcome: str) -> str:
    """Token of approving or rejecting a decision."""
    return Token("decision", decision_id, outcome).encode()


def correct_round(round_id: int) -> str:
    """Token of "Correct a value" under a receipt: the round's values the person may correct."""
    return Token("round", round_id, "correct").encode()


def correct_value(measurement_id: int) -> str:
    """Token of correcting one stored value."""
    return Token("value", measurement_id, "correct").encode()


def review_value(measurement_id: int, action: str, version: int) -> str:
    """Token of approving (``approve``) or returning (``return``) a version of a value."""
    return Token("value", measurement_id, f"{action}.{version}").encode()


def split_review(value: str) -> tuple[str, int] | None:
    """``("approve", 2)`` from a review token's value ``approve.2``; ``None`` if malformed."""
    action, _dot, version = value.partition(".")
    return (action, int(version)) if version.isdigit() and len(version) < 7 else None


def action_status(decision_id: int, status: str) -> str:
    """Token of setting an improvement action's status (``in_progress``, ``done`` …)."""
    return Token("action", decision_id, status).encode()


def replace_not_measured(report_id: int) -> str:
    """Token of giving the value of an indicator reported as not measured."""
    return Token("gap", report_id, "value").encode()
