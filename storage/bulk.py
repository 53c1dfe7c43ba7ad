"""This module contains bulk inserts: many rows of one table in one or a few statements.

SQLAlchemy's Core ``connection.execute(insert(Table), rows)`` builds each row's parameters
through the compiled statement (cache key, ``construct_params``, one processor call per
column and row): for an import of 10,000 values that was 1.6 s of the 2.1 s its 28,000 rows
took to write on SQLite, against 0.2–0.5 s in the driver (issue 16, ``bench/bench_import.py``).
Here the statement is compiled once, each column's values are bound column by column with
:func:`storage.binders.binder` (the values SQLAlchemy's processors give, so the stored bytes
are identical) and the driver gets ready rows through ``exec_driver_sql``:
:func:`insert_many` in one ``executemany``, :func:`insert_new` as multi-row
``INSERT … ON CONFLICT DO NOTHING RETURNING`` (SQLite ≥ 3.35 and PostgreSQL).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Table, insert
from sqlmodel import SQLModel

from storage.binders import binder

_ROWS_PER_STATEMENT = 500
"""Rows in one multi-row ``VALUES`` (7 columns: 3,500 parameters, well under both limits)."""

_NAMED = re.compile(r"%\((\w+)\)s")


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _bound(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], names: list[str]
) -> list[tuple[Any, ...]]:
    """Each row's values in ``names`` order, bound for the driver (column by column).

    Raises:
        ValueError: If a row's keys differ from the first row's, or a name has no value.
    """
    wanted = rows[0].keys()
    unknown = sorted(set(names) - set(wanted))
    if unknown:
        raise ValueError(f"{table.name}: no value for {', '.join(unknown)}")
    if any(row.keys() != wanted for row in rows):
        raise ValueError(f"{table.name}: rows with different columns")
    take = itemgetter(*names)
    tuples = [take(row) for row in rows] if len(names) > 1 else [(row[names[0]],) for row in rows]
    columns: list[Any] = list(zip(*tuples, strict=True))
    dialect = connection.dialect
    for at, name in enumerate(names):
        bind = binder(table.c[name], dialect)
        if bind is not None:
            columns[at] = list(map(bind, columns[at]))
    return list(zip(*columns, strict=True))


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
    table = _table(model)
    dialect = connection.dialect
    compiled = insert(table).compile(
        dialect=dialect, column_keys=list(rows[0]), for_executemany=True
    )
    names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
    bound = _bound(connection, table, rows, names)
    if compiled.positional:
        connection.exec_driver_sql(compiled.string, bound)
    else:
        named = [dict(zip(names, r, strict=True)) for r in bound]
        connection.exec_driver_sql(compiled.string, named)


def insert_new(
    connection: Connection,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, Any]],
    unique: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Insert the rows whose ``unique`` columns are not taken yet; skip the others.

    One ``INSERT … VALUES (…), (…) ON CONFLICT (unique) DO NOTHING RETURNING …`` per 500
    rows. A row another transaction inserted (committed, or on PostgreSQL still in flight:
    the statement then waits for it) is skipped without error, so two processes inserting
    the same key both succeed and only one row exists.

    Args:
        connection: The connection of the caller's transaction.
        model: The table's model.
        rows: Column values by column key, as for :func:`insert_many`.
        unique: The columns of a unique constraint (the conflict target).
        returning: The columns to return of each row inserted.

    Returns:
        ``returning``'s values of the rows this statement inserted, as SQLAlchemy reads
        them (in no particular order; skipped rows are absent).

    Raises:
        ValueError: As :func:`insert_many`.
    """
    if not rows:
        return []
    table = _table(model)
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    head, values = compiled.string.split(" VALUES ", 1)
    values = values.split(" RETURNING ", 1)[0]  # PostgreSQL's implicit RETURNING of the key
    if compiled.positional:
        names = list(compiled.positiontup or ())
    else:  # psycopg's named ``%(name)s`` (with any cast): positional ``%s`` in the same order
        names = _NAMED.findall(values)
        values = _NAMED.sub("%s", values)
    quote = dialect.identifier_preparer.quote
    tail = (
        f" ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO NOTHING"
        f" RETURNING {', '.join(quote(c) for c in returning)}"
    )
    bound = _bound(connection, table, rows, names)
    readers = [
        table.c[name].type.dialect_impl(dialect).result_processor(dialect, None)
        for name in returning
    ]
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(bound), _ROWS_PER_STATEMENT):
        chunk = bound[start : start + _ROWS_PER_STATEMENT]
        sql = f"{head} VALUES {', '.join([values] * len(chunk))}{tail}"
        params = tuple(value for row in chunk for value in row)
        for found in connection.exec_driver_sql(sql, params):
            out.append(
                tuple(
                    v if read is None else read(v) for v, read in zip(found, readers, strict=True)
                )
            )
    return out
