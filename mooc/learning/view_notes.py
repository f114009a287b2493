"""Where a reader left off: the writes a lecture page makes when an enrolled learner opens it
("resume" on the enrolment, the lecture's last view on its progress row).

The page reads its rows in its one statement and decides here what its view changes (`view_note`;
nothing when noted in the last minute). The writes are blind (no row loaded), made for many views
at once (`write_view_notes`): the page hands its note to its process's writer
(`mooc.learning.view_writer`), which writes whatever notes wait in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Integer, Table, bindparam, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.expression import Executable

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


@dataclass(frozen=True)
class ViewNote:
    """What one lecture page's view writes (`view_note`): on the enrolment `enrolment_row`
    nothing (""), "resume" or "activity" (resume and last activity); on the progress row nothing,
    "update" (its last view) or "insert" (a first view: `progress_row` is None)."""

    user_id: int
    course_id: int
    lecture_id: int
    enrolment_row: int
    progress_row: int | None
    enrolment: str
    progress: str
    at: dt.datetime


def view_note(
    reading: LectureReading, user_id: int, course_id: int, lecture_id: int, now: dt.datetime
) -> ViewNote | None:
    """What the view of a lecture page writes on the rows `reading` found, or None (noted in
    the last minute, or a reader not enrolled: `lecture_view_noted`)."""
    if not reading.enrolled or reading.enrolment_id is None:
        return None
    enrolment = _enrolment_write(reading, lecture_id, now)
    if reading.progress_id is None:
        progress = "insert"
    else:
        progress = "" if _progress_noted(reading, now) else "update"
    if not enrolment and not progress:
        return None
    return ViewNote(
        user_id=user_id,
        course_id=course_id,
        lecture_id=lecture_id,
        enrolment_row=reading.enrolment_id,
        progress_row=reading.progress_id,
        enrolment=enrolment,
        progress=progress,
        at=now,
    )


def write_view_notes(connection: Connection, notes: Sequence[ViewNote]) -> None:
    """Write the views `notes` (of any readers, in the order they were made) in the
    connection's transaction: "resume" and last view as the latest note of each row says, a
    first view inserting the progress row or updating the one a parallel request inserted
    first. A statement per kind of write, each sent for all its rows at once (executemany), rows
    in key order so that two writers lock them in the same order. On PostgreSQL the commit is
    asynchronous: a crash may lose the last moment's views, never anything else."""
    enrolments: dict[int, tuple[bool, dict[str, Any]]] = {}  # row: (activity, parameters)
    updates: dict[int, dict[str, Any]] = {}
    inserts: dict[tuple[int, int], dict[str, Any]] = {}
    for note in notes:  # later notes of a row replace earlier ones
        # Named apart from both tables' columns: an UPDATE sets any column a parameter is named
        # for.
        params = {
            "enrolment_row": note.enrolment_row,
            "lecture": note.lecture_id,
            "progress_row": note.progress_row,
            "user": note.user_id,
            "course": note.course_id,
            "now": note.at,
        }
        if note.enrolment:
            earlier = enrolments.get(note.enrolment_row, (False, params))[0]
            enrolments[note.enrolment_row] = (earlier or note.enrolment == "activity", params)
        if note.progress == "update" and note.progress_row is not None:
            updates[note.progress_row] = params
        elif note.progress == "insert":
            inserts[(note.user_id, note.lecture_id)] = params
    if not (enrolments or updates or inserts):
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    # The progress rows first: a first "mark as done" inserts its progress row before it updates
    # the enrolment, and in that order the two never wait for each other both ways. (The
    # writer's lock timeout cuts any other wait short: mooc.learning.view_writer.)
    if updates:
        connection.execute(_NOTE_PROGRESS, [updates[key] for key in sorted(updates)])
    if inserts:
        connection.execute(
            _FIRST_VIEW[connection.dialect.name], [inserts[key] for key in sorted(inserts)]
        )
    for kind in ("resume", "activity"):
        rows = [
            row
            for _, (activity, row) in sorted(enrolments.items())
            if activity == (kind == "activity")
        ]
        if rows:
            connection.execute(_NOTE_ENROLMENT[kind], rows)


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


def _first_view(insert: Any) -> Any:
    """The progress row of a first view, or the one a parallel request inserted first updated
    (INSERT … ON CONFLICT DO UPDATE)."""
    table = _PROGRESS
    now = bindparam("now", type_=table.c.last_viewed_at.type)
    values = {
        "user_id": bindparam("user", type_=Integer),
        "lecture_id": bindparam("lecture", type_=Integer),
        "course_id": bindparam("course", type_=Integer),
        "first_viewed_at": now,
        "last_viewed_at": now,
    }
    return (
        insert(table)
        .values(values)
        .on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.lecture_id], set_={"last_viewed_at": now}
        )
    )


_FIRST_VIEW: dict[str, Executable] = {
    "postgresql": _first_view(postgresql_insert),
    "sqlite": _first_view(sqlite_insert),
}
