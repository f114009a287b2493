"""A lecture page costs a few indexed statements whatever the course's size (issue #14, point 2):
the same count for a visitor, an enrolled pupil and a teacher on a course of 5 and of 60
lectures, the first time (the outline read and cached) and after (the outline from the cache).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from mooc.catalog.models import Course
from mooc.db import utcnow
from mooc.extensions import db
from mooc.learning.models import Enrolment, LectureProgress
from mooc.web import transactions
from tests.integration.lecture_courses import generated_course, pupil_of, sign_in, teacher_of
from tests.querycount import Statements, counting

SIZES = (5, 60)
# Warm: one statement for the course, the session's check (the reader, their roles), their
# enrolment, progress on the lecture, unread notifications and whether they are in a class (a
# pupil in one reads their class's due dates too: tests/integration/schools/test_due_dates.py);
# the pupil's view written (the test lets a minute pass first: WRITES); the teacher's course row,
# roles and course assignments (not enrolled).
BUDGETS = {"visitor": 1, "pupil": 1, "teacher": 5}
# A view's writes: "resume" on the enrolment and the lecture's progress row, and on PostgreSQL
# the SET LOCAL that makes the commit asynchronous (mooc.learning.view_notes). A page hands them
# to its process's view writer, which writes every waiting view at once
# (tests/integration/learning/test_view_writer.py): the page itself reads only. Tests run in one
# transaction that a writer's connection cannot see, so here the page writes them itself.
WRITES = {"postgresql": 3, "sqlite": 2}
RELOAD = 1  # a pupil's reload within the minute: the view is noted, nothing written
# A page not kept yet: the outline (sections, lectures, quizzes), the lecture's text, and the
# course's row to draw it.
COLD = 5
_cold: list[Statements] = []
_last: list[
    Statements
] = []  # the outline (sections, lectures, quizzes) and the lecture's text, read once


def _get(client: FlaskClient, session: Session, url: str) -> tuple[str, Statements]:
    session.expire_all()
    with counting(db.engine) as sent:
        response = client.get(url, headers={"Accept-Language": "en"})
        body = response.get_data(as_text=True)
    assert response.status_code == 200, (url, response.status_code)
    _last[:] = [sent]
    return body, sent


def _costs(
    client: FlaskClient, session: Session, course: Course, lecture: int
) -> tuple[str, int, int]:
    """The page of lecture number `lecture`, and its statements first and second time."""
    url = f"/courses/{course.slug}/lectures/bai-{lecture}"
    _, cold = _get(client, session, url)
    _cold[:] = [cold]
    _a_minute_passes(session)
    body, warm = _get(client, session, url)
    return body, len(cold), len(warm)


def _a_minute_passes(session: Session) -> None:
    """Views noted more than a minute ago: the next view writes them again."""
    earlier = utcnow() - dt.timedelta(minutes=2)
    session.execute(update(Enrolment).values(last_activity_at=earlier))
    session.execute(update(LectureProgress).values(last_viewed_at=earlier))
    session.commit()


def _courses(app: Flask, session: Session, tmp_path: Path) -> dict[int, Course]:
    storage = app.extensions["mooc_storage"]
    return {size: generated_course(session, storage, tmp_path, size) for size in SIZES}


def _fresh(app: Flask) -> None:
    app.extensions["mooc_outlines"].clear()


def test_a_visitor_reads_the_preview_in_one_statement(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    courses = _courses(app, session, tmp_path)
    _fresh(app)
    costs = {size: _costs(client, session, course, 1) for size, course in courses.items()}
    for size, (body, cold, warm) in costs.items():
        assert f"Lecture 1 of {size}" in body and "Nội dung của bài 1." in body
        assert warm <= BUDGETS["visitor"], (size, warm)
        assert cold <= BUDGETS["visitor"] + COLD, (size, cold)
    assert costs[5][1:] == costs[60][1:]


def test_a_pupil_and_a_teacher_cost_the_same_on_5_and_60_lectures(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    courses = _courses(app, session, tmp_path)
    for role, make in (("pupil", pupil_of), ("teacher", teacher_of)):
        counts = {}
        for size, course in courses.items():
            sign_in(client, make(session, course))
            _fresh(app)
            body, cold, warm = _costs(client, session, course, 3)
            assert f"Lecture 3 of {size}" in body
            assert "← Bài 2" in body and "Bài 4 →" in body  # the neighbours, from the outline
            budget = BUDGETS[role] + (WRITES[db.engine.dialect.name] if role == "pupil" else 0)
            assert warm <= budget, f"{role} {size} {warm}\n{_last[0].text()}"
            assert cold <= budget + COLD, (role, size, cold, _cold[0].text())
            counts[size] = (cold, warm)
        assert counts[5] == counts[60], (role, counts)


def test_a_pupil_reloading_within_the_minute_writes_nothing(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    course = _courses(app, session, tmp_path)[5]
    sign_in(client, pupil_of(session, course))
    url = f"/courses/{course.slug}/lectures/bai-2"
    _get(client, session, url)
    body, again = _get(client, session, url)
    assert "Lecture 2 of 5" in body
    assert len(again) == RELOAD, again.text()
    assert not _writes(again)
    # Another lecture moves "resume" at once; its first view inserts its progress row.
    dialect = db.engine.dialect.name
    _, other = _get(client, session, f"/courses/{course.slug}/lectures/bai-3")
    writes = _writes(other)
    assert len(writes) == 2, other.text()
    assert "INSERT INTO lecture_progress" in writes[0] and "UPDATE enrolment" in writes[-1]
    # On PostgreSQL the view's transaction commits without waiting for the disk.
    assert sum("synchronous_commit" in s for s in other.sql) == (dialect == "postgresql")
    # Back within the minute: "resume" moves, the progress row noted a moment ago is not written.
    _, back = _get(client, session, url)
    writes = _writes(back)
    assert len(writes) == 1 and "UPDATE enrolment" in writes[0], back.text()
    assert "lecture_progress" not in writes[0]


def _writes(sent: Statements) -> list[str]:
    return [s for s in sent.sql if s.lstrip().upper().startswith(("UPDATE", "INSERT", "WITH"))]


def test_a_pupils_view_is_written_by_one_thread_of_a_process_at_a_time_on_sqlite(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    """While another thread writes a view (holding the process's writer lock), the page waits on
    that lock, not in SQLite's sleeping busy handler; PostgreSQL does not take it."""
    course = _courses(app, session, tmp_path)[5]
    sign_in(client, pupil_of(session, course))
    url = f"/courses/{course.slug}/lectures/bai-2"
    statuses: list[int] = []
    reader = threading.Thread(
        target=lambda: statuses.append(
            client.get(url, headers={"Accept-Language": "en"}).status_code
        )
    )
    with transactions._SQLITE_WRITER:
        reader.start()
        reader.join(timeout=3)
        waited = reader.is_alive()
    reader.join(timeout=30)
    assert statuses == [200]
    assert waited is (db.engine.dialect.name == "sqlite")
