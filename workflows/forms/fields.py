"""This module contains form specifications: :class:`FieldSpec` and :class:`FormSpec`.

Forms are data (style.md rule 3): a list of fields, each with a kind, a prompt and bounds.
Conditional fields carry an ``ask_if`` predicate over the answers so far; specs are rebuilt
from the plan on every event, so predicates are never persisted — only the step and answers
are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

CONFIRM_STEP = "confirm"
"""The step id of the confirmation step that ends every form with ``confirm=True``."""
NOT_MEASURED = "not_measured"
"""The stored answer of a value field reported as not measured (never a number)."""


class FieldKind(StrEnum):
    """What a field accepts."""

    NUMBER = "number"
    PERCENT = "percent"
    INTEGER = "integer"
    CHOICE = "choice"
    YES_NO = "yes_no"
    TEXT = "text"
    DATE = "date"


NUMERIC_KINDS = frozenset({FieldKind.NUMBER, FieldKind.PERCENT, FieldKind.INTEGER})


@dataclass(frozen=True)
class Option:
    """One choice of a choice field.

    Attributes:
        value: The stored value (ASCII, stable).
        label: The shown label: a message id when ``translate`` is true, else literal text
            such as a person's name.
        translate: Whether ``label`` goes through the catalogue.
        aliases: Other words that choose it when typed (compared casefolded), e.g. an
            indicator option's Latvian and English labels, or "jā"/"yes".
    """

    value: str
    label: str
    translate: bool = True
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    """One question of a form.

    Attributes:
        id: Unique within the form (also the step id).
        kind: What the field accepts.
        prompt: Message id of the question, or ``""`` when ``indicator_id`` names it.
        indicator_id: The plan indicator a numeric field measures, if any.
        required: Whether an answer is needed (optional text accepts ``-`` for none).
        minimum: Inclusive lower bound of a numeric field.
        maximum: Inclusive upper bound of a numeric field.
        decimals: Most decimal places a numeric field accepts.
        options: Choices of a choice field.
        max_length: Longest accepted text, in characters.
        not_before: Earliest accepted date of a date field.
        not_after: Latest accepted date of a date field.
        ask_if: Ask the field only when this returns true for the answers so far.
        subject: What the question is about (e.g. the indicator id a comment explains).
        not_measured: Whether a numeric field also accepts "not measured" (the answer is
            then :data:`NOT_MEASURED` and a reason is asked next).
        reask_on_no: For a yes/no question: the field asked again when the answer is no
            (e.g. "are you sure?" about a value goes back to the value).
        params: Values for the prompt's placeholders, as text.
    """

    id: str
    kind: FieldKind
    prompt: str = ""
    indicator_id: str | None = None
    required: bool = True
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    decimals: int | None = None
    options: tuple[Option, ...] = ()
    max_length: int = 1000
    not_before: date | None = None
    not_after: date | None = None
    ask_if: Callable[[Mapping[str, str]], bool] | None = None
    subject: str | None = None
    not_measured: bool = False
    reask_on_no: str | None = None
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FormSpec:
    """A whole form.

    Attributes:
        name: The form's name, the first half of its persisted state (``"measurement"``).
        fields: The questions, in order.
        confirm: Whether a confirmation step follows the last question.
    """

    name: str
    fields: tuple[FieldSpec, ...]
    confirm: bool = True

    def field(self, field_id: str) -> FieldSpec | None:
        """The field called ``field_id``, or ``None``."""
        return next((f for f in self.fields if f.id == field_id), None)
