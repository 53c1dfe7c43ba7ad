"""This module contains bind functions for bulk writes: a column's value as the driver gets it.

SQLAlchemy turns each parameter into the driver's value with the column type's bind
processor. For the project's own types (:class:`~storage.types.UTCDateTime`,
:class:`~storage.types.ExactDecimal`) that is a :class:`~sqlalchemy.types.TypeDecorator`
chain of two to three Python calls a value; an import of 10,000 values makes ~70,000 of
them (~0.3 s of its 1.2 s on SQLite, issue 16). :func:`binder` gives one plain function for
those two types that returns exactly what the chain returns (the same stored bytes:
``tests/storage/test_issue16_binders.py`` compares them over many values on both
databases), and SQLAlchemy's own processor for every other type. A datetime's function also
gives back its last result when handed the very same object again (an import's rows share
the clock's instant): datetimes are immutable, so the same object always binds to the same
value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Dialect

from storage.types import ExactDecimal, UTCDateTime

Bind = Callable[[Any], Any]


def _utc(value: Any) -> datetime:
    """``value`` in UTC, refused as :class:`~storage.types.UTCDateTime` refuses it."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: store aware datetimes only")
    utc: datetime = value if value.tzinfo is UTC else value.astimezone(UTC)
    return utc


def _sqlite_utc(value: Any) -> Any:
    """SQLite's text of an aware datetime: UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    if value is None:
        return None
    return _utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _postgres_utc(value: Any) -> Any:
    return None if value is None else _utc(value)


def _sqlite_decimal(value: Any) -> Any:
    if value.__class__ is Decimal:  # the common case first: one test
        return str(value)
    if value is None:
        return None
    if not isinstance(value, Decimal):
        raise TypeError(f"expected Decimal, got {type(value).__name__}")
    return str(value)


def _postgres_decimal(value: Any) -> Any:
    if value is None or isinstance(value, Decimal):
        return value
    raise TypeError(f"expected Decimal, got {type(value).__name__}")


_PLAIN: dict[tuple[type[Any], str], tuple[Bind, bool]] = {
    (UTCDateTime, "sqlite"): (_sqlite_utc, True),
    (UTCDateTime, "postgresql"): (_postgres_utc, True),
    (ExactDecimal, "sqlite"): (_sqlite_decimal, False),
    (ExactDecimal, "postgresql"): (_postgres_decimal, False),
}
"""The plain bind function of each (type, dialect name) whose processor it replaces, and
whether remembering the last result pays (a datetime's text costs more than the test)."""


def _remembering(bind: Bind) -> Bind:
    """``bind`` that answers again from memory when handed the same object as last time."""
    last: list[Any] = [object(), None]  # [object, its bound value]; kept alive, so never reused

    def remembered(value: Any) -> Any:
        if value is last[0]:
            return last[1]
        out = bind(value)
        last[0], last[1] = value, out
        return out

    return remembered


def binder(column: Column[Any], dialect: Dialect) -> Bind | None:
    """The function that turns ``column``'s values into the driver's, or ``None`` (as is).

    Args:
        column: A table column.
        dialect: The connection's dialect.

    Returns:
        For :class:`~storage.types.UTCDateTime` and :class:`~storage.types.ExactDecimal` on
        SQLite and PostgreSQL a plain function returning what SQLAlchemy's processor returns
        (and raising what it raises: ``ValueError`` for a naive datetime, ``TypeError`` for a
        value that is not a ``Decimal``); for any other type SQLAlchemy's own processor.
    """
    plain = _PLAIN.get((type(column.type), dialect.name))
    if plain is not None:
        bind, remember = plain
        return _remembering(bind) if remember else bind
    processor: Bind | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor
