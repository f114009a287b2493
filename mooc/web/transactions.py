"""Read-first pages on SQLite: their transaction begins DEFERRED, as a reader, instead of
IMMEDIATE, so they do not hold the database's one write lock while they render (every request
of the app waits on it, across processes, in steps of up to 100 ms).

A view marked `@reads_first` reads in a deferred transaction; before it writes it commits that
reader and calls `now_writing()`, so its writes begin IMMEDIATE, as every other request's do
(a deferred transaction that reads and then writes fails at once when another process wrote in
between). Writes that follow must therefore not depend on a read's snapshot: blind updates and
upserts. PostgreSQL ignores all this.

On PostgreSQL with psycopg, a transaction that only read ends with COMMIT instead of ROLLBACK
(`commit_reading_transactions`): psycopg forgets its prepared statements at every ROLLBACK,
and every request that reads only is rolled back when its session closes, so no statement was
ever prepared.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from typing import TypeVar

from flask import current_app, has_request_context, request
from psycopg import Error as PsycopgError
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from mooc.bulk import WROTE

F = TypeVar("F", bound=Callable[..., object])
_READS_FIRST = "mooc.reads_first"  # request.environ key: this request's next transaction reads
# A read-first page's short writing transactions, one at a time in a process (SQLite only).
_SQLITE_WRITER = threading.Lock()


def reads_first(view: F) -> F:
    """Mark a GET view whose transaction reads only, until it calls `now_writing()`."""
    view.reads_first = True  # type: ignore[attr-defined]
    return view


def note_reads_first() -> None:
    """A `before_request` hook (registered before any that reads the database)."""
    if request.method not in ("GET", "HEAD") or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "reads_first", False):
        request.environ[_READS_FIRST] = True


def now_writing() -> None:
    """The view is about to write: its next transaction begins IMMEDIATE."""
    request.environ[_READS_FIRST] = False


def begins_deferred() -> bool:
    """Whether the transaction beginning now belongs to a read-first request still reading."""
    return has_request_context() and bool(request.environ.get(_READS_FIRST))


def separate_write_transaction(session: Session) -> bool:
    """Whether a read-first view must commit its reading transaction before it writes: on
    SQLite, where that transaction began DEFERRED; PostgreSQL's may simply go on writing."""
    bind = session.get_bind()
    return bind.dialect.name == "sqlite"


@contextmanager
def one_writer(session: Session) -> Iterator[None]:
    """Around a read-first page's writing transaction (its BEGIN IMMEDIATE to its commit): on
    SQLite the threads of a process wait for one another on a lock that wakes them at once,
    instead of in SQLite's busy handler, which polls in sleeps of 1 to 100 ms. Processes still
    meet in the busy handler. Nothing on PostgreSQL (row locks)."""
    with writer_lock(session.get_bind())():
        yield


def writer_lock(engine: Engine | Connection) -> Callable[[], AbstractContextManager[object]]:
    """What a thread of the process holds around a writing transaction on `engine` (a page's,
    `one_writer`; the lecture views' writer's): on SQLite the process's one lock, nothing on
    PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return nullcontext
    return lambda: _SQLITE_WRITER


def commit_reading_transactions(engine: Engine) -> None:
    """End a transaction that ran only SELECT statements with COMMIT where SQLAlchemy rolls it
    back (a session closed, a connection returned): the same for its data, and psycopg keeps its
    prepared statements, which a ROLLBACK clears (it cannot know whether the transaction changed
    the schema). A page's statements are then parsed and planned once per connection, not at
    every request.

    A transaction that ran anything else (a write, `SET LOCAL`, DDL, a statement of the driver's
    own that `mooc.bulk` notes) or failed is rolled back as before. The app sends no SELECT that
    writes (a function with side effects, `SELECT … INTO`)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _note(conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            conn.info[WROTE] = True

    @event.listens_for(engine, "commit")
    def _forget(conn: Connection) -> None:
        if not (conn.invalidated or conn.closed):
            conn.info.pop(WROTE, None)

    @event.listens_for(engine, "rollback")
    def _commit_instead(conn: Connection) -> None:
        if conn.invalidated or conn.closed:
            return  # its DBAPI connection is gone (and with it `info`): nothing to end
        if conn.info.pop(WROTE, False):
            return
        driver = conn.connection.driver_connection
        if driver is None or driver.info.transaction_status != TransactionStatus.INTRANS:
            return  # idle, failed or gone: SQLAlchemy's rollback does what it must
        # The rollback that follows finds the connection idle (a no-op) or, if the commit
        # failed, does what it would have done.
        with suppress(PsycopgError):
            driver.commit()
