"""A one-row statement that a page sends at every request, read through psycopg's own cursor on
PostgreSQL.

SQLAlchemy's work around each execution costs the app more than the statement costs the
database. It looks up the statement's cache key, builds an execution context, and builds a
result from the cursor's column descriptions (psycopg makes a Python object per column on
each access). Measured on #14's machine for the lecture page's visit (28 columns): 280 µs of
the app's CPU per read through SQLAlchemy against 120 µs through the cursor. A pupil's whole
lecture request went from 5.6 to 5.0 million instructions (valgrind).

`OneRow` compiles its statement with SQLAlchemy once per dialect. Its constant parameters go
through their types' bind processors once, and each value read goes through its column
type's result processor (enums, UTC timestamps). A row read either way is therefore the same
(tests/integration/test_driver_reads.py).

The engine's cursor events are sent around the execution as SQLAlchemy sends them, so
statement counts and `mooc.web.transactions` see the statement. A driver error is raised as
SQLAlchemy raises it, and a lost connection invalidates the pool's connection.

A transaction's first statement is sent alone, without BEGIN (and so without COMMIT): the
lecture page's one statement then costs one round trip instead of three, 27 µs of the server's
CPU and 30 µs of the app's fewer (#14). At READ COMMITTED, the level the app runs at, it reads
the same rows as within a transaction, each statement reading its own snapshot; what follows
in the transaction begins it. The statements read this way are therefore plain SELECTs (no
FOR UPDATE, whose locks would end with the statement).

Other dialects run the statement through SQLAlchemy: SQLite's driver is in process, and there
the saving is small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from psycopg import IsolationLevel
from psycopg.pq import TransactionStatus
from sqlalchemy import Select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    constants: dict[str, Any]  # the statement's own parameters (literals), as the driver takes them
    results: tuple[Processor, ...]


class OneRow:
    """`statement`'s first row as a tuple (None when there is none), with `names` for its
    columns. `parameters` names the statement's bound parameters, whose values must be ones the
    driver takes as they are (str, int: what a page's URL and session give)."""

    def __init__(self, statement: Select[*tuple[Any, ...]], parameters: Sequence[str]) -> None:
        self.statement = statement
        self.names = tuple(str(column.key) for column in statement.selected_columns)
        self._parameters = tuple(parameters)
        self._compiled: dict[str, _Compiled] = {}  # by dialect name; a race compiles it twice

    def first(self, connection: Connection, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        dialect = connection.dialect
        if dialect.name != "postgresql":
            row = connection.execute(self.statement, values).first()
            return None if row is None else tuple(row)
        compiled = self._compiled.get(dialect.name) or self._compile(dialect)
        parameters = {**compiled.constants, **values}
        raw = _execute(connection, compiled.sql, parameters)
        if raw is None:
            return None
        return tuple(
            value if process is None or value is None else process(value)
            for process, value in zip(compiled.results, raw, strict=True)
        )

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        placeholders = dict.fromkeys(self._parameters, None)
        constants = {}
        for name, value in compiled.construct_params(placeholders).items():
            if name in placeholders:
                continue
            process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            constants[name] = process(value) if process is not None else value
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self.statement.selected_columns
        )
        found = _Compiled(compiled.string, constants, results)
        self._compiled[dialect.name] = found
        return found


def _execute(connection: Connection, sql: str, parameters: dict[str, Any]) -> Sequence[Any] | None:
    """The first row of `sql` on the connection's driver cursor, in its transaction, between the
    engine's cursor events; an error as SQLAlchemy gives it."""
    if not connection.in_transaction():
        connection.begin()  # as an execute would (autobegin): the caller commits or rolls back
    pooled = connection.connection
    cursor = pooled.cursor()
    try:
        for before in connection.dispatch.before_cursor_execute:
            sql, parameters = before(connection, cursor, sql, parameters, None, False)
        with _alone(pooled.driver_connection):
            cursor.execute(sql, parameters)
            row = cursor.fetchone()
        for after in connection.dispatch.after_cursor_execute:
            after(connection, cursor, sql, parameters, None, False)
    except connection.dialect.loaded_dbapi.Error as error:
        lost = connection.dialect.is_disconnect(error, pooled, cursor)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql,
            parameters,
            error,
            connection.dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=connection.dialect,
        ) from error
    finally:
        cursor.close()
    return row


@contextmanager
def _alone(driver: Any) -> Iterator[None]:
    """Around the transaction's first statement: sent alone, without BEGIN and COMMIT (two round
    trips fewer), where at READ COMMITTED (the server's default, the app's) it reads the same
    rows, each statement reading its own snapshot. What follows in the transaction begins it."""
    if (
        driver is None
        or driver.autocommit
        or driver.isolation_level not in (None, IsolationLevel.READ_COMMITTED)
        or driver.info.transaction_status != TransactionStatus.IDLE
    ):
        yield
        return
    driver.autocommit = True
    try:
        yield
    finally:
        if not driver.closed:
            driver.autocommit = False
