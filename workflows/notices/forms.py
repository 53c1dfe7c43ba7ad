"""This module contains the notices of a form: its questions, refusals and endings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from workflows.forms.engine import Ask, Confirm
from workflows.forms.fields import FieldSpec
from workflows.forms.parsing import AnswerError
from workflows.notices.values import ValueBrief


@dataclass(frozen=True)
class FormHeader:
    """What a form is about, shown above its questions."""

    form: str
    session_id: int
    activity_id: str
    period: str
    decision_id: int | None = None
    round_id: int | None = None
    measurement: ValueBrief | None = None
    """The stored value a correction or return form is about."""


@dataclass(frozen=True)
class FormPrompt:
    """Ask a question or ask to confirm (``step`` is an engine :class:`Ask` or ``Confirm``).

    ``answers`` are the answers so far (e.g. to show the value a comment is asked about);
    ``earlier`` the previous period's and last year's values per indicator (trend hints).
    """

    header: FormHeader
    step: Ask | Confirm
    fields: tuple[FieldSpec, ...]
    resumed: bool = False
    answers: Mapping[str, str] = field(default_factory=dict)
    earlier: Mapping[str, tuple[tuple[str, Decimal], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerRefused:
    """An answer to ``field`` was refused with ``error``; the question follows again."""

    header: FormHeader
    field: FieldSpec
    error: AnswerError


@dataclass(frozen=True)
class FormCancelled:
    """The form was cancelled; nothing was saved."""

    form: str


@dataclass(frozen=True)
class FormExpired:
    """The form was left unanswered longer than ``minutes``.

    Nothing was stored; ``draft``: the answers given are kept, to continue from.
    """

    header: FormHeader
    minutes: int
    draft: bool = False


@dataclass(frozen=True)
class NothingToCancel:
    """``/cancel`` with no form in progress."""
