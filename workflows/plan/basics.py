"""This module contains the plan schema's building blocks: ids, numbers, texts, units.

Every model of the plan (:mod:`workflows.plan.schema`) is frozen and refuses unknown keys;
texts a person reads are given in Latvian and English.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", min_length=1, max_length=64)
]
"""An ASCII id: lower-case letters, digits, ``-`` and ``_`` (domain.md §5.5)."""


NUMBER_LIMIT = Decimal("1e15")
"""Plan numbers must be finite and smaller than this in size (storage keeps 16 digits)."""


def _bounded(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) >= NUMBER_LIMIT:
        raise ValueError("number must be finite and smaller than 10^15 in size")
    return value


PlanNumber = Annotated[Decimal, AfterValidator(_bounded)]
"""A threshold, target or bound: a finite decimal below 10^15 in size."""


def _visible(value: str) -> str:
    text = value.strip()
    if not any(not ch.isspace() and unicodedata.category(ch)[0] != "C" for ch in text):
        raise ValueError("text has no visible characters")
    return text


VisibleText = Annotated[str, AfterValidator(_visible)]
"""A text with at least one visible character (surrounding spaces are dropped)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(_Strict):
    """A text in Latvian and English (``{lv: ..., en: ...}``)."""

    lv: VisibleText = Field(min_length=1)
    en: VisibleText = Field(min_length=1)

    def get(self, locale: str) -> str:
        """Return the text in ``locale`` (``lv`` or ``en``; anything else gives Latvian)."""
        return self.en if locale == "en" else self.lv


class RoleLabel(LocalText):
    """A role's name in the role catalogue; ``nick_lv`` is the document's nickname."""

    nick_lv: str | None = None


class Unit(_Strict):
    """A unit of measure: a code (``percent``, ``EUR``, ``hours`` …) and its labels."""

    code: str = Field(min_length=1, max_length=32)
    lv: VisibleText = Field(min_length=1, max_length=60)
    en: VisibleText = Field(min_length=1, max_length=60)

    def get(self, locale: str) -> str:
        """Return the label in ``locale``."""
        return self.en if locale == "en" else self.lv
