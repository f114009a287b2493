"""Writing many rows at once: COPY on PostgreSQL (psycopg), batched executemany elsewhere, and
ids reserved ahead so rows that refer to each other can be written without reading ids back.

Rows bypass the ORM: a column whose default is computed in Python (such as
`User.search_text`) must be given; a constant Python default is filled in; any other column
gets its server default, as in an INSERT.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Column, Table, func, insert, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON

from mooc.db import Base

if TYPE_CHECKING:
    import psycopg

BATCH = 2000
T = TypeVar("T")
Row = Mapping[str, Any]
# Set in a connection's `info` while its transaction wrote (mooc.web.transactions ends one that
# only read with a COMMIT): `copy_rows` writes through the driver, unseen by SQLAlchemy's events.
WROTE = "mooc.wrote"


def chunks(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    """`items` in lists of at most `size`."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def copies(session: Session) -> bool:
    """Whether rows go in by COPY: on PostgreSQL through psycopg, where an executemany costs the
    server a statement per row."""
    dialect = session.connection().dialect
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


def insert_rows(session: Session, model: type[Base], rows: Sequence[Row]) -> int:
    """INSERT `rows` (mappings with the same keys) into `model`'s table; nothing is read back.
    Returns how many rows were written."""
    if not rows:
        return 0
    if copies(session):
        copy_rows(session, model, rows)
    else:
        for chunk in chunks(rows):
            session.execute(insert(model), chunk)
    return len(rows)


def copy_rows(session: Session, model: type[Base], rows: Sequence[Row]) -> None:
    """`rows` into `model`'s table as one COPY stream (PostgreSQL with psycopg only). The values
    pass through the columns' types as an INSERT's do (JSON is serialised, UTC times checked)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    table = cast(Table, model.__table__)
    names, constants = _columns(table, list(rows[0]))
    binds = [_binder(table.c[name], dialect) for name in names]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"COPY {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(name) for name in names)}) FROM STDIN"
    )
    given = len(names) - len(constants)
    fixed = list(constants.values())
    driver = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
    connection.info[WROTE] = True
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in names[:given]] + fixed
            copy.write_row(
                [v if bind is None else bind(v) for bind, v in zip(binds, values, strict=True)]
            )


def _binder(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """How a value is written for `column`: JSON as text (psycopg's COPY would read a list as
    an array), like an INSERT's (None as JSON null); others by the type's bind processor."""
    if isinstance(column.type.dialect_impl(dialect), JSON):
        return json.dumps
    return column.type.bind_processor(dialect)


def _columns(table: Table, given: list[str]) -> tuple[list[str], dict[str, Any]]:
    """The columns a COPY names: those given, then those with a constant Python default.
    Raises ValueError naming a left-out column whose default is computed."""
    missing = [c for c in table.columns if c.key not in given and c.default is not None]
    computed = [c.key for c in missing if not getattr(c.default, "is_scalar", False)]
    if computed:
        raise ValueError(f"rows for {table.name} must give {', '.join(computed)}")
    constants = {c.key: getattr(c.default, "arg", None) for c in missing}
    return [*given, *constants], constants


def reserve_ids(session: Session, model: type[Base], count: int) -> list[int]:
    """`count` fresh primary keys for `model`'s rows, so related rows can name them before they
    are written. On PostgreSQL they come from the table's sequence (safe beside other writers);
    elsewhere they follow the highest id, which is safe only inside a write transaction the
    caller holds alone (a data generator on its own database)."""
    if count <= 0:
        return []
    table = cast(Table, model.__table__)
    dialect = session.connection().dialect
    if dialect.name == "postgresql":
        sequence = session.scalar(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        )
        return list(
            session.scalars(
                text("SELECT nextval(CAST(:seq AS regclass)) FROM generate_series(1, :n)"),
                {"seq": sequence, "n": count},
            )
        )
    start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))
