"""Read-first pages on SQLite: their transaction begins DEFERRED, as a reader, instead of
IMMEDIATE, so they do not hold the database's one write lock while they render (every request
of the app waits on it, across processes, in steps of up to 100 ms).

A view marked `@reads_first` reads in a deferred transaction; before it writes it commits that
reader and calls `now_writing()`, so its writes begin IMMEDIATE, as every other request's do
(a deferred transaction that reads and then writes fails at once when another process wrote in
between). Writes that follow must therefore not depend on a read's snapshot: blind updates and
upserts. PostgreSQL ignores all this.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import current_app, has_request_context, request
from sqlalchemy.orm import Session

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
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    with _SQLITE_WRITER:
        yield
