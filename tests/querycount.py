"""Counting the SQL statements a piece of code sends, for query budgets: a page must cost the
same number of statements whatever the size of the data behind it.

    with counting(db.engine) as sent:
        client.get("/dashboard")
    assert len(sent) <= 12, sent.text()

The savepoints the test session opens and releases around each commit are not the page's work
and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@dataclass
class Statements:
    """The statements sent while counting, in order."""

    sql: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sql)

    def text(self) -> str:
        """All of them, numbered, for an assertion message."""
        return "\n".join(f"{n:3d}. {s.splitlines()[0][:160]}" for n, s in enumerate(self.sql, 1))


@contextmanager
def counting(engine: Engine) -> Iterator[Statements]:
    sent = Statements()

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not statement.lstrip().upper().startswith(_BOOKKEEPING):
            sent.sql.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)
