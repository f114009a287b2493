"""The database's plan for the search statements a piece of code sends: whether it reads the
search index (SQLite's FTS5 table, PostgreSQL's trigram GIN index) or every row.

    with searches(db.engine) as sent:
        published_courses(session, CourseFilter(q="toan"))
    assert "course_search" in plan(session, *sent[0])
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from mooc.search_index import TRIGRAM_INDEXES

Sent = tuple[str, Any]


@contextmanager
def searches(engine: Engine) -> Iterator[list[Sent]]:
    """The statements (with their parameters) that read a `search_text` column or FTS table."""
    sent: list[Sent] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        searching = "search_text" in statement or "_search MATCH" in statement
        if searching and statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def settle(session: Session) -> None:
    """Statistics as after autovacuum, inside the test's transaction: PostgreSQL's GIN indexes
    keep fresh rows in a pending list (which the planner rightly prices high) until a vacuum
    merges it; `gin_clean_pending_list` does that merge, ANALYZE the statistics."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        for index in sorted(TRIGRAM_INDEXES):
            connection.exec_driver_sql(f"SELECT gin_clean_pending_list('{index}'::regclass)")
    connection.exec_driver_sql("ANALYZE")


def plan(session: Session, statement: str, parameters: Any) -> str:
    """The plan's text, as the database would run `statement` with `parameters`."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return "\n".join(str(row[3]) for row in rows)
    rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return "\n".join(str(row[0]) for row in rows)
