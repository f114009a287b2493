"""Lecture views written behind the page: a thread per web process takes the views its pages
noted (`mooc.learning.view_notes.ViewNote`) and writes all that are waiting in one transaction.

Where a reader left off is the one write most page views make, and at a national scale the most
frequent write of all. Written in the request, each view cost the page a statement and a commit
of its own; here the page only appends its note. The writer wakes with a first note, waits a
moment (`gather`, 50 ms by default) for the next pages' notes and writes them all together, so a
view is written well before the reader's next page, and the busier the server, the less each
view costs.

What it may lose is what a crash of the process catches in its memory, as an asynchronous commit
on PostgreSQL already could: the last moment's "resume" and last views, never a lecture marked done,
an answer or a grade (those are written in their requests). A process that stops normally writes
what is waiting first.

Tests run each test in one transaction of their own, rolled back after it, which a writer's
connection could not see: there (`behind` off) the page writes its note itself, in its request,
with the same `write_view_notes`.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from mooc.learning.view_notes import ViewNote, write_view_notes

log = logging.getLogger(__name__)

EXTENSION = "mooc_view_writer"
BATCH = 1000  # notes written in one transaction at most
ATTEMPTS = 5  # a batch that waited too long on a lock, or lost its connection, is tried again
LOCK_WAIT = "200ms"  # PostgreSQL's lock_timeout for a batch
GATHER_SECONDS = 0.05  # by default a view waits this long for others (MOOC_VIEWS_GATHER_MS)
IDLE_SECONDS = 60.0  # a writer with nothing to write this long ends (the next note starts one)


class ViewWriter:
    """The writer of one process: a daemon thread started by a note (so commands, the gunicorn
    master and tests that view nothing start none), again after a fork, and ending when idle."""

    def __init__(
        self,
        engine: Engine,
        *,
        behind: bool = True,
        gather: float = GATHER_SECONDS,
        lock: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> None:
        self.engine = engine
        self.behind = behind
        self.gather = gather  # seconds a view waits for others to be written with
        self._lock = lock  # held around each transaction (SQLite's one writer per process)
        self._changed = threading.Condition()
        self._waiting: list[ViewNote] = []
        self._added = 0  # notes ever added, and written (or given up): `drain` compares them
        self._done = 0
        self._pid: int | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

    def add(self, note: ViewNote) -> None:
        """Hand the writer a page's note."""
        with self._changed:
            self._start()
            self._waiting.append(note)
            self._added += 1
            # Only a writer waiting for a first note, or gathering a full batch, needs waking:
            # waking it for every note would cost each page a switch of threads.
            if len(self._waiting) == 1 or len(self._waiting) >= BATCH:
                self._changed.notify_all()

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every note added so far is written; False if `timeout` passed first."""
        with self._changed:
            target = self._added
            return self._changed.wait_for(lambda: self._done >= target, timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Write what waits, then end the thread (at the process's exit)."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
            thread = self._thread if self._pid == os.getpid() else None
        if thread is not None:
            thread.join(timeout)

    def _start(self) -> None:  # with self._changed held
        if self._pid != os.getpid():  # first use, or a forked child: the parent's are not ours
            self._waiting, self._added, self._done = [], 0, 0
            self._thread = None
            self._pid = os.getpid()
            atexit.register(self.stop)
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="view-writer", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._waiting or self._stopping, IDLE_SECONDS)
                if not self._waiting:  # stopping, or idle a while: the next note starts another
                    self._thread = None
                    return
                # The views of the next moment go with this one.
                self._changed.wait_for(
                    lambda: len(self._waiting) >= BATCH or self._stopping, self.gather
                )
                batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            self._write(batch)
            with self._changed:
                self._done += len(batch)
                self._changed.notify_all()

    def _write(self, batch: list[ViewNote]) -> None:
        """Write a batch; if a note of it cannot be written (its reader's account was deleted
        a moment ago), the others one by one, so that only that note is lost."""
        try:
            self._transaction(batch)
        except IntegrityError:
            if len(batch) == 1:
                log.warning("a lecture view not written: its rows are gone", exc_info=True)
                return
            for note in batch:
                self._write([note])

    def _transaction(self, batch: list[ViewNote]) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self._lock(), self.engine.begin() as connection:
                    if connection.dialect.name == "postgresql":
                        # A request waiting on a row this batch holds goes first: the batch
                        # gives up its locks soon and tries again (a deadlock would be found
                        # only after a second, perhaps at the request's expense).
                        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
                    write_view_notes(connection, batch)
                return
            except IntegrityError:
                raise
            except DBAPIError:  # a lock waited on too long, a lost connection: another go
                if attempt == ATTEMPTS:
                    log.exception("lecture views not written: %d", len(batch))
                time.sleep(0.05 * attempt)
            except Exception:  # the thread must go on: a bug here loses views, not the server
                log.exception("lecture views not written: %d", len(batch))
                return


def install(
    extensions: dict[str, object],
    engine: Engine,
    *,
    behind: bool,
    gather: float = GATHER_SECONDS,
    lock: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> ViewWriter:
    """The app's writer (`extensions[EXTENSION]`), writing through `engine`."""
    writer = ViewWriter(engine, behind=behind, gather=gather, lock=lock)
    extensions[EXTENSION] = writer
    return writer
