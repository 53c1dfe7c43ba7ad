"""This module contains bulk inserts: many rows of one table in one ``executemany``.

SQLAlchemy's Core ``connection.execute(insert(Table), rows)`` builds each row's parameters
through the compiled statement (cache key, ``construct_params``, one processor call per
column and row): for an import of 10,000 values that was 1.6 s of the 2.1 s its 28,000 rows
took to write on SQLite, against 0.2–0.5 s in the driver (issue 16, ``bench/bench_import.py``).
:func:`insert_many` compiles the statement once, takes each column type's bind processor
for the connection's dialect once (the same processors SQLAlchemy applies, so the stored
values are identical) and hands the driver ready rows through ``exec_driver_sql``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Table, insert
from sqlmodel import SQLModel


def insert_many(
    connection: Connection, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows`` into ``model``'s table with one driver ``executemany``.

    Args:
        connection: The connection of the caller's transaction (``session.connection()``).
        model: The table's model (``Measurement``).
        rows: Column values by column key; every row has the keys of the first one.
            Columns left out get their server default or NULL; a column with a Python-side
            default must be given (none is applied here).

    Raises:
        ValueError: If a row's keys differ from the first row's, or a column with a
            Python-side default is not given.
        sqlalchemy.exc.IntegrityError: If the database refuses a row (a NOT NULL column
            left out, a duplicate key).
    """
    if not rows:
        return
    table = cast(Table, model.__table__)  # type: ignore[attr-defined]
    keys = list(rows[0])
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=keys, for_executemany=True)
    names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
    unknown = sorted(set(names) - set(keys))
    if unknown:
        raise ValueError(f"{table.name}: no value for {', '.join(unknown)}")
    processors: dict[str, Callable[[Any], Any] | None] = {
        name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    }
    wanted = set(keys)
    take = itemgetter(*names)
    steps = [(at, proc) for at, name in enumerate(names) if (proc := processors[name])]
    prepared: list[Any] = []
    for row in rows:
        if row.keys() != wanted:
            raise ValueError(f"{table.name}: rows with different columns")
        values = list(take(row)) if len(names) > 1 else [row[names[0]]]
        for at, proc in steps:
            values[at] = proc(values[at])
        prepared.append(
            tuple(values) if compiled.positional else dict(zip(names, values, strict=True))
        )
    connection.exec_driver_sql(compiled.string, prepared)
