"""This module contains reads compiled once per dialect and run on the driver (issue 16).

``connection.execute(select(...), params)`` pays SQLAlchemy's per-statement work on every
call: the cache key, the compiled-statement look-up, expanding ``IN`` lists, and a result
object with a processor per column and row (~0.3 ms a statement on SQLite, against ~0.03 ms
in the driver). A :class:`TaggedRead` is several Core selects of different columns read as
one ``UNION ALL`` statement: compiled once per dialect and shape (the lengths of its ``IN``
lists), its parameters bound with each column type's own SQLAlchemy bind processor and
its cells converted with the type's own result processor (so values are exactly those the
ORM would give), and run with ``exec_driver_sql`` (still one statement seen by the engine's
events). The rows of each part come back in the order of its first integer column
(sorted in Python: an ``ORDER BY`` over the union cost SQLite a sort per part).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any, TypeAlias

from sqlalchemy import Connection, Dialect, Select, cast, literal_column, null, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Integer, TypeDecorator, TypeEngine

Processor = Callable[[Any], Any]
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"
"""A select of any columns."""
Builder = Callable[[Hashable], Mapping[str, AnySelect]]
"""Builds the parts of a read for a shape: part name → select (its first integer column
orders it)."""


def _family(kind: TypeEngine[Any]) -> tuple[object, ...]:
    """Columns of one family share a slot: the same Python type and the same decorator."""
    decorator = type(kind) if isinstance(kind, TypeDecorator) else None
    return (kind.python_type, decorator)


@dataclass(frozen=True)
class _Part:
    name: str
    take: Callable[[Any], Any]
    """Picks the part's cells out of a row (an ``itemgetter``)."""
    single: bool
    """The part has one column (``take`` gives the cell, not a tuple)."""
    steps: tuple[tuple[int, Processor], ...]
    """Per column needing one (by its place in the part): the slot's result processor."""
    order: int | None
    """The place of the part's first integer column (its rows are sorted by it)."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    positional: bool
    constants: tuple[tuple[int, Any], ...]
    """Values of the statement's own literals (``== "rejected"``), bound, by position."""
    binders: tuple[tuple[int, Processor], ...]
    """Bind processors of the caller's parameters, by position."""
    sources: tuple[tuple[str, str, int | None], ...]
    """Where each parameter's value comes from (:func:`_sources`)."""
    placed: dict[str, list[int]]
    slot_types: list[TypeEngine[Any]]


def _tagged(parts: Mapping[str, AnySelect]) -> tuple[Any, dict[str, list[int]], list[Any]]:
    """The ``UNION ALL`` of ``parts`` with each column in a slot of its family."""
    slot_types: list[TypeEngine[Any]] = []
    families: list[tuple[object, ...]] = []
    placed: dict[str, list[int]] = {}
    for name, part in parts.items():
        used: set[int] = set()
        mine = []
        for column in part.selected_columns:
            family = _family(column.type)
            slot = next((n for n, f in enumerate(families) if f == family and n not in used), None)
            if slot is None:
                slot = len(families)
                families.append(family)
                slot_types.append(column.type)
            used.add(slot)
            mine.append(slot)
        placed[name] = mine
    selects = []
    for tag, (name, part) in enumerate(parts.items()):
        by_slot = dict(zip(placed[name], part.selected_columns, strict=True))
        cells: list[ColumnElement[Any]] = [literal_column(str(tag), Integer).label("tag")]
        for n, kind in enumerate(slot_types):
            found = by_slot.get(n)
            cell: ColumnElement[Any] = cast(null(), kind) if found is None else found
            cells.append(cell.label(f"s{n}"))
        selects.append(part.with_only_columns(*cells, maintain_column_froms=True))
    return union_all(*selects), placed, slot_types


def _compile(parts: Mapping[str, AnySelect], dialect: Dialect) -> _Compiled:
    statement, placed, slot_types = _tagged(parts)
    compiled = statement.compile(dialect=dialect)
    if "POSTCOMPILE" in compiled.string:
        raise ValueError("an expanding IN list: give its items as separate bind parameters")
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    binders, constants = [], []
    for at, name in enumerate(names):
        bind = compiled.binds[name]
        proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if not bind.required:
            value = bind.effective_value
            constants.append((at, value if proc is None else proc(value)))
        elif proc is not None:
            binders.append((at, proc))
    return _Compiled(
        compiled.string,
        names,
        bool(compiled.positional),
        tuple(constants),
        tuple(binders),
        _sources(names),
        placed,
        slot_types,
    )


KEPT = 256
"""Compiled shapes kept per read (a plan's channels give a few dozen; past this all go)."""
REMEMBERED = 4096
"""Texts of decimals remembered per column type (see :func:`_remembering`)."""


def _remembering(kind: TypeEngine[Any], proc: Processor | None) -> Processor | None:
    """A decimal column's processor that remembers what each stored text became.

    SQLite stores exact decimals as text, and a summary reads the same few values again and
    again; converting one (``Decimal``, trailing zeros dropped in a local context) costs
    ~2 µs, a look-up ~0.1 µs. A ``Decimal`` is immutable, so sharing one is safe; only text
    is remembered (two equal ``Decimal`` objects may differ in exponent).
    """
    python = kind.impl_instance.python_type if isinstance(kind, TypeDecorator) else None
    if proc is None or (python or kind.python_type) is not Decimal:
        return proc
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        found = seen.get(value) if type(value) is str else None
        if found is None:
            found = proc(value)
            if type(value) is str:
                if len(seen) >= REMEMBERED:
                    seen.clear()
                seen[value] = found
        return found

    return convert


def _parts(compiled: _Compiled, dialect: Dialect, description: Sequence[Any]) -> list[_Part]:
    """Each part's cells with their result processors.

    The processors depend on the driver's column type codes, known after the first run.
    """
    results = [
        _remembering(
            kind, kind.dialect_impl(dialect).result_processor(dialect, description[slot + 1][1])
        )
        for slot, kind in enumerate(compiled.slot_types)
    ]
    parts = []
    for name, slots in compiled.placed.items():
        ints = [n for n, slot in enumerate(slots) if compiled.slot_types[slot].python_type is int]
        steps = tuple((n, proc) for n, slot in enumerate(slots) if (proc := results[slot]))
        parts.append(
            _Part(
                name=name,
                take=itemgetter(*(slot + 1 for slot in slots)),
                single=len(slots) == 1,
                steps=steps,
                order=ints[0] if ints else None,
            )
        )
    return parts


def _sources(names: Sequence[str]) -> tuple[tuple[str, str, int | None], ...]:
    """Where each bind parameter's value comes from: ``(name, list, n)``.

    A name ``list_n`` takes item ``n`` of ``params[list]`` when the caller gives that list
    (an ``IN`` list); any other name takes ``params[name]``.
    """
    out = []
    for name in names:
        head, _sep, tail = name.rpartition("_")
        out.append((name, head, int(tail) if head and tail.isdigit() else None))
    return tuple(out)


def _key(dialect: Dialect, shape: Hashable) -> tuple[str, str, str, Hashable]:
    """What one compiled SQL text depends on: the dialect, its driver and paramstyle, the shape."""
    return (dialect.name, dialect.driver, dialect.paramstyle, shape)


class TaggedRead:
    """Several selects read as one statement, compiled once per dialect and shape.

    Args:
        build: Returns the parts for a shape (e.g. the lengths of its ``IN`` lists); every
            bind parameter is a plain ``bindparam`` (an ``IN`` list is a list of them, not
            an expanding one), so one shape is one SQL text.

    Raises:
        ValueError: From :meth:`run`, if a part has an expanding ``IN`` list.
    """

    def __init__(self, build: Builder) -> None:
        self._build = build
        self._compiled: dict[tuple[str, str, str, Hashable], _Compiled] = {}
        self._parts: dict[tuple[str, str, str, Hashable], list[_Part]] = {}
        self._lock = threading.Lock()

    def prepare(self, dialect: Dialect, shape: Hashable) -> None:
        """Compile ``shape`` for ``dialect`` now, not in the transaction that first runs it.

        Compiling a large shape costs ~0.1 s (the national plan's roll-up channel: 1,000
        activities); a caller that knows the shape ahead calls this outside its transaction.
        """
        key = _key(dialect, shape)
        if key not in self._compiled:
            self._compile(key, dialect, shape)

    def _compile(
        self, key: tuple[str, str, str, Hashable], dialect: Dialect, shape: Hashable
    ) -> _Compiled:
        with self._lock:
            compiled = self._compiled.get(key)
            if compiled is None:
                compiled = _compile(self._build(shape), dialect)
                if len(self._compiled) >= KEPT:
                    self._compiled.clear()
                    self._parts.clear()
                self._compiled[key] = compiled
            return compiled

    def run(
        self,
        connection: Connection,
        shape: Hashable,
        params: Mapping[str, Any],
        makers: Mapping[str, Callable[[list[Any]], Any]],
    ) -> dict[str, list[Any]]:
        """Read every part with one statement.

        Args:
            connection: The connection of the caller's transaction (``session.connection()``).
            shape: What the parts' SQL depends on (passed to ``build``).
            params: A value for every bind parameter, by name; a sequence under ``name``
                gives the parameters ``name_0``, ``name_1``… (an ``IN`` list).
            makers: Per part name, what makes a row of the list of its cells
                (``RoundRow._make``); a part without one gives tuples.

        Returns:
            Each part's rows (its columns, converted by their types), by part name.

        Parameters left out are bound as NULL.
        """
        dialect = connection.dialect
        key = _key(dialect, shape)
        compiled = self._compiled.get(key) or self._compile(key, dialect, shape)
        values = [
            params[head][n] if n is not None and head in params else params.get(name)
            for name, head, n in compiled.sources
        ]
        for at, value in compiled.constants:
            values[at] = value
        for at, proc in compiled.binders:
            values[at] = proc(values[at])
        bound: Sequence[Any] | dict[str, Any] = (
            tuple(values)
            if compiled.positional
            else dict(zip(compiled.names, values, strict=True))
        )
        result = connection.exec_driver_sql(compiled.sql, bound)
        parts = self._parts.get(key)
        if parts is None:
            parts = _parts(compiled, dialect, result.cursor.description)
            self._parts[key] = parts
        found: list[list[Any]] = [[] for _part in parts]
        for row in result.fetchall():
            found[row[0]].append(row)
        out: dict[str, list[Any]] = {}
        for part, rows in zip(parts, found, strict=True):
            make = makers.get(part.name, tuple)
            take, steps = part.take, part.steps
            if part.single:
                cells = [[take(row)] for row in rows]
            else:
                cells = [list(take(row)) for row in rows]
            for cell in cells:
                for at, proc in steps:
                    cell[at] = proc(cell[at])
            if part.order is not None:
                cells.sort(key=itemgetter(part.order))
            out[part.name] = [make(cell) for cell in cells]
        return out
