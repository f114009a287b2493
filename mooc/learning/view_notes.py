"""Where a reader left off: the writes a lecture page makes when an enrolled learner opens it
("resume" on the enrolment, the lecture's last view on its progress row).

They are blind writes on the rows the page's one reading statement found (no row loaded), skipped
for what was noted in the last minute. On PostgreSQL they go in one statement with the commit made
asynchronous (a crash may lose the last moment's views, never anything else): a page that writes
costs the server one round trip more than one that only reads. SQLite, in process, gets them as
separate statements (it has no data-modifying WITH).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Table, bindparam, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from mooc.db import utcnow
from mooc.learning.models import Enrolment, LectureProgress
from mooc.learning.queries import LectureReading

_ENROLMENTS = cast(Table, Enrolment.__table__)
_PROGRESS = cast(Table, LectureProgress.__table__)

# A view noted this recently is not written again: a reader reloading or coming back to the
# same lecture within a minute changes neither "resume" nor the lecture's last view.
VIEW_NOTED_FOR = dt.timedelta(minutes=1)
# The enrolment's last activity moves at most this often while a reader goes from lecture to
# lecture. It is a sort key of the teacher's learners page, so every index over the enrolments
# holds it or the row's place: an update that changes it writes a new entry in each of them. One
# that moves only "resume" (not indexed) is a heap-only (HOT) update: no index entry at all.
ACTIVITY_NOTED_FOR = dt.timedelta(minutes=5)


def lecture_view_noted(reading: LectureReading, lecture_id: int, now: dt.datetime) -> bool:
    """Whether the rows `reading` found already say the reader opened this lecture just now
    (or they are not enrolled): then the page writes nothing."""
    if not reading.enrolled or reading.enrolment_id is None:
        return True
    return not _enrolment_write(reading, lecture_id, now) and _progress_noted(reading, now)


def _enrolment_write(reading: LectureReading, lecture_id: int, now: dt.datetime) -> str:
    """What the view changes on the enrolment: nothing (""), "resume" alone, or "activity" (its
    last activity too, when older than ACTIVITY_NOTED_FOR)."""
    last = reading.last_activity_at
    if last is None or not now - ACTIVITY_NOTED_FOR <= last <= now:
        return "activity"
    if reading.started and reading.last_lecture_id == lecture_id:
        return ""
    return "resume"


def _progress_noted(reading: LectureReading, now: dt.datetime) -> bool:
    last = reading.last_viewed_at
    return (
        reading.progress_id is not None and last is not None and now - VIEW_NOTED_FOR <= last <= now
    )


def note_lecture_view(
    session: Session, user_id: int, course_id: int, lecture_id: int, reading: LectureReading
) -> None:
    """Note a lecture page's view on the rows `reading` found: the enrolment's "resume" (and its
    last activity every few minutes) and the progress row's last view (unless noted in the last
    minute); nothing for a reader not enrolled. A first view inserts the progress row, or updates
    the one a parallel request inserted first."""
    now = utcnow()
    if lecture_view_noted(reading, lecture_id, now):
        return
    enrolment = _enrolment_write(reading, lecture_id, now)
    progress = "insert" if reading.progress_id is None else ""
    if not progress and not _progress_noted(reading, now):
        progress = "update"
    # Named apart from both tables' columns: an UPDATE sets any column a parameter is named for.
    params = {
        "enrolment_row": reading.enrolment_id,
        "lecture": lecture_id,
        "progress_row": reading.progress_id,
        "user": user_id,
        "course": course_id,
        "now": now,
    }
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_ONE_STATEMENT[(enrolment, progress)], params)
        return
    if enrolment:
        connection.execute(_NOTE_ENROLMENT[enrolment], params)
    if progress:
        connection.execute(_SQLITE_PROGRESS[progress], params)


# The statements, built once: every lecture page an enrolled learner opens sends them.
_RESUME = (
    update(_ENROLMENTS)
    .where(_ENROLMENTS.c.id == bindparam("enrolment_row"))
    .values(last_lecture_id=bindparam("lecture"), started=True)
)
_NOTE_ENROLMENT = {"resume": _RESUME, "activity": _RESUME.values(last_activity_at=bindparam("now"))}
_NOTE_PROGRESS = (
    update(_PROGRESS)
    .where(_PROGRESS.c.id == bindparam("progress_row"))
    .values(last_viewed_at=bindparam("now"))
)


def _first_view(insert: Any, soft: ColumnElement[bool] | None = None) -> Any:
    """The progress row of a first view, or the one a parallel request inserted first updated
    (INSERT … ON CONFLICT DO UPDATE); on PostgreSQL selected where `soft`, so that it runs."""
    table = _PROGRESS
    now = bindparam("now", type_=table.c.last_viewed_at.type)
    values = {
        "user_id": bindparam("user", type_=Integer),
        "lecture_id": bindparam("lecture", type_=Integer),
        "course_id": bindparam("course", type_=Integer),
        "first_viewed_at": now,
        "last_viewed_at": now,
    }
    if soft is None:
        statement = insert(table).values(values)
    else:
        statement = insert(table).from_select(list(values), select(*values.values()).where(soft))
    return statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.lecture_id], set_={"last_viewed_at": now}
    )


_SQLITE_PROGRESS: dict[str, Executable] = {
    "update": _NOTE_PROGRESS,
    "insert": _first_view(sqlite_insert),
}

# `SET LOCAL synchronous_commit = off` as a function, inside the statement that writes, so that it
# costs no round trip of its own: the transaction's commit does not wait for the disk. As an
# uncorrelated subquery in the condition, PostgreSQL runs it once, before reading any row.
_SOFT = (
    select(literal_column("set_config('synchronous_commit', 'off', true)"))
    .scalar_subquery()
    .is_not(None)
)


def _postgresql(enrolment: str, progress: str) -> Executable:
    """One statement for what a view writes on PostgreSQL: the progress row's write with the
    enrolment's as a data-modifying WITH (which PostgreSQL runs whether or not the rest reads
    it), or either alone."""
    if not progress:
        return _NOTE_ENROLMENT[enrolment].where(_SOFT)
    if progress == "update":
        statement: Any = _NOTE_PROGRESS.where(_SOFT)
    else:
        statement = _first_view(postgresql_insert, _SOFT)
    if enrolment:
        statement = statement.add_cte(_NOTE_ENROLMENT[enrolment].cte("noted_enrolment"))
    return cast(Executable, statement)


_ONE_STATEMENT = {
    (enrolment, progress): _postgresql(enrolment, progress)
    for enrolment in ("", "resume", "activity")
    for progress in ("", "update", "insert")
    if enrolment or progress
}
